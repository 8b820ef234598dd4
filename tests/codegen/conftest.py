"""Fixtures for the C-simulation tests: exported BNN-PYNQ models (hardware graphs), once per session."""

from __future__ import annotations

import pytest
from codegen_helpers import export_bnn_pynq

from hwgen.ir import Graph


@pytest.fixture(scope="session")
def tfc_graph(tmp_path_factory) -> Graph:
    from hwgen.flow import compile_model

    p = export_bnn_pynq("TFC_1W1A", tmp_path_factory.mktemp("tfc") / "tfc.onnx")
    return compile_model(p).stages["hardware"]


@pytest.fixture(scope="session")
def cnv_graph(tmp_path_factory) -> Graph:
    from hwgen.flow import compile_model

    p = export_bnn_pynq("CNV_1W1A", tmp_path_factory.mktemp("cnv") / "cnv.onnx")
    return compile_model(p).stages["hardware"]

