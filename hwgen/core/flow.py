"""Flows: ordered, named steps from flows/<name>.toml, each a pure function of the state.

A step takes the ``FlowState`` and returns a new one. Steps register themselves with
``@step("name")``; ``STEP_MODULES`` says which module defines each step, so a flow imports only
what it runs.
"""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hwgen.core.errors import ConfigError, HwgenError
from hwgen.core.ir import Graph, verify
from hwgen.core.resources import data_dir

FLOWS_DIR = data_dir("flows")


@dataclass(frozen=True)
class FlowState:
    """Everything a step may read: the model path, the graph of each stage so far, options."""

    model: Path
    options: dict[str, Any] = field(default_factory=dict)
    stages: dict[str, Graph] = field(default_factory=dict)  # stage name -> graph, in order
    artifacts: dict[str, Any] = field(default_factory=dict)  # reports, paths, timings

    @property
    def graph(self) -> Graph:
        return list(self.stages.values())[-1]

    def with_stage(self, name: str, graph: Graph) -> FlowState:
        return replace(self, stages={**self.stages, name: verify(graph)})

    def with_artifact(self, **kw: Any) -> FlowState:
        return replace(self, artifacts={**self.artifacts, **kw})


Step = Callable[[FlowState], FlowState]
STEPS: dict[str, Step] = {}
STEP_MODULES = {
    "load": "hwgen.frontend",
    "streamline": "hwgen.passes.streamline",
    "lower": "hwgen.passes.lower",
    "verify": "hwgen.sim.verify",
    "fold": "hwgen.fold",
    "insert": "hwgen.passes.insert",
    "fifo": "hwgen.passes.fifo",
    "check": "hwgen.analysis.dataflow",
    "estimate": "hwgen.analysis.estimate",
    "report": "hwgen.analysis.report",
    "codegen": "hwgen.backends.hls.codegen",
    "board": "hwgen.backends.board",
    "csim": "hwgen.backends.hls.csim",
    "rtl": "hwgen.backends.rtl.codegen",
    "rtlsim": "hwgen.backends.rtl.rtlsim",
    "synth": "hwgen.backends.rtl.synth",
}


def step(name: str) -> Callable[[Step], Step]:
    def register(fn: Step) -> Step:
        STEPS[name] = fn
        return fn

    return register


def get_step(name: str) -> Step:
    if name not in STEPS:
        module = STEP_MODULES.get(name)
        if module is None:
            raise ConfigError(f"unknown flow step {name!r}; known steps: {', '.join(sorted(STEP_MODULES))}")
        importlib.import_module(module)
    return STEPS[name]


def load_flow(name_or_path: str) -> list[str]:
    """Step names of a flow given by name (flows/<name>.toml) or by path."""
    p = Path(name_or_path)
    if not p.suffix:
        p = FLOWS_DIR / f"{name_or_path}.toml"
    if not p.is_file():
        known = sorted(f.stem for f in FLOWS_DIR.glob("*.toml"))
        raise ConfigError(f"flow {name_or_path!r} not found; known flows: {', '.join(known)}")
    try:
        data = tomllib.loads(p.read_text())
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{p}: invalid TOML ({e})") from None
    steps = data.get("steps")
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
        raise ConfigError(f"{p}: needs a list of step names, e.g. steps = [\"load\", \"streamline\"]")
    return steps


def run_flow(steps: list[str], state: FlowState, until: str | None = None) -> FlowState:
    for name in steps:
        fn = get_step(name)
        try:
            state = fn(state)
        except HwgenError as e:
            if state.model.name in str(e) or state.model.name.split(".")[0] in str(e):
                raise
            raise type(e)(f"{state.model.name}: {e}") from None  # every message names the file
        if name == until:
            break
    return state


def compile_model(model: str | Path, until: str = "lower") -> FlowState:
    """Load, streamline and lower ``model``: the float, integer and hardware graphs."""
    return run_flow(["load", "streamline", "lower"], FlowState(Path(model)), until=until)
