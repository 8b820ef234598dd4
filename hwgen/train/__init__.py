"""Training: offline datasets, recipes (BinaryNet, AdamBNN, SGD), FF/C2I metrics."""

from __future__ import annotations

from hwgen.train.data import Dataset, load_dataset
from hwgen.train.loop import TrainConfig, run, train_model
from hwgen.train.recipes import RECIPES, get_recipe

__all__ = ["RECIPES", "Dataset", "TrainConfig", "get_recipe", "load_dataset", "run", "train_model"]
