"""Fast fuzz profile (issue 11): hypothesis draws mutations of small exported models — structural,
attribute, value, byte-level — and runs each through verify and build (``--flow estimate``; a few
through the full flow with code generation). Every outcome must be success with finite, verified
outputs or a one-line error with exit status 2. The long profile is bench/fuzz.py."""

from __future__ import annotations

import random

from harness import check_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutate import KINDS, mutate

FAST = settings(max_examples=50, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@FAST
@given(seed_model=st.sampled_from(["mlp", "qmlp", "cnn"]), kind=st.sampled_from(KINDS),
       rng_seed=st.integers(0, 2**32 - 1))
def test_mutants_succeed_or_fail_in_one_line(fuzz_seeds, tmp_path_factory, seed_model, kind, rng_seed):
    m = mutate(fuzz_seeds[seed_model].read_bytes(), kind, random.Random(rng_seed))
    work = tmp_path_factory.mktemp("fuzz")
    path = work / "mutant.onnx"
    path.write_bytes(m.data)
    o = check_model(path, work, invalid=m.invalid, verify_n=8, timeout=120)
    assert o.passed, (m.kind, m.desc, o)


@settings(max_examples=3, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(kind=st.sampled_from(["value_odd", "attr_batchnorm", "value_batchnorm"]), rng_seed=st.integers(0, 2**32 - 1))
def test_mutants_through_codegen(fuzz_seeds, tmp_path_factory, kind, rng_seed):
    m = mutate(fuzz_seeds["mlp"].read_bytes(), kind, random.Random(rng_seed))
    work = tmp_path_factory.mktemp("fuzz_full")
    path = work / "mutant.onnx"
    path.write_bytes(m.data)
    o = check_model(path, work, invalid=m.invalid, verify_n=8, codegen=True, timeout=300)
    assert o.passed, (m.kind, m.desc, o)


def test_harness_catches_a_traceback(monkeypatch, fuzz_seeds, tmp_path):
    """The checker must be able to fail: an exception escaping the CLI is classified as a bug."""
    from harness import classify, run_cli

    import hwgen.frontend as fe

    def boom(path):
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(fe, "load", boom)
    r = run_cli(["verify", str(fuzz_seeds["mlp"])])
    assert classify(r) == "BUG:traceback"


def test_harness_catches_accepted_invalid(fuzz_seeds, tmp_path):
    o = check_model(fuzz_seeds["mlp"], tmp_path, invalid=True, verify_n=4)
    assert o.category == "BUG:accepted-invalid"
