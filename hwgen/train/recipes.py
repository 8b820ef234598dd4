"""Training recipes as data: stages of (optimizer, LR, schedule, weight decay, weight binarity)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from hwgen.core.errors import HwgenError


@dataclass(frozen=True)
class Stage:
    """One stage of a recipe; `share` is its fraction of the epoch budget."""

    name: str
    share: float
    optimizer: str  # "adam" | "sgd"
    lr: float
    weight_decay: float
    binary_weights: bool
    schedule: str  # "linear" (to 0) | "exp100" (to lr/100)
    momentum: float = 0.9


@dataclass(frozen=True)
class Recipe:
    """A named training recipe."""

    name: str
    stages: tuple[Stage, ...]
    loss: str  # key of hwgen.train.losses.LOSSES
    doc: str

    def stage_epochs(self, epochs: int) -> list[int]:
        """Split `epochs` over the stages (each gets at least one epoch)."""
        if epochs < len(self.stages):
            raise HwgenError(
                f"recipe {self.name!r} has {len(self.stages)} stages; use --epochs >= "
                f"{len(self.stages)}"
            )
        counts = [max(1, int(round(s.share * epochs))) for s in self.stages]
        counts[-1] = epochs - sum(counts[:-1])
        return counts


def lr_at(stage: Stage, base_lr: float, progress: float) -> float:
    """Learning rate at `progress` in [0, 1) through a stage."""
    if stage.schedule == "linear":
        return base_lr * (1.0 - progress)
    if stage.schedule == "exp100":
        return base_lr * math.exp(math.log(0.01) * progress)
    raise ValueError(f"unknown schedule {stage.schedule!r}")


RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in (
        Recipe(
            "binarynet",
            (Stage("binary", 1.0, "adam", 2e-2, 0.0, True, "exp100"),),
            "sqr_hinge",
            "Adam, squared hinge loss, latent weights clipped, LR decays x0.01 exponentially",
        ),
        Recipe(
            "adambnn",
            (
                Stage("stage1-real-weights", 0.5, "adam", 5e-3, 5e-6, False, "linear"),
                Stage("stage2-binary", 0.5, "adam", 5e-3, 0.0, True, "linear"),
            ),
            "ce",
            "AdamBNN two-stage: binary acts + real weights (wd 5e-6), then all binary (wd 0); "
            "linear LR decay to 0 in each",
        ),
        Recipe(
            "sgd",
            (Stage("binary", 1.0, "sgd", 0.05, 0.0, True, "linear"),),
            "ce",
            "SGD momentum 0.9, cross entropy, linear LR decay to 0 (baseline)",
        ),
    )
}


def get_recipe(name: str) -> Recipe:
    """Look up a recipe; unknown names raise HwgenError listing the valid ones."""
    try:
        return RECIPES[name]
    except KeyError:
        raise HwgenError(f"unknown recipe {name!r}; valid recipes: {', '.join(RECIPES)}") from None
