"""Hardware units: the explicit registry of every unit class hwgen lowers to (DESIGN §4).

Adding a unit is one module here, one line in ``UNITS``, one HLS library function.
"""

from __future__ import annotations

from hwgen.core.errors import HwgenError
from hwgen.core.ir import Graph, Node
from hwgen.units.add_streams import AddStreams
from hwgen.units.avg_pool import AveragePool
from hwgen.units.base import Port, Unit
from hwgen.units.concat import StreamingConcat
from hwgen.units.duplicate import DuplicateStreams
from hwgen.units.dwc import DataWidthConverter
from hwgen.units.fifo import FIFO
from hwgen.units.global_avg_pool import GlobalAveragePool
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
    "DataWidthConverter": DataWidthConverter,
    "FIFO": FIFO,
    "DuplicateStreams": DuplicateStreams,
    "AddStreams": AddStreams,
    "StreamingConcat": StreamingConcat,
    "AveragePool": AveragePool,
    "GlobalAveragePool": GlobalAveragePool,
}


class UnknownUnitError(HwgenError):
    """A hardware node whose op has no unit module: a bug in a pass, or a unit not registered."""


def is_unit(node: Node) -> bool:
    """True for a node that becomes hardware (a registered unit not marked ``host``)."""
    return node.op in UNITS and not node.attrs.get("host")


def unit_of(node: Node) -> Unit:
    """The unit object (attributes + params) a hardware-graph node describes."""
    cls = UNITS.get(node.op)
    if cls is None:
        raise UnknownUnitError(f"node {node.name!r}: op {node.op!r} is not a hardware unit "
                               f"(known: {', '.join(UNITS)})")
    return cls.from_node(node)


def hardware_nodes(g: Graph) -> list[Node]:
    """The nodes that become hardware, in topological order."""
    return [n for n in g.nodes if is_unit(n)]


__all__ = ["FIFO", "UNITS", "AddStreams", "AveragePool", "DataWidthConverter", "DuplicateStreams",
           "GlobalAveragePool", "LabelSelect", "MVAU", "Port", "SlidingWindow", "StreamingConcat",
           "StreamingMaxPool", "Thresholding", "Unit", "UnknownUnitError", "hardware_nodes", "is_unit",
           "unit_of"]
