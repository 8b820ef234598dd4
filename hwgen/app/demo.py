"""``make demo``: train a small BNN on scikit-learn digits, export QONNX, verify, build for PYNQ-Z1.

    python -m hwgen.app.demo --out build/demo
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from hwgen.core.log import console


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="build/demo", help="Directory for the model, data and project.")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--board", default="pynq-z1")
    ap.add_argument("--csim", type=int, default=64, help="Inputs checked by g++ C-simulation (0: skip).")
    args = ap.parse_args(argv)

    import torch

    from hwgen.app.build import run_build
    from hwgen.app.cli import run_verify
    from hwgen.core.flow import compile_model
    from hwgen.sim.executor import simulate
    from hwgen.train import train_model
    from hwgen.train.data import load_dataset
    from hwgen.zoo import export

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    console.rule("1. train a binary MLP on scikit-learn digits (8x8, 10 classes)")
    t0 = time.perf_counter()
    model, metrics = train_model("digits-mlp", "digits", "binarynet", epochs=args.epochs, seed=0, batch_size=32)
    console.print(f"trained in {time.perf_counter() - t0:.1f} s: test accuracy "
                  f"{100 * metrics['final_test_accuracy']:.2f}%")

    console.rule("2. export QONNX")
    onnx_path = export(model, out / "digits_mlp.onnx")
    data = load_dataset("digits")
    x = data.x_test.numpy().astype(np.float32)
    y = data.y_test.numpy()
    np.save(out / "x_test.npy", x)
    np.save(out / "y_test.npy", y)
    console.print(f"{onnx_path} ({onnx_path.stat().st_size} bytes); test set {x.shape} -> {out}/x_test.npy")

    console.rule("3. verify: every compiler stage vs qonnx execute_onnx on the whole test set")
    run_verify(str(onnx_path), 0, str(out / "x_test.npy"), str(out / "y_test.npy"), 0)
    model.eval()
    with torch.no_grad():
        torch_pred = model(torch.from_numpy(x)).numpy().argmax(1)
    hw = simulate(compile_model(onnx_path).stages["hardware"], x)[0]
    sim_pred = hw.reshape(len(x), -1).argmax(1)
    agree = float(np.mean(torch_pred == sim_pred))
    console.print(f"PyTorch vs hardware simulator: labels equal on {100 * agree:.2f}% of {len(x)} test images "
                  f"(PyTorch {100 * np.mean(torch_pred == y):.2f}%, simulator {100 * np.mean(sim_pred == y):.2f}%)")

    console.rule(f"4. hwgen build for {args.board}")
    project = out / "project"
    run_build(str(onnx_path), board=args.board, out_dir=str(project), force=True, flow="default",
              verify_n=0, csim_n=args.csim, target_fps=None, budget=0.8, folding=None)
    console.print(f"project: {project}/")
    for p in sorted(project.rglob("*")):
        if p.is_file() and "lib" not in p.parts:
            console.print(f"  {p.relative_to(project)}")
    console.rule("5. report")
    import json

    from hwgen.app.cli_estimate import estimate_table, wide_console

    est = json.loads((project / "report" / "estimate.json").read_text())
    wide_console().print(estimate_table(est))
    perf = est["performance"]
    console.print(f"estimated {perf['fps']:,.0f} frames/s at {perf['clock_mhz']:g} MHz, latency "
                  f"{perf['latency_us']:.2f} us; bottleneck {perf['bottleneck']}")
    console.print(f"HTML report: {project / 'report' / 'index.html'}")


if __name__ == "__main__":
    main()
