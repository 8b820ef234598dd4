"""A stand-in ``pynq`` module for tests: Overlay, allocate and an AXI DMA whose far end is the
g++-compiled accelerator (the generated testbench in ``words`` mode: raw AXI-stream words in and
out, TLAST checked on every frame)."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np


class Buffer(np.ndarray):
    """pynq.allocate's PynqBuffer: a numpy array with cache maintenance calls."""

    flushed = 0

    def flush(self) -> None:
        Buffer.flushed += 1

    def invalidate(self) -> None:
        pass

    def freebuffer(self) -> None:
        pass


def allocate(shape, dtype=np.uint32, **kw) -> Buffer:
    return np.zeros(shape, dtype=dtype).view(Buffer)


class Channel:
    def __init__(self, dma: FakeDMA, send: bool):
        self.dma, self.send, self.pending = dma, send, None

    def transfer(self, array, start: int = 0, nbytes: int = 0) -> None:
        assert self.pending is None, "transfer() on a busy channel"
        flat = np.asarray(array).reshape(-1).view(np.uint8)
        nbytes = nbytes or flat.size - start
        self.pending = (flat, start, nbytes)
        if self.send:
            self.dma.stream_in(flat[start : start + nbytes].copy())

    def wait(self) -> None:
        assert self.pending is not None, "wait() without transfer()"
        flat, start, nbytes = self.pending
        if not self.send:
            flat[start : start + nbytes] = self.dma.stream_out(nbytes)
        self.pending = None


class FakeDMA:
    """MM2S feeds the compiled accelerator; S2MM returns its words, one TLAST packet per frame."""

    def __init__(self, hls_dir: Path, in_frame: int, out_frame: int):
        self.hls_dir, self.in_frame, self.out_frame = hls_dir, in_frame, out_frame
        self.sendchannel, self.recvchannel = Channel(self, True), Channel(self, False)
        self.out = np.zeros(0, np.uint8)
        self.packets: list[int] = []

    def stream_in(self, data: np.ndarray) -> None:
        from hwgen.backends.hls.csim import run_csim_words

        assert data.size % self.in_frame == 0
        raw, _ = run_csim_words(self.hls_dir, data.reshape(-1, self.in_frame), self.out_frame)
        self.out = np.concatenate([self.out, raw.reshape(-1)])

    def stream_out(self, nbytes: int) -> np.ndarray:
        # TLAST ends a packet after one frame: a receive buffer gets at most one frame
        assert nbytes == self.out_frame, f"S2MM armed for {nbytes} bytes, the packet is {self.out_frame}"
        assert self.out.size >= nbytes, "S2MM waits for data the accelerator never sent"
        self.packets.append(nbytes)
        chunk, self.out = self.out[:nbytes].copy(), self.out[nbytes:]
        return chunk


def install(hls_dir: Path, in_frame: int, out_frame: int, monkeypatch) -> dict:
    """Put a fake ``pynq`` into sys.modules; returns a dict collecting the overlays created."""
    made: dict = {"overlays": []}

    class Overlay:
        def __init__(self, bitfile: str, download: bool = True):
            assert Path(bitfile).name == "hwgen.bit"
            self.bitfile = bitfile
            self.axi_dma_0 = FakeDMA(hls_dir, in_frame, out_frame)
            made["overlays"].append(self)

    mod = types.ModuleType("pynq")
    mod.Overlay, mod.allocate = Overlay, allocate
    monkeypatch.setitem(sys.modules, "pynq", mod)
    return made
