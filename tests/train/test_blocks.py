"""Forward/backward of the weight quantizers, transforms, RSign, RPReLU, residual block."""

from __future__ import annotations

import math

import pytest
import torch

from hwgen.zoo.blocks import BiRealBlock, RPReLU, RSign, binary_linear
from hwgen.zoo.methods import get_method
from hwgen.zoo.transforms import LibraPB, ReCU, latent_weight, recu_quantile, recu_tau, set_recu


def layer_with(method: str, w: torch.Tensor):
    layer = binary_linear(w.shape[1], w.shape[0], get_method(method)).train()
    with torch.no_grad():
        latent_weight(layer).copy_(w)
    return layer


def test_binarynet_weights_scale_one_and_ste() -> None:
    w = torch.tensor([[0.5, -0.2, 0.0], [-0.9, 0.3, -1.0]])
    layer = layer_with("binarynet", w)
    qw = layer.quant_weight()
    assert torch.equal(qw.value, torch.where(w >= 0, 1.0, -1.0))
    assert float(qw.scale) == 1.0
    w_param = latent_weight(layer)
    (qw.value * torch.arange(6.0).view(2, 3)).sum().backward()
    assert torch.equal(w_param.grad, torch.arange(6.0).view(2, 3))


def test_binarynet_latent_weights_clipped_after_step() -> None:
    from hwgen.train.loop import after_step
    from hwgen.zoo import build

    model = build("tfc")
    with torch.no_grad():
        latent_weight(model.features[0]).mul_(5.0)
    after_step(model)
    assert float(latent_weight(model.features[0]).abs().max()) <= 1.0


def test_xnor_per_channel_scale_is_mean_abs() -> None:
    w = torch.tensor([[0.5, -0.25, 0.75, -0.5], [0.1, 0.1, -0.1, 0.1]])
    qw = layer_with("xnor", w).quant_weight()
    alpha = w.abs().mean(dim=1, keepdim=True)
    torch.testing.assert_close(qw.scale, alpha)
    torch.testing.assert_close(qw.value, alpha * torch.where(w >= 0, 1.0, -1.0))


def test_bireal_magnitude_aware_weight_gradient() -> None:
    # W_b = a_i * sign(W), a_i = 2^round(log2(alpha_i)), alpha_i = mean_j |W_ij| (a power of two,
    # so hwgen reproduces the float convolution exactly). Magnitude-aware gradient, the rounding
    # passed straight through (da/dalpha = a/alpha):
    # dL/dW_ik = a_i g_ik + (a_i/alpha_i) sign(W_ik)/n * sum_j g_ij sign(W_ij)   (|W| < 1 here).
    w = torch.tensor([[0.5, -0.25, 0.75, -0.5], [0.2, 0.4, -0.6, 0.1]])
    g = torch.tensor([[1.0, 2.0, -1.0, 0.5], [-0.3, 0.2, 0.7, 1.0]])
    layer = layer_with("bireal", w)
    (layer.quant_weight().value * g).sum().backward()
    s = torch.where(w >= 0, 1.0, -1.0)
    alpha = w.abs().mean(dim=1, keepdim=True)
    a = 2.0 ** torch.round(torch.log2(alpha))
    torch.testing.assert_close(layer.quant_weight().scale.reshape(-1, 1), a)
    expected = a * g + (a / alpha) * s / w.shape[1] * (g * s).sum(dim=1, keepdim=True)
    torch.testing.assert_close(latent_weight(layer).grad, expected)


def test_librapb_standardizes_each_output_channel() -> None:
    w = torch.randn(5, 12) * 3 + 2
    out = LibraPB()(w)
    torch.testing.assert_close(out.mean(dim=1), torch.zeros(5), atol=1e-5, rtol=0)
    torch.testing.assert_close(out.std(dim=1), torch.ones(5), atol=1e-4, rtol=0)


def test_irnet_scale_is_power_of_two_of_standardized_mean_abs() -> None:
    w = torch.randn(3, 16) + 0.5
    qw = layer_with("irnet", w).quant_weight()
    ws = LibraPB()(w)
    expected = 2.0 ** torch.round(torch.log2(ws.abs().mean(dim=1, keepdim=True)))
    torch.testing.assert_close(qw.scale, expected)
    assert torch.equal(qw.value.sign(), torch.where(ws >= 0, 1.0, -1.0))


def test_recu_quantile_and_clamp() -> None:
    assert recu_quantile(torch.tensor(2.0), 0.85) == pytest.approx(-2.0 * math.log(0.3))  # float quantity, not an integer path
    w = torch.randn(4, 64)
    recu = ReCU(tau=0.85)
    out = recu(w)
    ws = (w - w.mean(1, keepdim=True)) / (w.std(1, keepdim=True) + 1e-5)
    q = -ws.abs().mean(1, keepdim=True) * math.log(2 - 2 * 0.85)
    torch.testing.assert_close(out, torch.clamp(ws, -q, q))
    w.requires_grad_(True)
    ReCU(0.85)(w).sum().backward()  # clamped entries get no gradient through the clamp
    assert (w.grad.abs().sum(dim=1) > 0).all()


def test_recu_tau_schedule_is_exponential_085_to_099() -> None:
    assert recu_tau(0.0) == pytest.approx(0.85)  # float quantity, not an integer path
    assert recu_tau(1.0) == pytest.approx(0.99)  # float quantity, not an integer path
    assert recu_tau(0.5) == pytest.approx(math.sqrt(0.85 * 0.99))  # float quantity, not an integer path
    m = ReCU()
    set_recu(m, 1.0)
    assert float(m.tau) == pytest.approx(0.99)


def test_rsign_shift_forward_backward() -> None:
    rs = RSign(3)
    with torch.no_grad():
        rs.beta.copy_(torch.tensor([0.5, -1.0, 0.0]))
    x = torch.zeros(2, 3, 4, 4)
    y = rs(x)
    assert torch.equal(y[0, :, 0, 0], torch.tensor([-0.5, 1.0, 0.0]))
    y.sum().backward()
    assert torch.equal(rs.beta.grad, torch.full((3,), -32.0))


def test_rprelu_forward_backward_and_clamp() -> None:
    r = RPReLU(2, init_slope=0.25)
    with torch.no_grad():
        r.gamma.copy_(torch.tensor([1.0, 0.0]))
        r.zeta.copy_(torch.tensor([0.5, -0.5]))
    x = torch.tensor([[0.0, 2.0], [3.0, -2.0]], requires_grad=True)
    y = r(x)
    # channel 0: prelu(x - 1) + 0.5; channel 1: prelu(x) - 0.5
    assert torch.equal(y.detach(), torch.tensor([[-0.25 + 0.5, 2.0 - 0.5], [2.5, -0.5 - 0.5]]))
    y.sum().backward()
    assert torch.equal(x.grad, torch.tensor([[0.25, 1.0], [1.0, 0.25]]))
    with torch.no_grad():
        r.prelu.weight.copy_(torch.tensor([-0.1, 0.3]))
    r.clamp_slope_()
    assert torch.equal(r.prelu.weight.detach(), torch.tensor([0.0, 0.3]))


def test_bireal_block_branch_and_shortcut_share_one_power_of_two_scale() -> None:
    """The branch goes through a quantizer with the shortcut's constant power-of-two scale before
    the Add (so hardware adds integers), and the sum is requantized on the same grid."""
    block = BiRealBlock(4, get_method("bireal"))
    x = torch.randn(8, 4, 6, 6)
    block.eval()
    branch = block.branch_quant.act_quant(block.bn(block.conv(block.pad(block.act(x)))))
    out = block.out_quant.act_quant(branch.value + x)
    for qt in (branch, out):
        assert int(qt.bit_width) == 6 and float(qt.scale) == 2.0**-3
        ints = qt.value / qt.scale
        assert torch.equal(ints, ints.round()) and ints.abs().max() <= 32
    assert block(x).shape == x.shape
    plain = BiRealBlock(4, get_method("bireal"), residual=False)
    assert plain.out_quant is None  # no shortcut: the branch quantizer is the block's output
