"""The ``hwgen`` command line (click + rich). User errors print one line and exit 2.

Start-up is kept light: numpy, torch, onnx and the compiler are imported inside the commands
that use them, and the commands defined in other modules load only when invoked or listed
(``LAZY_COMMANDS``), so ``hwgen --help`` and ``hwgen boards`` answer at once.
"""

from __future__ import annotations

import importlib
import math
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hwgen.app.cli_types import BUDGET, CSIM_N, FPS, N_INPUTS, VERIFY_N, npy_out_path
from hwgen.app.outdir import Terminated
from hwgen.core.errors import HwgenError
from hwgen.core.log import console

DEFAULT_VERIFY_N = 256  # = hwgen.sim.verify.DEFAULT_N (not imported: keeps `hwgen --help` light)

if TYPE_CHECKING:
    import numpy as np

# command name -> (module, attribute): imported only when the command runs or help lists it
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "train": ("hwgen.app.cli_train", "train_cmd"),
    "zoo": ("hwgen.app.cli_train", "zoo_cmd"),
    "estimate": ("hwgen.app.cli_estimate", "estimate_cmd"),
    "boards": ("hwgen.app.cli_estimate", "boards_cmd"),
    "report": ("hwgen.app.cli_estimate", "report_cmd"),
    "synth": ("hwgen.app.cli_rtl", "synth_cmd"),
    "finn-check": ("hwgen.app.cli_finn", "finn_check_cmd"),
    "export": ("hwgen.app.cli_export", "export_cmd"),
}


class LazyGroup(click.Group):
    """A click group whose ``LAZY_COMMANDS`` are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS and name not in self.commands:
            module, attr = LAZY_COMMANDS[name]
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)


def _fmt_attrs(node) -> str:
    keep = ("mw", "mh", "pe", "simd", "reps", "mode", "kernel", "stride", "pads", "pad_value",
            "out_dtype", "bits", "k", "channels_first", "ifm_dim", "channels", "odt", "idt")
    parts = [f"{k}={node.attrs[k]}" for k in keep if k in node.attrs]
    for k, v in node.params.items():
        parts.append(f"{k}{list(v.shape)}")
    return " ".join(parts)


def graph_table(g, title: str) -> Table:
    t = Table(title=title, title_justify="left")
    for col in ("#", "node", "op", "in", "out", "dtype", "attributes"):
        t.add_column(col, overflow="fold")
    for i, n in enumerate(g.nodes):
        ins = ", ".join(str(g.tensors[x].shape) for x in n.inputs)
        outs = ", ".join(str(g.tensors[x].shape) for x in n.outputs)
        dt = ", ".join(str(g.tensors[x].dtype) for x in n.outputs)
        op = n.op + (" (host)" if n.attrs.get("host") else "")
        t.add_row(str(i), escape(n.name), op, ins, outs, dt, escape(_fmt_attrs(n)))
    return t


def _load_input(path: str | None, shape, n: int, seed: int) -> np.ndarray:
    """Inputs (N, *shape): random ones without ``path``, else the .npy file memory-mapped (no copy;
    the simulator converts each chunk to float32 as it reads it), checked real and finite;
    ``n`` > 0 keeps the first n."""
    from hwgen.sim.verify import random_inputs

    if path is None:
        return random_inputs(tuple(shape), n, seed)
    x = _open_input(path, shape).array
    return x[:n] if n else x


def _open_input(path: str, shape):
    """The .npy file at ``path`` as a memory-mapped NpyInput whose array is (N, *shape), its
    values checked real and finite chunk by chunk (one-line errors otherwise)."""
    from hwgen.app.cli_types import check_inputs_array
    from hwgen.sim.stream import NpyInput

    p = Path(path)
    want = f"(N, {', '.join(map(str, shape))})"
    try:
        src = NpyInput(p)
    except (OSError, ValueError, EOFError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise HwgenError(f"{p}: cannot read inputs ({msg}); pass a .npy array of shape {want}") from None
    x = src.array
    if tuple(x.shape[1:]) != tuple(shape) and tuple(x.shape) == tuple(shape):
        src.array = x = x[None]
    step = max(1, (1 << 24) // max(1, x[0].size if len(x) else 1))  # ~64 MB of float32 per check
    for i in range(0, max(len(x), 1), step):
        check_inputs_array(x[i:i + step] if len(x) else x, p, tuple(shape))
    return src


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hwgen")
def main() -> None:
    """hwgen: compile binarized neural networks (QONNX) into verified FPGA accelerators."""


@main.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--stage", type=click.Choice(["float", "integer", "hardware", "all"]), default="all",
              help="Which stage's graph to print.")
def inspect(model: str, stage: str) -> None:
    """Print the graph after each compiler stage as a table."""
    from hwgen.app.cli_estimate import wide_console
    from hwgen.core.flow import compile_model

    state = compile_model(model)
    for name, g in state.stages.items():
        if stage in ("all", name):
            wide_console().print(graph_table(g, f"{name} graph ({len(g.nodes)} nodes; host = runs on the CPU)"))


@main.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False), help=".npy inputs (N, ...).")
@click.option("--out", "out_path", default="outputs.npy", show_default=True, callback=npy_out_path,
              help="Where to write outputs (a .npy file; .npz for several outputs).")
@click.option("--stage", type=click.Choice(["float", "integer", "hardware"]), default="hardware", show_default=True)
def simulate(model: str, input_path: str, out_path: str, stage: str) -> None:
    """Run the bit-accurate simulator on inputs and write the outputs."""
    from hwgen.core.flow import compile_model
    from hwgen.sim.stream import reuse_large_buffers, simulate_to_file

    reuse_large_buffers()
    state = compile_model(model)
    g = state.stages[stage]
    src = _open_input(input_path, g.tensors[g.inputs[0]].shape)
    # chunk by chunk: memory-mapped inputs in, outputs appended to the file, bounded memory for any N
    t0 = time.perf_counter()
    written = simulate_to_file(g, src.array, out_path, source=src)
    dt = time.perf_counter() - t0
    n = len(src.array)
    console.print(f"simulated {n} inputs in {dt:.3f} s ({n / max(dt, 1e-9):.0f}/s) -> {written}")


@main.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--n", "n", type=N_INPUTS, default=None,
              help="Number of inputs (default: all of --input, else 256 generated ones).")
@click.option("--input", "input_path", type=click.Path(dir_okay=False), help=".npy inputs instead of random ones.")
@click.option("--labels", "labels_path", type=click.Path(dir_okay=False), help=".npy labels: also report accuracy.")
@click.option("--seed", default=0, show_default=True)
def verify(model: str, n: int | None, input_path: str | None, labels_path: str | None, seed: int) -> None:
    """Compare every stage's simulator with qonnx's execute_onnx on the original model."""
    run_verify(model, n, input_path, labels_path, seed)


def run_verify(model: str, n: int | None, input_path: str | None, labels_path: str | None, seed: int) -> bool:
    """``hwgen verify``: the user's inputs (all of them unless ``n``) plus inputs generated in the
    input quantizer's code space, every stage against the reference; the verify step's verdict."""
    from hwgen.app.cli_types import check_labels, load_array
    import numpy as np

    from hwgen.core.flow import FlowState, run_flow
    from hwgen.sim.verify import DEFAULT_N, FLOAT_RTOL, check_inputs, verify_state

    state = run_flow(["load", "streamline", "lower"], FlowState(Path(model)))
    g = state.stages["float"]
    shape = g.tensors[g.inputs[0]].shape
    user = _load_input(input_path, shape, n or 0, seed) if input_path else None
    n_gen = (n or DEFAULT_N) if user is None else min(DEFAULT_N, 3 + 2 * _levels_frames(g))
    gen = check_inputs(g, n_gen, seed)
    x = gen if user is None else np.concatenate([user, gen])
    res = verify_state(state, x)
    rows, ref = res.rows, res.reference
    src = (f"{len(x)} inputs compared: {len(user)} from {Path(input_path).name}, {len(gen)} generated"
           if user is not None else f"{len(x)} generated inputs compared (every input code, extremes, random codes)")
    t = Table(title=f"verify {Path(model).name}: {src}; reference = qonnx execute_onnx ({res.reference_s:.1f} s)",
              title_justify="left")
    for col in ("stage", "output", "compare", "mismatches", "non-finite", "exact ties", "max |err|",
                "labels equal", "result"):
        t.add_column(col)
    for r in rows:
        cmp = "==" if r.kind == "exact" else f"float, rtol {FLOAT_RTOL:g}"
        t.add_row(r.stage, r.output, cmp, f"{r.mismatches}/{r.n}", str(r.nonfinite), str(r.ties),
                  f"{r.max_abs_err:.3g}", f"{100 * r.label_agreement:.2f}%",
                  "[green]PASS[/]" if r.passed else "[red]FAIL[/]")
    from hwgen.app.cli_estimate import wide_console

    wide_console().print(t)
    if labels_path and user is not None:
        from hwgen.sim.executor import simulate as sim

        total = len(load_array(input_path, "inputs")) if n else len(user)
        y_all = load_array(labels_path, "labels")
        if len(y_all) != total:
            raise HwgenError(f"{labels_path}: {len(y_all)} labels for {total} inputs in {input_path}; "
                             "pass one label per input")
        y = check_labels(y_all, labels_path, len(user))
        hw = sim(state.stages["hardware"], user)[0]
        pred = _labels_of(hw, len(user))
        refp = _labels_of(ref[0][: len(user)], len(user))
        console.print(f"accuracy on {len(user)} inputs of {Path(input_path).name}: hardware simulator "
                      f"{100 * np.mean(pred == y):.2f}%, reference {100 * np.mean(refp == y):.2f}%")
    elif labels_path:
        raise HwgenError(f"{labels_path}: --labels needs --input (the inputs they label)")
    inexact = res.inexact_layers
    if inexact:
        console.print(
            f"[yellow]note:[/] {len(inexact)} layer(s) ({', '.join(inexact[:3])}{', ...' if len(inexact) > 3 else ''}) "
            "have quantizer scales that are not powers of two: execute_onnx sums their float values with "
            "rounding, so a quantizer can step differently from the exact integers hwgen computes (and the "
            "hardware will compute); such samples are counted as exact ties when the integer and hardware "
            "stages agree. Train with power-of-two scales (Brevitas restrict_scaling_type=POWER_OF_TWO, "
            "or constant 1.0) for bit-exact agreement."
        )
    if not res.passed:
        raise HwgenError(f"{model}: verification failed at {res.failure()} of {res.n} inputs (see the table above)")
    console.print("[green]all stages agree with the reference[/]"
                  + (f" ({res.ties} exact ties)" if res.ties else ""))
    return True


def _levels_frames(g) -> int:
    """Frames needed to show every input code once (the structured part of check_inputs)."""
    from hwgen.sim.inputs import code_space

    cs = code_space(g)
    if cs is None:
        return 0
    e = math.prod(cs.in_shape)
    return -(-cs.n_levels // e)


def _labels_of(out: np.ndarray, n: int) -> np.ndarray:
    import numpy as np

    out = np.asarray(out)
    if out.ndim > 1 and out.reshape(n, -1).shape[1] > 1:
        return out.reshape(n, -1).argmax(1)
    return out.reshape(-1)


@main.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--board", default="pynq-z1", show_default=True, help="Board name or path to a board .toml.")
@click.option("--out", "out_dir", default=None, help="Output directory (default build/<model>).")
@click.option("--force", is_flag=True, help="Overwrite an existing output directory.")
@click.option("--flow", "flow_name", default="default", show_default=True, help="Flow name (flows/*.toml) or path.")
@click.option("--verify-n", type=VERIFY_N, default=DEFAULT_VERIFY_N, show_default=True,
              help="Inputs for the simulator-vs-reference check (0: skip).")
@click.option("--csim", "csim_n", type=CSIM_N, default=0, show_default=True,
              help="Compile the HLS with g++ and check N inputs bit for bit.")
@click.option("--backend", type=click.Choice(["hls", "rtl"]), default="hls", show_default=True,
              help="rtl: also write Verilog (rtl/) from the hand-written library.")
@click.option("--rtlsim", "rtlsim_n", type=CSIM_N, default=0, show_default=True,
              help="(--backend rtl) Run N inputs through the Verilog in Verilator, checked bit for bit.")
@click.option("--synth", is_flag=True, help="(--backend rtl) Synthesize with Yosys; counts beside the estimate.")
@click.option("--target-fps", type=FPS, default=None, help="Cheapest folding reaching this throughput.")
@click.option("--budget", type=BUDGET, default=0.8, show_default=True,
              help="Fraction of the board's LUT/BRAM/DSP the design may use.")
@click.option("--folding", "folding_path", type=click.Path(dir_okay=False), default=None, help="Folding config JSON (FINN format).")
@click.option("--save-intermediate", is_flag=True, help="Also write every stage's graph to report/stages/.")
def build(model: str, board: str, out_dir: str | None, force: bool, flow_name: str, verify_n: int,
          csim_n: int, backend: str, rtlsim_n: int, synth: bool, target_fps: float | None, budget: float,
          folding_path: str | None, save_intermediate: bool) -> None:
    """Compile MODEL for BOARD into a verified project directory."""
    from hwgen.app.build import run_build

    run_build(model, board=board, out_dir=out_dir, force=force, flow=flow_name, verify_n=verify_n,
              csim_n=csim_n, backend=backend, rtlsim_n=rtlsim_n, synth=synth, target_fps=target_fps,
              budget=budget, folding=folding_path,
              save_intermediate=save_intermediate)


def run() -> None:
    """Entry point: one-line errors for user mistakes, exit status 2."""
    try:
        # float warnings never precede an error line: non-finite values are checked explicitly
        # (validator, chain folding, comparisons) and reported in one line. numpy reports them as
        # RuntimeWarnings; filtering those keeps numpy out of `hwgen --help`'s start-up.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            main.main(standalone_mode=False)
    except HwgenError as e:
        Console(stderr=True, highlight=False).print(f"[red]error:[/] {escape(str(e))}", soft_wrap=True)
        sys.exit(2)
    except click.exceptions.Abort:
        sys.exit(130)  # SIGINT: the build's temporary directory is already removed
    except Terminated as e:
        sys.exit(128 + e.signum)
    except click.UsageError as e:  # bad option values too: one line, like HwgenError
        cmd = e.ctx.command_path if e.ctx is not None else "hwgen"
        Console(stderr=True, highlight=False).print(
            f"[red]error:[/] {escape(e.format_message())} (see {escape(cmd)} --help)", soft_wrap=True)
        sys.exit(e.exit_code)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)


if __name__ == "__main__":
    run()
