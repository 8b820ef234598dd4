"""Fold: choose PE/SIMD for every unit (DESIGN §1 ``fold``).

The dataflow pipeline's throughput is set by its slowest unit, so the objective is min-max:

* ``target_fps`` given: the target cycle count T = clock / fps; every unit independently takes
  its cheapest legal folding with cycles <= T. Cost is separable, so this is optimal.
* no target: the smallest T whose cheapest design fits the budget. The achievable T values are
  the finite set of cycle counts of legal foldings; fitting is monotone in T (a larger T only
  adds choices), so we binary-search that set. At each T an exact branch-and-bound over each
  group's Pareto front (LUT, BRAM18, DSP) finds the cheapest fitting design, or proves none.

A unit that ties to its consumer (a SlidingWindow to the MVAU it feeds: same SIMD) is folded in
its consumer's group. Width converters depend on two neighbours' foldings; they are priced after
the search (``insert`` + ``fifo`` + estimate) and the budget is tightened by any overflow and
the search rerun (at most a few times).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from hwgen.core.boards import Board
from hwgen.core.ir import Graph, Node
from hwgen.fold.common import FoldingError
from hwgen.passes.fifo import depth_for, sized
from hwgen.passes.insert import insert_stream_nodes
from hwgen.units import FIFO, Unit, hardware_nodes, is_unit, unit_of
from hwgen.units.cost import BUDGETED, MAX_STREAM_BITS, SHELL, add


@dataclass(frozen=True)
class Option:
    """One legal folding of a group: node attrs to set, its cycles and resources."""

    attrs: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]  # ((node, ((attr, value), ...)), ...)
    cycles: int
    res: dict[str, int] = field(compare=False, hash=False)
    cost: float = 0.0

    @property
    def vec(self) -> tuple[int, ...]:
        return tuple(self.res[k] for k in BUDGETED)


@dataclass
class Group:
    """Units folded together (a SlidingWindow and its MVAU) and their legal options."""

    names: tuple[str, ...]
    options: list[Option]

    @property
    def label(self) -> str:
        return " + ".join(self.names)


def _scalar(res: dict[str, int], board: Board) -> float:
    """Board-normalised cost: the share of each budgeted resource, summed."""
    cap = board.capacity()
    return sum(res[k] / cap[k] for k in BUDGETED if cap[k] > 0) + 1e-9 * res["ff"]


def _input_fifo(u: Unit, i: int) -> FIFO:
    """The FIFO in front of input ``i`` of ``u``, as deep as a full-rate producer needs: the fifo
    pass sizes it no deeper, so the final estimate never exceeds what the optimizer budgeted."""
    port = u.in_ports()[i]
    return FIFO(name="budget", elems=port.elems, epw=port.epw, dt=port.dtype, depth=depth_for(u, None, i))


def _unit_cost(n: Node, board: Board, **attrs: int) -> tuple[int, dict[str, int]]:
    """Cycles and resources of ``n`` folded with ``attrs``, including its input FIFOs."""
    u = unit_of(n.with_attrs(**attrs))
    fifos = [_input_fifo(u, i).resources(board) for i in range(len(u.in_ports()))]
    return u.frame_cycles(getattr(board, "backend", "hls")), add(u.resources(board), *fifos)


def _legal_widths(u: Unit) -> bool:
    return all(p.width <= MAX_STREAM_BITS for p in (*u.in_ports(), *u.out_ports()))


def tied_producer(g: Graph, n: Node) -> Node | None:
    """The unit that takes its folding from ``n`` (a window generator feeding its MVAU), if any."""
    for t in n.inputs:
        p = g.producer(t)
        if p is not None and is_unit(p) and len(g.consumers(t)) == 1 and unit_of(p).ties_to(unit_of(n)):
            return p
    return None


def ties_forward(g: Graph, n: Node) -> bool:
    """True when ``n`` is folded as part of its consumer's group."""
    cons = [c for t in n.outputs for c in g.consumers(t)]
    return len(cons) == 1 and is_unit(cons[0]) and tied_producer(g, cons[0]) is n


def legal_choices(g: Graph, n: Node) -> list[tuple[dict[str, int], dict[str, int] | None]]:
    """Every legal folding of ``n`` with, when a producer ties to it, that producer's folding."""
    u = unit_of(n)
    tied = tied_producer(g, n)
    tu = unit_of(tied) if tied is not None else None
    out = []
    for c in u.legal_foldings():
        if not _legal_widths(u.evolve(**c)):
            continue
        if tu is None:
            out.append((c, None))
            continue
        t = tu.tied_folding(c)
        if t is not None and _legal_widths(tu.evolve(**t)):
            out.append((c, t))
    return out


def build_groups(g: Graph, board: Board) -> list[Group]:
    """The folding groups of ``g`` with every legal option priced on ``board``."""
    groups: list[Group] = []
    for n in hardware_nodes(g):
        if ties_forward(g, n) or not unit_of(n).KNOBS:
            continue
        tied = tied_producer(g, n)
        opts: list[Option] = []
        for c, t in legal_choices(g, n):
            cyc, res = _unit_cost(n, board, **c)
            attrs = [(n.name, tuple(sorted(c.items())))]
            if tied is not None:
                tcyc, tres = _unit_cost(tied, board, **t)
                cyc, res = max(cyc, tcyc), add(res, tres)
                attrs.insert(0, (tied.name, tuple(sorted(t.items()))))
            opts.append(Option(tuple(attrs), cyc, res, _scalar(res, board)))
        opts.sort(key=lambda o: (o.cost, o.cycles))
        names = (tied.name, n.name) if tied is not None else (n.name,)
        groups.append(Group(names, opts))
    return groups


def pareto(opts: list[Option]) -> list[Option]:
    """Options not dominated in (LUT, BRAM18, DSP); sorted by scalar cost."""
    front: list[Option] = []
    for o in sorted(opts, key=lambda o: (o.cost, o.cycles)):
        if not any(all(a <= b for a, b in zip(f.vec, o.vec)) for f in front):
            front.append(o)
    return front


def cheapest_fit(fronts: list[list[Option]], limit: tuple[float, ...], max_nodes: int = 2_000_000
                 ) -> list[Option] | None:
    """The minimum-cost choice of one option per group whose summed vector fits ``limit``.

    Exact depth-first branch-and-bound (bounds: per-resource and cost minima of the rest).
    """
    if any(not f for f in fronts):
        return None
    k = len(limit)
    m = len(fronts)
    rest_vec = [[0.0] * k for _ in range(m + 1)]
    rest_cost = [0.0] * (m + 1)
    for i in range(m - 1, -1, -1):
        for r in range(k):
            rest_vec[i][r] = rest_vec[i + 1][r] + min(o.vec[r] for o in fronts[i])
        rest_cost[i] = rest_cost[i + 1] + min(o.cost for o in fronts[i])
    best: list[Any] = [math.inf, None]
    picks: list[Option] = []
    nodes = [0]

    def dfs(i: int, used: list[float], cost: float) -> None:
        nodes[0] += 1
        if nodes[0] > max_nodes:
            raise RuntimeError("folding search exceeded its node limit")
        if i == m:
            if cost < best[0]:
                best[0], best[1] = cost, list(picks)
            return
        for o in fronts[i]:
            c = cost + o.cost
            if c + rest_cost[i + 1] >= best[0]:
                break  # fronts are sorted by cost
            nu = [used[r] + o.vec[r] for r in range(k)]
            if any(nu[r] + rest_vec[i + 1][r] > limit[r] for r in range(k)):
                continue
            picks.append(o)
            dfs(i + 1, nu, c)
            picks.pop()

    dfs(0, [0.0] * k, 0.0)
    return best[1]


def candidate_cycles(groups: list[Group]) -> list[int]:
    """Every achievable bottleneck cycle count, ascending, from the slowest group's fastest."""
    floor = max(min(o.cycles for o in g.options) for g in groups)
    return sorted({o.cycles for g in groups for o in g.options if o.cycles >= floor})


def min_max_fold(groups: list[Group], limit: tuple[float, ...]) -> tuple[int, list[Option]] | None:
    """Smallest bottleneck cycle count whose cheapest design fits ``limit``, and that design."""
    ts = candidate_cycles(groups)

    def at(t: int) -> list[Option] | None:
        return cheapest_fit([pareto([o for o in g.options if o.cycles <= t]) for g in groups], limit)

    lo, hi = 0, len(ts) - 1
    best = at(ts[hi])
    if best is None:
        return None
    found = (ts[hi], best)
    while lo < hi:
        mid = (lo + hi) // 2
        sol = at(ts[mid])
        if sol is None:
            lo = mid + 1
        else:
            hi = mid
            found = (ts[mid], sol)
    return found


def brute_force(groups: list[Group], limit: tuple[float, ...]) -> tuple[int, float] | None:
    """(bottleneck cycles, cost) of the best design by exhaustive enumeration (for tests)."""
    best: tuple[int, float] | None = None
    for combo in itertools.product(*(g.options for g in groups)):
        vec = [sum(o.vec[r] for o in combo) for r in range(len(limit))]
        if any(v > lim for v, lim in zip(vec, limit)):
            continue
        key = (max(o.cycles for o in combo), sum(o.cost for o in combo))
        if best is None or key < best:
            best = key
    return best


def apply_options(g: Graph, picks: list[Option]) -> Graph:
    for o in picks:
        for name, attrs in o.attrs:
            g = g.replace_node(g.node(name), [g.node(name).with_attrs(**dict(attrs))])
    return g


# -- the three modes -------------------------------------------------------------------------------
def _fixed_cost(g: Graph, board: Board) -> dict[str, int]:
    """What the search does not choose: the shell and the FIFO into the output DMA."""
    axi = board.axi_port_bits
    # an axi-bit word as axi binary elements: "uint128" is no datatype (at most 64 bits)
    out_fifo = FIFO(name="dma_out", elems=axi, epw=axi, dt="binary", depth=32)
    return add(SHELL, out_fifo.resources(board))


def _no_fit_error(g: Graph, board: Board, budget: float, groups: list[Group]) -> FoldingError:
    """Name the resource the fully folded design (PE = SIMD = 1, slowest option) overflows most."""
    cap = board.capacity()
    fixed = _fixed_cost(g, board)
    full = [max(gr.options, key=lambda o: (o.cycles, -o.cost)) for gr in groups]
    need = {k: fixed[k] + sum(o.res[k] for o in full) for k in BUDGETED}

    def ratio(k: str) -> float:
        return need[k] / (budget * cap[k]) if cap[k] else (math.inf if need[k] else 0.0)

    worst = max(BUDGETED, key=ratio)
    allowed = budget * cap[worst]
    heavy = max(zip(groups, full), key=lambda gf: gf[1].res[worst])[0]
    over = f"+{(ratio(worst) - 1) * 100:.0f}%" if allowed else "none available"
    return FoldingError(
        f"{g.name}: does not fit {board.name} within {budget:.0%} of its LUT/BRAM18/DSP even fully folded: "
        f"needs {need[worst]} {worst.upper()} of {int(allowed)} allowed ({over}), largest user "
        f"{heavy.label}; use a larger board or raise --budget"
    )


def fold_max_throughput(g: Graph, board: Board, budget: float = 0.8) -> Graph:
    """The highest-throughput legal folding whose estimate fits ``budget`` of LUT/BRAM/DSP."""
    from hwgen.analysis.estimate import estimate

    groups = build_groups(g, board)
    if not groups:
        return g
    cap = board.capacity()
    fixed = _fixed_cost(g, board)
    limit = [budget * cap[k] - fixed[k] for k in BUDGETED]
    from hwgen.analysis.estimate import dma_cycles

    dma = max(dma_cycles(g, board.axi_port_bits).values(), default=0)
    for _ in range(6):
        sol = min_max_fold(groups, tuple(limit))
        if sol is None:
            raise _no_fit_error(g, board, budget, groups)
        if sol[0] < dma:  # the DMA is slower anyway: take the cheapest design that keeps up
            picks = cheapest_fit([pareto([o for o in gr.options if o.cycles <= dma]) for gr in groups],
                                 tuple(limit))
            sol = (dma, picks) if picks is not None else sol
        folded = apply_options(g, sol[1])
        # the FIFO depths the fifo step sets (burst rule, then the ones the dataflow run proves)
        proven = sized(insert_stream_nodes(folded, board.axi_port_bits), board.axi_port_bits)[0]
        tot = estimate(proven, board)["totals"]
        over = [tot[k] - budget * cap[k] for k in BUDGETED]
        if all(o <= 0 for o in over):
            return folded
        # width converters and sized FIFOs the groups do not price: tighten below what this
        # solution's groups use (not below the old limit, which they may undershoot by more than
        # the overshoot: the same solution would come back)
        used = [sum(o.res[k] for o in sol[1]) for k in BUDGETED]
        limit = [min(lim, u) - max(0.0, o) for lim, u, o in zip(limit, used, over)]
    raise _no_fit_error(g, board, budget, groups)


def fold_for_fps(g: Graph, board: Board, fps: float, budget: float = 0.8) -> Graph:
    """The cheapest legal folding reaching ``fps`` at the board clock."""
    from hwgen.analysis.estimate import estimate

    if fps <= 0:
        raise FoldingError(f"--target-fps must be positive, got {fps:g}")
    groups = build_groups(g, board)
    if not groups:
        return g
    t = math.floor(board.clock_mhz * 1e6 / fps)
    slowest = max(groups, key=lambda gr: min(o.cycles for o in gr.options))
    fastest = min(o.cycles for o in slowest.options)
    if fastest > t:
        raise FoldingError(
            f"{g.name}: --target-fps {fps:g} is out of reach on {board.name} at {board.clock_mhz:g} MHz: "
            f"the fastest legal folding reaches {board.clock_mhz * 1e6 / fastest:.0f} FPS, limited by "
            f"{slowest.label} ({fastest} cycles per frame); lower the target"
        )
    picks = [next(o for o in gr.options if o.cycles <= t) for gr in groups]  # options sorted by cost
    folded = apply_options(g, picks)
    proven = sized(insert_stream_nodes(folded, board.axi_port_bits), board.axi_port_bits)[0]
    tot = estimate(proven, board)["totals"]
    cap = board.capacity()
    bad = [k for k in BUDGETED if tot[k] > budget * cap[k]]
    if bad:
        k = bad[0]
        try:
            best = estimate(fold_max_throughput(g, board, budget), board)["performance"]["fps"]
            hint = f"the highest FPS within the budget is {best:.0f}"
        except FoldingError:
            hint = "the model does not fit the budget at any folding"
        raise FoldingError(
            f"{g.name}: reaching {fps:g} FPS needs {tot[k]} {k.upper()}, over {budget:.0%} of {board.name}'s "
            f"{cap[k]}; {hint}; lower --target-fps or raise --budget"
        )
    return folded
