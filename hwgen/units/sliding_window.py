"""SlidingWindow: im2col on a stream (k x k windows, stride, padding) for a following MVAU.

Emits, per output pixel, the window's ``kh*kw*c`` elements in (kh, kw, c) order, ``simd``
elements per word; padding inserts ``pad_value`` (the hardware code: bit 0/1 for +-1).
``simd`` divides C (a word holds part of one pixel), or is m*C with m | KW (m neighbouring pixels
of a window row), or KW*C*j with j | KH (j whole window rows): the wide forms let a layer with
few input channels (an RGB image) feed its MVAU more than C elements per cycle.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwgen.core.datatypes import DataType
from hwgen.kernels.popcount import pack_rows
from hwgen.kernels.windows import Windows, im2col, out_size, pad_nhwc
from hwgen.units.base import Port, Run, Runs, Unit, divisors
from hwgen.units.cost import add, bits, memory


@dataclass(frozen=True, eq=False)
class SlidingWindow(Unit):
    ifm_dim: tuple[int, int] = (1, 1)
    channels: int = 1
    kernel: tuple[int, int] = (1, 1)
    stride: tuple[int, int] = (1, 1)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)  # top, left, bottom, right
    pad_value: int = 0
    simd: int = 1
    idt: str = "binary"
    KNOBS: ClassVar[dict[str, str]] = {"simd": "channels"}
    template: ClassVar[str] = "sliding_window"
    FINN_OPS: ClassVar[dict[str, dict[str, str]]] = {"ConvolutionInputGenerator_rtl": {"SIMD": "simd"}}

    @property
    def ofm_dim(self) -> tuple[int, int]:
        t, l, b, r = self.pads
        return (
            out_size(self.ifm_dim[0], self.kernel[0], self.stride[0], t, b),
            out_size(self.ifm_dim[1], self.kernel[1], self.stride[1], l, r),
        )

    @staticmethod
    def legal_simd(simd: int, channels: int, kernel: tuple[int, int]) -> bool:
        """The SIMD values the HLS sliding window can emit (see the module docstring)."""
        kh, kw = kernel
        if simd <= 0:
            return False
        if channels % simd == 0:
            return True
        if simd % channels == 0 and kw % (simd // channels) == 0:
            return True
        row = kw * channels
        return simd % row == 0 and kh % (simd // row) == 0

    @property
    def in_simd(self) -> int:
        """Elements per input word: SIMD when it divides C, else whole pixels (C)."""
        return self.simd if self.channels % self.simd == 0 else self.channels

    def simulate(self, x: np.ndarray) -> np.ndarray:
        return im2col(x, self.kernel, self.stride, self.pads, x.dtype.type(self.pad_value))

    def can_pack(self) -> bool:
        """Binary data whose channels fill whole 64-bit words: windows can be cut from packed pixels."""
        return self.idt == "binary" and self.channels % 64 == 0

    def uncut(self, x: np.ndarray, form: str) -> Windows:
        """This unit's windows of ``x`` (N, H, W, C), padded but not cut: "packed" (each pixel's C
        bits packed 64 to a word; padding pixels are words of the pad bit) or "codes" (int16).

        Packing each pixel's C bits and then cutting windows gives the same words as cutting
        windows and packing each (kh, kw, c) row, because C is a multiple of 64."""
        if form == "packed":
            img = pack_rows(x)  # (N, H, W, C/64)
            fill = np.uint64(0xFFFFFFFFFFFFFFFF) if self.pad_value else np.uint64(0)
        else:
            img, fill = x.astype(np.int16, copy=False), np.int16(self.pad_value)
        return Windows(pad_nhwc(img, self.pads, fill), self.kernel, self.stride)

    def packed_windows(self, x: np.ndarray) -> np.ndarray:
        """The windows of ``simulate`` already packed as ``pack_rows`` packs them, (N*OH*OW, words)."""
        return self.uncut(x, "packed").rows()

    def fused_with(self, consumer: Unit) -> Callable[[np.ndarray], np.ndarray] | None:
        """One step computing ``consumer(self(x))`` when the consumer reads windows in place
        (``reads_windows``): no im2col copy, packed bits for binary data. None: run both units."""
        reads = getattr(consumer, "reads_windows", None)
        form = reads(self.idt, self.channels) if reads is not None else None
        if form is None or (form == "packed" and not self.can_pack()):
            return None
        return lambda x: consumer.simulate_windows(self.uncut(x, form))

    def cycles(self) -> int:
        oh, ow = self.ofm_dim
        kh, kw = self.kernel
        if self.simd > self.in_simd:  # wide form: line buffers + register window
            return register_window_cycles(self.ifm_dim, self.kernel, self.stride, self.pads[:2], (oh, ow),
                                          kh * kw * self.channels // self.simd)
        words_in = self.channels // self.in_simd
        words_out = kh * kw * self.channels // self.simd
        return ring_cycles(self.ifm_dim, words_in, kh, self.stride[0], self.pads[0], oh, ow * words_out)

    def schedule_runs(self) -> list[Run]:
        """sliding_window.hpp: narrow form, ``ring_fill`` reads the first rows; then per output row
        one loop of max(E, reads) iterations writes a word while it < E and reads one while
        it < reads. Wide form: the register window's state machine (register_window_schedule)."""
        oh, ow = self.ofm_dim
        kh, kw = self.kernel
        words_out = kh * kw * self.channels // self.simd
        if self.simd > self.in_simd:
            return register_window_schedule(self.ifm_dim, self.kernel, self.stride, self.pads[:2], (oh, ow),
                                            words_out)
        return ring_schedule(self.ifm_dim, self.channels // self.in_simd, kh, self.stride[0], self.pads[0],
                             oh, ow * words_out, 1)

    def frame_schedule_runs(self, backend: str = "hls") -> list[Run]:
        """The narrow form drains after the ring fill and after every output row's loop."""
        if self.simd > self.in_simd or self.ii_bound() != 1 or backend == "rtl":
            return super().frame_schedule_runs(backend)
        from hwgen.units.hls_memory import FILL_DRAIN_CYCLES

        oh, ow = self.ofm_dim
        kh, kw = self.kernel
        return ring_schedule(self.ifm_dim, self.channels // self.in_simd, kh, self.stride[0], self.pads[0],
                             oh, ow * kh * kw * self.channels // self.simd, 1, FILL_DRAIN_CYCLES)

    def in_ports(self) -> tuple[Port, ...]:
        ih, iw = self.ifm_dim
        return (Port(ih * iw * self.channels, self.in_simd, self.idt),)

    def out_ports(self) -> tuple[Port, ...]:
        oh, ow = self.ofm_dim
        return (Port(oh * ow * self.kernel[0] * self.kernel[1] * self.channels, self.simd, self.idt),)

    def idle_cycles(self, i: int = 0) -> int:
        per_window = self.kernel[0] * self.kernel[1] * self.channels // self.simd
        if self.simd > self.in_simd:
            return register_window_run(self.ifm_dim, self.kernel, self.stride, self.pads[:2], self.ofm_dim,
                                       per_window)[1]
        return ring_idle_cycles(self.ifm_dim, self.ofm_dim, self.kernel, self.stride[0], self.pads[0],
                                self.channels // self.in_simd, per_window)

    def start_fraction(self) -> float:
        return window_start_fraction(self.ifm_dim, self.kernel, self.pads)

    def tail(self) -> int:
        return math.ceil(self.cycles() / self.ofm_dim[0])  # the last output row

    def shape(self) -> str:
        return f"{self.ifm_dim[0]}x{self.ifm_dim[1]}x{self.channels} k{self.kernel[0]}"

    # -- folding: SIMD whole pixels or window rows too; tied to the MVAU it feeds -------------
    def legal_foldings(self) -> list[dict[str, int]]:
        window = self.kernel[0] * self.kernel[1] * self.channels
        return [{"simd": s} for s in divisors(window) if self.legal_simd(s, self.channels, self.kernel)]

    def folding_error(self, knob: str, value: int) -> str | None:
        if knob != "simd":
            return f"has no {knob.upper()}; it takes SIMD"
        if self.legal_simd(value, self.channels, self.kernel):
            return None
        legal = ", ".join(str(c["simd"]) for c in self.legal_foldings())
        return f"SIMD={value} is not a divisor of C={self.channels} nor whole pixels/window rows; legal values: {legal}"

    def ties_to(self, consumer: Unit) -> bool:
        # its window vector is the consumer's input vector: same SIMD, no converter between
        return "simd" in consumer.KNOBS and consumer.in_ports()[0].elems == self.out_ports()[0].elems

    def tied_folding(self, consumer_choice: dict[str, int]) -> dict[str, int] | None:
        s = consumer_choice.get("simd")
        return {"simd": s} if s is not None and self.legal_simd(s, self.channels, self.kernel) else None

    def context(self) -> dict:
        """Template values for templates/hls (see hwgen/backends/hls)."""
        from hwgen.units.hls_pack import hls_type, require

        require(self.legal_simd(self.simd, self.channels, self.kernel), self,
                f"SIMD={self.simd} is neither a divisor of C={self.channels} nor a whole number of pixels "
                f"(m*C, m | KW={self.kernel[1]}) or window rows")
        (ih, iw), (oh, ow) = self.ifm_dim, self.ofm_dim
        (kh, kw), (sh, sw) = self.kernel, self.stride
        t, l, _, _ = self.pads
        return {
            "func": "sliding_window",
            "targs": [ih, iw, self.channels, kh, kw, sh, sw, t, l, oh, ow, self.simd, self.in_simd,
                      hls_type(self.idt), int(self.pad_value)],
            "args": [], "params": [],
            "summary": f"SlidingWindow {ih}x{iw}x{self.channels} k={kh}x{kw} s={sh}x{sw} pads={tuple(self.pads)} "
                       f"simd={self.simd}",
        }

    def loop_entries(self) -> int:
        """Pipelined loops entered per frame: the ring's fill plus one per output row (narrow
        form), or the one loop of the wide form."""
        return 1 if self.simd > self.in_simd else 1 + self.ofm_dim[0]

    def hls_arrays(self) -> tuple:
        """The window buffers of lib/sliding_window.hpp: the narrow form's ring (one bank per
        row, 1 read + 1 write per cycle), the wide form's line buffers (one bank each, 1 read +
        1 write per cycle) and register windows."""
        from hwgen.units.hls_memory import ONE, UNROLLED, ArraySpec, Dim

        b = DataType.parse(self.idt).bits
        iw, ow = self.ifm_dim[1], self.ofm_dim[1]
        (kh, kw), (sh, sw) = self.kernel, self.stride
        if self.simd == self.in_simd:
            row = iw * self.channels // self.simd
            return (ArraySpec("ring", (Dim(kh + sh, ONE, "complete"), Dim(row, ONE)), self.simd * b,
                              reads=1, writes=1, storage="auto", where="lib"),)
        pw = max(iw + self.pads[1], (ow - 1) * sw + kw)
        return (ArraySpec("lb", (Dim(max(1, kh - 1), UNROLLED, "complete"), Dim(pw, ONE)), self.channels * b,
                          reads=1, writes=1, storage="auto", where="lib"),
                ArraySpec("win", (Dim(kh, UNROLLED, "complete"), Dim(kw, UNROLLED, "complete")), self.channels * b,
                          reads=1, writes=1, where="lib"),
                ArraySpec("snap", (Dim(kh, UNROLLED, "complete"), Dim(kw, UNROLLED, "complete")), self.channels * b,
                          reads=1, writes=1, where="lib"))

    def resources(self, board) -> dict[str, int]:
        """SlidingWindow (templates/hls/lib/sliding_window.hpp; finn-hlslib's ConvolutionInputGenerator
        has the same shape, and FINN's MVAU estimate leaves it out).

        Narrow form: a ring of KH + SH input rows (one bank each), IFM_W*C/SIMD words of SIMD*bits.
        Wide form: KH-1 line buffers of the padded row width, C*bits wide, plus a KH x KW register
        window and its snapshot (2*KH*KW*C*bits FF) and a WW:1 multiplexer per output bit over the
        snapshot (own). The buffers are hls_arrays()'s, each in the memory the one storage rule
        picks. LUT: FINN's ConvolutionInputGenerator ``lut_estimation`` constant 300 for
        address/control, plus the output multiplexer (own).
        """
        if getattr(board, "backend", "hls") == "rtl":
            return self.rtl_resources(board)
        b = bits(self.idt)
        out_w = self.simd * b
        if self.simd > self.in_simd:
            lb, win, snap = self.hls_arrays()
            ww = self.kernel[0] * self.kernel[1] * self.channels // self.simd
            regs = (win.banks() + snap.banks()) * win.width
            buf = memory(lb.depth(), lb.width, lb.banks()) if self.kernel[0] > 1 else {}
            return add({"lut": 300 + out_w * math.ceil(ww / 4), "ff": regs + 2 * out_w + 120}, buf)
        rows = self.kernel[0] + self.stride[0]
        (ring,) = self.hls_arrays()
        buf = memory(ring.depth(), ring.width, ring.banks())
        mux = out_w * math.ceil(rows / 4)
        return add({"lut": 300 + mux, "ff": 2 * out_w + 120}, buf)

    # -- rtl backend (templates/rtl/lib) ---------------------------------------------------------
    def rtl_context(self):
        """Every value its Verilog module needs (hwgen.units.rtl)."""
        from hwgen.units.rtl import sliding_window_rtl

        return sliding_window_rtl(self)

    def rtl_resources(self, board) -> dict[str, int]:
        """LUT, FF, BRAM18, URAM, DSP of its Verilog module, measured with Yosys (hwgen.units.cost_rtl)."""
        from hwgen.units.cost_rtl import sliding_window_rtl_resources

        return sliding_window_rtl_resources(self, board)


def window_start_fraction(ifm_dim: tuple[int, int], kernel: tuple[int, int],
                          pads: tuple[int, int, int, int]) -> float:
    """Share of the (padded) input a window unit needs before its first output: K-1 rows + K pixels."""
    t, l, b, r = pads
    h, w = ifm_dim[0] + t + b, ifm_dim[1] + l + r
    return min(1.0, ((kernel[0] - 1) * w + kernel[1]) / (h * w))


def ring_idle_cycles(ifm_dim: tuple[int, int], ofm_dim: tuple[int, int], kernel: tuple[int, int], sh: int,
                     pt: int, words_per_pixel: int, steps_per_window: int) -> int:
    """The longest run of cycles the ring schedule reads nothing: an output row's steps minus the
    words of the input rows read meanwhile (own analysis of sliding_window.hpp / maxpool.hpp)."""
    (ih, iw), (oh, ow) = ifm_dim, ofm_dim
    steps = ow * steps_per_window
    idle = 0
    for oy in range(oh - 1):
        reads = (ring_last_row(oy + 1, ih, kernel[0], sh, pt) - ring_last_row(oy, ih, kernel[0], sh, pt)) \
            * iw * words_per_pixel
        idle = max(idle, steps - reads)
    return idle


def ring_last_row(oy: int, ih: int, kh: int, sh: int, pt: int) -> int:
    """Highest input row output row ``oy`` reads (-1: none), as templates/hls/lib does."""
    return max(-1, min(oy * sh + kh - 1 - pt, ih - 1))


def ring_schedule(ifm_dim: tuple[int, int], words_per_pixel: int, kh: int, sh: int, pt: int, oh: int,
                  out_steps_per_row: int, steps_per_word: int, gap: int = 0) -> list[Run]:
    """Run-length schedule of the ring loop nest (ring.hpp; sliding_window.hpp, maxpool.hpp):
    the fill reads the first rows; output row oy takes max(E, reads) cycles, a step of the
    output while it < E (a word written every ``steps_per_word`` steps, on the last one) and a
    word read while it < reads. Same cycles as ``ring_cycles``, plus ``gap`` idle cycles after
    each loop (the fill and every row: a pipeline's fill and drain, ``frame_schedule_runs``)."""
    ih, iw = ifm_dim
    row = iw * words_per_pixel
    e, k = out_steps_per_row, steps_per_word
    have = ring_last_row(0, ih, kh, sh, pt)
    runs = Runs()
    runs.add((have + 1) * row, (1,), (0,))
    runs.add(gap, (0,), (0,))
    rows: dict[int, list[Run]] = {}  # output rows with the same reads have the same schedule
    for oy in range(oh):
        target = ring_last_row(oy + 1, ih, kh, sh, pt) if oy + 1 < oh else ih - 1
        reads = (target - have) * row
        if reads not in rows:
            r = Runs()
            for m in range(e // k):  # window/word m: steps [m*k, m*k + k), the last one writes
                lo, hi = m * k, m * k + k - 1
                cut = min(max(reads, lo), hi)  # steps before ``cut`` also read
                r.add(cut - lo, (1,), (0,))
                r.add(hi - cut, (0,), (0,))
                r.add(1, (int(hi < reads),), (1,))
            r.add(reads - e, (1,), (0,))
            r.add(gap, (0,), (0,))
            rows[reads] = r.runs
        runs.extend(rows[reads])
        have = target
    return runs.runs


def ring_cycles(ifm_dim: tuple[int, int], words_per_pixel: int, kh: int, sh: int, pt: int, oh: int,
                out_steps_per_row: int) -> int:
    """Cycles per frame of the ring-buffer schedule of sliding_window.hpp / maxpool.hpp: read the
    first rows, then per output row max(steps out, words of the next rows in), one each per cycle."""
    ih, iw = ifm_dim
    row = iw * words_per_pixel
    have = ring_last_row(0, ih, kh, sh, pt)
    total = (have + 1) * row
    for oy in range(oh):
        target = ring_last_row(oy + 1, ih, kh, sh, pt) if oy + 1 < oh else ih - 1
        total += max(out_steps_per_row, (target - have) * row)
        have = target
    return total


def register_window_cycles(ifm_dim: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int],
                           top_left: tuple[int, int], ofm_dim: tuple[int, int], ww: int) -> int:
    """Cycles per frame of sliding_window_wide (templates/hls/lib/sliding_window.hpp)."""
    return register_window_run(ifm_dim, kernel, stride, top_left, ofm_dim, ww)[0]


def register_window_run(ifm_dim: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int],
                        top_left: tuple[int, int], ofm_dim: tuple[int, int], ww: int) -> tuple[int, int]:
    """(cycles, longest run of cycles without an input read) of sliding_window_wide."""
    runs = register_window_schedule(ifm_dim, kernel, stride, top_left, ofm_dim, ww)
    idle = run = 0
    for n, reads, _ in runs:
        run = 0 if reads[0] else run + n
        idle = max(idle, run)
    return sum(n for n, _, _ in runs), idle


def register_window_schedule(ifm_dim: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int],
                             top_left: tuple[int, int], ofm_dim: tuple[int, int], ww: int) -> list[Run]:
    """The schedule of sliding_window_wide (templates/hls/lib/sliding_window.hpp), run-length
    coded: one padded position shifted in per cycle (a pixel read, or padding), a completed
    window's ``ww`` words out one per cycle from a snapshot; a position that completes a window
    waits while the snapshot is still busy after this cycle. The same state machine as the C++."""
    (ih, iw), (kh, kw), (sh, sw), (pt, pl), (oh, ow) = ifm_dim, kernel, stride, top_left, ofm_dim
    ph, pw = max(ih + pt, (oh - 1) * sh + kh), max(iw + pl, (ow - 1) * sw + kw)

    def completes(py: int, px: int) -> bool:
        return (py >= kh - 1 and (py - kh + 1) % sh == 0 and (py - kh + 1) // sh < oh
                and px >= kw - 1 and (px - kw + 1) % sw == 0 and (px - kw + 1) // sw < ow)

    runs = Runs()
    pos, left = 0, 0  # left: words of the snapshot still to send
    while pos < ph * pw or left:
        free_after = left <= 1
        write = left > 0
        if left:
            left -= 1
        read = False
        if pos < ph * pw and (not completes(*divmod(pos, pw)) or free_after):
            py, px = divmod(pos, pw)
            read = 0 <= py - pt < ih and 0 <= px - pl < iw
            if completes(py, px):
                left = ww
            pos += 1
        runs.add(1, (int(read),), (int(write),))
    return runs.runs
