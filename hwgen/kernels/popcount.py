"""XNOR-popcount matrix products on packed bits: the simulator's fast path for binary MVAUs.

A binary dot product of K bits is ``K - 2 * popcount(x XOR w)``. Packed 64 bits to a word, one
XOR and one POPCNT instruction do 64 multiply-accumulates, several times what float BLAS does
per instruction. numpy has no popcount matrix product, so a 20-line C kernel is compiled with
the system C compiler on first use (cached by content hash); without a compiler the same
result comes from numpy's ``bitwise_count``.
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
from functools import lru_cache
from pathlib import Path

import numpy as np

_KERNEL = r"""
#include <stdint.h>
#include <stdlib.h>

/* pc[j] = popcount(x XOR w_j) over `words` words; weights transposed (words, m) so the j loop
   vectorizes (vpopcntq where the CPU has it) */
static void row_popcount(const uint64_t *xi, const uint64_t *wT, int32_t *pc, long m, long words) {
    for (long j = 0; j < m; ++j) pc[j] = 0;
    for (long k = 0; k < words; ++k) {
        const uint64_t xv = xi[k];
        const uint64_t *wk = wT + k * m;
        for (long j = 0; j < m; ++j) pc[j] += (int32_t)__builtin_popcountll(xv ^ wk[j]);
    }
}

/* out[i, j] = popcount(x_i XOR w_j) */
void xor_popcount(const uint64_t *x, const uint64_t *wT, int32_t *out, long n, long m, long words) {
    #pragma omp parallel for schedule(static) if (n * m * words > (1L << 22))
    for (long i = 0; i < n; ++i) row_popcount(x + i * words, wT, out + i * m, m, words);
}

/* out[i, j] = #{t : kbits - popcount(x_i XOR w_j) >= T[j, t]}: XNOR-popcount then thresholds */
void xnor_threshold(const uint64_t *x, const uint64_t *wT, const int32_t *T, int8_t *out,
                    long n, long m, long words, long nt, long kbits) {
    #pragma omp parallel for schedule(static) if (n * m * words > (1L << 22))
    for (long i = 0; i < n; ++i) {
        int32_t *pc = (int32_t *)malloc(sizeof(int32_t) * (size_t)m);
        row_popcount(x + i * words, wT, pc, m, words);
        int8_t *o = out + i * m;
        for (long j = 0; j < m; ++j) {
            const int32_t p = (int32_t)kbits - pc[j];
            const int32_t *tj = T + j * nt;
            int32_t c = 0;
            for (long t = 0; t < nt; ++t) c += p >= tj[t];
            o[j] = (int8_t)c;
        }
        free(pc);
    }
}
"""

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
    try:
        dll = ctypes.CDLL(str(lib))
    except OSError:
        return None
    dll.xor_popcount.restype = None
    dll.xor_popcount.argtypes = [ctypes.c_void_p] * 3 + [ctypes.c_long] * 3
    dll.xnor_threshold.restype = None
    dll.xnor_threshold.argtypes = [ctypes.c_void_p] * 4 + [ctypes.c_long] * 5
    return dll


def pack_rows(bits: np.ndarray) -> np.ndarray:
    """(R, K) array of 0/1 -> (R, ceil(K/64)) uint64 words; padding bits are zero."""
    r, k = bits.shape
    words = -(-k // 64)
    packed = np.packbits(bits.astype(np.uint8, copy=False), axis=1)  # (R, ceil(K/8)) bytes
    out = np.zeros((r, words * 8), np.uint8)
    out[:, : packed.shape[1]] = packed
    return out.view(np.uint64)


_PACKED_CONSTANTS: dict[int, tuple[weakref.ref, np.ndarray]] = {}


def pack_constant(bits: np.ndarray) -> np.ndarray:
    """``pack_rows`` of a read-only parameter array, computed once per array (weights do not
    change between batches; graph params are frozen arrays)."""
    if bits.flags.writeable:
        return pack_rows(bits)
    hit = _PACKED_CONSTANTS.get(id(bits))
    if hit is not None and hit[0]() is bits:
        return hit[1]
    packed = pack_rows(bits)
    _PACKED_CONSTANTS[id(bits)] = (weakref.ref(bits), packed)
    return packed


def xor_popcount(xp: np.ndarray, wp: np.ndarray) -> np.ndarray:
    """(R, M) int32 popcount of x XOR w for packed rows ``xp`` (R, W) and ``wp`` (M, W)."""
    xp = np.ascontiguousarray(xp, dtype=np.uint64)
    n, words = xp.shape
    m = wp.shape[0]
    out = np.empty((n, m), np.int32)
    lib = _library()
    if lib is not None:
        wt = np.ascontiguousarray(wp.T, dtype=np.uint64)
        lib.xor_popcount(xp.ctypes.data, wt.ctypes.data, out.ctypes.data, n, m, words)
        return out
    out[:] = 0
    for k in range(words):
        out += np.bitwise_count(xp[:, k : k + 1] ^ wp[None, :, k]).astype(np.int32)
    return out


def xnor_dot(x_bits: np.ndarray, w_bits: np.ndarray) -> np.ndarray:
    """Signed +-1 dot products (R, M) of bit rows x (R, K) and weight bit rows w (M, K)."""
    return xnor_dot_packed(pack_rows(x_bits), pack_rows(w_bits), x_bits.shape[1])


def xnor_dot_packed(xp: np.ndarray, wp: np.ndarray, k: int) -> np.ndarray:
    """``xnor_dot`` on rows already packed by ``pack_rows`` (K true bits per row)."""
    return k - 2 * xor_popcount(xp, wp)


def xnor_threshold(x_bits: np.ndarray, w_bits: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """(R, M) int8 counts #{t: popcount(XNOR(x, w_j)) >= T[j, t]} (thresholds in popcount domain)."""
    return xnor_threshold_packed(pack_rows(x_bits), pack_rows(w_bits), x_bits.shape[1], thresholds)


def xnor_threshold_packed(xp: np.ndarray, wp: np.ndarray, k: int, thresholds: np.ndarray) -> np.ndarray:
    """``xnor_threshold`` on rows already packed by ``pack_rows`` (K true bits per row)."""
    m, nt = thresholds.shape
    lib = _library()
    if lib is None or nt > 127:
        from hwgen.kernels.intops import multithreshold

        pop = (k + xnor_dot_packed(xp, wp, k)) // 2
        return multithreshold(pop, thresholds, 0, 1).astype(np.int8 if nt < 128 else np.int16)
    xp = np.ascontiguousarray(xp, dtype=np.uint64)
    wt = np.ascontiguousarray(wp.T, dtype=np.uint64)
    t = np.ascontiguousarray(np.clip(thresholds, -(2**31), 2**31 - 1), dtype=np.int32)
    out = np.empty((xp.shape[0], m), np.int8)
    lib.xnor_threshold(xp.ctypes.data, wt.ctypes.data, t.ctypes.data, out.ctypes.data,
                       xp.shape[0], m, xp.shape[1], nt, k)
    return out
