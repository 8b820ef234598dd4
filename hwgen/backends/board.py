"""From HLS project to board: Vivado/Vitis HLS Tcl, block design Tcl, Makefile, PYNQ driver.

``generate_board(g, board, design, out)`` writes

- ``out/vivado/hls.tcl``  csynth + IP export (``vitis_hls -f`` or ``vivado_hls -f``);
- ``out/vivado/bd.tcl``   block design for the board's PS family (one AXI DMA between the PS
  and the accelerator's AXI-stream ports), bitstream, ``.hwh`` handoff, utilization reports;
- ``out/Makefile``        ``make hls``, ``make bitstream``, ``make deploy``, ``make csim``;
- ``out/driver/``         ``driver.py`` + ``run.sh`` launcher (templates/driver), ``host_runtime.py`` (copied from
  hwgen, the one packer), ``accel.json`` + ``host_params.npz`` (the host-side nodes as data),
  example inputs and the simulator's outputs for them;
- ``out/hls/csim_in.bin``, ``csim_expected.bin``  inputs/outputs for HLS ``csim_design``.

Every value is computed here; the templates in templates/vivado only format.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from hwgen.backends.hls.codegen import TEMPLATES, render
from hwgen.backends.hls.design import Design, accelerator_nodes
from hwgen.core import host_runtime
from hwgen.core.errors import CodegenError, ConfigError
from hwgen.core.ir import Graph

HLS_PROJECT = "hwgen_hls"
BD_NAME = "hwgen_bd"
BITFILE = "hwgen"  # hwgen.bit + hwgen.hwh (PYNQ needs the same base name)
DMA_NAME = "axi_dma_0"
DMA_MAX_STREAM_BITS = 1024  # AXI DMA (PG021): TDATA of 8..1024 bits
DMA_DRE_MAX_BITS = 512  # the data realignment engine exists up to 512-bit streams
EXAMPLES = 16
CLOCK_TOLERANCE = 0.01  # bd.tcl fails when the PS's PL clock is further than this from the request

# What differs between PS families; the block design template is shared.
PS_FAMILIES: dict[str, dict[str, Any]] = {
    "zynq7000": {
        "ip": "processing_system7",  # version: the newest in this Vivado's catalog (bd.tcl)
        "cell": "processing_system7_0",
        "rule": "xilinx.com:bd_rule:processing_system7",
        "automation": 'make_external "FIXED_IO, DDR" Master "Disable" Slave "Disable"',
        "clk": "FCLK_CLK0",
        "actual_clock": "PCW_ACT_FPGA0_PERIPHERAL_FREQMHZ",
        "resetn": "FCLK_RESET0_N",
        "master": "M_AXI_GP0",
        "master_clk": "M_AXI_GP0_ACLK",
        "slave": "S_AXI_HP0",
        "slave_clk": "S_AXI_HP0_ACLK",
        "config": lambda mhz, bits: [
            ("PCW_FPGA0_PERIPHERAL_FREQMHZ", f"{mhz:g}"), ("PCW_USE_M_AXI_GP0", "1"),
            ("PCW_USE_S_AXI_HP0", "1"), ("PCW_S_AXI_HP0_DATA_WIDTH", str(bits)),
        ],
    },
    "zynq_us+": {
        "ip": "zynq_ultra_ps_e",
        "cell": "zynq_ultra_ps_e_0",
        "rule": "xilinx.com:bd_rule:zynq_ultra_ps_e",
        "automation": "",
        "clk": "pl_clk0",
        "actual_clock": "PSU__CRL_APB__PL0_REF_CTRL__ACT_FREQMHZ",
        "resetn": "pl_resetn0",
        "master": "M_AXI_HPM0_FPD",
        "master_clk": "maxihpm0_fpd_aclk",
        "slave": "S_AXI_HP0_FPD",
        "slave_clk": "saxihp0_fpd_aclk",
        # PSU__OVERRIDE__BASIC_CLOCK 0 first: with a board preset applied, the PS otherwise keeps
        # the preset's PL clock and ignores the requested frequency
        "config": lambda mhz, bits: [
            ("PSU__OVERRIDE__BASIC_CLOCK", "0"), ("PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ", f"{mhz:g}"), ("PSU__USE__M_AXI_GP0", "1"),
            ("PSU__USE__M_AXI_GP1", "0"), ("PSU__USE__M_AXI_GP2", "0"),
            ("PSU__USE__S_AXI_GP2", "1"), ("PSU__SAXIGP2__DATA_WIDTH", str(bits)),
        ],
    },
}


def check_board(board) -> dict[str, Any]:
    """The PS description of ``board``'s family; ConfigError (one line) when there is none."""
    ps = PS_FAMILIES.get(board.ps_family)
    if ps is None:
        raise ConfigError(f"board {board.name!r}: ps_family {board.ps_family!r} has no block-design "
                          f"template; use one of {', '.join(sorted(PS_FAMILIES))} in its .toml")
    return ps


def _dma_width(port: dict[str, Any], side: str) -> int:
    w = int(port["axi"])
    if w > DMA_MAX_STREAM_BITS:
        raise CodegenError(f"accelerator {side} stream is {w} bits wide; the AXI DMA takes at most "
                           f"{DMA_MAX_STREAM_BITS}: lower axi_port_bits in the board .toml")
    return w


def mm_bits(stream_bits: int) -> int:
    """The DMA's memory-map data width for a stream of ``stream_bits`` (PG021: at least 32)."""
    return max(32, stream_bits)


def shell_values(board, d: Design) -> dict[str, Any]:
    """Every value hls.tcl, bd.tcl and the Makefile print (raises before anything is written)."""
    from hwgen.core.boards import check_board_values

    check_board_values(board)  # part, names, clock, port width: validated before they reach Tcl
    ps = check_board(board)
    w_in, w_out = _dma_width(d.in_port, "input"), _dma_width(d.out_port, "output")
    mm_in, mm_out = mm_bits(w_in), mm_bits(w_out)
    dma = [
        ("c_include_sg", "0"), ("c_sg_length_width", "26"), ("c_addr_width", "32"),
        ("c_include_mm2s", "1"), ("c_include_s2mm", "1"),
        ("c_m_axis_mm2s_tdata_width", str(w_in)), ("c_m_axi_mm2s_data_width", str(mm_in)),
        ("c_s_axis_s2mm_tdata_width", str(w_out)), ("c_m_axi_s2mm_data_width", str(mm_out)),
        ("c_mm2s_burst_size", "16"), ("c_s2mm_burst_size", "16"),
        ("c_include_mm2s_dre", "1" if w_in <= DMA_DRE_MAX_BITS else "0"),
        ("c_include_s2mm_dre", "1" if w_out <= DMA_DRE_MAX_BITS else "0"),
    ]
    return {
        "board": board, "top": d.top, "part": board.part, "board_part": board.vivado_board_part,
        "clock_mhz": board.clock_mhz, "period_ns": f"{1000.0 / board.clock_mhz:.3f}",
        "hls_project": HLS_PROJECT, "bd_name": BD_NAME, "bitfile": BITFILE, "dma": DMA_NAME,
        "ip_vlnv": f"hwgen:hls:{d.top}:1.0", "clock_tolerance": CLOCK_TOLERANCE, "ps": {k: v for k, v in ps.items() if k != "config"},
        "ps_config": ps["config"](board.clock_mhz, board.axi_port_bits), "dma_config": dma,
        "in_port": d.in_port, "out_port": d.out_port, "examples": EXAMPLES,
    }


# -- host program as data ------------------------------------------------------------------------
def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    return v


def host_program(g: Graph, d: Design) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The host-side nodes before and after the accelerator as JSON-able ops plus parameters."""
    nodes = accelerator_nodes(g)
    first, last = g.nodes.index(nodes[0]), g.nodes.index(nodes[-1])
    params: dict[str, np.ndarray] = {}

    def export(n) -> dict[str, Any]:
        if n.op not in host_runtime.HOST_OPS:
            raise CodegenError(f"node {n.name!r} ({n.op}) runs on the host but the PYNQ driver has no "
                               f"implementation of {n.op}; supported: {', '.join(host_runtime.HOST_OPS)}")
        keys = {}
        for k, v in n.params.items():
            key = f"{len(params)}_{k}"
            params[key] = np.asarray(v)
            if params[key].dtype.kind == "f" and not np.all(np.isfinite(params[key])):
                raise CodegenError(f"node {n.name!r} ({n.op}): host parameter {k!r} is NaN/Inf; "
                                   "hwgen writes no driver with non-finite constants")
            keys[k] = key
        attrs = {k: _jsonable(v) for k, v in n.attrs.items() if k != "host"}
        return {"op": n.op, "name": n.name, "inputs": list(n.inputs), "outputs": list(n.outputs),
                "attrs": attrs, "params": keys}

    pre = [export(n) for n in g.nodes[:first]]
    post = [export(n) for n in g.nodes[last + 1:]]
    tout = g.tensors[d.out_tensor]
    cfg = {
        "model": g.name, "top": d.top, "bitfile": f"{BITFILE}.bit", "dma": DMA_NAME,
        "params_file": "host_params.npz",
        "input": g.inputs[0], "input_shape": list(g.tensors[g.inputs[0]].shape),
        "outputs": list(g.outputs), "output_shapes": [list(g.tensors[t].shape) for t in g.outputs],
        "accel_in": d.in_tensor, "accel_out": d.out_tensor, "accel_out_shape": list(tout.shape),
        "accel_out_numpy": "int64",
        # receive buffers start on multiples of the S2MM memory-map width (driver.py pads frames)
        "s2mm_align_bytes": mm_bits(int(d.out_port["axi"])) // 8, "in_port": _jsonable(d.in_port), "out_port": _jsonable(d.out_port),
        "pre": pre, "post": post,
    }
    return cfg, params


# -- writing -------------------------------------------------------------------------------------
def write_makefile(v: dict[str, Any], out: Path) -> None:
    (out / "Makefile").write_text(render("vivado/Makefile.j2", **v))


def generate_board(g: Graph, board, d: Design, out_dir: str | Path) -> dict[str, Any]:
    """Write vivado/, driver/, Makefile and the HLS csim data for design ``d`` of graph ``g``."""
    from hwgen.sim.executor import execute
    from hwgen.sim.verify import random_inputs

    out = Path(out_dir)
    v = shell_values(board, d)  # every check before anything is written
    cfg, params = host_program(g, d)
    x = random_inputs(tuple(g.tensors[g.inputs[0]].shape), EXAMPLES, seed=0)
    env = execute(g, x, keep=True)
    viv = out / "vivado"
    viv.mkdir(parents=True, exist_ok=True)
    (viv / "hls.tcl").write_text(render("vivado/hls.tcl.j2", **v))
    (viv / "bd.tcl").write_text(render("vivado/bd.tcl.j2", **v))
    write_makefile(v, out)
    drv = out / "driver"
    drv.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TEMPLATES / "driver" / "driver.py", drv / "driver.py")
    shutil.copyfile(TEMPLATES / "driver" / "run.sh", drv / "run.sh")
    (drv / "run.sh").chmod(0o755)
    shutil.copyfile(Path(host_runtime.__file__), drv / "host_runtime.py")
    (drv / "accel.json").write_text(json.dumps(cfg, indent=1) + "\n")
    np.savez(drv / "host_params.npz", **params)
    np.save(drv / "example_input.npy", x)
    np.save(drv / "example_output.npy", env[g.outputs[0]])
    hls = out / "hls"
    hls.mkdir(parents=True, exist_ok=True)
    np.ascontiguousarray(env[d.in_tensor].reshape(EXAMPLES, -1), dtype="<i4").tofile(hls / "csim_in.bin")
    np.ascontiguousarray(env[d.out_tensor].reshape(EXAMPLES, -1), dtype="<i4").tofile(hls / "csim_expected.bin")
    return v


# -- flow step -----------------------------------------------------------------------------------
from hwgen.core.flow import FlowState, step  # noqa: E402


@step("board")
def _board_step(state: FlowState) -> FlowState:
    """Vivado scripts, Makefile and PYNQ driver for the design the codegen step generated."""
    out = Path(state.options["out_dir"])
    d = state.artifacts.get("design")
    if d is None:
        raise ConfigError("flow step 'board' needs the 'codegen' step before it")
    g = state.graph  # the latest stage: the folded hardware graph
    generate_board(g, state.options["board"], d, out)
    return state.with_artifact(vivado_dir=out / "vivado", driver_dir=out / "driver")
