"""Compare training recipes (BinaryNet, AdamBNN two-stage, SGD) on one model, data, budget.

Usage: python bench/recipes.py [--model digits-mlp] [--dataset digits] [--epochs 10]
Prints a markdown table: final test accuracy, final-epoch FF-ratio, final C2I-ratio, time.
"""

from __future__ import annotations

import argparse

import torch

from hwgen.train import RECIPES, train_model


def main() -> None:
    """Train the model once per recipe (same seed, epochs, batch size) and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="digits-mlp")
    ap.add_argument("--dataset", default="digits")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--in-bits", type=int, default=None)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"model {args.model}, dataset {args.dataset}, {args.epochs} epochs, "
          f"batch {args.batch_size}, seed {args.seed}\n")
    print("| recipe | test accuracy | FF-ratio (last epoch) | C2I-ratio | seconds |")
    print("|---|---|---|---|---|")
    for name in RECIPES:
        _, m = train_model(args.model, args.dataset, name, args.epochs, args.seed,
                           batch_size=args.batch_size, in_bits=args.in_bits, progress=False)
        last = m["log"][-1]
        print(f"| {name} | {m['final_test_accuracy']:.4f} | {last['ff_ratio']:.4f} | "
              f"{last['c2i_ratio']:.4f} | {m['train_seconds']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
