"""Evaluate "integer source -> per-channel float chain -> quantizer" on every reachable integer.

This is the exactness principle of DESIGN §3: we never reason algebraically about BatchNorm,
scales or shifts; we run the very float kernels the float graph runs, on a table of all integer
source values per channel, and read off where the quantized output steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwgen.core.errors import StreamlineError
from hwgen.core.ir import Node
from hwgen.frontend.quant import bipolar_int, quant_int, quant_levels, quant_levels_lo
from hwgen.sim.kernels import KERNELS

CHAIN_OPS = ("Mul", "Add", "Sub", "Div", "BatchNorm", "Relu", "PRelu", "Clip", "Identity")
MAX_TABLE = 40_000_000  # values evaluated at once (channels x range); larger tables go in chunks
WIDE_RANGE = 1 << 16  # accumulator ranges wider than this fold by bisection (DESIGN §3)
MAX_THRESHOLDS = 1 << 22  # thresholds per layer (channels x (levels - 1)): 32 MB as int64


@dataclass(frozen=True)
class Source:
    """Integer values entering a chain: per-channel reachable range and how they dequantize."""

    lo: np.ndarray  # (C,) smallest reachable integer per channel
    hi: np.ndarray  # (C,) largest reachable integer per channel
    scale: np.ndarray  # (C,) float64: float value = (v - offset) * scale
    offset: np.ndarray  # (C,) float64

    @property
    def channels(self) -> int:
        return int(self.lo.shape[0])


def dequantize(v: np.ndarray, src: Source, channels: slice) -> np.ndarray:
    """Float32 value of integer table ``v`` (R, c) exactly as the Dequant kernel computes it."""
    acc = v.astype(np.float64) - src.offset[channels]
    return (acc * src.scale[channels]).astype(np.float32)


def _check_per_channel(node: Node) -> None:
    for k, v in node.params.items():
        if v.ndim > 1:
            raise StreamlineError(
                f"node {node.name!r} ({node.op}): constant {k!r} of shape {v.shape} varies per "
                "position, not per channel; only per-channel or scalar constants fold into thresholds"
            )


def apply_float(nodes: list[Node], y: np.ndarray, channels: slice) -> np.ndarray:
    """Run float chain nodes on a (R, c) table; per-channel params are sliced to ``channels``."""
    for n in nodes:
        _check_per_channel(n)
        sliced = {k: (v[channels] if v.ndim == 1 else v) for k, v in n.params.items()}
        y = KERNELS[n.op](n.with_params(**sliced) if sliced else n, [y])[0]
    return y


def quantize(q_node: Node, y: np.ndarray, channels: slice) -> np.ndarray:
    """Integer code of the chain's quantizer on a (R, c) float table."""
    if q_node.op == "BipolarQuant":
        return bipolar_int(y).astype(np.int64)
    p, a = q_node.params, q_node.attrs
    scale = p["scale"][channels] if p["scale"].ndim == 1 else p["scale"]
    zp = p["zeropt"][channels] if p["zeropt"].ndim == 1 else p["zeropt"]
    q = quant_int(y, scale, zp, a["bits"], a["signed"], a["narrow"], a["rounding_mode"])
    return q.astype(np.int64)


def levels(q_node: Node) -> np.ndarray:
    if q_node.op == "BipolarQuant":
        return np.array([-1, 1])
    a = q_node.attrs
    return quant_levels(a["bits"], a["signed"], a["narrow"])


def n_levels(q_node: Node) -> int:
    """How many codes the quantizer outputs (without listing them: 32 bits are 4G codes)."""
    a = q_node.attrs
    if q_node.op == "BipolarQuant" or (int(a["bits"]) == 1 and a["signed"]):
        return 2
    return (1 << int(a["bits"])) - (1 if a["signed"] and a["narrow"] else 0)


def chain_direction(nodes: list[Node], C: int) -> np.ndarray | None:
    """Per-channel direction (+1 non-decreasing, -1 non-increasing) of a float chain, read from its
    ops, or None when an op is not monotone by construction.

    Each op here is monotone in exact float32 arithmetic (rounding is monotone): multiplying or
    dividing by a constant follows the constant's sign, adding a constant keeps the direction,
    BatchNorm follows gamma's sign, ReLU/Clip/PReLU with slope >= 0 are non-decreasing.
    """
    d = np.ones(C, np.int64)

    def sign(v) -> np.ndarray:
        s = np.sign(np.broadcast_to(np.asarray(v, np.float64), (C,)) if np.ndim(v) <= 1 else np.nan)
        return np.where(s == 0, 1, s).astype(np.int64)  # a zero constant makes the channel constant

    for n in nodes:
        p, a = n.params, n.attrs
        if len(n.inputs) != 1:
            return None
        if any(np.ndim(v) > 1 for v in p.values()):
            return None
        if n.op == "Mul":
            d = d * sign(p["value"])
        elif n.op == "Div":
            if a.get("const_first"):
                return None  # c / x changes direction across 0
            d = d * sign(p["value"])
        elif n.op == "Sub":
            d = -d if a.get("const_first") else d
        elif n.op == "BatchNorm":
            d = d * sign(p["gamma"])
        elif n.op == "PRelu":
            if np.any(np.asarray(p["slope"]) < 0):
                return None
        elif n.op not in ("Add", "Relu", "Clip", "Identity"):
            return None
    return d


def _require_finite(y: np.ndarray, valid: np.ndarray, ch: slice, where: str) -> None:
    """A chain value that overflows to Inf or becomes NaN has no exact threshold: refuse."""
    bad = ~np.isfinite(y) & valid
    if bad.any():
        c = ch.start + int(np.argmax(bad.any(axis=0)))
        raise StreamlineError(
            f"{where}: the float chain into the quantizer gives NaN/Inf on channel {c} (its constants "
            "overflow float32, e.g. a huge BatchNorm gamma/var ratio or scale); retrain or clamp them")


def _constant(src: Source, pre_pool: list[Node], post_pool: list[Node] | None, q_node: Node) -> np.ndarray:
    """(C,) bool: the quantized output is the same at both ends of the channel's range."""
    ch = slice(0, src.channels)
    ends = np.stack([src.lo, src.hi]).astype(np.int64)
    y = apply_float(pre_pool, dequantize(ends, src, ch), ch)
    if post_pool is not None:
        y = apply_float(post_pool, y, ch)
    qe = quantize(q_node, y, ch)
    return qe[0] == qe[1]


def _fold_bisect(src: Source, pre_pool: list[Node], post_pool: list[Node] | None, q_node: Node,
                 lv_lo: int, n_lv: int, step: int, direction: np.ndarray, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Thresholds by bisection on the monotone chain, all (level, channel) pairs at once:
    memory is proportional to the number of thresholds, never to the accumulator range."""
    C = src.channels
    ch = slice(0, C)
    flip = (direction < 0) & ~_constant(src, pre_pool, post_pool, q_node)  # as the table path
    lo = np.where(flip, -src.hi, src.lo).astype(np.int64)  # search over u, v = -u when flipped
    hi = np.where(flip, -src.lo, src.hi).astype(np.int64) + 1  # hi: "never fires"
    want = (lv_lo + step * np.arange(1, n_lv, dtype=np.int64))[:, None]  # (L-1, 1)
    a = np.broadcast_to(lo, (n_lv - 1, C)).copy()
    b = np.broadcast_to(hi, (n_lv - 1, C)).copy()
    sgn = np.where(flip, -1, 1)
    while np.any(a < b):
        mid = (a + b) // 2
        y = apply_float(pre_pool, dequantize(mid * sgn, src, ch), ch)
        if post_pool is not None:
            y = apply_float(post_pool, y, ch)
        _require_finite(y, a < b, ch, where)
        ok = quantize(q_node, y, ch) >= want
        active = a < b
        b = np.where(active & ok, mid, b)
        a = np.where(active & ~ok, mid + 1, a)
    return a.T.copy(), flip


@dataclass(frozen=True)
class Folded:
    """The result of folding a chain: thresholds on (possibly flipped) source values."""

    thresholds: np.ndarray  # (C, n_levels-1) int64, ascending per row
    flipped: np.ndarray  # (C,) bool: the source must be negated for these channels
    pre_pool_increasing: np.ndarray  # (C,) bool: direction of the chain part before a pool
    out_base: int
    out_step: int


def _monotone(table: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel (non-decreasing, non-increasing) over the valid entries of a (R, C) table."""
    d = np.diff(table, axis=0)
    both = valid[1:] & valid[:-1]
    inc = np.all((d >= 0) | ~both, axis=0)
    dec = np.all((d <= 0) | ~both, axis=0)
    return inc, dec


def _require_monotone(table: np.ndarray, valid: np.ndarray, ch: slice, what: str, why: str) -> np.ndarray:
    """Per-channel "non-decreasing" of a monotone table; a non-monotone channel is an error."""
    inc, dec = _monotone(table, valid)
    if not np.all(inc | dec):
        bad = ch.start + int(np.argmin(inc | dec))
        raise StreamlineError(
            f"{what} is not monotone on channel {bad}, {why}; train with monotone activations "
            "(RPReLU/PReLU slope >= 0, BatchNorm and scales are fine)"
        )
    return inc


def fold_chain(
    src: Source,
    pre_pool: list[Node],
    post_pool: list[Node],
    q_node: Node,
    *,
    can_flip: bool,
    where: str,
) -> Folded:
    """Thresholds for ``quantizer(post_pool(pre_pool(dequant(v))))`` per channel.

    ``where`` names the node for error messages. Channels whose chain decreases are flipped when
    ``can_flip`` (the producer negates its weight row), otherwise they are an error.
    """
    C = src.channels
    n_lv = n_levels(q_node)
    if C * (n_lv - 1) > MAX_THRESHOLDS:
        bits = q_node.attrs.get("bits", 1)
        raise StreamlineError(
            f"{where}: a {bits}-bit activation over {C} channels needs {C * (n_lv - 1):,} thresholds; "
            f"hwgen folds at most {MAX_THRESHOLDS:,} per layer (memory and hardware both grow with "
            "2^bits): use at most 16-bit activations here, or fewer channels")
    lo_all, hi_all = int(src.lo.min()), int(src.hi.max())
    R = hi_all - lo_all + 1
    if R > WIDE_RANGE:
        direction = chain_direction(list(pre_pool) + list(post_pool or []), C)
        pre_dir = chain_direction(list(pre_pool), C) if post_pool is not None else np.ones(C, np.int64)
        if direction is None or pre_dir is None:
            if R > MAX_TABLE:
                raise StreamlineError(
                    f"{where}: the accumulator spans {R:,} values and the float chain is not monotone by "
                    f"construction, so it cannot be folded by bisection (tables stop at {MAX_TABLE:,} "
                    "values): use narrower inputs or monotone ops (scales, BatchNorm, ReLU)")
        else:
            if np.any(direction < 0) and not can_flip and not np.all(_constant(src, pre_pool, post_pool, q_node)[direction < 0]):
                bad = int(np.argmax((direction < 0) & ~_constant(src, pre_pool, post_pool, q_node)))
                raise StreamlineError(
                    f"{where}: the chain decreases on channel {bad} and there are no weights before it "
                    "to flip; use a positive scale/BatchNorm gamma on this standalone activation")
            a = q_node.attrs
            pm1 = q_node.op == "BipolarQuant" or (int(a["bits"]) == 1 and a["signed"])
            base = -1 if pm1 else quant_levels_lo(a["bits"], a["signed"], a["narrow"])
            step = 2 if pm1 else 1
            with np.errstate(all="ignore"):
                thresholds, flipped = _fold_bisect(src, pre_pool, post_pool, q_node, base, n_lv, step,
                                                   direction, where)
            return Folded(thresholds, flipped, pre_dir > 0, base, step)
    lv = levels(q_node)
    base, step = int(lv[0]), int(lv[1] - lv[0])
    if not np.all(np.diff(lv) == step):
        raise StreamlineError(f"{where}: quantizer levels are not evenly spaced")
    per_chunk = max(1, MAX_TABLE // max(R, 1))
    thresholds = np.empty((C, len(lv) - 1), np.int64)
    flipped = np.zeros(C, bool)
    pre_inc = np.ones(C, bool)
    values = np.arange(lo_all, hi_all + 1, dtype=np.int64)
    for c0 in range(0, C, per_chunk):
        ch = slice(c0, min(C, c0 + per_chunk))
        n = ch.stop - ch.start
        v = np.broadcast_to(values[:, None], (R, n))
        valid = (v >= src.lo[ch]) & (v <= src.hi[ch])
        y = apply_float(pre_pool, dequantize(v, src, ch), ch)
        if post_pool is not None:
            pre_inc[ch] = _require_monotone(
                y, valid, ch, f"{where}: the float chain before the max-pool", "so pooling cannot move past it")
            y = apply_float(post_pool, y, ch)
        _require_finite(y, valid, ch, where)
        q = quantize(q_node, y, ch)
        inc = _require_monotone(q, valid, ch, f"{where}: the float chain into the quantizer",
                                "so it has no threshold form")
        flip = ~inc
        if flip.any() and not can_flip:
            bad = ch.start + int(np.argmax(flip))
            raise StreamlineError(
                f"{where}: the chain decreases on channel {bad} and there are no weights before it "
                "to flip; use a positive scale/BatchNorm gamma on this standalone activation"
            )
        flipped[ch] = flip
        for j in range(n):
            c = ch.start + j
            lo, hi = int(src.lo[c]), int(src.hi[c])
            col = q[lo - lo_all : hi - lo_all + 1, j]
            if flip[j]:
                col = col[::-1]  # table over flipped values -hi .. -lo
                lo, hi = -hi, -lo
            # first index where the code reaches each level above the lowest; beyond -> never
            idx = np.searchsorted(col, lv[1:], side="left")
            thresholds[c] = lo + idx  # idx == len(col) gives hi + 1: never fires
    return Folded(thresholds, flipped, pre_inc, base, step)


def increasing_same_function(src: Source, chain: list[Node]) -> bool:
    """True if the chain is one strictly increasing function shared by every channel (so an
    argmax over its outputs equals the argmax over the integers)."""
    lo_all, hi_all = int(src.lo.min()), int(src.hi.max())
    if hi_all - lo_all + 1 > MAX_TABLE // max(src.channels, 1):
        return False
    v = np.broadcast_to(np.arange(lo_all, hi_all + 1)[:, None], (hi_all - lo_all + 1, src.channels))
    y = apply_float(chain, dequantize(v, src, slice(None)), slice(None))
    return bool(np.all(y == y[:, :1]) and np.all(np.diff(y[:, 0]) > 0))
