"""hwgen's simulator as a CPU runtime for BNNs, against its peers, in one run on the same inputs.

    .venv/bin/python bench/sim_runtime.py [--rounds 3] [--n-tfc 32768] [--n-cnv 1024]

Models: brevitas_examples TFC_1W1A and CNV_1W1A (random BatchNorm statistics, seed 0). Contenders,
each in its own process (so that its peak RSS is its own), all on the same .npy inputs:
  hwgen CLI        `hwgen simulate MODEL --input x.npy --out y.npy`; steady state = the time for 8N
                   images minus the time for N (start-up, compilation and imports cancel out)
  hwgen in-process `hwgen.sim.executor.simulate` on the compiled hardware graph, after a warm-up
  execute_onnx     qonnx's executor on the model copy batched at 64 (hwgen.frontend.reference)
  Brevitas         the PyTorch forward (torch threads = cores)
  onnxruntime      on a float rewrite of the QONNX model (bench/float_rewrite.py), batch N, with
                   all graph optimizations (its fastest; its Conv+BatchNorm fusion rounds
                   differently, so a few labels may differ) and with none (the model's own float ops)
Each contender runs ``--rounds`` times interleaved with the others (a busy moment of a shared
machine hits all alike); the best round counts. Labels (argmax) must be equal across all; the
hwgen outputs of the N and 8N runs must be equal (==). Prints images/s, ratios and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402

SHAPES = {"TFC_1W1A": (1, 28, 28), "CNV_1W1A": (3, 32, 32)}
QONNX_BATCH = 64


# -- workers: one contender, one process --------------------------------------------------------
def _worker(kind: str, model: str, name: str, inp: str, out: str) -> None:
    x = np.load(inp)
    if kind == "inproc":
        from hwgen.core.flow import compile_model
        from hwgen.sim.executor import simulate

        hw = compile_model(model).stages["hardware"]
        simulate(hw, x[:256])
        t0 = time.perf_counter()
        y = simulate(hw, x)[0]
    elif kind == "qonnx":
        from qonnx.core.onnx_exec import execute_onnx

        from hwgen.frontend.reference import Reference

        ref = Reference(model, batch=QONNX_BATCH)
        batched = ref._batched_model(QONNX_BATCH)
        if batched is None or len(x) % QONNX_BATCH:
            raise SystemExit(f"{name}: N must be a multiple of {QONNX_BATCH} and the model batchable")
        run = lambda c: execute_onnx(batched, {ref.input: c})[ref.outputs[0]]  # noqa: E731
        run(x[:QONNX_BATCH])
        t0 = time.perf_counter()
        y = np.concatenate([run(x[i : i + QONNX_BATCH]) for i in range(0, len(x), QONNX_BATCH)])
    elif kind == "brevitas":
        import torch

        from hwgen.zoo.bnn_pynq import build

        torch.set_num_threads(os.cpu_count() or 1)
        m = build(name, seed=0)
        xt = torch.from_numpy(x)
        with torch.no_grad():
            m(xt[:64])
            t0 = time.perf_counter()
            y = np.concatenate([m(xt[i : i + 256]).numpy() for i in range(0, len(x), 256)])
    elif kind in ("ort", "ort_noopt"):
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.log_severity_level = 3
        if kind == "ort_noopt":  # no fusions: the float ops in the model's own order
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        so.intra_op_num_threads = os.cpu_count() or 1
        s = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
        feed = s.get_inputs()[0].name
        s.run(None, {feed: x[:64]})
        t0 = time.perf_counter()
        y = s.run(None, {feed: x})[0]
    else:
        raise SystemExit(f"unknown worker {kind}")
    dt = time.perf_counter() - t0
    np.save(out, y)
    print(json.dumps({"seconds": dt, "n": len(x)}))


# -- the parent: inputs, rounds, table -----------------------------------------------------------
def _run_rss(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, the child's peak RSS in MB, its stdout. The peak comes from GNU time: a child
    forked from this (large) process would report this process's peak as its own (Linux keeps
    the pre-exec high-water mark), GNU time's own child starts small."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rf:
        gnu_time = ["/usr/bin/time", "-f", "%M", "-o", rf.name] if Path("/usr/bin/time").exists() else []
        t0 = time.perf_counter()
        p = subprocess.run([*gnu_time, *cmd], capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t0
        if p.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{p.stderr[-2000:]}")
        text = Path(rf.name).read_text().split()
    return wall, (int(text[-1]) / 1024 if gnu_time and text else float("nan")), p.stdout


def _labels(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y)
    return y.reshape(len(y), -1).argmax(1)


def cpu_line() -> str:
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    name = next((ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("model name")), "?")
    flags = next((ln.split(":", 1)[1].split() for ln in info.splitlines() if ln.startswith("flags")), [])
    keep = [f for f in ("popcnt", "avx2", "avx512f", "avx512bw", "avx512_vpopcntdq", "avx512_vnni", "avx512_bitalg")
            if f in flags]
    return f"{name}, {os.cpu_count()} logical CPUs, flags: {' '.join(keep)}"


def bench_model(name: str, n: int, rounds: int, tmp: Path) -> dict:
    from float_rewrite import float_rewrite

    from hwgen.zoo.bnn_pynq import export_bnn_pynq

    path = export_bnn_pynq(name, tmp / f"{name}.onnx", seed=0)
    fpath = float_rewrite(path, tmp / f"{name}_float.onnx")
    x8 = np.random.default_rng(0).random((8 * n, *SHAPES[name]), dtype=np.float32)
    np.save(tmp / "x8.npy", x8)
    np.save(tmp / "x1.npy", x8[:n])
    del x8
    py = sys.executable
    best: dict[str, float] = {}
    rss: dict[str, float] = {}
    outs: dict[str, np.ndarray] = {}

    def keep(key: str, seconds: float, mb: float) -> None:
        best[key] = min(best.get(key, float("inf")), seconds)
        rss[key] = max(rss.get(key, 0.0), mb)

    workers = {"inproc": str(path), "qonnx": str(path), "brevitas": str(path), "ort": str(fpath),
               "ort_noopt": str(fpath)}
    for r in range(rounds):
        for size in ("x1", "x8"):
            wall, mb, _ = _run_rss([py, "-m", "hwgen", "simulate", str(path), "--input", str(tmp / f"{size}.npy"),
                                    "--out", str(tmp / f"cli_{size}.npy")])
            keep(f"cli_{size}", wall, mb)
        for kind, model in workers.items():
            _, mb, out = _run_rss([py, __file__, "--worker", kind, "--model", model, "--name", name,
                                   "--input", str(tmp / "x1.npy"), "--out", str(tmp / f"{kind}.npy")])
            keep(kind, json.loads(out.strip().splitlines()[-1])["seconds"], mb)
        print(f"  {name} round {r + 1}/{rounds} done (load {os.getloadavg()[0]:.1f})", flush=True)
    for key in ("cli_x1", "cli_x8", *workers):
        outs[key] = np.load(tmp / f"{key}.npy")
    exact = np.array_equal(outs["cli_x8"][:n], outs["cli_x1"]) and np.array_equal(outs["inproc"], outs["cli_x1"])
    ref = _labels(outs["qonnx"])
    agree = {k: int((_labels(v[:n]) == ref).sum()) for k, v in outs.items()}
    steady = max(best["cli_x8"] - best["cli_x1"], 1e-9)
    ips = {
        "hwgen CLI (steady state)": 7 * n / steady,
        "hwgen in-process": n / best["inproc"],
        f"qonnx execute_onnx (batch {QONNX_BATCH})": n / best["qonnx"],
        "Brevitas forward": n / best["brevitas"],
        "onnxruntime (float rewrite)": n / best["ort"],
        "onnxruntime, no graph optimization": n / best["ort_noopt"],
    }
    mem = {
        "hwgen CLI (steady state)": rss["cli_x8"],
        "hwgen in-process": rss["inproc"],
        f"qonnx execute_onnx (batch {QONNX_BATCH})": rss["qonnx"],
        "Brevitas forward": rss["brevitas"],
        "onnxruntime (float rewrite)": rss["ort"],
        "onnxruntime, no graph optimization": rss["ort_noopt"],
    }
    return {"name": name, "n": n, "ips": ips, "rss": mem, "exact": exact, "agree": agree,
            "cli_s": (best["cli_x1"], best["cli_x8"])}


def report(res: dict) -> None:
    name, n, ips = res["name"], res["n"], res["ips"]
    cli = ips["hwgen CLI (steady state)"]
    t1, t8 = res["cli_s"]
    print(f"\n{name}: N = {n} (CLI: {n} images in {t1:.2f} s, {8 * n} in {t8:.2f} s)")
    print(f"  {'contender':34s} {'images/s':>12s} {'CLI / it':>9s} {'peak RSS':>10s}")
    for k, v in ips.items():
        print(f"  {k:34s} {v:12.0f} {cli / v:8.2f}x {res['rss'][k]:8.0f} MB")
    lab = ", ".join(f"{k} {v}/{n}" for k, v in res["agree"].items())
    print(f"  labels equal to execute_onnx: {lab}")
    print(f"  hwgen outputs of the N and 8N runs and in-process equal (==): {'yes' if res['exact'] else 'NO'}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker")
    ap.add_argument("--model")
    ap.add_argument("--name")
    ap.add_argument("--input")
    ap.add_argument("--out")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--n-tfc", type=int, default=32768)
    ap.add_argument("--n-cnv", type=int, default=1024)
    ap.add_argument("--models", default="TFC_1W1A,CNV_1W1A")
    a = ap.parse_args()
    if a.worker:
        _worker(a.worker, a.model, a.name, a.input, a.out)
        return
    from hwgen.kernels.popcount import fast_paths

    print(f"CPU: {cpu_line()}")
    print(f"hwgen kernels: {fast_paths()}; load average at start {os.getloadavg()[0]:.1f}")
    results = []
    for name in a.models.split(","):
        n = a.n_tfc if name.startswith("TFC") else a.n_cnv
        with tempfile.TemporaryDirectory() as d:
            results.append(bench_model(name, n, a.rounds, Path(d)))
    for r in results:
        report(r)
    goals = []
    for r in results:
        ips, cli = r["ips"], r["ips"]["hwgen CLI (steady state)"]
        q = ips[f"qonnx execute_onnx (batch {QONNX_BATCH})"]
        if r["name"].startswith("TFC"):
            goals.append((f"TFC CLI >= 100x execute_onnx: {cli / q:.1f}x", cli / q >= 100))
        else:
            o = ips["onnxruntime (float rewrite)"]
            goals.append((f"CNV CLI >= 1.5x onnxruntime: {cli / o:.2f}x", cli / o >= 1.5))
            goals.append((f"CNV CLI >= 5x execute_onnx: {cli / q:.1f}x", cli / q >= 5))
    print("\ngoals (issue 13): " + "; ".join(f"{g} {'met' if ok else 'NOT met'}" for g, ok in goals))
    print(f"load average at end {os.getloadavg()[0]:.1f} (2 cores shared with other jobs: numbers are noisy)")


if __name__ == "__main__":
    main()
