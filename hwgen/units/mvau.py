"""MVAU: matrix-vector-activation unit, the XNOR-popcount / integer dot-product engine.

Streams ``reps`` input vectors of ``mw`` elements per frame and emits ``mh`` outputs per vector,
``pe`` rows and ``simd`` columns at a time (FINN's folding: NF = mh/pe, SF = mw/simd).
Modes: ``xnor`` (binary inputs and weights, popcount of XNOR; thresholds on the popcount),
``int`` (integer inputs times binary (+-1, stored as bits) or integer weights). With no
thresholds (``noact``) it emits the signed accumulator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwgen.core.datatypes import DataType
from hwgen.kernels.intops import int_matmul, multithreshold
from hwgen.kernels.popcount import (
    int_conv,
    pack_constant,
    pack_rows,
    xnor_conv,
    xnor_dot,
)
from hwgen.kernels.windows import Windows
from hwgen.units.base import Port, Run, Runs, Unit
from hwgen.units.cost import XNOR_LANE_LUTS, add, array_cost, bits


@dataclass(frozen=True, eq=False)
class MVAU(Unit):
    mw: int = 1
    mh: int = 1
    reps: int = 1  # input vectors per frame (output pixels for a convolution)
    pe: int = 1
    simd: int = 1
    mode: str = "xnor"  # "xnor" | "int"
    binary_weights: bool = True  # weights are bits standing for -1/+1
    idt: str = "binary"
    wdt: str = "binary"
    acc_dt: str = "int32"
    odt: str = "binary"
    out_base: int = 0
    out_step: int = 1
    weights: np.ndarray | None = None  # (mh, mw): bits if binary_weights, else integer codes
    thresholds: np.ndarray | None = None  # (mh, n): popcount domain in xnor mode; None = noact
    PARAMS: ClassVar[tuple[str, ...]] = ("weights", "thresholds")
    KNOBS: ClassVar[dict[str, str]] = {"pe": "mh", "simd": "mw"}
    template: ClassVar[str] = "mvau"
    FINN_OPS: ClassVar[dict[str, dict[str, str]]] = {"MVAU_hls": {"PE": "pe", "SIMD": "simd"}}

    @property
    def noact(self) -> bool:
        return self.thresholds is None

    def signed_weights(self) -> np.ndarray:
        """The weights as the integers they stand for (+-1 for bits)."""
        w = self.weights.astype(np.int64)
        return 2 * w - 1 if self.binary_weights else w

    def accumulate(self, x: np.ndarray) -> np.ndarray:
        """Signed dot products (N, reps, mh); in xnor mode the +-1 sum = 2*popcount - mw."""
        n = x.shape[0]
        v = x.reshape(n * self.reps, self.mw)
        if self.mode == "xnor" and self.mw >= 64:
            # packed bits: K - 2 * popcount(x XOR w), exact and several times faster than BLAS
            return xnor_dot(v, self.weights).reshape(n, self.reps, self.mh)
        w = self.signed_weights()
        if self.mode == "xnor":
            v = v.astype(np.float32) * 2 - 1  # bits -> +-1, exact
            xmax = 1
        else:
            idt = DataType.parse(self.idt)
            xmax = max(abs(idt.min), abs(idt.max))
        bound = int(np.abs(w).sum(1).max()) * xmax
        return int_matmul(v, w.T, bound).reshape(n, self.reps, self.mh)

    def simulate_packed(self, xp: np.ndarray) -> np.ndarray:
        """xnor mode on input rows packed by ``pack_rows`` (R, words): (R, mh) outputs."""
        return self._finish(self._kernel(Windows.of_rows(xp), "packed"))

    def reads_windows(self, idt: str, channels: int) -> str | None:
        """How this unit reads the windows of a SlidingWindow (``idt`` data, ``channels`` per pixel)
        in place, without their im2col copy: "packed" (bits, 64 channels to a word), "codes"
        (small integers as int16), or None (it needs them cut)."""
        return self._kernel_form(idt, channels % 64 == 0)

    def _kernel_form(self, idt: str, packable: bool) -> str | None:
        """The C kernel for this unit's inputs: "packed" (XNOR-popcount; ``packable``: the rows can
        be packed into words), "codes" (integer x binary), or None (numpy/BLAS path)."""
        nt_ok = self.noact or self.thresholds.shape[1] < 128
        if self.mode == "xnor" and idt == "binary" and packable and nt_ok:
            return "packed"
        if self.mode == "int" and self.binary_weights and nt_ok:
            dt = DataType.parse(idt)
            if dt.is_integer and -(2**15) <= dt.min and dt.max < 2**15 and self.int_bound() < 2**31:
                return "codes"
        return None

    def simulate_windows(self, win: Windows) -> np.ndarray:
        """The outputs (N, OH, OW, mh) for windows read in place (the form ``reads_windows`` chose)."""
        oh, ow = win.out_dim
        out = self._finish(self._kernel(win, "packed" if self.mode == "xnor" else "codes"))
        return out.reshape(win.image.shape[0], oh, ow, self.mh)

    def _xmax(self) -> int:
        idt = DataType.parse(self.idt)
        return max(abs(idt.min), abs(idt.max))

    def int_bound(self) -> int:
        """The largest |accumulator| in int mode: sum of |weights| times the largest |input|."""
        return int(np.abs(self.signed_weights()).sum(1).max()) * self._xmax()

    def _finish(self, out: np.ndarray) -> np.ndarray:
        """Kernel outputs (threshold counts, or accumulators without thresholds) -> unit outputs."""
        if self.noact:
            return out
        if (self.out_base, self.out_step) != (0, 1):
            out = self.out_base + self.out_step * out.astype(np.int32)
        return out.astype(DataType.parse(self.odt).compact_numpy, copy=False)

    def simulate(self, x: np.ndarray) -> np.ndarray:
        n = x.shape[0]
        # one row per input vector: the 1x1 windows of an (N*reps, 1, 1, mw) image; packed rows
        # need no multiple of 64 (pack_rows pads inputs and weights alike with zeros)
        form = self._kernel_form(self.idt, self.mw >= 64)
        if form is not None:
            v = x.reshape(n * self.reps, self.mw)
            rows = pack_rows(v) if form == "packed" else v.astype(np.int16, copy=False)
            out = self._finish(self._kernel(Windows.of_rows(rows), form))
            return out.reshape(n, *self._out_shape(x))
        acc = self.accumulate(x)
        if self.noact:
            return acc.reshape(x.shape[0], *self._out_shape(x))
        if self.mode == "xnor":
            acc = (acc + self.mw) // 2  # popcount of XNOR
        out = multithreshold(acc, self.thresholds, self.out_base, self.out_step)
        return out.astype(DataType.parse(self.odt).compact_numpy).reshape(x.shape[0], *self._out_shape(x))

    def _kernel(self, win: Windows, form: str) -> np.ndarray:
        """Threshold counts (or accumulators when noact) of the windows ``win``, (R, mh)."""
        if form == "packed":
            return xnor_conv(win, pack_constant(self.weights), self.mw, self.thresholds)
        idt = DataType.parse(self.idt)
        return int_conv(win, self.weights, idt.min, idt.max, self.thresholds)

    def _out_shape(self, x: np.ndarray) -> tuple[int, ...]:
        if self.reps == 1:
            return (self.mh,)
        per = x.shape[1:-1]  # (OH, OW) for convolutions
        return (*per, self.mh)

    def cycles(self) -> int:
        return self.reps * (self.mh // self.pe) * (self.mw // self.simd)

    def schedule_runs(self) -> list[Run]:
        """mvau.hpp: one loop of REPS*NF*SF iterations; the SF words of a vector are read while
        nf == 0 and replayed from ``inbuf`` for the other folds; a word of PE outputs leaves at
        sf == SF-1 of every fold."""
        nf, sf = self.mh // self.pe, self.mw // self.simd
        vec = Runs()
        vec.add(sf - 1, (1,), (0,))
        vec.add(1, (1,), (1,))
        vec.extend([(sf - 1, (0,), (0,)), (1, (0,), (1,))], nf - 1)
        frame = Runs()
        frame.extend(vec.runs, self.reps)
        return frame.runs

    def in_ports(self) -> tuple[Port, ...]:
        return (Port(self.reps * self.mw, self.simd, self.idt),)

    def out_ports(self) -> tuple[Port, ...]:
        return (Port(self.reps * self.mh, self.pe, self.odt),)

    def idle_cycles(self, i: int = 0) -> int:
        # the input vector is read during the first of the NF row folds only
        return (self.mh // self.pe - 1) * (self.mw // self.simd)

    def start_fraction(self) -> float:
        return 1.0 / self.reps  # one input vector

    def tail(self) -> int:
        sf = self.mw // self.simd
        return (self.mh // self.pe) * sf - sf + 1

    def shape(self) -> str:
        return f"{self.mw}x{self.mh}" + (f" x{self.reps}" if self.reps > 1 else "")

    def context(self) -> dict:
        """Template values for templates/hls (see hwgen/backends/hls): call, packed params, widths."""
        from hwgen.units.hls_pack import cname, hls_type, int_array, require, word_array

        require(self.mw % self.simd == 0, self, f"SIMD={self.simd} does not divide MW={self.mw}")
        require(self.mh % self.pe == 0, self, f"PE={self.pe} does not divide MH={self.mh}")
        nf, sf = self.mh // self.pe, self.mw // self.simd
        idt = DataType.parse(self.idt)
        if self.mode == "xnor":
            mode, wbits, acc = 0, 1, DataType.smallest(-self.mw, self.mw)
        else:
            mode = 1 if self.binary_weights else 2
            wbits = 1 if self.binary_weights else DataType.parse(self.wdt).bits
            xmax = max(abs(idt.min), abs(idt.max))
            bound = int(np.abs(self.signed_weights()).sum(1).max()) * xmax
            acc = DataType.smallest(-bound, bound)
        tw = "ap_uint<1>" if wbits == 1 and self.binary_weights else hls_type(self.wdt)
        c = cname(self.name)
        # rows r = nf*PE + pe, columns k = sf*SIMD + s -> [pe][nf*SF + sf][s]
        w = self.weights.reshape(nf, self.pe, sf, self.simd).transpose(1, 0, 2, 3)
        w = w.reshape(self.pe, nf * sf, self.simd)
        params = [word_array(f"{c}_weights", w, wbits,
                             f"{self.name}: MVAU weights {self.mh}x{self.mw} ({self.wdt}), "
                             f"[PE={self.pe}][NF*SF={nf}*{sf}] words of SIMD={self.simd} x {wbits} bit")]
        nt = 0 if self.noact else int(self.thresholds.shape[1])
        if nt:
            t = self.thresholds.reshape(nf, self.pe, nt).transpose(1, 0, 2)
            dom = "popcount" if self.mode == "xnor" else "accumulator"
            params.append(int_array(f"{c}_thresholds", t,
                                    f"{self.name}: MVAU thresholds ({dom} domain), [PE={self.pe}][NF={nf}][{nt}]"))
            args = [params[0].name, params[1].name]
        else:
            args = [params[0].name, "hwgen::no_thresholds"]
        return {
            "func": "mvau",
            "targs": [self.mw, self.mh, self.simd, self.pe, self.reps, mode, hls_type(self.idt), tw,
                      acc.hls, hls_type(self.odt), nt, self.out_base, self.out_step],
            "args": args, "params": params,
            "summary": f"MVAU {self.mode} mw={self.mw} mh={self.mh} reps={self.reps} pe={self.pe} "
                       f"simd={self.simd} {'noact' if not nt else f'{nt} threshold(s)'}",
        }

    def loop_entries(self) -> int:
        """Pipelined loops entered per frame (each fills and drains once): the one tile loop."""
        return 1

    def hls_arrays(self) -> tuple:
        """Every array of the MVAU's HLS code and how its loop (one PE x SIMD tile per cycle)
        touches them (hwgen.units.hls_memory): weights [PE][NF*SF](limbs) split on PE and
        reshaped on limbs, thresholds [PE][NF][NT] split on PE and level; each bank read once
        per cycle."""
        from hwgen.units.cost import LUTRAM_MAX_DEPTH
        from hwgen.units.hls_memory import ONE, UNROLLED, ArraySpec, Dim, memory_impl
        from hwgen.units.hls_pack import cname, int_ctype

        nf, sf = self.mh // self.pe, self.mw // self.simd
        wbits = 1 if self.mode == "xnor" or self.binary_weights else DataType.parse(self.wdt).bits
        width = self.simd * wbits
        dims = [Dim(self.pe, UNROLLED, "complete"), Dim(nf * sf, ONE)]
        if width > 64:  # words wider than 64 bits are uint64 limbs (hls_pack.word_array)
            dims.append(Dim(-(-width // 64), UNROLLED, "reshape"))
        c = cname(self.name)
        out = [ArraySpec(f"{c}_weights", tuple(dims), width, storage=memory_impl(nf * sf, width, LUTRAM_MAX_DEPTH),
                         rom=True)]
        if not self.noact:
            t = np.asarray(self.thresholds)
            tbits = int(int_ctype(int(t.min()), int(t.max()))[3:-2])
            out.append(ArraySpec(f"{c}_thresholds", (Dim(self.pe, UNROLLED, "complete"), Dim(nf, ONE),
                                                     Dim(int(t.shape[1]), UNROLLED, "complete")),
                                 tbits, storage=memory_impl(nf, tbits, LUTRAM_MAX_DEPTH), rom=True))
        ib = DataType.parse(self.idt).bits
        out.append(ArraySpec("inbuf", (Dim(sf, ONE),), self.simd * ib, storage="auto", where="lib",
                             notes="written while nf == 0, read otherwise: exclusive branches share a port"))
        out.append(ArraySpec("acc", (Dim(self.pe, UNROLLED, "complete"),), DataType.parse(self.acc_dt).bits,
                             reads=1, writes=1, where="lib"))
        return tuple(out)

    def resources(self, board) -> dict[str, int]:
        """MVAU (FINN ``MatrixVectorActivation.lut_estimation`` / ``bram_estimation`` / ``dsp_estimation``).

        LUT = c0 + c1 * P * (mult + adder tree + accumulator + thresholds + comparators) + weight
        LUTRAM, with FINN's c0 = 300, c1 = 1.1; mult = Q*(2*ceil((W+A)/6)-1)*(W+A), adder tree =
        (W+A)*(2Q-1), accumulator = acc bits. Weight memory: one WMEM x (Q*W) memory per PE, in
        LUTRAM or BRAM18 by depth (FINN's ``bram_estimation`` block shapes). Threshold memory: one
        TMEM x (n*acc) memory per PE (FINN counts it only as LUTs; we also place deep ones in BRAM).
        DSP: one DSP48 per lane when both operands are multi-bit and W*A > 16 (FINN's
        ``dsp_estimation`` ignores the split); binary weights are a conditional negation in LUTs.
        FF is our own: pipeline registers of half the adder tree plus two accumulators per PE.
        """
        if getattr(board, "backend", "hls") == "rtl":
            return self.rtl_resources(board)
        P, Q = self.pe, self.simd
        W = 1 if self.binary_weights else bits(self.wdt)
        A = bits(self.idt)
        acc = bits(self.acc_dt)
        alpha = math.log2(max(self.mw, 2)) + W + A - 1  # FINN: minimal accumulator bound (arXiv 2301.13376)
        acc = int(min(acc, math.ceil(alpha + 1)))
        use_dsp = self.mode == "int" and not self.binary_weights and W * A > 16
        if self.mode == "xnor":
            # own, calibrated: FINN's formula gives 6 LUT per XNOR lane at W=A=1, about twice what
            # BNN-PYNQ's CNV/LFC reports imply; an XNOR merges into the first popcount compressor
            # level, so we charge XNOR_LANE_LUTS per lane for XNOR + popcount tree together.
            mult, adder = 0, XNOR_LANE_LUTS * Q
        else:
            mult = 0 if use_dsp else Q * (2 * math.ceil((W + A) / 6) - 1) * (W + A)
            adder = (W + A) * (2 * Q - 1)
        n_thr = 0 if self.thresholds is None else int(self.thresholds.shape[1])
        comp = n_thr * acc
        lanes = 300 + 1.1 * P * (mult + adder + acc + comp)
        # weights and thresholds as hls_arrays() declares them: split per PE (and per threshold
        # level), each bank in the memory the one storage decision chose
        params = [array_cost(a) for a in self.hls_arrays() if a.rom]
        ff = P * ((W + A) * Q / 2 + 2 * acc + n_thr) + Q * A + 150
        dsp = P * Q if use_dsp else 0
        return add({"lut": lanes, "ff": ff, "dsp": dsp}, *params)

    # -- rtl backend (templates/rtl/lib) ---------------------------------------------------------
    def rtl_context(self):
        """Every value its Verilog module needs (hwgen.units.rtl)."""
        from hwgen.units.rtl import mvau_rtl

        return mvau_rtl(self)

    def rtl_resources(self, board) -> dict[str, int]:
        """LUT, FF, BRAM18, URAM, DSP of its Verilog module, measured with Yosys (hwgen.units.cost_rtl)."""
        from hwgen.units.cost_rtl import mvau_rtl_resources

        return mvau_rtl_resources(self, board)
