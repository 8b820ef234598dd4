"""Brevitas quantizer injectors used by the zoo; every one exports to plain QONNX.

Activation quantizers use a straight-through clamp (gradient 1 everywhere), so the
backward pass of a binary activation is decided entirely by the `GradShape` placed in
front of it (see `hwgen.zoo.grad`). Weight quantizers use `BinaryQuant` (pure STE) for
the same reason; weight-side gradient shaping is a parametrization.
"""

from __future__ import annotations

from brevitas.core.function_wrapper import TensorClampSte
from brevitas.core.quant import BinaryQuant
from brevitas.core.restrict_val import RestrictValueType
from brevitas.core.scaling import ScalingImplType
from brevitas.inject.enum import ScalingPerOutputType, StatsOp
from brevitas.quant.binary import SignedBinaryActPerTensorConst, SignedBinaryWeightPerTensorConst
from brevitas.quant.fixed_point import Int8ActPerTensorFixedPoint
from brevitas.quant.scaled_int import Int8ActPerTensorFloatMinMaxInit, Int8WeightPerTensorFloat


class BipolarActSte(SignedBinaryActPerTensorConst):
    """Bipolar {-1,+1} activation, scale 1.0, straight-through gradient (shaped elsewhere)."""

    tensor_clamp_impl = TensorClampSte


class BinaryWeightConst(SignedBinaryWeightPerTensorConst):
    """BinaryNet weights: sign(W) * 1.0, pure STE (clipping is done on the latent weights)."""

    tensor_quant = BinaryQuant
    scaling_const = 1.0


class BinaryWeightChannelMean(SignedBinaryWeightPerTensorConst):
    """XNOR-Net / Bi-Real weights: sign(W) * mean|W| per output channel.

    The scale is computed from the weights on every forward, so its gradient reaches the
    weights too: that is Bi-Real's magnitude-aware weight gradient.
    """

    tensor_quant = BinaryQuant
    scaling_impl_type = ScalingImplType.STATS
    scaling_stats_op = StatsOp.AVE
    scaling_per_output_type = ScalingPerOutputType.CHANNEL


class BinaryWeightChannelPow2(BinaryWeightChannelMean):
    """IR-Net weights: sign(W) * 2^round(log2(mean|W|)) per output channel (a bit shift)."""

    restrict_scaling_type = RestrictValueType.POWER_OF_TWO


class Int4WeightConst(Int8WeightPerTensorFloat):
    """4-bit narrow-range weights on one constant power-of-two scale, 2^-3 (Brevitas divides the
    constant 7/8 by the largest code 7): codes -7..7, exact in hwgen. The zoo's stems use it —
    a 3x3 filter on one 8-bit channel has only 9 weights, too few to binarize."""

    bit_width = 4
    narrow_range = True
    scaling_impl_type = ScalingImplType.CONST
    scaling_const = 7.0 / 8.0


class Int8InputQuant(Int8ActPerTensorFloatMinMaxInit):
    """Signed 8-bit input in Q1.7 (scale 2^-7, range [-1, 1-2^-7]), constant scale."""

    scaling_impl_type = ScalingImplType.CONST
    restrict_scaling_type = RestrictValueType.POWER_OF_TWO
    min_val = -1.0
    max_val = 1.0 - 2.0**-7
    narrow_range = False


class ShortcutQuant(Int8ActPerTensorFixedPoint):
    """Signed fixed-point residual stream (power-of-two scale learned from statistics)."""


class ShortcutConstQuant(Int8InputQuant):
    """Signed fixed-point shortcut stream with one constant power-of-two scale (2^-3 at the zoo's
    6 bits: range [-4, 4)): every shortcut tensor of a zoo network shares it, so the Add of a
    branch and its shortcut is an integer add and a Concat of two branches is wiring (DESIGN §3).
    6 bits, not 8: a requantizer is 2^b - 1 thresholds in hardware, and 255 of them per channel
    do not fit a PYNQ-Z1 even fully folded (63 do)."""

    min_val = -4.0
    max_val = 4.0 - 2.0**-3
