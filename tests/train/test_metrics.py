"""FF-ratio and C2I-ratio on hand-made sign histories."""

from __future__ import annotations

import pytest
import torch

from hwgen import zoo
from hwgen.train.metrics import FlipTracker, flip_ratio, weight_signs
from hwgen.zoo.transforms import latent_weight


def test_flip_ratio_hand_example() -> None:
    init = torch.tensor([True, True, False, False])
    e1 = torch.tensor([False, True, False, False])  # one flip of four
    e2 = torch.tensor([True, True, True, False])  # flips back, another flips
    assert flip_ratio(init, e1) == 0.25
    assert flip_ratio(e1, e2) == 0.5  # FF: both changed since epoch 1
    assert flip_ratio(init, e2) == 0.25  # C2I: only the third differs from init


def test_tracker_on_a_model() -> None:
    model = zoo.build("digits-mlp")
    tracker = FlipTracker(model)
    n = weight_signs(model).numel()
    assert n == 64 * 64 + 64 * 64 + 64 * 10
    first = latent_weight(model.features[0])
    with torch.no_grad():
        first[0, :8] = -first[0, :8]  # flip 8 weights (none is exactly 0 after uniform init)
    ff, c2i = tracker.update(model)
    assert (ff, c2i) == (pytest.approx(8 / n), pytest.approx(8 / n))  # float quantity, not an integer path
    with torch.no_grad():
        first[0, :4] = -first[0, :4]  # flip 4 of them back
    ff, c2i = tracker.update(model)
    assert (ff, c2i) == (pytest.approx(4 / n), pytest.approx(4 / n))  # float quantity, not an integer path


def test_flip_ratio_shape_mismatch() -> None:
    with pytest.raises(ValueError, match="differ in shape"):
        flip_ratio(torch.ones(3, dtype=torch.bool), torch.ones(4, dtype=torch.bool))
