"""Typed command-line values: every number and path the CLI takes is checked before any work.

Click reports a bad value as ``Error: Invalid value for '--budget': ...`` on one line with exit
status 2, the same contract as ``HwgenError``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hwgen.core.errors import ConfigError

if TYPE_CHECKING:  # numpy loads with the commands that read arrays, not with `hwgen --help`
    import numpy as np


class FiniteFloat(click.ParamType):
    """A finite float in (lo, hi] or [lo, hi] (``lo_open``); NaN, inf and text are refused."""

    name = "float"

    def __init__(self, lo: float | None = None, hi: float | None = None, lo_open: bool = False):
        self.lo, self.hi, self.lo_open = lo, hi, lo_open

    def convert(self, value, param, ctx):
        if isinstance(value, float) and math.isfinite(value) and self._inside(value):
            return value
        try:
            v = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(v):
            self.fail(f"{value!r} is not finite", param, ctx)
        if not self._inside(v):
            self.fail(f"{v:g} is not in {self._range()}", param, ctx)
        return v

    def _inside(self, v: float) -> bool:
        if self.lo is not None and (v <= self.lo if self.lo_open else v < self.lo):
            return False
        return self.hi is None or v <= self.hi

    def _range(self) -> str:
        lo = "-inf" if self.lo is None else f"{self.lo:g}"
        hi = "inf" if self.hi is None else f"{self.hi:g}"
        return f"{'(' if self.lo_open or self.lo is None else '['}{lo}, {hi}{']' if self.hi is not None else ')'}"


BUDGET = FiniteFloat(0.0, 1.0, lo_open=True)  # a fraction of the board: (0, 1]
FPS = FiniteFloat(0.0, None, lo_open=True)  # > 0, finite
CSIM_N = click.IntRange(0, 100_000)  # g++ runs every frame; beyond this a check becomes a benchmark
VERIFY_N = click.IntRange(0, 1_000_000)
N_INPUTS = click.IntRange(1, 1_000_000)


def npy_out_path(ctx, param, value: str) -> str:
    """``simulate --out``: a file path ending in .npy or .npz, not a directory."""
    p = Path(value)
    if p.suffix not in (".npy", ".npz"):
        raise click.BadParameter(f"{value!r} must be a file path ending in .npy or .npz", ctx, param)
    if p.is_dir():
        raise click.BadParameter(f"{value!r} is a directory; give a file path ending in .npy or .npz",
                                 ctx, param)
    if p.parent != Path("") and not p.parent.is_dir():
        raise click.BadParameter(f"directory {str(p.parent)!r} does not exist", ctx, param)
    return value


def load_array(path: str | Path, what: str) -> np.ndarray:
    """``np.load`` with one-line errors (no pickles: an .npy from a stranger is data, not code)."""
    import numpy as np

    p = Path(path)
    try:
        a = np.load(p, allow_pickle=False)
    except (OSError, ValueError, EOFError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ConfigError(f"{p}: cannot read {what} ({msg}); pass a .npy array") from None
    if isinstance(a, np.lib.npyio.NpzFile):
        keys = list(a.keys())
        if len(keys) != 1:
            raise ConfigError(f"{p}: an .npz with {len(keys)} arrays; pass one .npy array of {what}")
        a = a[keys[0]]
    return a


def check_inputs_array(x: np.ndarray, path: str | Path, shape: tuple[int, ...]) -> np.ndarray:
    """Real, finite float32 inputs of shape (N, *shape); one-line errors otherwise."""
    import numpy as np

    p = Path(path)
    if x.dtype.kind not in "biuf":
        raise ConfigError(f"{p}: inputs of dtype {x.dtype} are not real numbers; pass a float or integer array")
    if tuple(x.shape[1:]) != tuple(shape):
        if tuple(x.shape) == tuple(shape):
            x = x[None]
        else:
            raise ConfigError(f"{p}: inputs have shape {x.shape}; the model expects (N, {', '.join(map(str, shape))})")
    if len(x) == 0:
        raise ConfigError(f"{p}: no inputs (shape {x.shape})")
    with np.errstate(over="ignore"):
        x32 = x.astype(np.float32)
    bad = ~np.isfinite(x32)
    if bad.any():
        first = int(np.argmax(bad.reshape(len(x32), -1).any(1)))
        raise ConfigError(f"{p}: {int(bad.sum())} input values are NaN/Inf or beyond float32 "
                          f"(first in row {first}); clean the data")
    return x32


def check_labels(y: np.ndarray, path: str | Path, n: int) -> np.ndarray:
    """Integer class labels, one per input (shape (N,) or (N, 1))."""
    import numpy as np

    p = Path(path)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ConfigError(f"{p}: labels have shape {y.shape}; pass one class index per input, shape ({n},)")
    if len(y) < n:
        raise ConfigError(f"{p}: {len(y)} labels for {n} inputs; pass one label per input")
    if y.dtype.kind not in "iu" and (
            y.dtype.kind != "f" or not np.all(np.isfinite(y)) or not np.all(y == np.round(y))):
            raise ConfigError(f"{p}: labels of dtype {y.dtype} are not class indices; pass integers")
    return y[:n].astype(np.int64)
