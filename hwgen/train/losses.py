"""Losses: cross entropy, BinaryNet squared hinge, distributional (KD) loss from a teacher."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def squared_hinge(logits: Tensor, target: Tensor) -> Tensor:
    """Mean of max(0, 1 - t*y)^2 with t the one-hot target in {-1, +1} (BinaryNet)."""
    t = F.one_hot(target, logits.shape[1]).to(logits.dtype) * 2 - 1
    return torch.clamp(1 - t * logits, min=0).pow(2).mean()


def distributional(student_logits: Tensor, teacher_logits: Tensor) -> Tensor:
    """ReActNet distributional loss: -sum softmax(teacher) * log_softmax(student), batch mean."""
    p_t = F.softmax(teacher_logits.detach(), dim=1)
    return -(p_t * F.log_softmax(student_logits, dim=1)).sum(dim=1).mean()


LOSSES = {"ce": F.cross_entropy, "sqr_hinge": squared_hinge}
