"""``hwgen export``: a zoo checkpoint to QONNX, checked against its PyTorch forward."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("export")
@click.argument("checkpoint", type=click.Path(dir_okay=False, exists=True))
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="QONNX output (default: the checkpoint's name with .onnx).")
@click.option("--n", "n_samples", type=click.IntRange(min=0), default=16, show_default=True,
              help="Random inputs (the input quantizer's range) besides one example.")
@click.option("--seed", type=int, default=0, show_default=True)
def export_cmd(checkpoint: str, out: str | None, n_samples: int, seed: int) -> None:
    """Export a `hwgen train` checkpoint (.pt) as QONNX; refuse a file that disagrees with PyTorch."""
    import torch

    from hwgen.app.cli_train import load_checkpoint
    from hwgen.app.export import export
    from hwgen.core.log import console

    model = load_checkpoint(checkpoint)
    example = torch.rand(1, *model.input_shape, generator=torch.Generator().manual_seed(seed))
    path = Path(out) if out else Path(checkpoint).with_suffix(".onnx")
    with console.status(f"exporting and checking against PyTorch on {n_samples + 1} inputs ..."):
        export(model, example, path, n_samples=n_samples, seed=seed)
    console.print(f"wrote {path}: the QONNX file equals the PyTorch forward layer by layer on "
                  f"{n_samples + 1} inputs")
