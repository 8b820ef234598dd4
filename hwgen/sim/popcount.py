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
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

_KERNEL = r"""
#include <stdint.h>
/* out[i*m + j] = popcount(x[i] XOR w[j]) over `words` 64-bit words, rows i < n, cols j < m */
void xor_popcount(const uint64_t *x, const uint64_t *w, int32_t *out, long n, long m, long words) {
    #pragma omp parallel for schedule(static) if (n * m * words > (1L << 24))
    for (long i = 0; i < n; ++i) {
        const uint64_t *xi = x + i * words;
        for (long j = 0; j < m; ++j) {
            const uint64_t *wj = w + j * words;
            long acc = 0;
            for (long k = 0; k < words; ++k) acc += __builtin_popcountll(xi[k] ^ wj[k]);
            out[i * m + j] = (int32_t)acc;
        }
    }
}
"""


def _cache_dir() -> Path:
    root = os.environ.get("HWGEN_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "hwgen")
    return Path(root)


@lru_cache(maxsize=1)
def _library():
    """The compiled kernel, or None when no C compiler is available."""
    cc = shutil.which("gcc") or shutil.which("cc") or shutil.which("g++")
    if cc is None:
        return None
    flags = ["-O3", "-mpopcnt", "-fopenmp", "-shared", "-fPIC"]
    key = hashlib.sha256((_KERNEL + " ".join(flags) + cc).encode()).hexdigest()[:16]
    lib = _cache_dir() / f"xor_popcount_{key}.so"
    if not lib.exists():
        lib.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as d:
            src = Path(d) / "k.c"
            src.write_text(_KERNEL)
            tmp = Path(d) / "k.so"
            for extra in ([], ["-fno-openmp"]):  # retry without OpenMP if libgomp is missing
                args = [cc, *[f for f in flags if not (extra and f == "-fopenmp")], str(src), "-o", str(tmp)]
                if subprocess.run(args, capture_output=True).returncode == 0:
                    break
            else:
                return None
            os.replace(tmp, lib)  # atomic: concurrent test workers may race here
    try:
        dll = ctypes.CDLL(str(lib))
    except OSError:
        return None
    fn = dll.xor_popcount
    fn.restype = None
    fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_long, ctypes.c_long, ctypes.c_long]
    return fn


def pack_rows(bits: np.ndarray) -> np.ndarray:
    """(R, K) array of 0/1 -> (R, ceil(K/64)) uint64 words; padding bits are zero."""
    r, k = bits.shape
    words = -(-k // 64)
    packed = np.packbits(bits.astype(np.uint8, copy=False), axis=1)  # (R, ceil(K/8)) bytes
    out = np.zeros((r, words * 8), np.uint8)
    out[:, : packed.shape[1]] = packed
    return out.view(np.uint64)


def xor_popcount(xp: np.ndarray, wp: np.ndarray) -> np.ndarray:
    """(R, M) int32 popcount of x XOR w for packed rows ``xp`` (R, W) and ``wp`` (M, W)."""
    xp = np.ascontiguousarray(xp, dtype=np.uint64)
    wp = np.ascontiguousarray(wp, dtype=np.uint64)
    n, words = xp.shape
    m = wp.shape[0]
    out = np.empty((n, m), np.int32)
    fn = _library()
    if fn is not None:
        fn(xp.ctypes.data, wp.ctypes.data, out.ctypes.data, n, m, words)
        return out
    out[:] = 0
    for k in range(words):
        out += np.bitwise_count(xp[:, k : k + 1] ^ wp[None, :, k]).astype(np.int32)
    return out


def xnor_dot(x_bits: np.ndarray, w_bits: np.ndarray) -> np.ndarray:
    """Signed +-1 dot products (R, M) of bit rows x (R, K) and weight bit rows w (M, K)."""
    k = x_bits.shape[1]
    return k - 2 * xor_popcount(pack_rows(x_bits), pack_rows(w_bits))
