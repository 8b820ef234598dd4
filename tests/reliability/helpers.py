"""Helpers for reliability tests: run the CLI in-process, mutate a model file."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import onnx

sys.path.insert(0, str(Path(__file__).parents[1] / "fuzz"))

from harness import REFUSED, classify, run_cli


def edited(src: Path, dst: Path, edit: Callable[[onnx.ModelProto], None]) -> Path:
    """A copy of model ``src`` at ``dst`` after ``edit`` changed its protobuf in place."""
    m = onnx.load(str(src))
    edit(m)
    dst.write_bytes(m.SerializeToString())
    return dst


def refused_one_line(args: list[str]) -> str:
    """Run ``hwgen ARGS``; assert exit 2 with exactly one 'error:' line; return that line."""
    r = run_cli(args)
    assert classify(r) == REFUSED, (r.code, r.err[-2000:], r.out[-500:])
    return r.err.strip()
