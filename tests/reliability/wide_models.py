"""Models with wide activations or wide inputs (issue 11: 16 and 24 bits)."""

from __future__ import annotations

import models
from brevitas.core.restrict_val import RestrictValueType
from brevitas.nn import QuantIdentity
from brevitas_examples.bnn_pynq.models.common import CommonActQuant
from torch import nn


def wide_input(bits: int) -> QuantIdentity:
    return QuantIdentity(act_quant=CommonActQuant, bit_width=bits, min_val=-1.0, max_val=1.0 - 2.0 ** (1 - bits),
                         narrow_range=False, restrict_scaling_type=RestrictValueType.POWER_OF_TWO)


class Wide(nn.Module):
    """``in_bits`` input quantizer, binary weights, BatchNorm, an ``act_bits`` activation."""

    input_shape = (1, 8, 8)

    def __init__(self, act_bits: int = 2, in_bits: int = 8, hidden: int = 32):
        super().__init__()
        self.inp = wide_input(in_bits)
        self.fc1 = models.linear(64, hidden)
        self.bn1 = nn.BatchNorm1d(hidden)
        self.act = models.sign(act_bits)
        self.fc2 = models.linear(hidden, 10)
        self.bn2 = nn.BatchNorm1d(10)

    def forward(self, x):
        x = self.inp(2.0 * x.flatten(1) - 1.0)
        return self.bn2(self.fc2(self.act(self.bn1(self.fc1(x)))))
