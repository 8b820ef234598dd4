"""Forward and backward of the binary activation under each surrogate gradient."""

from __future__ import annotations

import math

import pytest
import torch

from hwgen.core.errors import HwgenError
from hwgen.zoo.blocks import BinaryAct
from hwgen.zoo.grad import GradShape, ede_schedule, set_ede

X = torch.tensor([-2.0, -1.0, -0.75, -0.25, 0.0, 0.25, 0.5, 0.999, 1.0, 1.5])


def act_grad(kind: str, x: torch.Tensor, t: float = 1.0, k: float = 1.0):
    act = BinaryAct(1, kind).train()
    act.shape.t, act.shape.k = t, k
    x = x.clone().requires_grad_(True)
    y = act(x.view(1, -1))
    y.sum().backward()
    return y.detach().flatten(), x.grad


@pytest.mark.parametrize("kind", ["ste", "ste_clip", "approxsign", "ede"])
def test_forward_is_sign_with_zero_positive(kind: str) -> None:
    y, _ = act_grad(kind, X)
    assert torch.equal(y, torch.where(X >= 0, 1.0, -1.0))


def test_binarynet_ste_clipped_at_one() -> None:
    _, g = act_grad("ste_clip", X)
    assert torch.equal(g, (X.abs() <= 1).float())


def test_approxsign_derivative() -> None:
    _, g = act_grad("approxsign", X)
    expected = [2 + 2 * x if -1 <= x < 0 else 2 - 2 * x if 0 <= x < 1 else 0.0 for x in X.tolist()]
    # x = -1 itself: 2 + 2x = 0, so the closed form agrees at the boundary.
    torch.testing.assert_close(g, torch.tensor(expected), atol=1e-6, rtol=0)


def test_ede_derivative() -> None:
    t, k = 3.0, 1.0 / 3.0
    _, g = act_grad("ede", X, t, k)
    expected = [k * t * (1 - math.tanh(t * x) ** 2) for x in X.tolist()]
    torch.testing.assert_close(g, torch.tensor(expected), atol=1e-6, rtol=1e-5)


def test_ede_schedule_endpoints_and_setter() -> None:
    assert ede_schedule(0.0) == pytest.approx((0.1, 10.0))  # float quantity, not an integer path
    assert ede_schedule(1.0) == pytest.approx((10.0, 1.0))  # float quantity, not an integer path
    assert ede_schedule(0.5) == pytest.approx((1.0, 1.0))  # float quantity, not an integer path
    act = BinaryAct(4, "ede")
    set_ede(act, 1.0)
    assert (act.shape.t, act.shape.k) == pytest.approx((10.0, 1.0))  # float quantity, not an integer path


def test_eval_mode_leaves_no_custom_function() -> None:
    act = BinaryAct(1, "approxsign").eval()
    x = torch.tensor([0.3, -0.3], requires_grad=True)
    act(x.view(1, -1)).sum().backward()
    # In eval mode GradShape is the identity, so the plain straight-through gradient remains.
    assert torch.equal(x.grad, torch.ones(2))


def test_unknown_kind_is_a_user_error() -> None:
    with pytest.raises(HwgenError, match="unknown gradient kind 'foo'; use one of"):
        GradShape("foo")
