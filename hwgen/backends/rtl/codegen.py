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

from hwgen.backends.hls.design import _port, accelerator_nodes
from hwgen.backends.rtl.verilator import LIB_DIR, render, verilog_params
from hwgen.core.errors import CodegenError
from hwgen.core.ir import Graph
from hwgen.passes.fifo import fifo_depth
from hwgen.units import unit_of
from hwgen.units.cost import DEFAULT_FIFO_DEPTH
from hwgen.units.hls_pack import cname
from hwgen.units.rtl import RtlContext, dwc_rtl, fifo_rtl, rtl_context


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
    """Every value of the Verilog project of ``g``; raises CodegenError before anything is written."""
    nodes = accelerator_nodes(g)
    tin, tout = g.tensors[nodes[0].inputs[0]], g.tensors[nodes[-1].outputs[0]]
    d = RtlDesign(top, tin.name, tout.name, _port(tin.size, tin.dtype, axi_bits), _port(tout.size, tout.dtype, axi_bits))
    ctxs = [(n, rtl_context(unit_of(n))) for n in nodes]
    if ctxs[0][1].in_total != tin.size or ctxs[-1][1].out_total != tout.size:
        raise CodegenError(f"graph {g.name!r}: the accelerator's input/output sizes do not match its units")

    def wire(name: str, width: int) -> str:
        d.wires.append({"name": name, "width": width})
        return name

    def add(kind: str, label: str, node: str, ctx: RtlContext, src: str, files: dict[str, str]) -> str:
        wrapper = f"{top}_{label}"
        dst = wire(f"s_{label}", ctx.out_width)
        d.instances.append({"kind": kind, "node": node, "wrapper": wrapper, "module": ctx.module,
                            "params": verilog_params(ctx.params, files), "src": src, "dst": dst,
                            "in_width": ctx.in_width, "out_width": ctx.out_width, "summary": ctx.summary,
                            "ctx": ctx})
        return dst

    ip = d.in_port
    cur = d.first = wire("s_in", ip["epw"] * ip["bits"])
    cur_epw, cur_bits, signed = ip["epw"], ip["bits"], ip["signed"]
    for n, c in ctxs:
        name = cname(n.name)
        if c.in_bits != cur_bits:
            raise CodegenError(f"node {n.name!r} ({n.op}) reads {c.in_bits}-bit elements from a "
                               f"{cur_bits}-bit stream (a bug in lowering)")
        if c.in_epw != cur_epw:
            cur = add("dwc", f"dwc_{name}", n.name, dwc_rtl(cur_epw, c.in_epw, cur_bits, c.in_total, signed), cur, {})
        depth = fifo_depth(n, DEFAULT_FIFO_DEPTH)
        cur = add("fifo", f"fifo_{name}", n.name, fifo_rtl(c.in_epw, cur_bits, depth, c.in_total, signed), cur, {})
        files = {}
        for param, lines in c.mems.items():
            fname = f"{top}_{name}_{param.lower()}.mem"
            d.mems[fname] = lines
            files[param] = fname
        cur = add("unit", name, n.name, c, cur, files)
        cur_epw, cur_bits, signed = c.out_epw, c.out_bits, c.out_signed
    op = d.out_port
    if cur_epw != op["epw"]:
        cur = add("dwc", "dwc_out", "", dwc_rtl(cur_epw, op["epw"], cur_bits, op["elems"], signed), cur, {})
    d.last = cur
    names = [i["wrapper"] for i in d.instances]
    if len(set(names)) != len(names):
        raise CodegenError(f"graph {g.name!r}: two node names sanitize to the same Verilog identifier")
    return d


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
    """Write ``out_dir/rtl`` for ``g`` on ``board`` (its AXI port width)."""
    d = build_rtl_design(g, int(board.axi_port_bits))
    write_rtl(d, Path(out_dir) / "rtl", model or g.name)
    return d


# -- flow step ---------------------------------------------------------------------------------
from hwgen.core.flow import FlowState, step  # noqa: E402


@step("rtl")
def _rtl_step(state: FlowState) -> FlowState:
    """With ``options["backend"] == "rtl"``: the Verilog project into ``out_dir/rtl``."""
    if state.options.get("backend", "hls") != "rtl":
        return state
    out = Path(state.options["out_dir"])
    d = generate(state.graph, state.options["board"], out, str(state.model.name))
    return state.with_artifact(rtl_dir=out / "rtl", rtl_design=d)
