"""A stand-in ``pynq`` module for tests: Overlay, allocate and an AXI DMA whose far end is the
g++-compiled accelerator (the generated testbench in ``words`` mode: raw AXI-stream words in and
out, TLAST checked on every frame).

It reproduces the behaviour of PYNQ 2.7/3.0's simple-mode DMA driver (pynq/lib/dma.py,
``_SDMAChannel``) that a driver can get wrong:
- ``transfer`` raises "DMA channel not idle" while a transfer is in flight, and, when the channel
  has no data realignment engine, "DMA does not support unaligned transfers" unless
  ``physical_address + start`` is a multiple of the memory-map width;
- ``wait`` spins until the channel is idle, with no timeout (here: a hang is an AssertionError,
  since spinning would stop the test run), then invalidates the WHOLE active buffer and reads
  ``transferred`` from the length register;
- an S2MM transfer ends at TLAST: it writes one packet, and the length register (0x58) holds the
  bytes actually written; a packet longer than the armed length is a DMA internal error.
``hang_after`` makes the accelerator stop producing output after that many frames; ``short_at``
makes that frame's packet one byte short.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np

PAGE = 4096


class Buffer(np.ndarray):
    """pynq.allocate's PynqBuffer: a numpy array at a physical address, with cache maintenance."""

    flushed = 0
    invalidated_bytes = 0
    physical_address = 0

    def flush(self) -> None:
        Buffer.flushed += 1

    def invalidate(self) -> None:
        Buffer.invalidated_bytes += self.nbytes

    def freebuffer(self) -> None:
        pass


_next_address = [0x1000_0000]


def allocate(shape, dtype=np.uint32, **kw) -> Buffer:
    b = np.zeros(shape, dtype=dtype).view(Buffer)
    b.physical_address = _next_address[0]  # CMA buffers start on page boundaries
    _next_address[0] += -(-b.nbytes // PAGE) * PAGE
    return b


class Channel:
    def __init__(self, dma: FakeDMA, send: bool, align: int, dre: bool):
        self.dma, self.send, self.align, self.dre = dma, send, align, dre
        self.pending = None
        self.running, self.first, self.error = True, True, False
        self.transferred, self.length = 0, 0

    @property
    def idle(self) -> bool:
        if self.pending is None:
            return not self.first
        if self.send:
            return True  # the accelerator consumed the chunk when it was sent
        return self.dma.out.size > 0 or self.dma.out_error

    def start(self) -> None:
        self.running, self.first, self.pending, self.error = True, True, None, False

    def stop(self) -> None:
        self.running = False

    def _complete(self) -> None:
        if self.pending is None:
            return
        flat, start, nbytes = self.pending
        if not self.send:
            packet = self.dma.stream_out()
            if packet.size > nbytes:
                self.error = True  # DMAIntErr: the packet does not fit the armed length
                packet = packet[:nbytes]
            flat[start : start + packet.size] = packet
            self.length = packet.size
        self.pending = None

    def transfer(self, array, start: int = 0, nbytes: int = 0) -> None:
        if not self.running:
            raise RuntimeError("DMA channel not started")
        if self.pending is not None and not self.idle:
            raise RuntimeError("DMA channel not idle")
        self._complete()  # a finished transfer nobody waited for
        if not self.dre and (array.physical_address + start) % self.align != 0:
            raise RuntimeError("DMA does not support unaligned transfers; Starting address must be "
                               f"aligned to {self.align} bytes.")
        flat = np.asarray(array).reshape(-1).view(np.uint8)
        nbytes = nbytes or flat.size - start
        assert start + nbytes <= flat.size, "transfer past the end of the buffer"
        self.pending, self.first = (flat, start, nbytes), False
        self.active = array
        self.transferred = 0
        if self.send:
            self.dma.send_calls += 1
            self.length = nbytes
            self.dma.stream_in(flat[start : start + nbytes].copy())

    def wait(self) -> None:
        if not self.running:
            raise RuntimeError("DMA channel not started")
        assert self.idle, "wait() on a channel that never becomes idle: PYNQ would spin forever"
        self._complete()
        if not self.send:
            self.active.invalidate()
        self.transferred = self.length


class FakeDMA:
    """MM2S feeds the compiled accelerator; S2MM returns its words, one TLAST packet per frame."""

    def __init__(self, hls_dir: Path, in_frame: int, out_frame: int, align: int = 4, dre: bool = True,
                 hang_after: int | None = None, short_at: int | None = None):
        self.hls_dir, self.in_frame, self.out_frame = hls_dir, in_frame, out_frame
        self.sendchannel = Channel(self, True, align, dre)
        self.recvchannel = Channel(self, False, align, dre)
        self.out = np.zeros(0, np.uint8)
        self.out_error = False
        self.packets: list[int] = []
        self.frames_out, self.hang_after, self.short_at = 0, hang_after, short_at
        self.send_calls, self.resets = 0, 0

    def stream_in(self, data: np.ndarray) -> None:
        from hwgen.backends.hls.csim import run_csim_words

        assert data.size % self.in_frame == 0
        raw, _ = run_csim_words(self.hls_dir, data.reshape(-1, self.in_frame), self.out_frame)
        self.out = np.concatenate([self.out, raw.reshape(-1)])

    def stream_out(self) -> np.ndarray:
        assert self.out.size >= self.out_frame, "S2MM completed without data"
        self.packets.append(self.out_frame)
        self.frames_out += 1
        chunk, self.out = self.out[: self.out_frame].copy(), self.out[self.out_frame :]
        if self.short_at is not None and self.frames_out == self.short_at + 1:
            chunk = chunk[:-1]  # TLAST one byte early
        if self.hang_after is not None and self.frames_out >= self.hang_after:
            self.out = np.zeros(0, np.uint8)  # the accelerator stops: no more TLAST packets
        return chunk

    # register access (pynq DefaultIP.read/write): DMACR reset, S2MM length
    def read(self, offset: int) -> int:
        if offset == 0x58:
            self.recvchannel._complete()
            return self.recvchannel.length
        if offset == 0x00:
            return 0
        raise AssertionError(f"fake DMA: register 0x{offset:x} not modelled")

    def write(self, offset: int, value: int) -> None:
        assert offset == 0x00 and value == 0x4, f"fake DMA: write 0x{value:x} to 0x{offset:x} not modelled"
        self.resets += 1
        self.out = np.zeros(0, np.uint8)
        for ch in (self.sendchannel, self.recvchannel):
            ch.pending, ch.running = None, False


def install(hls_dir: Path, in_frame: int, out_frame: int, monkeypatch, **dma_kw) -> dict:
    """Put a fake ``pynq`` into sys.modules; returns a dict collecting the overlays created."""
    made: dict = {"overlays": [], "downloads": 0}

    class Overlay:
        def __init__(self, bitfile: str, download: bool = True):
            assert Path(bitfile).name == "hwgen.bit"
            self.bitfile = bitfile
            self.axi_dma_0 = FakeDMA(hls_dir, in_frame, out_frame, **dma_kw)
            made["overlays"].append(self)

        def download(self) -> None:
            made["downloads"] += 1
            self.axi_dma_0.hang_after = None  # a fresh bitstream: the accelerator runs again
            self.axi_dma_0.out = np.zeros(0, np.uint8)

    mod = types.ModuleType("pynq")
    mod.Overlay, mod.allocate = Overlay, allocate
    monkeypatch.setitem(sys.modules, "pynq", mod)
    return made
