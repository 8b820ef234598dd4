"""The ``hwgen`` command line (click + rich). User errors print one line and exit 2."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hwgen.core.errors import HwgenError
from hwgen.core.log import console  # noqa: E402  (one console for every layer)


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
    the simulator converts each chunk to float32 as it reads it); ``n`` > 0 keeps the first n."""
    from hwgen.sim.verify import random_inputs

    if path is None:
        return random_inputs(tuple(shape), n, seed)
    x = _open_input(path, shape).array
    return x[:n] if n else x


def _open_input(path: str, shape):
    """The .npy file at ``path`` as a memory-mapped NpyInput whose array is (N, *shape)."""
    from hwgen.sim.stream import NpyInput

    p = Path(path)
    want = f"(N, {', '.join(map(str, shape))})"
    try:
        src = NpyInput(p)
    except (OSError, ValueError) as e:
        raise HwgenError(f"{p}: cannot read inputs ({e}); pass a .npy array of shape {want}") from None
    x = src.array
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_):
        raise HwgenError(f"{p}: inputs have dtype {x.dtype}; pass numbers (a .npy array of shape {want})")
    if tuple(x.shape[1:]) != tuple(shape):
        if tuple(x.shape) == tuple(shape):
            src.array = x[None]
        else:
            raise HwgenError(f"{p}: inputs have shape {x.shape}; the model expects {want}")
    return src


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option("--out", "out_path", default="outputs.npy", show_default=True, help="Where to write outputs (.npy).")
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
@click.option("--n", "n", default=1000, show_default=True, help="Number of inputs.")
@click.option("--input", "input_path", type=click.Path(dir_okay=False), help=".npy inputs instead of random ones.")
@click.option("--labels", "labels_path", type=click.Path(dir_okay=False), help=".npy labels: also report accuracy.")
@click.option("--seed", default=0, show_default=True)
def verify(model: str, n: int, input_path: str | None, labels_path: str | None, seed: int) -> None:
    """Compare every stage's simulator with qonnx's execute_onnx on the original model."""
    run_verify(model, n, input_path, labels_path, seed)


def run_verify(model: str, n: int, input_path: str | None, labels_path: str | None, seed: int) -> bool:
    from hwgen.core.flow import FlowState, run_flow
    from hwgen.sim.executor import simulate as sim
    from hwgen.sim.verify import FLOAT_RTOL

    state = run_flow(["load", "streamline", "lower"], FlowState(Path(model)))
    g = state.stages["float"]
    x = _load_input(input_path, g.tensors[g.inputs[0]].shape, n, seed)
    from hwgen.sim.verify import verify_state

    res = verify_state(state, x)
    rows, ref = res.rows, res.reference
    t = Table(title=f"verify {Path(model).name}: {len(x)} inputs, reference = qonnx execute_onnx ({res.reference_s:.1f} s)",
              title_justify="left")
    for col in ("stage", "output", "compare", "mismatches", "max |err|", "labels equal", "result"):
        t.add_column(col)
    for r in rows:
        cmp = "==" if r.kind == "exact" else f"float, rtol {FLOAT_RTOL:g}"
        t.add_row(r.stage, r.output, cmp, f"{r.mismatches}/{r.n}", f"{r.max_abs_err:.3g}",
                  f"{100 * r.label_agreement:.2f}%", "[green]PASS[/]" if r.passed else "[red]FAIL[/]")
    console.print(t)
    if labels_path:
        y = np.load(labels_path).reshape(-1)[: len(x)]
        hw = sim(state.stages["hardware"], x)[0]
        pred = hw.reshape(len(x), -1).argmax(1) if hw.ndim > 1 and hw.shape[-1] > 1 else hw.reshape(-1)
        refp = ref[0].reshape(len(x), -1).argmax(1) if ref[0].ndim > 1 and ref[0].shape[-1] > 1 else ref[0].reshape(-1)
        console.print(f"accuracy: hardware simulator {100 * np.mean(pred == y):.2f}%, "
                      f"reference {100 * np.mean(refp == y):.2f}%")
    inexact = res.inexact_layers
    if inexact:
        console.print(
            f"[yellow]note:[/] {len(inexact)} layer(s) ({', '.join(inexact[:3])}{', ...' if len(inexact) > 3 else ''}) "
            "have quantizer scales that are not powers of two: execute_onnx sums their float values with "
            "rounding, so a quantizer can step differently from the exact integers hwgen computes (and the "
            "hardware will compute). Train with power-of-two scales (Brevitas "
            "restrict_scaling_type=POWER_OF_TWO, or constant 1.0) for bit-exact agreement."
        )
    if not res.passed:
        raise HwgenError(f"{model}: verification failed (see the table above)")
    console.print("[green]all stages agree with the reference[/]")
    return True


@main.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--board", default="pynq-z1", show_default=True, help="Board name or path to a board .toml.")
@click.option("--out", "out_dir", default=None, help="Output directory (default build/<model>).")
@click.option("--force", is_flag=True, help="Overwrite an existing output directory.")
@click.option("--flow", "flow_name", default="default", show_default=True, help="Flow name (flows/*.toml) or path.")
@click.option("--verify-n", default=64, show_default=True, help="Inputs for the simulator-vs-reference check (0: skip).")
@click.option("--csim", "csim_n", default=0, show_default=True, help="Compile the HLS with g++ and check N inputs bit for bit.")
@click.option("--target-fps", type=float, default=None, help="Cheapest folding reaching this throughput.")
@click.option("--budget", type=float, default=0.8, show_default=True, help="Fraction of the board's LUT/BRAM/DSP the design may use.")
@click.option("--folding", "folding_path", type=click.Path(dir_okay=False), default=None, help="Folding config JSON (FINN format).")
@click.option("--save-intermediate", is_flag=True, help="Also write every stage's graph to report/stages/.")
def build(model: str, board: str, out_dir: str | None, force: bool, flow_name: str, verify_n: int,
          csim_n: int, target_fps: float | None, budget: float, folding_path: str | None,
          save_intermediate: bool) -> None:
    """Compile MODEL for BOARD into a verified project directory."""
    from hwgen.app.build import run_build

    run_build(model, board=board, out_dir=out_dir, force=force, flow=flow_name, verify_n=verify_n,
              csim_n=csim_n, target_fps=target_fps, budget=budget, folding=folding_path,
              save_intermediate=save_intermediate)


def _register_optional() -> None:
    """Commands that live in their own modules (training, estimation, reports)."""
    import importlib

    for module, commands in (
        ("hwgen.app.cli_train", {"train_cmd": "train", "zoo_cmd": "zoo"}),
        ("hwgen.app.cli_estimate", {"estimate_cmd": "estimate", "boards_cmd": "boards", "report_cmd": "report"}),
    ):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name != module:
                raise
            continue
        for attr, name in commands.items():
            if hasattr(mod, attr):
                main.add_command(getattr(mod, attr), name)


_register_optional()


def run() -> None:
    """Entry point: one-line errors for user mistakes, exit status 2."""
    try:
        main.main(standalone_mode=False)
    except HwgenError as e:
        Console(stderr=True, highlight=False).print(f"[red]error:[/] {escape(str(e))}", soft_wrap=True)
        sys.exit(2)
    except click.exceptions.Abort:
        sys.exit(1)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)


if __name__ == "__main__":
    run()
