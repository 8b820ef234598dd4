"""Streaming simulation for the command line: .npy inputs memory-mapped and read chunk by chunk,
outputs written to .npy chunk by chunk, so memory stays bounded for any number of inputs and no
input or output array is copied whole."""

from __future__ import annotations

import mmap
from pathlib import Path

import numpy as np

from hwgen.core.ir import Graph
from hwgen.sim.executor import simulate, simulate_chunks


class NpyInput:
    """A .npy file as a read-only array over a memory map; ``release`` drops rows already used
    from this process's resident memory (the page cache keeps them)."""

    def __init__(self, path: str | Path):
        with open(path, "rb") as f:
            fmt = np.lib.format
            version = fmt.read_magic(f)
            read = {(1, 0): fmt.read_array_header_1_0, (2, 0): fmt.read_array_header_2_0}.get(version)
            if read is None:
                raise ValueError(f".npy format version {version} (save it with a current numpy)")
            shape, fortran, dtype = read(f)
            offset = f.tell()
            if dtype.hasobject:
                raise ValueError("the array holds Python objects")
            if fortran and len(shape) > 1:
                raise ValueError("the array is in Fortran order; save it with np.save(np.ascontiguousarray(x))")
            nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if nbytes == 0:
                self._map = None
                self.array = np.empty(shape, dtype)
                return
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        if offset + nbytes > len(self._map):
            raise ValueError(f"the file is shorter than its header says ({len(self._map)} < {offset + nbytes} bytes)")
        self._offset = offset
        self.array = np.ndarray(shape, dtype, buffer=self._map, offset=offset)

    def release(self, start: int, stop: int) -> None:
        """Rows [start, stop) of the array will not be read again."""
        if self._map is None or not hasattr(mmap, "MADV_DONTNEED") or self.array.ndim == 0:
            return
        row = self.array.itemsize * int(np.prod(self.array.shape[1:], dtype=np.int64))
        lo = self._offset + start * row
        hi = self._offset + stop * row
        lo = -(-lo // mmap.PAGESIZE) * mmap.PAGESIZE  # whole pages only: neighbours may still be read
        hi = hi // mmap.PAGESIZE * mmap.PAGESIZE
        if hi > lo:
            self._map.madvise(mmap.MADV_DONTNEED, lo, hi - lo)


class NpyOutput:
    """A .npy file written chunk by chunk: the header once the first chunk gives dtype and shape."""

    def __init__(self, path: str | Path, rows: int):
        self.path, self.rows, self.written = Path(path), rows, 0
        self._f = None

    def write(self, chunk: np.ndarray) -> None:
        if self._f is None:
            self._f = open(self.path, "wb")  # noqa: SIM115 (kept open across write() calls, closed by close/abort)
            header = {"descr": np.lib.format.dtype_to_descr(chunk.dtype), "fortran_order": False,
                      "shape": (self.rows, *chunk.shape[1:])}
            np.lib.format.write_array_header_2_0(self._f, header)
        np.ascontiguousarray(chunk).tofile(self._f)
        self.written += len(chunk)

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
        if self.written != self.rows:
            raise RuntimeError(f"{self.path}: wrote {self.written} of {self.rows} rows")

    def abort(self) -> None:
        """Remove a partly written file (a failed run leaves no truncated outputs behind)."""
        if self._f is not None:
            self._f.close()
            self.path.unlink(missing_ok=True)


def reuse_large_buffers() -> None:
    """Have glibc serve large arrays from the heap and keep them when freed. By default every
    array above a few hundred KB is a fresh mmap whose pages fault in again for every chunk;
    reusing them makes small models (TFC) about 1.4x faster. Memory stays bounded by the largest
    chunk's working set. For the command line's own process only: a library should not retune
    its host program's allocator."""
    import ctypes
    import ctypes.util

    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's mallopt parameter numbers
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(m_mmap_threshold, 1 << 30)
        libc.mallopt(m_trim_threshold, 1 << 30)
    except (OSError, AttributeError):  # not glibc: keep the defaults
        pass


def npy_path(out: str | Path) -> Path:
    """Where ``np.save(out, ...)`` writes: ``.npy`` appended when missing."""
    p = Path(out)
    return p if p.suffix == ".npy" else p.with_name(p.name + ".npy")


def simulate_to_file(graph: Graph, x: np.ndarray, out: str | Path, source: NpyInput | None = None,
                     batch: int | None = None) -> Path:
    """Simulate ``graph`` on ``x`` chunk by chunk and write its outputs: one output to a .npy
    written as it is computed, several to a .npz (``out`` with its suffix made .npz, not
    ``out.npy.npz``); returns the path written."""
    if len(graph.outputs) > 1:  # np.savez needs whole arrays (outputs are per-sample small)
        outs = simulate(graph, x, batch)
        path = Path(out).with_suffix(".npz")
        np.savez(path, **dict(zip(graph.outputs, outs)))
        return path
    path = npy_path(out)
    writer = NpyOutput(path, len(x))
    try:
        for start, (part,) in simulate_chunks(graph, x, batch):
            writer.write(part)
            if source is not None:
                source.release(start, start + len(part))
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return path
