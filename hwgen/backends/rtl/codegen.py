"""RTL code generation: hardware-unit graph -> Verilog project (DESIGN §6, "The rtl backend").

``build_rtl_design(g)`` computes every value (the units' rtl faces, ``hwgen.units.rtl``);
``write_rtl`` writes ``rtl/top.v`` (wiring, the HLS top's AXI-stream interface), ``rtl/units.v``
(one keep_hierarchy wrapper per stream node: units, FIFOs, width converters), ``rtl/lib/`` (the
hand-written library) and one ``$readmemh`` file per memory next to them (Vivado, Yosys and
Verilator find them by file name when run from ``rtl/``).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hwgen.backends.hls.design import accelerator_io, accelerator_nodes
from hwgen.backends.rtl.verilator import LIB_DIR, render, verilog_params
from hwgen.core.axi import axi_port
from hwgen.core.errors import CodegenError
from hwgen.core.ir import Graph
from hwgen.passes.insert import insert_stream_nodes
from hwgen.units import unit_of
from hwgen.units.hls_pack import cname
from hwgen.units.rtl import rtl_context


@dataclass
class RtlDesign:
    """Everything top.v / units.v / the memory files need for one accelerator."""

    top: str
    in_tensor: str
    out_tensor: str
    in_port: dict[str, Any]
    out_port: dict[str, Any]
    instances: list[dict[str, Any]] = field(default_factory=list)  # in stream order
    wires: list[dict[str, Any]] = field(default_factory=list)
    mems: dict[str, list[str]] = field(default_factory=dict)  # file name -> hex lines
    first: str = ""
    last: str = ""

    def instance_of(self, node: str) -> dict[str, Any] | None:
        return next((i for i in self.instances if i["node"] == node and i["kind"] == "unit"), None)


def build_rtl_design(g: Graph, axi_bits: int = 64, top: str = "top") -> RtlDesign:
    """Every value of the Verilog project of ``g``; raises CodegenError before anything is written.

    Streams are wired by tensor name: one wire bundle per tensor, driven by its producer's
    instance. The width converters and FIFOs are the graph's own nodes (the ``insert`` pass);
    the FIFO nodes become hwgen_fifo instances of the sized depth.
    """
    g = insert_stream_nodes(g, axi_bits)
    nodes = accelerator_nodes(g)
    tin_name, tout_name = accelerator_io(g)
    tin, tout = g.tensors[tin_name], g.tensors[tout_name]
    d = RtlDesign(top, tin.name, tout.name, axi_port(tin.size, tin.dtype, axi_bits),
                  axi_port(tout.size, tout.dtype, axi_bits))
    widths = {tin.name: d.in_port["epw"] * d.in_port["bits"]}

    def wire(t: str) -> str:
        return f"t_{cname(t)}"

    d.wires.append({"name": wire(tin.name), "width": widths[tin.name]})
    for n in nodes:
        c = rtl_context(unit_of(n))
        if len(n.inputs) != len(c.inputs) or len(n.outputs) != len(c.outputs):
            raise CodegenError(f"node {n.name!r} ({n.op}) has {len(n.inputs)} input and {len(n.outputs)} output "
                               f"streams, its Verilog module {c.module} {len(c.inputs)} and {len(c.outputs)}")
        for t_in, s in zip(n.inputs, c.inputs):
            if widths.get(t_in) != s.width:
                raise CodegenError(f"node {n.name!r} ({n.op}) reads {s.width}-bit words from {t_in!r} written "
                                   f"{widths.get(t_in)} bits wide: a width converter is missing (run the 'insert' step)")
        for t_out, s in zip(n.outputs, c.outputs):
            widths[t_out] = s.width
            d.wires.append({"name": wire(t_out), "width": s.width})
        label = cname(n.name)
        files = {}
        for param, lines in c.mems.items():
            fname = f"{top}_{label}_{param.lower()}.mem"
            d.mems[fname] = lines
            files[param] = fname
        kind = {"hwgen_fifo": "fifo", "hwgen_dwc": "dwc"}.get(c.module, "unit")
        # several streams on one side share the module's port: stream k above stream k-1
        d.instances.append({"kind": kind, "node": n.name, "wrapper": f"{top}_{label}", "module": c.module,
                            "params": verilog_params(c.params, files), "src": _bus([wire(t) for t in n.inputs]),
                            "dst": _bus([wire(t) for t in n.outputs]), "n_in": len(n.inputs),
                            "n_out": len(n.outputs), "in_width": c.in_width, "out_width": c.out_width,
                            "summary": c.summary, "ctx": c})
    out_width = d.out_port["epw"] * d.out_port["bits"]
    if widths.get(tout.name) != out_width:
        raise CodegenError(f"graph {g.name!r}: output stream {tout.name!r} is {widths.get(tout.name)} bits, "
                           f"the DMA port {out_width}: run the 'insert' step")
    d.first, d.last = wire(tin.name), wire(tout.name)
    names = [i["wrapper"] for i in d.instances]
    if len(set(names)) != len(names) or len({w["name"] for w in d.wires}) != len(d.wires):
        raise CodegenError(f"graph {g.name!r}: two node or tensor names sanitize to the same Verilog identifier")
    return d


def _bus(wires: list[str]) -> dict[str, str]:
    """The port connections of one side: a wire bundle, or the concatenation of several."""
    if len(wires) == 1:
        return {sig: f"{wires[0]}_{sig}" for sig in ("tdata", "tvalid", "tready")}
    return {sig: "{" + ", ".join(f"{w}_{sig}" for w in reversed(wires)) + "}" for sig in ("tdata", "tvalid", "tready")}


def write_rtl(d: RtlDesign, rtl_dir: Path, model: str) -> list[Path]:
    """top.v, units.v, lib/*.v and the memory files into ``rtl_dir``; returns the Verilog sources."""
    rtl_dir = Path(rtl_dir)
    rtl_dir.mkdir(parents=True, exist_ok=True)
    (rtl_dir / "top.v").write_text(render("rtl/top.v.j2", d=d, model=model))
    (rtl_dir / "units.v").write_text(render("rtl/units.v.j2", d=d, model=model))
    # which node each wrapper stands for (hwgen synth reports per node)
    nodes = {i["wrapper"]: {"node": i["node"], "kind": i["kind"], "module": i["module"],
                            "xnor_lanes": xnor_lanes(i)} for i in d.instances}
    (rtl_dir / "nodes.json").write_text(json.dumps(nodes, indent=1))
    for fname, lines in d.mems.items():
        (rtl_dir / fname).write_text("\n".join(lines) + "\n")
    lib = rtl_dir / "lib"
    if lib.exists():
        shutil.rmtree(lib)
    shutil.copytree(LIB_DIR, lib)
    return [rtl_dir / "top.v", rtl_dir / "units.v", *sorted(lib.glob("*.v"))]


def xnor_lanes(inst: dict[str, Any]) -> int:
    """XNOR lanes (PE x SIMD) of an MVAU instance in XNOR mode, else 0 (for LUT-per-lane figures)."""
    p = inst["ctx"].params
    return int(p["PE"]) * int(p["SIMD"]) if inst["module"] == "hwgen_mvau" and p["MODE"] == 0 else 0


def generate(g: Graph, board: Any, out_dir: str | Path, model: str = "") -> RtlDesign:
    """Write ``out_dir/rtl`` for ``g`` on ``board`` (its AXI port width), with ``package_ip.tcl``."""
    from hwgen.backends.board import HLS_PROJECT

    d = build_rtl_design(g, int(board.axi_port_bits))
    rtl = Path(out_dir) / "rtl"
    write_rtl(d, rtl, model or g.name)
    (rtl / "package_ip.tcl").write_text(render("rtl/package_ip.tcl.j2", top=d.top, part=board.part,
                                               hls_project=HLS_PROJECT, model=model or g.name))
    return d


# -- flow step ---------------------------------------------------------------------------------
from hwgen.core.flow import FlowState, step


@step("rtl")
def _rtl_step(state: FlowState) -> FlowState:
    """With ``options["backend"] == "rtl"``: the Verilog project into ``out_dir/rtl``."""
    if state.options.get("backend", "hls") != "rtl":
        return state
    out = Path(state.options["out_dir"])
    d = generate(state.graph, state.options["board"], out, str(state.model.name))
    return state.with_artifact(rtl_dir=out / "rtl", rtl_design=d)
