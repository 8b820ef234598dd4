"""PyTorch's labels vs the hardware simulator's on a whole test set, ties counted.

    python bench/torch_labels.py M.pt M.onnx --input x_test.npy --labels y_test.npy

M.pt is the checkpoint `hwgen train` wrote beside M.onnx. Prints both accuracies, on how many
inputs the labels differ, how many of those are ties (two classes with the same maximal integer
output in hardware: the only difference exactness allows), and the hardware ties in all.
Exits 1 if a label differs where the hardware output has no tie.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkpoint")
    ap.add_argument("onnx")
    ap.add_argument("--input", required=True)
    ap.add_argument("--labels", required=True)
    a = ap.parse_args()

    import torch

    from hwgen.app.api import compile as hw_compile
    from hwgen.app.cli_train import load_checkpoint

    x = np.load(a.input).astype(np.float32)
    y = np.load(a.labels)
    model = load_checkpoint(a.checkpoint).eval()
    with torch.no_grad():
        torch_out = torch.cat([model(torch.from_numpy(xb)) for xb in np.array_split(x, max(1, len(x) // 500))])
    torch_labels = torch_out.numpy().argmax(1)
    hw = hw_compile(a.onnx).predict(x).reshape(len(x), -1)
    hw_labels = hw.argmax(1)
    top2 = np.sort(hw, axis=1)[:, -2:]
    ties = top2[:, 0] == top2[:, 1]
    differ = torch_labels != hw_labels
    print(f"{a.onnx}: PyTorch {np.mean(torch_labels == y):.2%}, hardware simulator {np.mean(hw_labels == y):.2%}; "
          f"labels differ on {int(differ.sum())}/{len(x)} ({int((differ & ~ties).sum())} without a tie); "
          f"{int(ties.sum())} hardware outputs tie")
    return int(bool((differ & ~ties).any()))


if __name__ == "__main__":
    sys.exit(main())
