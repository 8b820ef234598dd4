"""What the optimizer and the folding-config reader share."""

from __future__ import annotations

from hwgen.core.errors import ConfigError
from hwgen.core.ir import Graph, Node


class FoldingError(ConfigError):
    """A folding request that no legal folding satisfies, or an illegal folding config."""


def divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def sliding_window_of(g: Graph, mvau: Node) -> Node | None:
    p = g.producer(mvau.inputs[0])
    return p if p is not None and p.op == "SlidingWindow" else None


def fed_mvau(g: Graph, swu: Node) -> Node | None:
    cons = g.consumers(swu.outputs[0])
    return cons[0] if len(cons) == 1 and cons[0].op == "MVAU" else None
