"""A small real-valued teacher for the distributional (KD) loss."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from hwgen.train.data import Dataset


def train_teacher(
    data: Dataset, epochs: int, seed: int, batch_size: int = 128, hidden: int = 512
) -> nn.Module:
    """Train a float MLP (Adam, CE) on `data` and return it in eval mode."""
    torch.manual_seed(seed)
    teacher = nn.Sequential(
        nn.Flatten(),
        nn.Linear(math.prod(data.input_shape), hidden),
        nn.ReLU(),
        nn.Linear(hidden, data.num_classes),
    )
    opt = torch.optim.Adam(teacher.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(seed)
    n = len(data.y_train)
    for _ in range(epochs):
        for idx in torch.randperm(n, generator=gen).split(batch_size):
            loss = F.cross_entropy(teacher(data.x_train[idx]), data.y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return teacher.eval()
