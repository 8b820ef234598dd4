"""Check inputs drawn in the input quantizer's code space (DESIGN §3).

Uniform [0, 1) floats are weak test data: for a bipolar-input model every such frame is the same
all-+1 image, and a signed 8-bit model never sees a negative code. Here the host-side prefix of
the graph (layout ops and per-element scaling up to the first quantizer) is run by the simulator's
own kernels, and for every input element the float interval that produces each code is found by
bisection on the float32 bit order (exact: 32 steps per boundary). Frames are then built in code
space — the extremes, every code, random codes — and mapped back to a float inside each code's
interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwgen.core.ir import Graph, Node
from hwgen.frontend.quant import bipolar_int, quant_levels, quant_int
from hwgen.sim.kernels import KERNELS

LAYOUT_OPS = ("Transpose", "Flatten", "Identity", "Pad")
SCALING_OPS = ("Mul", "Add", "Sub", "Div", "BatchNorm", "Relu", "PRelu", "Clip")
QUANT_OPS = ("Quant", "BipolarQuant", "QuantInt")
BIG = np.float32(2.0**40)  # bisection range: inputs beyond it only saturate the quantizer
TABLE_LEVELS = 256  # up to this many codes, one float per (code, element) is tabulated


def _key(x: np.ndarray) -> np.ndarray:
    """float32 -> int64 preserving order (negative floats have their magnitude bits inverted)."""
    b = np.asarray(x, np.float32).view(np.int32).astype(np.int64)
    return np.where(b < 0, -(b & 0x7FFFFFFF) - 1, b)


def _unkey(k: np.ndarray) -> np.ndarray:
    k = np.asarray(k, np.int64)
    b = np.where(k < 0, (-(k + 1)) | np.int64(-0x80000000), k)
    return b.astype(np.int32).view(np.float32)


@dataclass(frozen=True)
class CodeSpace:
    """The host prefix of a graph and its input quantizer, as a function float input -> level."""

    prefix: tuple[Node, ...]
    quant: Node
    in_shape: tuple[int, ...]
    index: np.ndarray  # (elements of the quantizer's tensor,) -> flat input element it reads
    n_levels: int

    def levels(self, x: np.ndarray) -> np.ndarray:
        """Level index 0..L-1 of every input element for float inputs ``x`` (N, *in_shape)."""
        y = np.asarray(x, np.float32)
        for n in self.prefix:
            y = KERNELS[n.op](n, [y])[0]
        q = self.quant
        if q.op == "BipolarQuant" or q.attrs.get("bipolar"):
            lv = (bipolar_int(y.astype(np.float32)) > 0).astype(np.int64)
        else:
            a = q.attrs
            code = quant_int(y.astype(np.float32), q.params["scale"], q.params["zeropt"], a["bits"],
                             a["signed"], a["narrow"], a["rounding_mode"])
            lv = code.astype(np.int64) - int(quant_levels(a["bits"], a["signed"], a["narrow"])[0])
        flat = lv.reshape(len(lv), -1)
        out = np.zeros((len(lv), int(np.prod(self.in_shape))), np.int64)
        out[:, self.index] = flat  # quantizer element i reads input element index[i]
        return out.reshape(len(lv), *self.in_shape)


def code_space(g: Graph) -> CodeSpace | None:
    """The input quantizer of ``g`` behind element-wise host ops, or None (then no code space)."""
    t = g.inputs[0]
    in_shape = tuple(g.tensors[t].shape)
    prefix: list[Node] = []
    idx = np.arange(int(np.prod(in_shape)), dtype=np.float64).reshape(1, *in_shape)
    while True:
        cons = g.consumers(t)
        if len(cons) != 1 or len(cons[0].inputs) != 1 or len(cons[0].outputs) != 1:
            return None
        n = cons[0]
        if n.op in QUANT_OPS:
            break
        if n.op == "Pad" or n.op not in LAYOUT_OPS + SCALING_OPS or n.op not in KERNELS:
            return None  # padding invents elements; anything else is not element-wise
        if n.op in LAYOUT_OPS:
            idx = KERNELS[n.op](n, [idx])[0]
        prefix.append(n)
        t = n.outputs[0]
    idx = idx.reshape(-1).astype(np.int64)
    if len(idx) != idx.max() + 1 or len(np.unique(idx)) != len(idx):
        return None
    a = n.attrs
    bipolar = n.op == "BipolarQuant" or a.get("bipolar")
    levels = 2 if bipolar else int(2 ** a["bits"] - (1 if a["narrow"] and a["signed"] else 0))
    return CodeSpace(tuple(prefix), n, in_shape, idx, levels)


def _boundaries(cs: CodeSpace, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smallest float32 (in the increasing direction of each element) whose level is >= target.

    Returns (float input, reached) for ``target`` (N, *in_shape) of level indices.
    """
    n = len(target)
    hi_k = np.full(target.shape, _key(BIG), np.int64)
    lo_k = -hi_k
    top = cs.levels(np.broadcast_to(BIG, (1, *cs.in_shape)))[0]
    bottom = cs.levels(np.broadcast_to(-BIG, (1, *cs.in_shape)))[0]
    sign = np.where(top >= bottom, 1, -1).astype(np.int64)  # a negative Mul flips an element
    sign = np.broadcast_to(sign, target.shape)
    lo, hi = lo_k.copy(), hi_k.copy()
    for _ in range(70):
        if not np.any(lo < hi):
            break
        mid = (lo + hi) // 2
        ok = cs.levels(_unkey(sign * mid).reshape(n, *cs.in_shape)) >= target
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid + 1)
    x = _unkey(sign * lo)
    reached = cs.levels(x) >= target
    return x, reached


def level_table(cs: CodeSpace) -> np.ndarray:
    """(L, *in_shape) float32: an input inside each level's interval, per element (unreachable
    levels take the nearest reachable one's input)."""
    L = cs.n_levels
    tgt = np.broadcast_to(np.arange(L).reshape(L, *([1] * len(cs.in_shape))), (L, *cs.in_shape)).copy()
    b, reached = _boundaries(cs, tgt)
    bk = _key(b)
    out = b.copy()
    # inside the interval [b_k, b_{k+1}): its middle in float, or b_k itself if that fails
    for k in range(L):
        if k + 1 < L:
            mid = ((b[k].astype(np.float64) + b[k + 1].astype(np.float64)) / 2).astype(np.float32)
        elif L > 2:
            w = (b[L - 1].astype(np.float64) - b[1].astype(np.float64)) / max(L - 2, 1)
            mid = (b[k] + np.abs(w) / 2).astype(np.float32)
        else:
            mid = (b[k] + np.maximum(1.0, np.abs(b[k])) / 2).astype(np.float32)
        if k == 0 and L > 1:  # b_0 is -BIG: step down from the first boundary instead
            w = np.abs(b[1].astype(np.float64) - (b[2].astype(np.float64) if L > 2 else 0.0))
            mid = (b[1] - np.maximum(w, 1.0) / 2).astype(np.float32)
        good = cs.levels(mid[None])[0] == k
        if k == 0:
            fallback = _unkey(bk[1] - 1) if L > 1 else b[0]
        else:
            fallback = b[k]
        out[k] = np.where(good, mid, fallback)
    ok = cs.levels(out) == np.arange(L).reshape(L, *([1] * len(cs.in_shape)))
    for k in range(L):  # unreachable codes (a clamp before the quantizer): nearest reachable
        if not np.all(ok[k]):
            for d in range(1, L):
                for j in (k - d, k + d):
                    if 0 <= j < L:
                        fill = ~ok[k] & ok[j]
                        out[k] = np.where(fill, out[j], out[k])
                        ok[k] |= fill
                if np.all(ok[k]):
                    break
    del reached
    return out


def code_frames(n_levels: int, in_shape: tuple[int, ...], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` frames of level indices: bottom, top, a checkerboard of both, every level (a ramp
    over the elements), then uniform random levels."""
    E = int(np.prod(in_shape))
    L = n_levels
    e = np.arange(E)
    frames = [np.zeros(E, np.int64), np.full(E, L - 1), np.where(e % 2 == 0, 0, L - 1)]
    for j in range(-(-L // E)):
        frames.append((j * E + e) % L)
        frames.append((L - 1 - (j * E + e)) % L)
    head = np.stack(frames)[:n]
    rest = rng.integers(0, L, size=(max(0, n - len(head)), E))
    return np.concatenate([head, rest]).reshape(-1, *in_shape)


def check_inputs(g: Graph, n: int, seed: int = 0) -> np.ndarray:
    """``n`` float inputs for ``g`` covering its input quantizer's codes (see the module doc);
    uniform [0, 1) when the graph has no element-wise path to an input quantizer."""
    shape = tuple(g.tensors[g.inputs[0]].shape)
    rng = np.random.default_rng(seed)
    cs = code_space(g) if n > 0 else None
    if cs is None:
        return rng.random((max(n, 0), *shape), dtype=np.float32)
    frames = code_frames(cs.n_levels, shape, n, rng)
    flat = frames.reshape(n, -1)
    with np.errstate(all="ignore"):
        if cs.n_levels <= TABLE_LEVELS:
            table = level_table(cs).reshape(cs.n_levels, -1)
            x = table[flat, np.arange(flat.shape[1])]
        else:  # wide input codes: bisect per requested code
            lo, _ = _boundaries(cs, frames)
            x = lo.reshape(n, -1)
    return x.reshape(n, *shape).astype(np.float32)
