"""Hardware units: the explicit registry of every unit class hwgen lowers to."""

from __future__ import annotations

from hwgen.core.ir import Node
from hwgen.units.base import Unit
from hwgen.units.label_select import LabelSelect
from hwgen.units.mvau import MVAU
from hwgen.units.pool import StreamingMaxPool
from hwgen.units.sliding_window import SlidingWindow
from hwgen.units.thresholding import Thresholding

UNITS: dict[str, type[Unit]] = {
    "MVAU": MVAU,
    "SlidingWindow": SlidingWindow,
    "StreamingMaxPool": StreamingMaxPool,
    "Thresholding": Thresholding,
    "LabelSelect": LabelSelect,
}


def unit_of(node: Node) -> Unit:
    """The unit object (attributes + params) a hardware-graph node describes."""
    return UNITS[node.op].from_node(node)


__all__ = ["UNITS", "LabelSelect", "MVAU", "SlidingWindow", "StreamingMaxPool", "Thresholding", "Unit", "unit_of"]
