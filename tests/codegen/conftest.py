"""Fixtures for the C-simulation tests: exported BNN-PYNQ models (hardware graphs), once per session."""

from __future__ import annotations

import pytest

from hwgen.core.ir import Graph


@pytest.fixture(scope="session")
def tfc_graph(tfc_hw) -> Graph:
    return tfc_hw


@pytest.fixture(scope="session")
def cnv_graph(cnv_hw) -> Graph:
    return cnv_hw

