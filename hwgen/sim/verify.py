"""Compare every stage's simulation with the reference executor on the same inputs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwgen.core.errors import VerificationError
from hwgen.core.flow import FlowState, step
from hwgen.core.ir import Graph
from hwgen.sim.executor import simulate

# float logits: both sides evaluate the same float32 ops; the bound only absorbs summation order
FLOAT_RTOL = 1e-5


@dataclass(frozen=True)
class Comparison:
    stage: str
    output: str
    kind: str  # "exact" (integers / labels) or "float"
    n: int
    mismatches: int  # samples whose output differs (beyond tolerance for float)
    max_abs_err: float
    label_agreement: float  # fraction of samples with equal argmax (float outputs) or equal labels

    @property
    def passed(self) -> bool:
        return self.mismatches == 0


def compare(stage: str, name: str, ours: np.ndarray, ref: np.ndarray) -> Comparison:
    ours = np.asarray(ours)
    ref = np.asarray(ref).reshape(ours.shape) if np.asarray(ref).size == ours.size else np.asarray(ref)
    n = len(ref)
    if ours.shape != ref.shape:
        return Comparison(stage, name, "shape", n, n, float("inf"), 0.0)
    if np.issubdtype(ref.dtype, np.integer):
        bad = np.any((ours != ref).reshape(n, -1), axis=1)
        return Comparison(stage, name, "exact", n, int(bad.sum()), float(np.abs(ours.astype(np.int64) - ref).max(initial=0)),
                          float(1 - bad.mean()))
    err = np.abs(ours.astype(np.float64) - ref.astype(np.float64)).reshape(n, -1)
    tol = FLOAT_RTOL * (1 + np.abs(ref.astype(np.float64)).reshape(n, -1))
    bad = np.any(err > tol, axis=1)
    labels = float(np.mean(ours.reshape(n, -1).argmax(1) == ref.reshape(n, -1).argmax(1)))
    return Comparison(stage, name, "float", n, int(bad.sum()), float(err.max(initial=0)), labels)


def verify_stages(stages: dict[str, Graph], x: np.ndarray, reference: list[np.ndarray]) -> list[Comparison]:
    """One Comparison per (stage, output)."""
    rows = []
    for stage, g in stages.items():
        outs = simulate(g, x)
        for name, o, r in zip(g.outputs, outs, reference):
            rows.append(compare(stage, name, o, r))
    return rows


def random_inputs(shape: tuple[int, ...], n: int, seed: int = 0) -> np.ndarray:
    """Uniform [0, 1) inputs: the range image models are trained on before their own scaling."""
    return np.random.default_rng(seed).random((n, *shape), dtype=np.float32)


@dataclass(frozen=True)
class Verification:
    """What the ``verify`` step found: one row per (stage, output), inputs and reference outputs."""

    rows: list[Comparison]
    n: int
    reference_s: float
    inexact_layers: tuple[str, ...]
    x: np.ndarray
    reference: list[np.ndarray]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rows)


def verify_state(state: FlowState, x: np.ndarray) -> Verification:
    """Simulate every compiled stage of ``state`` on ``x`` and compare with the reference executor
    run on the original model (the stages are reused, never compiled again)."""
    import time

    from hwgen.frontend.reference import Reference

    t0 = time.perf_counter()
    ref = Reference(state.model)(x)
    t_ref = time.perf_counter() - t0
    rows = verify_stages(state.stages, x, ref)
    inexact = tuple(state.stages["integer"].meta.get("inexact_scales", ())) if "integer" in state.stages else ()
    return Verification(rows, len(x), t_ref, inexact, x, ref)


@step("verify")
def _verify_step(state: FlowState) -> FlowState:
    """With ``options["verify_n"]`` > 0 (or ``options["verify_inputs"]``): every stage so far
    against the reference on those inputs; a mismatch stops the flow."""
    x = state.options.get("verify_inputs")
    n = int(state.options.get("verify_n") or 0)
    if x is None:
        if n <= 0:
            return state
        g = state.stages["float"]
        x = random_inputs(tuple(g.tensors[g.inputs[0]].shape), n, int(state.options.get("seed", 0)))
    from hwgen.core.log import console

    with console.status(f"verifying every stage on {len(x)} inputs against qonnx execute_onnx ..."):
        result = verify_state(state, x)
    if not result.passed:
        bad = [f"{r.stage}/{r.output} {r.mismatches}/{r.n}" for r in result.rows if not r.passed]
        raise VerificationError(f"{state.model.name}: simulator differs from the reference at "
                                f"{', '.join(bad)}; run `hwgen verify {state.model}` for the table")
    return state.with_artifact(verification=result)
