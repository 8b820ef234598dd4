"""The rtl faces of the units: every value a Verilog module of templates/rtl/lib needs.

Each ``*_rtl`` function returns an ``RtlContext``: the module name, its parameters (Python ints,
or Verilog literals as strings), the memories to write as ``$readmemh`` files (parameter name ->
hex lines) and the stream layout of its two ports. Memory words use the stream layout of
``hwgen.core.host_runtime.pack_elements``: element i at bits [i*B, (i+1)*B), two's complement.
Memory style follows the cost model's decision (``hwgen.units.cost.memory``: LUTRAM up to
``LUTRAM_MAX_DEPTH`` words, BRAM beyond), so estimate and Verilog agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hwgen.core.datatypes import DataType
from hwgen.core.host_runtime import pack_elements
from hwgen.units.cost import LUTRAM_MAX_DEPTH
from hwgen.units.hls_pack import require

STYLE_LUTRAM, STYLE_BRAM = 1, 2

# Cycles each module of templates/rtl/lib delays its first output beyond its unit's schedule()
# (the first cycle that schedule writes, counted from the first read; a FIFO node from 0): the
# pipeline registers the cycle-level check of the schedules does not see. Measured in the unit
# grids (tests/rtl/test_rtl_latency.py asserts each); the rtl backend's FIFO sizing adds them up
# along the branches of a join (hwgen.passes.rtl_slack).
PIPELINE_LATENCY = {
    "hwgen_mvau": 3, "hwgen_sliding_window": 1, "hwgen_sliding_window_wide": 1, "hwgen_maxpool": 2,
    "hwgen_thresholding": 2, "hwgen_label_select": 0, "hwgen_dwc": 1, "hwgen_fifo": 2,
    "hwgen_duplicate": 1, "hwgen_add_streams": 1, "hwgen_concat": 1, "hwgen_avg_pool": 2,
    "hwgen_global_avg_pool": 2,
}


@dataclass(frozen=True)
class RtlStream:
    """One stream of a module port: ``epw`` elements of ``bits`` per word, ``total`` per frame."""

    epw: int
    bits: int
    total: int
    signed: bool = False

    @property
    def width(self) -> int:
        return self.epw * self.bits


@dataclass(frozen=True)
class RtlContext:
    """One Verilog module instance: module, parameters, memory files, port layouts.

    A module with several input (output) streams packs them into its one ``in_*`` (``out_*``)
    port: stream k's data above stream k-1's, bit k of valid and ready (the branching units);
    ``in_streams`` / ``out_streams`` list them, and the scalar fields describe stream 0.
    """

    module: str
    params: dict[str, Any]
    in_epw: int
    in_bits: int
    out_epw: int
    out_bits: int
    in_total: int  # elements per frame
    out_total: int
    summary: str
    mems: dict[str, list[str]] = field(default_factory=dict)  # file parameter -> hex lines
    in_signed: bool = False
    out_signed: bool = False
    in_streams: tuple[RtlStream, ...] = ()  # set when the module reads several streams
    out_streams: tuple[RtlStream, ...] = ()  # set when it writes several

    @property
    def inputs(self) -> tuple[RtlStream, ...]:
        return self.in_streams or (RtlStream(self.in_epw, self.in_bits, self.in_total, self.in_signed),)

    @property
    def outputs(self) -> tuple[RtlStream, ...]:
        return self.out_streams or (RtlStream(self.out_epw, self.out_bits, self.out_total, self.out_signed),)

    @property
    def latency(self) -> int:
        """Cycles the module's first output comes later than its unit's schedule (PIPELINE_LATENCY)."""
        return PIPELINE_LATENCY[self.module]

    @property
    def in_width(self) -> int:
        """Bits of the module's ``in_tdata`` port (every input stream's word)."""
        return sum(s.width for s in self.inputs)

    @property
    def out_width(self) -> int:
        return sum(s.width for s in self.outputs)


def mem_style(depth: int) -> int:
    """LUTRAM or BRAM, as hwgen.units.cost.memory decides for a memory this deep."""
    return STYLE_LUTRAM if depth <= LUTRAM_MAX_DEPTH else STYLE_BRAM


def hex_lines(words: np.ndarray, bits: int) -> list[str]:
    """$readmemh lines for ``words`` (depth, elements): each word as hex, element 0 lowest."""
    w = np.asarray(words).astype(np.int64)
    width = w.shape[1] * bits
    nbytes = -(-width // 8)
    raw = pack_elements(w, bits, nbytes)  # (depth, nbytes) little-endian
    digits = -(-width // 4)
    return [bytes(r[::-1]).hex()[-digits:] for r in raw]


def _signed_bits(lo: int, hi: int) -> int:
    """Bits of the narrowest two's complement type holding [lo, hi] (always signed)."""
    return DataType.smallest(min(int(lo), -1), int(hi)).bits


def _dt(name: str) -> DataType:
    return DataType.parse(name)


def _is_signed(dt: str) -> int:
    return 1 if _dt(dt).kind == "int" else 0


def mvau_rtl(u: Any) -> RtlContext:
    """hwgen_mvau: weights as NF*SF words of PE x SIMD x WB bits, thresholds NF words of PE x NT x TB."""
    require(u.mw % u.simd == 0, u, f"SIMD={u.simd} does not divide MW={u.mw}")
    require(u.mh % u.pe == 0, u, f"PE={u.pe} does not divide MH={u.mh}")
    nf, sf = u.mh // u.pe, u.mw // u.simd
    idt = _dt(u.idt)
    if u.mode == "xnor":
        mode, ib, wb, wsigned = 0, 1, 1, 0
        acc_bits = _signed_bits(-u.mw, u.mw)
    else:
        mode = 1 if u.binary_weights else 2
        ib = idt.bits
        wb = 1 if u.binary_weights else _dt(u.wdt).bits
        wsigned = 0 if u.binary_weights else _is_signed(u.wdt)
        xmax = max(abs(idt.min), abs(idt.max))
        bound = int(np.abs(u.signed_weights()).sum(1).max()) * xmax
        acc_bits = max(_signed_bits(-bound, bound), ib + wb + 2)
    # word nf*SF + sf holds rows nf*PE + p (p-major), columns sf*SIMD + s
    w = np.asarray(u.weights).reshape(nf, u.pe, sf, u.simd).transpose(0, 2, 1, 3).reshape(nf * sf, u.pe * u.simd)
    mems = {"WFILE": hex_lines(w, wb)}
    nt, tb = 0, 1
    if u.thresholds is not None:
        t = np.asarray(u.thresholds).astype(np.int64)
        nt = int(t.shape[1])
        tb = _signed_bits(t.min(), t.max())
        mems["TFILE"] = hex_lines(t.reshape(nf, u.pe * nt), tb)
    odt = _dt(u.odt)
    params = {"MW": u.mw, "MH": u.mh, "SIMD": u.simd, "PE": u.pe, "MODE": mode, "IB": ib,
              "ISIGNED": _is_signed(u.idt) if mode else 0, "WB": wb, "WSIGNED": wsigned, "AB": acc_bits,
              "OB": odt.bits, "NT": nt, "TB": tb, "BASE": int(u.out_base), "STEP": int(u.out_step),
              "WSTYLE": mem_style(nf * sf), "TSTYLE": mem_style(nf)}
    return RtlContext("hwgen_mvau", params, u.simd, ib, u.pe, odt.bits, u.reps * u.mw, u.reps * u.mh,
                      f"MVAU {u.mode} {u.mh}x{u.mw} reps={u.reps} pe={u.pe} simd={u.simd}", mems,
                      bool(params["ISIGNED"]), odt.kind == "int")


def sliding_window_rtl(u: Any) -> RtlContext:
    """hwgen_sliding_window: the ring of KH + SH rows; LUTRAM or BRAM by the row depth."""
    require(u.legal_simd(u.simd, u.channels, u.kernel), u,
            f"SIMD={u.simd} is neither a divisor of C={u.channels} nor a whole number of pixels or window rows")
    (ih, iw), (oh, ow) = u.ifm_dim, u.ofm_dim
    (kh, kw), (sh, sw) = u.kernel, u.stride
    t, l, _, _ = u.pads
    require(t < kh and l < kw, u, f"padding {tuple(u.pads)} at least as large as the kernel {u.kernel}")
    dt = _dt(u.idt)
    row = iw * (u.channels // u.in_simd)
    params = {"IH": ih, "IW": iw, "C": u.channels, "KH": kh, "KW": kw, "SH": sh, "SW": sw, "PT": t, "PL": l,
              "OH": oh, "OW": ow, "SIMD": u.simd, "SIMD_IN": u.in_simd, "B": dt.bits,
              "PAD_CODE": int(u.pad_value), "STYLE": mem_style(row)}
    module = "hwgen_sliding_window"
    if u.simd > u.in_simd:  # whole pixels per word: line buffers + register window
        module = "hwgen_sliding_window_wide"
        params = {k: v for k, v in params.items() if k not in ("SIMD_IN", "STYLE")}
    return RtlContext(module, params, u.in_simd, dt.bits, u.simd, dt.bits,
                      ih * iw * u.channels, oh * ow * kh * kw * u.channels,
                      f"SlidingWindow {ih}x{iw}x{u.channels} k={kh}x{kw} s={sh}x{sw} simd={u.simd}",
                      in_signed=dt.kind == "int", out_signed=dt.kind == "int")


def maxpool_rtl(u: Any) -> RtlContext:
    """hwgen_maxpool: min-channels as a C-bit parameter."""
    require(u.channels % u.pe == 0, u, f"PE={u.pe} does not divide C={u.channels}")
    (ih, iw), (oh, ow) = u.ifm_dim, u.ofm_dim
    (kh, kw), (sh, sw) = u.kernel, u.stride
    t, l, _, _ = u.pads
    require(t < kh and l < kw, u, f"padding {tuple(u.pads)} at least as large as the kernel {u.kernel}")
    dt = _dt(u.idt)
    mask = 0
    if u.min_mask is not None:
        for c, m in enumerate(np.asarray(u.min_mask).astype(bool).tolist()):
            mask |= int(m) << c
    row = iw * (u.channels // u.pe)
    params = {"IH": ih, "IW": iw, "C": u.channels, "KH": kh, "KW": kw, "SH": sh, "SW": sw, "PT": t, "PL": l,
              "OH": oh, "OW": ow, "PE": u.pe, "B": dt.bits, "ISIGNED": _is_signed(u.idt),
              "MIN_MASK": f"{u.channels}'h{mask:x}", "STYLE": mem_style(row)}
    return RtlContext("hwgen_maxpool", params, u.pe, dt.bits, u.pe, dt.bits, ih * iw * u.channels,
                      oh * ow * u.channels, f"StreamingMaxPool {ih}x{iw}x{u.channels} k={kh}x{kw} pe={u.pe}",
                      in_signed=dt.kind == "int", out_signed=dt.kind == "int")


def thresholding_rtl(u: Any) -> RtlContext:
    """hwgen_thresholding: thresholds as C/PE words of PE x NT x TB bits."""
    require(u.channels % u.pe == 0, u, f"PE={u.pe} does not divide C={u.channels}")
    t = np.asarray(u.thresholds).astype(np.int64)
    cf, nt = u.channels // u.pe, int(t.shape[1])
    tb = _signed_bits(t.min(), t.max())
    idt, odt = _dt(u.idt), _dt(u.odt)
    params = {"C": u.channels, "PE": u.pe, "IB": idt.bits, "ISIGNED": _is_signed(u.idt), "OB": odt.bits,
              "NT": nt, "TB": tb, "BASE": int(u.out_base), "STEP": int(u.out_step), "TSTYLE": mem_style(cf)}
    return RtlContext("hwgen_thresholding", params, u.pe, idt.bits, u.pe, odt.bits, u.pixels * u.channels,
                      u.pixels * u.channels, f"Thresholding c={u.channels} pixels={u.pixels} pe={u.pe} nt={nt}",
                      {"TFILE": hex_lines(t.reshape(cf, u.pe * nt), tb)}, idt.kind == "int", odt.kind == "int")


def label_select_rtl(u: Any) -> RtlContext:
    """hwgen_label_select."""
    require(u.labels % u.pe == 0, u, f"PE={u.pe} does not divide labels={u.labels}")
    require(1 <= u.k <= u.labels, u, f"k={u.k} outside 1..{u.labels}")
    idt, odt = _dt(u.idt), _dt(u.odt)
    require((u.labels - 1).bit_length() <= odt.bits, u, f"{u.odt} cannot hold index {u.labels - 1}")
    params = {"N": u.labels, "K": u.k, "PE": u.pe, "IB": idt.bits, "ISIGNED": _is_signed(u.idt), "OB": odt.bits}
    return RtlContext("hwgen_label_select", params, u.pe, idt.bits, 1, odt.bits, u.labels, u.k,
                      f"LabelSelect labels={u.labels} k={u.k} pe={u.pe}", in_signed=idt.kind == "int")


def fifo_rtl(epw: int, bits: int, depth: int, total: int, signed: bool = False) -> RtlContext:
    """hwgen_fifo of a ``depth``-word memory of ``epw`` x ``bits`` words plus its output register
    (one word more than the HLS stream of that depth; memory style by depth, as the cost model)."""
    params = {"W": epw * bits, "DEPTH": max(1, depth), "STYLE": mem_style(depth)}
    return RtlContext("hwgen_fifo", params, epw, bits, epw, bits, total, total, f"FIFO depth={depth}",
                      in_signed=signed, out_signed=signed)


def dwc_rtl(in_epw: int, out_epw: int, bits: int, total: int, signed: bool = False) -> RtlContext:
    """hwgen_dwc between words of ``in_epw`` and ``out_epw`` elements."""
    if total % in_epw or total % out_epw:
        from hwgen.core.errors import CodegenError

        raise CodegenError(f"width converter {in_epw} -> {out_epw} elements: {total} elements per frame "
                           "are not a whole number of both words")
    params = {"IN": in_epw, "OUT": out_epw, "B": bits}
    return RtlContext("hwgen_dwc", params, in_epw, bits, out_epw, bits, total, total,
                      f"DataWidthConverter {in_epw} -> {out_epw}", in_signed=signed, out_signed=signed)



def fifo_unit_rtl(u: Any) -> RtlContext:
    """The FIFO node: hwgen_fifo of the depth the fifo pass sized."""
    p = u.in_ports()[0]
    return fifo_rtl(p.epw, p.bits, int(u.depth), p.elems, _dt(p.dtype).kind == "int")


def dwc_unit_rtl(u: Any) -> RtlContext:
    """The DataWidthConverter node: one hwgen_dwc for any ratio (it reads and writes in one cycle)."""
    p = u.in_ports()[0]
    return dwc_rtl(u.in_epw, u.out_epw, p.bits, int(u.elems), _dt(p.dtype).kind == "int")


def _streams(ports: Any) -> tuple[RtlStream, ...]:
    """The unit's ports (hwgen.units.base.Port) as module streams."""
    return tuple(RtlStream(p.epw, p.bits, p.elems, _dt(p.dtype).kind == "int") for p in ports)


def _branching(module: str, u: Any, params: dict[str, Any], summary: str) -> RtlContext:
    """A context whose streams are the unit's ports (several on one side)."""
    ins, outs = _streams(u.in_ports()), _streams(u.out_ports())
    i0, o0 = ins[0], outs[0]
    return RtlContext(module, params, i0.epw, i0.bits, o0.epw, o0.bits, i0.total, o0.total, summary,
                      in_signed=i0.signed, out_signed=o0.signed, in_streams=ins if len(ins) > 1 else (),
                      out_streams=outs if len(outs) > 1 else ())


def duplicate_rtl(u: Any) -> RtlContext:
    """hwgen_duplicate: one W-bit stream to N (any N >= 2; the HLS library stops at 4)."""
    require(u.n >= 2, u, f"{u.n} outputs; a fork has at least 2")
    require(u.channels % u.pe == 0, u, f"PE={u.pe} does not divide C={u.channels}")
    p = u.in_ports()[0]
    return _branching("hwgen_duplicate", u, {"N": u.n, "W": p.width},
                      f"DuplicateStreams {u.pixels}x{u.channels} -> {u.n} pe={u.pe}")


def add_streams_rtl(u: Any) -> RtlContext:
    """hwgen_add_streams: (a << SA) + (b << SB) per lane, wrapped to the output type's bits."""
    require(u.channels % u.pe == 0, u, f"PE={u.pe} does not divide C={u.channels}")
    require(u.shift_a >= 0 and u.shift_b >= 0, u, f"negative shift ({u.shift_a}, {u.shift_b})")
    a, b, o = _dt(u.idt_a), _dt(u.idt_b), _dt(u.odt)
    params = {"PE": u.pe, "AB": a.bits, "ASIGNED": _is_signed(u.idt_a), "SA": int(u.shift_a),
              "BB": b.bits, "BSIGNED": _is_signed(u.idt_b), "SB": int(u.shift_b), "OB": o.bits}
    return _branching("hwgen_add_streams", u, params,
                      f"AddStreams {u.pixels}x{u.channels} pe={u.pe} (a<<{u.shift_a}) + (b<<{u.shift_b})")


def concat_rtl(u: Any) -> RtlContext:
    """hwgen_concat: N inputs of C_k/PE words per pixel (WORDS packs the counts, input 0 lowest)."""
    require(len(u.channels) >= 2, u, f"{len(u.channels)} inputs; a concat has at least 2")
    err = u.folding_error("pe", u.pe)
    require(err is None, u, str(err))
    words = [c // u.pe for c in u.channels]
    packed = "{" + ", ".join(f"32'd{w}" for w in reversed(words)) + "}"
    return _branching("hwgen_concat", u, {"N": len(words), "W": u.in_ports()[0].width, "WORDS": packed},
                      f"StreamingConcat {u.shape()} pe={u.pe}")


def avg_pool_rtl(u: Any) -> RtlContext:
    """hwgen_avg_pool: a row of OW*C/PE partial sums (LUTRAM or BRAM by depth, as the estimate)."""
    require(u.channels % u.pe == 0, u, f"PE={u.pe} does not divide C={u.channels}")
    (ih, iw), (kh, kw) = u.ifm_dim, u.kernel
    require(1 <= kh <= ih and 1 <= kw <= iw, u, f"kernel {u.kernel} larger than the input {u.ifm_dim}")
    idt, odt = _dt(u.idt), _dt(u.odt)
    params = {"IH": ih, "IW": iw, "C": u.channels, "KH": kh, "KW": kw, "PE": u.pe, "IB": idt.bits,
              "ISIGNED": _is_signed(u.idt), "OB": odt.bits,
              "STYLE": mem_style(u.ofm_dim[1] * (u.channels // u.pe))}
    return _branching("hwgen_avg_pool", u, params, f"AveragePool (window sums) {u.shape()} pe={u.pe}")


def global_avg_pool_rtl(u: Any) -> RtlContext:
    """hwgen_global_avg_pool: C/PE running sums (LUTRAM or BRAM by depth, as the estimate)."""
    require(u.channels % u.pe == 0, u, f"PE={u.pe} does not divide C={u.channels}")
    idt, odt = _dt(u.idt), _dt(u.odt)
    params = {"PIXELS": u.pixels, "C": u.channels, "PE": u.pe, "IB": idt.bits, "ISIGNED": _is_signed(u.idt),
              "OB": odt.bits, "STYLE": mem_style(u.channels // u.pe)}
    return _branching("hwgen_global_avg_pool", u, params, f"GlobalAveragePool (sums) {u.shape()} pe={u.pe}")


def rtl_context(u: Any) -> RtlContext:
    """The unit's rtl face; CodegenError (naming the node) when it has no Verilog module."""
    face = getattr(u, "rtl_context", None)
    if not callable(face):
        from hwgen.core.errors import CodegenError

        raise CodegenError(f"node {u.name!r} ({type(u).__name__}): no Verilog module in templates/rtl/lib; "
                           "build it with --backend hls")
    return face()
