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
    from brevitas_examples.bnn_pynq.models import model_with_cfg

    import models

    def get(name: str):
        def build():
            m, _ = model_with_cfg(name, pretrained=False)
            m.input_shape = (3, 32, 32) if name.startswith("CNV") else (1, 28, 28)
            return models.randomize_bn(m, seed=1)

        return export_model(name, build)

    return get
