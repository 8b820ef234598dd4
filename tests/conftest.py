"""Shared fixtures: Brevitas models exported once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import torch  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def export_model(tmp_path_factory):
    """``export_model(key, build)`` exports ``build()`` once and returns (path, torch model)."""
    import models

    cache: dict[str, tuple[Path, object]] = {}
    root = tmp_path_factory.mktemp("models")

    def get(key: str, build, dynamo: bool = False):
        if key not in cache:
            torch.manual_seed(0)
            m = build()
            m.eval()
            cache[key] = (models.export(m, root / f"{key}.onnx", dynamo=dynamo), m)
        return cache[key]

    return get


@pytest.fixture(scope="session")
def bnn_pynq(export_model):
    """brevitas_examples.bnn_pynq models with randomized BatchNorm statistics."""
    from hwgen.zoo.bnn_pynq import build

    def get(name: str):
        return export_model(name, lambda: build(name, seed=1))

    return get


@pytest.fixture(scope="session")
def tfc_hw(bnn_pynq):
    """Hardware graph of TFC_1W1A (random BatchNorm), shared by codegen and board tests."""
    from hwgen.core.flow import compile_model

    return compile_model(bnn_pynq("TFC_1W1A")[0]).stages["hardware"]


@pytest.fixture(scope="session")
def cnv_hw(bnn_pynq):
    """Hardware graph of CNV_1W1A (random BatchNorm), shared by codegen and board tests."""
    from hwgen.core.flow import compile_model

    return compile_model(bnn_pynq("CNV_1W1A")[0]).stages["hardware"]


@pytest.fixture(scope="session")
def fuzz_seeds(tmp_path_factory):
    """The small models tests/fuzz mutates (mlp: bipolar; qmlp: 8-bit input and a 2-bit Quant;
    cnn: conv, pad, max-pool, PReLU, ArgMax), exported once per session."""
    sys.path.insert(0, str(Path(__file__).parent / "fuzz"))
    from seeds import export_seeds

    return export_seeds(tmp_path_factory.mktemp("fuzz_seeds"))
