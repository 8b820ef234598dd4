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
from hwgen.frontend.quant import bipolar_int, quant_int, quant_levels
from hwgen.sim.kernels import KERNELS

LAYOUT_OPS = ("Transpose", "Flatten", "Identity", "Pad")
SCALING_OPS = ("Mul", "Add", "Sub", "Div", "BatchNorm", "Relu", "PRelu", "Clip")
QUANT_OPS = ("Quant", "BipolarQuant", "QuantInt")
BIG = np.float32(2.0**40)  # bisection range: inputs beyond it only saturate the quantizer
TABLE_LEVELS = 256  # up to this many codes, one float per (code, element class) is tabulated
TABLE_CELLS = 1 << 18  # (codes x elements) bisected directly; beyond, elements are grouped in classes


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


def element_classes(cs: CodeSpace) -> np.ndarray:
    """(E,) class id per input element: elements whose code function looks the same on a spread
    of probe values share a class (scalar or per-channel constants give few classes). Only a
    speed-up: every float that check_inputs returns is checked against its code afterwards."""
    E = int(np.prod(cs.in_shape))
    if cs.n_levels * E <= TABLE_CELLS:
        return np.arange(E)
    mags = np.float32(2.0) ** np.arange(-24, 41, 2, dtype=np.float32)
    probes = np.concatenate([-mags[::-1], [0.0], mags, np.linspace(-4, 4, 33, dtype=np.float32)])
    x = np.broadcast_to(probes.reshape(-1, *([1] * len(cs.in_shape))), (len(probes), *cs.in_shape))
    sig = cs.levels(x).reshape(len(probes), E)
    _, inv = np.unique(sig.T, axis=0, return_inverse=True)
    return inv.reshape(-1)


def _packing(classes: np.ndarray, L: int) -> np.ndarray:
    """(F, E) level targets such that every (level, class) pair appears in some frame: the
    members of a class take consecutive levels, so a class of >= L elements needs one frame."""
    E = len(classes)
    K = int(classes.max()) + 1
    sizes = np.bincount(classes, minlength=K)
    order = np.argsort(classes, kind="stable")
    rank = np.empty(E, np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rank[order] = np.arange(E) - np.repeat(starts, sizes)
    F = int(-(-L // int(sizes.min())))
    return (rank[None, :] + np.arange(F)[:, None] * sizes[classes][None, :]) % L


def _per_class(values: np.ndarray, tgt: np.ndarray, classes: np.ndarray, L: int, dtype) -> np.ndarray:
    """Scatter per-element ``values`` (F, E) of packed frames into an (L, K) table."""
    K = int(classes.max()) + 1
    out = np.zeros((L, K), dtype)
    out[tgt.reshape(-1), np.broadcast_to(classes, tgt.shape).reshape(-1)] = values.reshape(-1)
    return out


def _table_levels(cs: CodeSpace, table: np.ndarray, classes: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    """(L, K): the level each table entry gives (evaluated in packed frames)."""
    x = table[tgt, classes[None, :]]
    lv = cs.levels(x.reshape(len(tgt), *cs.in_shape)).reshape(tgt.shape)
    return _per_class(lv, tgt, classes, table.shape[0], np.int64)


def level_table(cs: CodeSpace, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(L, K) float32 inputs, one inside each level's interval per element class, and (L, K) the
    level each actually gives (an unreachable level takes the nearest reachable one's input)."""
    L = cs.n_levels
    tgt = _packing(classes, L)
    bnd, _ = _boundaries(cs, tgt.reshape(len(tgt), *cs.in_shape))
    b = _per_class(bnd.reshape(tgt.shape), tgt, classes, L, np.float32)
    out = b.copy()
    with np.errstate(all="ignore"):
        for k in range(L):  # inside [b_k, b_{k+1}): its middle in float
            if L == 2:
                d = np.maximum(1.0, np.abs(b[1].astype(np.float64))) / 2
                mid = b[1] - d if k == 0 else b[1] + d
            elif k == 0:
                mid = b[1] - (b[2].astype(np.float64) - b[1]) / 2
            elif k == L - 1:
                mid = b[k] + (b[k].astype(np.float64) - b[k - 1]) / 2
            else:
                mid = (b[k].astype(np.float64) + b[k + 1].astype(np.float64)) / 2
            out[k] = np.asarray(mid, np.float64).astype(np.float32)
        # the middle can round out of a one-float interval: then the boundary itself
        got = _table_levels(cs, out, classes, tgt)
        out = np.where(got == np.arange(L)[:, None], out, b)
        got = _table_levels(cs, out, classes, tgt)
    ok = got == np.arange(L)[:, None]
    for k in range(L):  # unreachable codes (a clamp before the quantizer): nearest reachable
        if ok[k].all():
            continue
        for d in range(1, L):
            for j in (k - d, k + d):
                if 0 <= j < L:
                    fill = ~ok[k] & ok[j]
                    out[k] = np.where(fill, out[j], out[k])
                    got[k] = np.where(fill, got[j], got[k])
                    ok[k] |= fill
            if ok[k].all():
                break
    return out, got


def code_frames(n_levels: int, in_shape: tuple[int, ...], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` frames of level indices: bottom, top, a checkerboard of both, every level (a ramp
    over the elements), then uniform random levels."""
    E = int(np.prod(in_shape))
    L = n_levels
    e = np.arange(E)
    frames = [np.zeros(E, np.int64), np.full(E, L - 1), np.where(e % 2 == 0, 0, L - 1)]
    for j in range(-(-L // E)):
        if len(frames) >= n:  # wide codes: the ramp is cut at n frames (random codes follow)
            break
        frames.append((j * E + e) % L)
        frames.append((L - 1 - (j * E + e)) % L)
    seen: set[bytes] = set()
    frames = [f for f in frames if not (f.tobytes() in seen or seen.add(f.tobytes()))]
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
            classes = element_classes(cs)
            table, gives = level_table(cs, classes)
            x = table[flat, classes[None, :]]
            # every float is checked against the code its class gives; a class that was not
            # homogeneous after all is bisected frame by frame
            wrong = cs.levels(x.reshape(n, *shape)).reshape(flat.shape) != gives[flat, classes[None, :]]
            if wrong.any():
                cols = np.any(wrong, axis=0)
                lo, _ = _boundaries(cs, frames)
                x = np.where(cols[None, :], lo.reshape(flat.shape), x)
        else:  # wide input codes: bisect per requested code
            lo, _ = _boundaries(cs, frames)
            x = lo.reshape(n, -1)
    return x.reshape(n, *shape).astype(np.float32)
