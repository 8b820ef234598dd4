"""`train_model`: build a zoo model, train it with a recipe, log per-epoch metrics."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from torch import Tensor, nn

from hwgen import zoo
from hwgen.train.data import Dataset, fit_to_shape, load_dataset
from hwgen.train.losses import LOSSES, distributional
from hwgen.train.metrics import FlipTracker, binary_layers
from hwgen.train.recipes import Recipe, Stage, get_recipe, lr_at
from hwgen.train.teacher import train_teacher
from hwgen.zoo.blocks import RPReLU
from hwgen.zoo.grad import set_ede
from hwgen.zoo.transforms import latent_weight, set_recu


@dataclass
class TrainConfig:
    """Everything that determines a run (with the seed, it is repeatable)."""

    model: str
    dataset: str
    recipe: str
    epochs: int
    seed: int = 0
    batch_size: int = 100
    lr: float | None = None  # overrides each stage's base LR
    method: str | None = None  # default: the model's own
    in_bits: int | None = None  # input quantizer width; default: the model's own
    kd_teacher_epochs: int = 0  # > 0: distributional loss from a float teacher
    train_samples: int | None = None  # a fixed seeded subset of the training set (CPU budget)
    progress: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def set_binary_weights(model: nn.Module, binary: bool) -> None:
    """Turn weight binarization on or off (AdamBNN stage 1 trains real-valued weights)."""
    for layer in binary_layers(model):
        layer.weight_quant.disable_quant = not binary


@torch.no_grad()
def after_step(model: nn.Module) -> None:
    """Method constraints after each optimizer step: weight clipping, RPReLU slope >= 0."""
    if model.method.clip_weights:
        for layer in binary_layers(model):
            latent_weight(layer).clamp_(-1.0, 1.0)
    for m in model.modules():
        if isinstance(m, RPReLU):
            m.clamp_slope_()


@torch.no_grad()
def evaluate(model: nn.Module, x: Tensor, y: Tensor, loss_fn, batch_size: int = 1000) -> tuple[float, float]:
    """(accuracy, mean loss) of `model` in eval mode."""
    model.eval()
    correct, total_loss = 0, 0.0
    for xb, yb in zip(x.split(batch_size), y.split(batch_size)):
        out = model(xb)
        correct += int((out.argmax(1) == yb).sum())
        total_loss += float(loss_fn(out, yb)) * len(yb)
    return correct / len(y), total_loss / len(y)


def _optimizer(stage: Stage, params, lr: float) -> torch.optim.Optimizer:
    if stage.optimizer == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=stage.weight_decay)
    return torch.optim.SGD(params, lr=lr, momentum=stage.momentum, weight_decay=stage.weight_decay)


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        disable=not enabled,
        transient=True,
    )


def run(cfg: TrainConfig, data: Dataset | None = None) -> tuple[nn.Module, dict[str, Any]]:
    """Train per `cfg`; returns the trained model (eval mode) and the metrics log."""
    recipe: Recipe = get_recipe(cfg.recipe)
    info = zoo.get_info(cfg.model)
    zoo.get_method(cfg.method or info.default_method)
    stage_epochs = recipe.stage_epochs(cfg.epochs)
    data = data or load_dataset(cfg.dataset)
    if cfg.train_samples is not None and cfg.train_samples < len(data.y_train):
        data = subset_train(data, cfg.train_samples, cfg.seed)
    x_tr = fit_to_shape(data.x_train, _model_shape(info, data))
    x_te = fit_to_shape(data.x_test, _model_shape(info, data))
    teacher = None
    if cfg.kd_teacher_epochs > 0:
        teacher = train_teacher(data, cfg.kd_teacher_epochs, cfg.seed)
    torch.manual_seed(cfg.seed)
    model = zoo.build(
        cfg.model, cfg.method, data.num_classes, _model_shape(info, data), cfg.in_bits
    )
    loss_fn = LOSSES[recipe.loss]
    gen = torch.Generator().manual_seed(cfg.seed)
    tracker = FlipTracker(model)
    console = Console(stderr=True, quiet=not cfg.progress)
    n = len(data.y_train)
    steps_per_epoch = -(-n // cfg.batch_size)
    total_steps, step = steps_per_epoch * cfg.epochs, 0
    log: list[dict[str, Any]] = []
    t_start, cpu_start = time.perf_counter(), time.process_time()
    epoch = 0
    with _progress(cfg.progress) as bar:
        for stage, n_epochs in zip(recipe.stages, stage_epochs):
            set_binary_weights(model, stage.binary_weights)
            base_lr = cfg.lr if cfg.lr is not None else stage.lr
            opt = _optimizer(stage, model.parameters(), base_lr)
            stage_steps, stage_step = n_epochs * steps_per_epoch, 0
            for _ in range(n_epochs):
                epoch += 1
                t_epoch = time.perf_counter()
                set_ede(model, step / total_steps)
                set_recu(model, step / total_steps)
                model.train()
                task = bar.add_task(f"epoch {epoch}/{cfg.epochs} {stage.name}", total=steps_per_epoch, status="")
                seen, correct, loss_sum = 0, 0, 0.0
                for idx in torch.randperm(n, generator=gen).split(cfg.batch_size):
                    lr = lr_at(stage, base_lr, stage_step / stage_steps)
                    for group in opt.param_groups:
                        group["lr"] = lr
                    xb, yb = x_tr[idx], data.y_train[idx]
                    out = model(xb)
                    loss = loss_fn(out, yb) if teacher is None else distributional(out, teacher(xb))
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    after_step(model)
                    step, stage_step = step + 1, stage_step + 1
                    seen += len(yb)
                    correct += int((out.argmax(1) == yb).sum())
                    loss_sum += loss.item() * len(yb)
                    bar.update(task, advance=1, status=f"loss {loss_sum / seen:.3f} acc {correct / seen:.3f}")
                bar.remove_task(task)
                test_acc, test_loss = evaluate(model, x_te, data.y_test, loss_fn)
                ff, c2i = tracker.update(model)
                row = {
                    "epoch": epoch,
                    "stage": stage.name,
                    "lr_start": lr_at(stage, base_lr, (stage_step - steps_per_epoch) / stage_steps),
                    "train_loss": loss_sum / seen,
                    "train_accuracy": correct / seen,
                    "test_loss": test_loss,
                    "test_accuracy": test_acc,
                    "ff_ratio": ff,
                    "c2i_ratio": c2i,
                    "seconds": time.perf_counter() - t_epoch,
                }
                log.append(row)
                console.print(
                    f"epoch {epoch:3d} {stage.name:20s} loss {row['train_loss']:.4f} "
                    f"train {row['train_accuracy']:.4f} test {test_acc:.4f} "
                    f"FF {ff:.4f} C2I {c2i:.4f} ({row['seconds']:.1f}s)"
                )
    model.eval()
    metrics = {
        "model": cfg.model,
        "dataset": cfg.dataset,
        "recipe": cfg.recipe,
        "method": model.method.name,
        "in_bits": model.zoo_spec["in_bits"],
        "seed": cfg.seed,
        "epochs": cfg.epochs,
        "batch_size": cfg.batch_size,
        "lr": cfg.lr,
        "kd_teacher_epochs": cfg.kd_teacher_epochs,
        "log": log,
        "final_test_accuracy": log[-1]["test_accuracy"],
        "train_seconds": time.perf_counter() - t_start,
        # CPU time of this process (all its threads): the compute the run took, whatever else
        # shared the machine
        "train_cpu_seconds": time.process_time() - cpu_start,
    }
    return model, metrics


def subset_train(data: Dataset, n: int, seed: int) -> Dataset:
    """``data`` with ``n`` training samples drawn without replacement (seeded); test set kept."""
    idx = torch.randperm(len(data.y_train), generator=torch.Generator().manual_seed(seed))[:n]
    return dataclasses.replace(data, x_train=data.x_train[idx], y_train=data.y_train[idx])


def _model_shape(info: zoo.ModelInfo, data: Dataset) -> tuple[int, int, int]:
    """The zoo model's input shape, with the dataset's channel count (e.g. 1-channel CNV)."""
    c, h, w = info.input_shape
    return (data.input_shape[0], h, w)


def train_model(
    model_name: str,
    dataset: str,
    recipe: str,
    epochs: int,
    seed: int = 0,
    **options: Any,
) -> tuple[nn.Module, dict[str, Any]]:
    """Train zoo model `model_name` on `dataset` with `recipe` for `epochs` epochs.

    Options are the remaining `TrainConfig` fields (batch_size, lr, method, in_bits,
    kd_teacher_epochs, progress). Returns (model in eval mode, metrics dict).
    """
    return run(TrainConfig(model_name, dataset, recipe, epochs, seed, **options))
