"""Offline dataset loaders: shapes, ranges, fixed splits, and the missing-package error."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
import torch

from hwgen.core.errors import HwgenError
from hwgen.train import data as D


def _check(ds: D.Dataset, n_train: int, n_test: int, shape: tuple[int, int, int]) -> None:
    assert ds.x_train.shape == (n_train, *shape) and ds.x_test.shape == (n_test, *shape)
    assert ds.y_train.shape == (n_train,) and ds.y_test.shape == (n_test,)
    assert ds.x_train.dtype == torch.float32 and ds.y_train.dtype == torch.int64
    assert float(ds.x_train.min()) == -1.0 and float(ds.x_train.max()) == 1.0
    assert ds.num_classes == 10


def test_digits() -> None:
    ds = D.load_dataset("digits")
    _check(ds, 1437, 360, (1, 8, 8))
    again = D.load_dataset("digits")
    assert torch.equal(ds.y_test, again.y_test)  # the split is fixed


def test_mnist_5k() -> None:
    _check(D.load_dataset("mnist-5k"), 4000, 1000, (1, 28, 28))


@pytest.mark.skipif(not D.FASHION_MNIST_DIR.exists(), reason="dataset-fashion-mnist not installed")
def test_fashion_mnist() -> None:
    _check(D.load_dataset("fashion-mnist"), 60000, 10000, (1, 28, 28))


def test_fashion_mnist_missing_says_how_to_install(tmp_path) -> None:
    with pytest.raises(HwgenError, match="apt-get install dataset-fashion-mnist"):
        D._fashion_mnist(tmp_path)


def test_read_idx_roundtrip(tmp_path) -> None:
    arr = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    header = bytes([0, 0, 0x08, 3]) + b"".join(d.to_bytes(4, "big") for d in arr.shape)
    path = tmp_path / "x-idx3-ubyte.gz"
    with gzip.open(path, "wb") as f:
        f.write(header + arr.tobytes())
    assert np.array_equal(D.read_idx(path), arr)


def test_unknown_dataset() -> None:
    with pytest.raises(HwgenError, match="unknown dataset 'cifar10'; valid datasets: digits, "):
        D.load_dataset("cifar10")


def test_fit_to_shape_pads_with_background() -> None:
    x = torch.ones(2, 1, 28, 28)
    y = D.fit_to_shape(x, (3, 32, 32))
    assert y.shape == (2, 3, 32, 32)
    assert float(y[0, 0, 0, 0]) == -1.0 and float(y[0, 2, 16, 16]) == 1.0
    with pytest.raises(HwgenError, match="do not fit model input"):
        D.fit_to_shape(torch.ones(1, 1, 28, 28), (1, 8, 8))
