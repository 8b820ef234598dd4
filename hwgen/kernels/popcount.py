"""XNOR-popcount matrix products on packed bits: the simulator's fast path for binary MVAUs.

A binary dot product of K bits is ``K - 2 * popcount(x XOR w)``. Packed 64 bits to a word, one
XOR and one POPCNT instruction do 64 multiply-accumulates (512 with AVX-512 ``vpopcntq``),
several times what float BLAS does per instruction. numpy has no popcount matrix product, so
the C kernels of hwgen.kernels.csrc are compiled with the system C compiler on first use
(cached by content hash and CPU flags); without a compiler the same result comes from numpy's
``bitwise_count``. The compiled kernels pick their AVX-512 or portable path at run time;
``force_generic()`` pins the portable one (tests compare both with ==).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from hwgen.kernels.csrc import SOURCE as _KERNEL
from hwgen.kernels.windows import Windows


def _cache_dir() -> Path:
    root = os.environ.get("HWGEN_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "hwgen")
    return Path(root)


def _cpu_key() -> str:
    """The CPU's feature flags: -march=native code is only reused on the same kind of CPU."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return line
    except OSError:
        pass
    return platform.machine()


@lru_cache(maxsize=1)
def _library():
    """The compiled kernels (a ctypes library), or None when no C compiler is available."""
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        return None
    key = hashlib.sha256((_KERNEL + cc + _cpu_key()).encode()).hexdigest()[:16]
    lib = _cache_dir() / f"xnor_kernels_{key}.so"
    if not lib.exists():
        try:
            lib.parent.mkdir(parents=True, exist_ok=True)
        except OSError:  # an unwritable cache: use the numpy path
            return None
        with tempfile.TemporaryDirectory() as d:
            src = Path(d) / "k.c"
            src.write_text(_KERNEL)
            tmp = Path(d) / "k.so"
            # fastest first; fall back for compilers/CPUs without -march=native or OpenMP
            for flags in (["-O3", "-march=native", "-fopenmp"], ["-O3", "-mpopcnt", "-fopenmp"], ["-O3"]):
                args = [cc, *flags, "-shared", "-fPIC", str(src), "-o", str(tmp)]
                if subprocess.run(args, capture_output=True).returncode == 0:
                    break
            else:
                return None
            try:
                os.replace(tmp, lib)  # atomic: concurrent test workers may race here
            except OSError:
                return None
    # OpenMP threads sleep rather than spin between kernels: the cores are shared
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        dll = ctypes.CDLL(str(lib))
    except OSError:
        return None
    vp, lg = ctypes.c_void_p, ctypes.c_long
    dll.hw_xnor_conv.restype = None
    dll.hw_xnor_conv.argtypes = [vp, vp, vp, lg, lg, lg, vp, lg, vp]
    dll.hw_int_conv.restype = None
    dll.hw_int_conv.argtypes = [vp, vp, vp, vp, vp, lg, lg, lg, lg, vp, lg, vp]
    dll.hw_pack_rows.restype = None
    dll.hw_pack_rows.argtypes = [vp, lg, lg, vp]
    dll.hw_force_generic.restype = None
    dll.hw_force_generic.argtypes = [ctypes.c_int]
    return dll


def library():
    """The compiled kernels, or None (then callers use numpy)."""
    return _library()


@contextmanager
def force_generic(level: int = 2) -> Iterator[None]:
    """Run the compiled kernels on a slower path, e.g. to test it: ``level`` 2 = portable C (no
    AVX-512), 1 = AVX-512 without VNNI."""
    lib = _library()
    if lib is not None:
        lib.hw_force_generic(level)
    try:
        yield
    finally:
        if lib is not None:
            lib.hw_force_generic(0)


def fast_paths() -> dict[str, bool]:
    """Which AVX-512 paths this CPU runs (False everywhere without the compiled library)."""
    lib = _library()
    return {"xnor": bool(lib and lib.hw_fast_xnor()), "int": bool(lib and lib.hw_fast_int()),
            "vnni": bool(lib and lib.hw_fast_vnni()),
            "threads": int(lib.hw_threads()) if lib else 1}


def pack_rows(bits: np.ndarray) -> np.ndarray:
    """(..., K) array of 0/1 -> (..., ceil(K/64)) uint64 words, element i of a word at bit i;
    padding bits are zero."""
    *lead, k = bits.shape
    words = -(-k // 64)
    b8 = bits.view(np.uint8) if bits.dtype in (np.int8, np.bool_) else bits.astype(np.uint8)
    b8 = np.ascontiguousarray(b8)
    rows = b8.size // max(k, 1)
    out = np.empty((*lead, words), np.uint64)
    lib = _library()
    if lib is not None and k > 0:
        lib.hw_pack_rows(b8.ctypes.data, rows, k, out.ctypes.data)
        return out
    packed = np.packbits(b8.reshape(rows, k), axis=1, bitorder="little")  # (R, ceil(K/8)) bytes
    full = np.zeros((rows, words * 8), np.uint8)
    full[:, : packed.shape[1]] = packed
    out[...] = full.view("<u8").reshape(*lead, words)
    return out


_CONSTANTS: dict[tuple[int, str], tuple[weakref.ref, np.ndarray]] = {}


def derived_constant(arr: np.ndarray, kind: str, make: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``make(arr)`` computed once per read-only parameter array (weights do not change between
    batches; graph params are frozen arrays); writable arrays are recomputed every call."""
    if arr.flags.writeable:
        return make(arr)
    key = (id(arr), kind)
    hit = _CONSTANTS.get(key)
    if hit is not None and hit[0]() is arr:
        return hit[1]
    value = make(arr)
    _CONSTANTS[key] = (weakref.ref(arr), value)
    return value


def pack_constant(bits: np.ndarray) -> np.ndarray:
    """``pack_rows`` of a read-only parameter array, computed once per array."""
    return derived_constant(bits, "packed", pack_rows)


def xor_popcount(xp: np.ndarray, wp: np.ndarray) -> np.ndarray:
    """(R, M) int32 popcount of x XOR w for packed rows ``xp`` (R, W) and ``wp`` (M, W)."""
    bits = 64 * xp.shape[1]  # every word's bits count: popcount = (bits - dot) / 2
    return (bits - xnor_dot_packed(xp, wp, bits)) // 2


def xnor_dot(x_bits: np.ndarray, w_bits: np.ndarray) -> np.ndarray:
    """Signed +-1 dot products (R, M) of bit rows x (R, K) and weight bit rows w (M, K)."""
    return xnor_dot_packed(pack_rows(x_bits), pack_rows(w_bits), x_bits.shape[1])


def xnor_dot_packed(xp: np.ndarray, wp: np.ndarray, k: int) -> np.ndarray:
    """``xnor_dot`` on rows already packed by ``pack_rows`` (K true bits per row)."""
    return xnor_conv(Windows.of_rows(xp), wp, k, None)


def xnor_threshold(x_bits: np.ndarray, w_bits: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """(R, M) int8 counts #{t: popcount(XNOR(x, w_j)) >= T[j, t]} (thresholds in popcount domain)."""
    return xnor_threshold_packed(pack_rows(x_bits), pack_rows(w_bits), x_bits.shape[1], thresholds)


def xnor_threshold_packed(xp: np.ndarray, wp: np.ndarray, k: int, thresholds: np.ndarray) -> np.ndarray:
    """``xnor_threshold`` on rows already packed by ``pack_rows`` (K true bits per row)."""
    return xnor_conv(Windows.of_rows(xp), wp, k, thresholds)


# -- windowed products: the windows of a padded image, read in place by the C kernels ----------
def _blocked(wp: np.ndarray) -> np.ndarray:
    """Packed weight rows (M, W) -> (ceil(M/8), W, 8): eight outputs' words side by side, the
    operand of one AVX-512 instruction; padding rows are zero."""
    m, words = wp.shape
    mb = -(-m // 8)
    out = np.zeros((mb * 8, words), np.uint64)
    out[:m] = wp
    return np.ascontiguousarray(out.reshape(mb, 8, words).transpose(0, 2, 1))


def _sign_masks(bits: np.ndarray) -> np.ndarray:
    """Weight bits (M, K) -> (ceil(M/32), K) uint32 masks, bit l = output 32*jb + l has weight +1."""
    m, k = bits.shape
    mb = -(-m // 32)
    pad = np.zeros((mb * 32, k), np.uint8)
    pad[:m] = bits != 0
    by = np.packbits(pad.reshape(mb, 32, k), axis=1, bitorder="little")  # (mb, 4, K) bytes
    return np.ascontiguousarray(by.transpose(0, 2, 1)).view("<u4").reshape(mb, k).astype(np.uint32)


def _vnni_layout(bits: np.ndarray) -> np.ndarray:
    """Weight bits (M, K) -> int8 +-1 (M32/16, K4, 16, 4) for vpdpbusd (M padded to a multiple of 32,
    K to 4; padding weights 0), followed by the per-output weight sums as int32 (M32,) viewed as bytes."""
    m, k = bits.shape
    mp, k4 = -(-m // 32) * 32, -(-k // 4)
    w = np.zeros((mp, k4 * 4), np.int8)
    w[:m, :k] = np.where(bits != 0, 1, -1)
    blocked = np.ascontiguousarray(w.reshape(mp // 16, 16, k4, 4).transpose(0, 2, 1, 3)).reshape(-1)
    sums = w.sum(1, dtype=np.int32)
    return np.concatenate([blocked.view(np.uint8), sums.view(np.uint8)])


def _thresholds(thresholds: np.ndarray | None) -> tuple[np.ndarray | None, int]:
    if thresholds is None:
        return None, 0
    t = np.ascontiguousarray(np.clip(thresholds, -(2**31), 2**31 - 1), dtype=np.int32)
    return t, t.shape[1]


def _geometry(win: Windows) -> np.ndarray:
    n, hp, wp, cw = win.image.shape
    return np.array([n, hp, wp, cw, *win.kernel, *win.stride, *win.out_dim], dtype=np.int64)


def _call(fn, win: Windows, wprep: np.ndarray, m: int, a: int, b: int, thresholds: np.ndarray | None,
          ) -> np.ndarray:
    t, nt = _thresholds(thresholds)
    out = np.empty((win.rows_count, m), np.int8 if nt else np.int32)
    geom = _geometry(win)
    fn(win.image.ctypes.data, geom.ctypes.data, wprep.ctypes.data, m, a, b,
       t.ctypes.data if t is not None else None, nt, out.ctypes.data)
    return out


def xnor_conv(win: Windows, wp: np.ndarray, k: int, thresholds: np.ndarray | None) -> np.ndarray:
    """Binary windows (packed words) x packed weight rows ``wp`` (M, W), K true bits: (R, M) int8
    threshold counts #{t: popcount(XNOR) >= T[j, t]} or, without thresholds, int32 +-1 dots."""
    lib = _library()
    if lib is None or (thresholds is not None and thresholds.shape[1] > 127):
        return _xnor_numpy(win.rows(), wp, k, thresholds)
    wb = derived_constant(wp, "blocked", _blocked)
    img = win.contiguous(np.uint64)
    return _call(lib.hw_xnor_conv, img, wb, wp.shape[0], wp.shape[1], k, thresholds)


def int_conv(win: Windows, w_bits: np.ndarray, lo: int, hi: int, thresholds: np.ndarray | None) -> np.ndarray:
    """Integer windows (int16 codes in [lo, hi]) x +-1 weights given as bits (M, K): (R, M)
    int8 threshold counts #{t: dot >= T[j, t]} or, without thresholds, int32 dots."""
    lib = _library()
    m, k = w_bits.shape
    xmax = max(abs(lo), abs(hi))
    if lib is None or (thresholds is not None and thresholds.shape[1] > 127) or k * xmax >= 2**31:
        return _int_numpy(win.rows(), w_bits, xmax, thresholds)
    masks = derived_constant(w_bits, "masks", _sign_masks)
    vnni = derived_constant(w_bits, "vnni", _vnni_layout)
    sums = vnni[-4 * masks.shape[0] * 32 :]
    win = win.contiguous(np.int16)
    t, nt = _thresholds(thresholds)
    out = np.empty((win.rows_count, m), np.int8 if nt else np.int32)
    lib.hw_int_conv(win.image.ctypes.data, _geometry(win).ctypes.data, masks.ctypes.data, vnni.ctypes.data,
                    sums.ctypes.data, m, k, lo, hi, t.ctypes.data if t is not None else None, nt,
                    out.ctypes.data)
    return out


def _count(acc: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    from hwgen.kernels.intops import multithreshold

    nt = thresholds.shape[1]
    return multithreshold(acc, thresholds, 0, 1).astype(np.int8 if nt < 128 else np.int16)


def _xnor_numpy(xp: np.ndarray, wp: np.ndarray, k: int, thresholds: np.ndarray | None) -> np.ndarray:
    pc = np.zeros((xp.shape[0], wp.shape[0]), np.int32)
    for i in range(xp.shape[1]):
        pc += np.bitwise_count(xp[:, i : i + 1] ^ wp[None, :, i]).astype(np.int32)
    if thresholds is None:
        return k - 2 * pc
    return _count(k - pc, thresholds)


def _int_numpy(x: np.ndarray, w_bits: np.ndarray, xmax: int, thresholds: np.ndarray | None) -> np.ndarray:
    from hwgen.kernels.intops import int_matmul

    w = 2 * (w_bits != 0).astype(np.int64) - 1
    acc = int_matmul(x, w.T, int(xmax) * x.shape[1])
    return acc if thresholds is None else _count(acc, thresholds)
