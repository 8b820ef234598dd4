"""From a hardware-unit graph to the values the HLS templates print (one ``Design``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from hwgen.core.datatypes import DataType
from hwgen.core.errors import CodegenError
from hwgen.core.ir import Graph, Node
from hwgen.passes.fifo import MIN_DEPTH, fifo_depth
from hwgen.units import UNITS, unit_of
from hwgen.units.cost import DEFAULT_FIFO_DEPTH

MAX_WORD_BITS = 4096  # Vitis HLS's ap_int limit (AP_INT_MAX_W), for converter-internal words
from hwgen.backends.hls.params import layer_arrays, param_macro
from hwgen.units.hls_pack import cname


@dataclass
class Design:
    """Everything top.cpp/top.hpp/params.hpp/tb.cpp need for one accelerator."""

    top: str
    in_tensor: str
    out_tensor: str
    in_port: dict[str, Any]
    out_port: dict[str, Any]
    streams: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)  # in dataflow order
    params: list[dict[str, str]] = field(default_factory=list)  # params.hpp initializer macros
    layers: list[dict[str, str]] = field(default_factory=list)  # unit nodes, in order

    @property
    def ns(self) -> str:
        return f"{self.top}_params"


def accelerator_nodes(g: Graph) -> list[Node]:
    """The contiguous run of unit nodes between the host's input and output nodes, checked linear."""
    units = [n for n in g.nodes if n.op in UNITS and not n.attrs.get("host")]
    if not units:
        raise CodegenError(f"graph {g.name!r} has no hardware units; run the 'lower' step before 'codegen'")
    for a, b in zip(units, units[1:]):
        if b.inputs[0] != a.outputs[0] or len(g.consumers(a.outputs[0])) != 1:
            raise CodegenError(f"node {b.name!r} ({b.op}) does not read the output of {a.name!r}: "
                               "only linear chains of units can be generated so far")
    return units


def _port(total: int, dt: DataType, axi_bits: int) -> dict[str, Any]:
    """AXI-stream port layout: EPW elements per word (largest divisor of total fitting the bus).

    TDATA (``axi`` bits) is the next power of two >= 8 bits, the widths an AXI DMA accepts; the
    bits above EPW x B are zero.
    """
    epw = max([d for d in range(1, total + 1) if total % d == 0 and d * dt.bits <= axi_bits] or [1])
    width = 8
    while width < epw * dt.bits:  # AXI DMA stream widths are powers of two from 8 to 1024 bits
        width *= 2
    return {"elems": total, "epw": epw, "words": total // epw, "bits": dt.bits, "axi": width,
            "signed": dt.kind == "int", "dtype": str(dt)}


def dwc_widths(src: int, dst: int, bits: int) -> list[int]:
    """Word sizes after each integer-ratio converter from ``src`` to ``dst`` elements: [dst] when
    one divides the other, else [mid, dst] through lcm(src, dst) (fewest cycles: TOTAL/min(src,
    dst)) when its word fits Vitis's 4,096-bit ap_int, else through gcd(src, dst)."""
    if src % dst == 0 or dst % src == 0:
        return [dst]
    lcm = src * dst // math.gcd(src, dst)
    return [lcm if lcm * bits <= MAX_WORD_BITS else math.gcd(src, dst), dst]


def build_design(g: Graph, axi_bits: int = 64, top: str = "top") -> Design:
    """Compute every template value for ``g``; raises CodegenError before anything is written."""
    nodes = accelerator_nodes(g)
    ctxs = [(n, unit_of(n).context()) for n in nodes]
    tin, tout = g.tensors[nodes[0].inputs[0]], g.tensors[nodes[-1].outputs[0]]
    d = Design(top=top, in_tensor=tin.name, out_tensor=tout.name,
               in_port=_port(tin.size, tin.dtype, axi_bits), out_port=_port(tout.size, tout.dtype, axi_bits))
    if (DataType.parse(ctxs[0][1]["in_dt"]).bits != tin.dtype.bits
            or DataType.parse(ctxs[-1][1]["out_dt"]).bits != tout.dtype.bits):
        raise CodegenError(f"graph {g.name!r}: the accelerator's port datatypes do not match its units")
    if ctxs[0][1]["in_total"] != tin.size or ctxs[-1][1]["out_total"] != tout.size:
        raise CodegenError(f"graph {g.name!r}: the accelerator's input/output sizes do not match its units")

    def new_stream(name: str, epw: int, bits: int, depth: int) -> str:
        d.streams.append({"name": name, "type": f"ap_uint<{epw * bits}>", "depth": depth})
        return name

    def convert(src: str, src_epw: int, dst_epw: int, total: int, bits: int, label: str) -> str:
        """Insert DataWidthConverters when the word sizes of two sides differ: one for an integer
        ratio, else two through an intermediate width (lib/dwc.hpp)."""
        if src_epw == dst_epw:
            return src
        steps = [src_epw, *dwc_widths(src_epw, dst_epw, bits)]
        for i, (a, b) in enumerate(zip(steps, steps[1:])):
            out = new_stream(f"s_{label}_dwc{i if len(steps) > 2 else ''}", b, bits, MIN_DEPTH)
            d.calls.append({"comment": f"width conversion {a} -> {b} elements ({label})",
                            "func": "dwc", "targs": [a, b, total, bits], "ins": [src], "outs": [out]})
            src = out
        return src

    ip, op = d.in_port, d.out_port
    # the stream into each unit gets the depth the fifo pass sized (hwgen/passes/fifo.py)
    depths = [fifo_depth(n, DEFAULT_FIFO_DEPTH) for n, _ in ctxs] + [MIN_DEPTH]
    cur = new_stream("s_in", ip["epw"], ip["bits"], depths[0])
    d.calls.append({"comment": f"AXI-stream in: {ip['words']} words of {ip['epw']} x {ip['dtype']}",
                    "func": "axis_to_stream", "targs": [ip["words"], ip["epw"], ip["bits"], ip["axi"]],
                    "ins": ["in0"], "outs": [cur]})
    cur_epw = ip["epw"]
    for i, (n, c) in enumerate(ctxs):
        name = cname(n.name)
        bits_in = DataType.parse(c["in_dt"]).bits
        cur = convert(cur, cur_epw, c["in_epw"], c["in_total"], bits_in, name)
        bits_out = DataType.parse(c["out_dt"]).bits
        out = new_stream(f"s_{name}", c["out_epw"], bits_out, depths[i + 1])
        d.calls.append({"comment": f"{i + 1}. {n.name} ({c['summary']})", "func": c["func"],
                        "targs": c["targs"], "ins": [cur], "outs": [out], "args": list(c["args"]), "layer": name,
                        "arrays": layer_arrays(unit_of(n), c["params"], top)})
        d.params.extend(param_macro(p, top) for p in c["params"])
        d.layers.append({"name": n.name, "cname": name, "op": n.op, "summary": c["summary"]})
        cur, cur_epw = out, c["out_epw"]
    cur = convert(cur, cur_epw, op["epw"], op["elems"], op["bits"], "out")
    d.calls.append({"comment": f"AXI-stream out: {op['words']} words of {op['epw']} x {op['dtype']}",
                    "func": "stream_to_axis", "targs": [op["words"], op["epw"], op["bits"], op["axi"]],
                    "ins": [cur], "outs": ["out0"]})
    types = {s["name"]: s["type"] for s in d.streams}
    for c in d.calls:
        if "layer" in c:
            # one non-inlined function per layer: synthesis reports (and `hwgen report parse`)
            # then name each dataflow process after its ONNX node
            c["wrapper"] = f"{top}_{c['layer']}"
            c["signature"] = ", ".join(f"hls::stream<{types[s]} > &{s}" for s in c["ins"] + c["outs"])
    names = [l["cname"] for l in d.layers]
    if len(set(names)) != len(names):
        raise CodegenError(f"graph {g.name!r}: two node names sanitize to the same C identifier")
    return d
