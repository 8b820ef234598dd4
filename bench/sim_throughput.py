"""Simulator throughput: hwgen's bit-accurate simulator vs qonnx execute_onnx vs the Brevitas
PyTorch forward, on the same inputs in the same run (brevitas_examples TFC_1W1A and CNV_1W1A).

    .venv/bin/python bench/sim_throughput.py [--batch 256]

Prints images/s for each and the ratios, after checking that all three give the same labels.
execute_onnx is timed both batched (our batched copy of the model) and one image at a time (how
FINN's Python execution runs it) — the per-image figure is measured on a subset and scaled.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from hwgen.core.flow import compile_model
from hwgen.frontend.reference import Reference
from hwgen.sim.executor import simulate
from hwgen.zoo.bnn_pynq import build, export_bnn_pynq


def timed(fn, repeat: int = 1):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return out, best


def bench(name: str, shape: tuple[int, ...], batch: int, tmp: Path, rounds: int = 5) -> None:
    m = build(name, seed=0)
    path = export_bnn_pynq(name, tmp / f"{name}.onnx", model=m)
    hw = compile_model(path).stages["hardware"]
    ref = Reference(path, batch=batch)
    x = np.random.default_rng(0).random((batch, *shape), dtype=np.float32)

    x_t = torch.from_numpy(x)

    def forward():
        with torch.no_grad():
            return m(x_t).numpy()

    # interleave the contenders so a busy moment of the machine hits all of them alike
    best = {"ours": float("inf"), "onnx": float("inf"), "torch": float("inf")}
    for _ in range(rounds):
        ours, t = timed(lambda: simulate(hw, x, batch=batch)[0])
        best["ours"] = min(best["ours"], t)
        onnx_b, t = timed(lambda: ref(x)[0])
        best["onnx"] = min(best["onnx"], t)
        pt, t = timed(forward)
        best["torch"] = min(best["torch"], t)
    t_ours, t_onnx, t_pt = best["ours"], best["onnx"], best["torch"]
    n_single = 16
    _, t_single = timed(lambda: ref.per_sample(x[:n_single]))
    labels = [a.argmax(1) for a in (ours, onnx_b, pt)]
    assert all(np.array_equal(labels[0], lb) for lb in labels[1:]), "label mismatch"
    ips = {
        "hwgen simulator": batch / t_ours,
        "execute_onnx (batched)": batch / t_onnx,
        "execute_onnx (per image)": n_single / t_single,
        "Brevitas forward": batch / t_pt,
    }
    print(f"\n{name}  batch {batch}  labels equal across all three: yes")
    for k, v in ips.items():
        print(f"  {k:26s} {v:10.1f} images/s")
    s = ips["hwgen simulator"]
    print(f"  ratio vs execute_onnx batched   {s / ips['execute_onnx (batched)']:8.1f}x")
    print(f"  ratio vs execute_onnx per image {s / ips['execute_onnx (per image)']:8.1f}x")
    print(f"  ratio vs Brevitas forward       {s / ips['Brevitas forward']:8.1f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=256)
    args = ap.parse_args()
    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory() as d:
        bench("TFC_1W1A", (1, 28, 28), args.batch, Path(d))
        bench("CNV_1W1A", (3, 32, 32), args.batch, Path(d))


if __name__ == "__main__":
    main()
