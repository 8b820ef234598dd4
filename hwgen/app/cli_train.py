"""`hwgen train` and `hwgen zoo` (registered on the main click group by hwgen.app.cli)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

from hwgen.core.errors import HwgenError

if TYPE_CHECKING:  # torch is imported where it is used: `hwgen --help` must not load it
    import torch


class CliError(HwgenError, click.ClickException):
    """A HwgenError that click also reports on one line with exit status 2."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        click.ClickException.__init__(self, message)


def _umask_mode(path: str) -> None:
    """mkstemp creates 0600 files; give the output the mode a plain open() would."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _write_atomic(path: Path, write) -> None:
    """Write via a temporary file in the same directory, then rename into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=path.suffix)
    os.close(fd)
    try:
        write(tmp)
        _umask_mode(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_outputs(model: torch.nn.Module, metrics: dict[str, Any], out: Path) -> dict[str, Path]:
    """Write `out` (QONNX), `out`.pt (checkpoint) and `out`.json (metrics log)."""
    import torch

    from hwgen import zoo

    paths = {"onnx": out, "checkpoint": out.with_suffix(".pt"), "log": out.with_suffix(".json")}
    zoo.export(model, paths["onnx"])
    checkpoint = {"zoo_spec": model.zoo_spec, "state_dict": model.state_dict(), "metrics": metrics}
    _write_atomic(paths["checkpoint"], lambda p: torch.save(checkpoint, p))
    text = json.dumps(metrics, indent=2)
    _write_atomic(paths["log"], lambda p: Path(p).write_text(text + "\n"))
    return paths


def load_checkpoint(path: str | Path) -> torch.nn.Module:
    """Rebuild a zoo model from a checkpoint written by `hwgen train`."""
    import torch

    from hwgen import zoo

    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    model = zoo.build(**ckpt["zoo_spec"])
    model.load_state_dict(ckpt["state_dict"])
    return model.eval()


def check_names(model: str, dataset: str, recipe: str, method: str | None) -> None:
    """Raise HwgenError (listing the valid names) for an unknown model/dataset/recipe/method."""
    from hwgen import zoo
    from hwgen.train.data import LOADERS, DatasetError
    from hwgen.train.recipes import get_recipe

    zoo.get_info(model)
    if dataset not in LOADERS:
        raise DatasetError(f"unknown dataset {dataset!r}; valid datasets: {', '.join(LOADERS)}")
    get_recipe(recipe)
    if method is not None:
        zoo.get_method(method)


@click.command("train")
@click.option("--model", "model_name", required=True, help="Zoo model name (see `hwgen zoo`).")
@click.option("--dataset", required=True, help="digits | mnist-5k | fashion-mnist")
@click.option("--recipe", default="adambnn", show_default=True, help="binarynet | adambnn | sgd")
@click.option("--epochs", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="QONNX output; the .pt checkpoint and .json log go next to it.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--batch-size", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Base learning rate of every stage (default: the recipe's).")
@click.option("--method", default=None, help="Binarization method (default: the model's).")
@click.option("--in-bits", type=click.IntRange(1, 8), default=None,
              help="Input quantizer width: 1 = bipolar, 2..8 = signed fixed point.")
@click.option("--kd-teacher-epochs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Train a float MLP teacher this long and use the distributional loss.")
@click.option("--train-samples", type=click.IntRange(min=1), default=None,
              help="Train on a seeded random subset of this many training samples (test set whole).")
@click.option("--threads", type=click.IntRange(min=1), default=None, help="torch CPU threads.")
@click.option("--quiet", is_flag=True, help="No progress bar or per-epoch lines.")
def train_cmd(
    model_name: str,
    dataset: str,
    recipe: str,
    epochs: int,
    out: Path,
    seed: int,
    batch_size: int,
    lr: float | None,
    method: str | None,
    in_bits: int | None,
    kd_teacher_epochs: int,
    train_samples: int | None,
    threads: int | None,
    quiet: bool,
) -> None:
    """Train a zoo BNN and export it as QONNX (plus checkpoint and JSON metrics log)."""
    from hwgen.train import train_model

    try:
        check_names(model_name, dataset, recipe, method)
        if threads is not None:
            import torch

            torch.set_num_threads(threads)
        model, metrics = train_model(
            model_name, dataset, recipe, epochs, seed,
            batch_size=batch_size, lr=lr, method=method, in_bits=in_bits,
            kd_teacher_epochs=kd_teacher_epochs, train_samples=train_samples, progress=not quiet,
        )
        paths = save_outputs(model, metrics, out)
    except HwgenError as e:
        if isinstance(e, click.ClickException):
            raise
        raise CliError(str(e)) from e
    click.echo(
        f"test accuracy {metrics['final_test_accuracy']:.4f} after {epochs} epochs "
        f"({metrics['train_seconds']:.1f} s, {metrics['train_cpu_seconds']:.1f} s CPU); wrote {paths['onnx']}, {paths['checkpoint']}, "
        f"{paths['log']}"
    )


@click.command("zoo")
def zoo_cmd() -> None:
    """List zoo models, binarization methods and training recipes."""
    from hwgen import zoo
    from hwgen.train.recipes import RECIPES

    console = Console()
    models = Table(title="models")
    for col in ("name", "input (C,H,W)", "input bits", "compilable", "method", "description"):
        models.add_column(col)
    for info in zoo.MODELS.values():
        models.add_row(info.name, "x".join(map(str, info.input_shape)), str(info.in_bits),
                       "yes" if info.is_compilable else "no", info.default_method,
                       info.description)
    methods = Table(title="methods")
    methods.add_column("name")
    methods.add_column("description")
    for m in zoo.METHODS.values():
        methods.add_row(m.name, m.doc)
    recipes = Table(title="recipes")
    for col in ("name", "stages", "loss", "description"):
        recipes.add_column(col)
    for r in RECIPES.values():
        recipes.add_row(r.name, ", ".join(s.name for s in r.stages), r.loss, r.doc)
    for table in (models, methods, recipes):
        console.print(table)


__all__ = ["CliError", "load_checkpoint", "save_outputs", "train_cmd", "zoo_cmd"]


if __name__ == "__main__":  # until `hwgen train` is registered: python -m hwgen.app.cli_train train ...
    click.Group("hwgen", commands=[train_cmd, zoo_cmd])()
