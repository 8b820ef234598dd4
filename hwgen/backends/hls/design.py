"""From a hardware-unit graph to the values the HLS templates print (one ``Design``).

The graph is a DAG of units joined by tensors. Every tensor between two units is one
``hls::stream``, named after the tensor; a FIFO node is not a process but the depth (and
storage) of the stream it sits on, so its input and output tensors share one stream. The
converters and FIFOs come from the ``insert`` pass: codegen invents no units of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hwgen.core.axi import axi_port
from hwgen.core.errors import CodegenError
from hwgen.core.ir import Graph, Node
from hwgen.passes.insert import MIN_DEPTH, accelerator_outputs, insert_stream_nodes
from hwgen.units import hardware_nodes, unit_of
from hwgen.backends.hls.params import layer_arrays, param_macro
from hwgen.units.fifo import FIFO
from hwgen.units.hls_memory import fifo_pragmas
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
    """The hardware units of ``g`` in topological order (CodegenError when there are none)."""
    units = hardware_nodes(g)
    if not units:
        raise CodegenError(f"graph {g.name!r} has no hardware units; run the 'lower' step before 'codegen'")
    return units


def accelerator_io(g: Graph) -> tuple[str, str]:
    """The one tensor the DMA streams in and the one it streams out."""
    hw = {n.name for n in accelerator_nodes(g)}
    ins = sorted({t for n in accelerator_nodes(g) for t in n.inputs
                  if (p := g.producer(t)) is None or p.name not in hw})
    outs = accelerator_outputs(g)
    if len(ins) != 1 or len(outs) != 1:
        raise CodegenError(f"graph {g.name!r}: the accelerator has {len(ins)} input and {len(outs)} output "
                           "streams; one of each is supported (one AXI DMA)")
    return ins[0], outs[0]


def build_design(g: Graph, axi_bits: int = 64, top: str = "top") -> Design:
    """Compute every template value for ``g``; raises CodegenError before anything is written."""
    g = insert_stream_nodes(g, axi_bits)
    nodes = accelerator_nodes(g)
    tin_name, tout_name = accelerator_io(g)
    tin, tout = g.tensors[tin_name], g.tensors[tout_name]
    d = Design(top=top, in_tensor=tin.name, out_tensor=tout.name,
               in_port=axi_port(tin.size, tin.dtype, axi_bits), out_port=axi_port(tout.size, tout.dtype, axi_bits))
    units = {n.name: unit_of(n) for n in nodes}
    ctxs = {n.name: units[n.name].context() for n in nodes}

    # one stream per tensor; a FIFO node joins its input and output into one deeper stream
    alias: dict[str, str] = {}
    depth: dict[str, int] = {}
    storage: dict[str, str] = {}
    for n in nodes:
        c = ctxs[n.name]
        if "stream_depth" in c:
            src = alias.get(n.inputs[0], n.inputs[0])
            alias[n.outputs[0]] = src
            if int(c["stream_depth"]) >= depth.get(src, MIN_DEPTH):
                depth[src], storage[src] = int(c["stream_depth"]), c["storage"]

    def stream(t: str) -> str:
        return f"s_{cname(alias.get(t, t))}"

    widths: dict[str, int] = {tin.name: d.in_port["epw"] * d.in_port["bits"]}
    for n in nodes:
        for t, p in zip(n.outputs, units[n.name].out_ports()):
            widths[t] = p.width
    for n in nodes:
        for t, p in zip(n.inputs, units[n.name].in_ports()):
            have = widths[alias.get(t, t)] if alias.get(t, t) in widths else widths.get(t)
            if have != p.width:
                raise CodegenError(f"node {n.name!r} ({n.op}) reads {p.width}-bit words from {t!r} written "
                                   f"{have} bits wide: a width converter is missing (run the 'insert' step)")
    out_width = d.out_port["epw"] * d.out_port["bits"]
    if widths[tout.name] != out_width:
        raise CodegenError(f"graph {g.name!r}: output stream {tout.name!r} is {widths[tout.name]} bits, "
                           f"the DMA port {out_width}: run the 'insert' step")
    declared: set[str] = set()
    for t in [tin.name] + [t for n in nodes for t in n.outputs]:
        s = stream(t)
        if s in declared:
            continue
        declared.add(s)
        src = alias.get(t, t)
        # the memory of every stream is the FIFO unit's decision (a stream without a FIFO node
        # is MIN_DEPTH deep); BIND_STORAGE says so, Vitis would otherwise pick by its own rules
        impl = storage.get(src) or FIFO(name=src, depth=MIN_DEPTH).storage
        d.streams.append({"name": s, "type": f"ap_uint<{widths[src]}>", "depth": depth.get(src, MIN_DEPTH),
                          "storage": impl, "pragmas": fifo_pragmas(s, depth.get(src, MIN_DEPTH), impl)})

    ip, op = d.in_port, d.out_port
    d.calls.append({"comment": f"AXI-stream in: {ip['words']} words of {ip['epw']} x {ip['dtype']}",
                    "func": "axis_to_stream", "targs": [ip["words"], ip["epw"], ip["bits"], ip["axi"]],
                    "ins": ["in0"], "outs": [stream(tin.name)]})
    for i, n in enumerate(nodes):
        c = ctxs[n.name]
        if "stream_depth" in c:
            continue
        name = cname(n.name)
        d.calls.append({"comment": f"{n.name} ({c['summary']})", "func": c["func"], "targs": c["targs"],
                        "ins": [stream(t) for t in n.inputs], "outs": [stream(t) for t in n.outputs],
                        "args": list(c["args"]), "layer": name,
                        "arrays": layer_arrays(units[n.name], c["params"], top)})
        d.params.extend(param_macro(p, top) for p in c["params"])
        d.layers.append({"name": n.name, "cname": name, "op": n.op, "summary": c["summary"]})
    d.calls.append({"comment": f"AXI-stream out: {op['words']} words of {op['epw']} x {op['dtype']}",
                    "func": "stream_to_axis", "targs": [op["words"], op["epw"], op["bits"], op["axi"]],
                    "ins": [stream(tout.name)], "outs": ["out0"]})
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
