"""BNN training methods as data: which weight quantizer, transform and backward each uses."""

from __future__ import annotations

from dataclasses import dataclass

from hwgen.core.errors import HwgenError
import hwgen.zoo.quant as quant


@dataclass(frozen=True)
class Method:
    """How a binary layer is built and trained.

    Attributes
    ----------
    weight_quant : Brevitas weight quantizer injector.
    weight_transform : None, 'librapb' or 'recu' (baked into the weights before export).
    weight_grad, act_grad : backward kind of the weight / activation sign (see grad.py).
    clip_weights : clip latent weights to [-1, 1] after each optimizer step (BinaryNet).
    rsign, rprelu : ReActNet learnable shift before the sign / RPReLU after BatchNorm.
    """

    name: str
    weight_quant: type
    weight_transform: str | None
    weight_grad: str
    act_grad: str
    clip_weights: bool
    rsign: bool = False
    rprelu: bool = False
    doc: str = ""


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("binarynet", quant.BinaryWeightConst, None, "ste_clip", "ste_clip", True,
               doc="sign/STE clipped at |x|<=1, weight scale 1.0, latent weights clipped"),
        Method("xnor", quant.BinaryWeightChannelMean, None, "ste_clip", "ste_clip", True,
               doc="per-output-channel weight scale mean|W|"),
        Method("bireal", quant.BinaryWeightChannelPow2, None, "ste_clip", "approxsign", True,
               doc="ApproxSign backward, magnitude-aware weight gradient (power-of-two channel scale: exact)"),
        Method("irnet", quant.BinaryWeightChannelPow2, "librapb", "ede", "ede", False,
               doc="Libra-PB weight standardization, power-of-two scale, EDE backward"),
        Method("recu", quant.BinaryWeightChannelMean, "recu", "ste", "approxsign", False,
               doc="standardize + clamp at the tau-quantile of a Laplace fit"),
        Method("reactnet", quant.BinaryWeightChannelPow2, None, "ste_clip", "approxsign", True,
               rsign=True, rprelu=True, doc="RSign learnable shift, RPReLU (slope >= 0)"),
    )
}


def get_method(name: str) -> Method:
    """Look up a method by name; unknown names raise HwgenError listing the valid ones."""
    try:
        return METHODS[name]
    except KeyError:
        raise HwgenError(
            f"unknown method {name!r}; valid methods: {', '.join(METHODS)}"
        ) from None
