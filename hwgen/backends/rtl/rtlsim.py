"""--rtlsim N: the generated Verilog in Verilator, N inputs through the DMA word packing of --csim.

Outputs are compared with the simulator bit for bit; the run measures the steady-state cycles
per frame (spacing of frame ends over the second half of the run), the latency of the first
frame (first input word to last output word) and every FIFO's peak occupancy, reported beside
the estimate. A run in which no word moves for ``stall_limit`` cycles is a deadlock: the error
names the FIFOs that were full and the ones that were empty.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hwgen.backends.rtl import verilator as vl
from hwgen.backends.rtl.codegen import RtlDesign
from hwgen.core.errors import VerificationError
from hwgen.core.ir import Graph
from hwgen.sim.dataflow import DataflowResult

TOP_PORTS = {"clk": "ap_clk", "rst": "ap_rst_n", "idata": "in0_TDATA", "ivalid": "in0_TVALID",
             "iready": "in0_TREADY", "odata": "out0_TDATA", "ovalid": "out0_TVALID", "oready": "out0_TREADY",
             "olast": "out0_TLAST", "extra": ["out0_TKEEP"]}


@dataclass(frozen=True)
class RtlsimResult:
    n: int
    mismatches: int
    interval_cycles: float  # measured, steady state
    latency_cycles: int  # first input word to last output word of frame 0
    estimate_interval: int
    estimate_latency: int
    fifos: list[dict] = field(default_factory=list)  # wrapper, node, peak, capacity, depth, predicted peak
    compile_s: float = 0.0
    run_s: float = 0.0
    cycles: int = 0
    dataflow_interval: int | None = None  # the cycle-level dataflow check (hwgen.analysis.dataflow)
    dataflow_latency: int | None = None
    slowest_cycles: int = 0  # the slowest unit's cycles() (or the DMA's words): no design runs faster

    @property
    def interval_error(self) -> float:
        return self.interval_cycles / self.estimate_interval - 1.0


def rtl_check(g: Graph, axi_bits: int) -> DataflowResult:
    """The cycle-level dataflow check replaying the Verilog's schedules (every unit's
    ``schedule_runs()`` at one iteration a cycle: ``Unit.frame_schedule_runs("rtl")``), with the
    graph's FIFO depths. Their pipeline registers are not modelled (hwgen.passes.rtl_slack sizes
    for them)."""
    from hwgen.analysis.dataflow import check

    return check(g, axi_bits, backend="rtl")


def rtl_interval(g: Graph, d: RtlDesign) -> int:
    """The estimated frame interval of the Verilog design: its slowest unit's ``cycles()`` or the
    DMA's words per frame, or the cycle-level check of the Verilog's schedules (``rtl_check``)
    where that is slower (a max-pool's per-frame ring fill starving a balanced consumer). The rtl
    modules run exactly ``cycles()`` per frame back to back (the unit grid measures it), without
    the per-frame pipeline fill and drain of the HLS processes (``Unit.frame_cycles("rtl")``,
    which ``estimate.performance`` uses for an rtl board); the DMA moves the ports' words (whole elements per word: 14
    words for 784 bits over 64, where ``ceil(bits / AXI)`` is 13)."""
    r = rtl_check(g, int(d.in_port["axi"]))
    return max(rtl_slowest(g, d), r.interval or 0)


def rtl_slowest(g: Graph, d: RtlDesign) -> int:
    """The slowest unit's ``cycles()`` or the DMA's words per frame."""
    from hwgen.units import hardware_nodes, unit_of

    cyc = [unit_of(n).cycles() for n in hardware_nodes(g)]
    return max([*cyc, int(d.in_port["words"]), int(d.out_port["words"])])


def _config(d: RtlDesign) -> vl.Config:
    return vl.Config(d.top, {}, d.in_port["axi"], d.out_port["axi"], f"{d.top} (whole design)", ports=dict(TOP_PORTS))


def rtlsim_graph(g: Graph, d: RtlDesign, rtl_dir: Path, n: int, seed: int = 0, clock_mhz: float = 100.0,
                 stall_limit: int | None = None) -> RtlsimResult:
    """Verilate ``rtl_dir`` (from ``write_rtl``), run ``n`` random inputs, compare with the simulator."""
    from hwgen.analysis.estimate import performance
    from hwgen.core.host_runtime import pack_stream, unpack_stream
    from hwgen.passes.insert import insert_stream_nodes
    from hwgen.sim.executor import execute
    from hwgen.sim.verify import random_inputs

    rtl_dir = Path(rtl_dir)
    g = insert_stream_nodes(g, d.in_port["axi"])
    x = random_inputs(tuple(g.tensors[g.inputs[0]].shape), n, seed)
    env = execute(g, x, keep=True)
    codes = env[d.in_tensor].reshape(n, -1)
    want = env[d.out_tensor].reshape(n, -1).astype(np.int64)
    from hwgen.analysis.dataflow import check

    perf = performance(g, clock_mhz, axi_bits=d.in_port["axi"], backend="rtl")
    flow = check(g, d.in_port["axi"], backend="rtl")
    cfg = _config(d)
    b = vl.build([cfg], sources=[rtl_dir / "top.v", rtl_dir / "units.v"])
    ip, op = d.in_port, d.out_port
    raw = pack_stream(codes, ip).reshape(n * ip["words"], ip["axi"] // 8)
    words = np.zeros((len(raw), 4 * cfg.in_stride), np.uint8)
    words[:, : raw.shape[1]] = raw
    limit = stall_limit or max(10_000, 4 * int(perf["latency_cycles"]))
    t0 = time.perf_counter()
    r = vl.run(b.exe, 0, cfg, words.view("<u4"), n * op["words"], rtl_dir, stall_limit=limit)
    wall = time.perf_counter() - t0
    depth_of = {i["wrapper"]: i for i in d.instances if i["kind"] == "fifo"}
    fifos = []
    for f in r.fifos:
        inst = next((w for w in depth_of if f".{w}_i." in f.instance + "."), None)
        if inst is None:
            continue
        fifos.append({"wrapper": inst, "node": depth_of[inst]["node"], "peak": f.peak, "capacity": f.capacity,
                      "now": f.now, "depth": f.capacity, "predicted": flow.peak.get(depth_of[inst]["node"])})
    if r.deadlock:
        full = [f["node"] or f["wrapper"] for f in fifos if f["now"] >= f["capacity"]]
        empty = [f["node"] or f["wrapper"] for f in fifos if f["now"] == 0]
        raise VerificationError(f"RTL simulation of {rtl_dir}: deadlock after {r.cycles} cycles "
                                f"({int((r.t_out >= 0).sum())}/{n * op['words']} output words); FIFOs full: "
                                f"{', '.join(full) or 'none'}; empty: {', '.join(empty) or 'none'}")
    out_raw = np.ascontiguousarray(r.words).view(np.uint8)[:, : op["axi"] // 8].reshape(n, -1)
    got = unpack_stream(out_raw, op)
    bad = int(np.any(got != want, axis=1).sum())
    want_last = np.zeros((n, op["words"]), bool)
    want_last[:, -1] = True
    if not np.array_equal(r.last.reshape(n, -1), want_last):
        raise VerificationError(f"RTL simulation of {rtl_dir}: TLAST is not set on exactly the last word of "
                                "every frame (the DMA would not close its transfers)")
    interval = vl.frame_interval(r.t_out, op["words"]) if n >= 3 else float("nan")
    latency = int(r.t_out[op["words"] - 1] - r.t_in[0] + 1)
    est_interval = rtl_interval(g, d)
    res = RtlsimResult(n, bad, interval, latency, est_interval, int(perf["latency_cycles"]), fifos,
                       b.seconds, wall, r.cycles, flow.interval, flow.latency, rtl_slowest(g, d))
    if bad:
        first = int(np.argmax(np.any(got != want, axis=1)))
        raise VerificationError(f"RTL simulation differs from the simulator on {bad}/{n} inputs "
                                f"(first: input {first}, tensor {d.out_tensor!r}); see {rtl_dir}")
    return res


def rtlsim_table(r: RtlsimResult):
    """A rich table: measured vs estimated interval and latency, FIFO peaks vs depths."""
    from rich.table import Table

    t = Table(title=f"rtlsim: {r.n} inputs equal to the simulator", title_justify="left")
    for c in ("", "measured (Verilator)", "estimate", "dataflow check"):
        t.add_column(c, justify="right" if c else "left")
    t.add_row("cycles per frame (steady state)", f"{r.interval_cycles:.1f}",
              f"{r.estimate_interval} ({100 * r.interval_error:+.2f} %)", str(r.dataflow_interval))
    t.add_row("latency (cycles)", str(r.latency_cycles), str(r.estimate_latency), str(r.dataflow_latency))
    for f in r.fifos:
        t.add_row(f"FIFO {f['node'] or f['wrapper']}", f"peak {f['peak']} words", f"depth {f['depth']}",
                  f"peak {f['predicted']}")
    return t


# -- flow step ---------------------------------------------------------------------------------
from hwgen.core.flow import FlowState, step


@step("rtlsim")
def _rtlsim_step(state: FlowState) -> FlowState:
    """With ``options["rtlsim_n"]`` > 0 and the rtl backend: Verilator == simulator on N inputs."""
    n = int(state.options.get("rtlsim_n", 0) or 0)
    if n <= 0:
        return state
    d = state.artifacts.get("rtl_design")
    if d is None:
        from hwgen.core.errors import ConfigError

        raise ConfigError("--rtlsim needs the Verilog project: build with --backend rtl")
    vl.find_verilator()
    board = state.options["board"]
    r = rtlsim_graph(state.graph, d, Path(state.artifacts["rtl_dir"]), n, clock_mhz=board.clock_mhz)
    from hwgen.core.log import console

    console.print(rtlsim_table(r))
    console.print(f"rtlsim: verilated in {r.compile_s:.1f} s (0: cached), ran {r.cycles} cycles in {r.run_s:.2f} s")
    summary = {"n": r.n, "interval_cycles": r.interval_cycles, "estimate_interval": r.estimate_interval,
               "slowest_cycles": r.slowest_cycles,
               "latency_cycles": r.latency_cycles, "estimate_latency": r.estimate_latency, "fifos": r.fifos,
               "dataflow_interval": r.dataflow_interval, "dataflow_latency": r.dataflow_latency,
               "compile_s": r.compile_s, "run_s": r.run_s}
    out = state.options.get("out_dir")
    if out is not None:
        import json

        rep = Path(out) / "report"
        rep.mkdir(parents=True, exist_ok=True)
        (rep / "rtlsim.json").write_text(json.dumps(summary, indent=1))
    return state.with_artifact(rtlsim=summary)
