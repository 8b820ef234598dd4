"""Issue 11: output directories — lock, commit-time check, signals, stale temporaries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from helpers import refused_one_line, run_cli

ROOT = Path(__file__).parents[2]


# builds that must still be running when the test acts on them (signal, lock, a user's file):
# verifying this many inputs keeps even a fast, quiet machine busy for seconds after the
# temporary directory appears (with 200, a quiet CI machine finished before the SIGTERM landed)
RUNNING = "20000"

def _build_proc(model: Path, out: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "hwgen", "build", str(model), "--out", str(out), *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_tmp(out: Path, proc: subprocess.Popen, timeout: float = 120) -> Path:
    """The build's temporary sibling, once it exists (the build is then under way, lock held)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        found = sorted(out.parent.glob(f".{out.name}.tmp-*"))
        if found:
            return found[0]
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    raise AssertionError("the build never created its temporary directory")


def _leftovers(out: Path) -> list[Path]:
    return sorted(p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def test_sigterm_leaves_nothing(fuzz_seeds, tmp_path):
    out = tmp_path / "proj"
    p = _build_proc(fuzz_seeds["cnn"], out, "--verify-n", RUNNING)
    _wait_for_tmp(out, p)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err
    assert not out.exists() and _leftovers(out) == []


def test_sigint_leaves_nothing(fuzz_seeds, tmp_path):
    out = tmp_path / "proj"
    p = _build_proc(fuzz_seeds["cnn"], out, "--verify-n", RUNNING)
    _wait_for_tmp(out, p)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130 and "Traceback" not in err, err
    assert not out.exists() and _leftovers(out) == []


def test_user_file_created_during_build_survives(fuzz_seeds, tmp_path):
    out = tmp_path / "proj"
    p = _build_proc(fuzz_seeds["cnn"], out, "--verify-n", RUNNING)
    _wait_for_tmp(out, p)
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    _, err = p.communicate(timeout=300)
    assert p.returncode == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "appeared while this build ran" in lines[0]
    assert (out / "notes.txt").read_text() == "mine" and sorted(out.iterdir()) == [out / "notes.txt"]
    assert _leftovers(out) == []


def test_two_builds_into_one_out(fuzz_seeds, tmp_path):
    out = tmp_path / "proj"
    first = _build_proc(fuzz_seeds["cnn"], out, "--verify-n", RUNNING)
    _wait_for_tmp(out, first)
    second = _build_proc(fuzz_seeds["mlp"], out, "--force")
    _, err2 = second.communicate(timeout=300)
    _, err1 = first.communicate(timeout=300)
    assert first.returncode == 0, err1
    assert second.returncode == 2 and len(err2.strip().splitlines()) == 1, err2
    assert "another hwgen build" in err2
    assert (out / "report" / "graph.json").is_file()
    assert "cnn" in (out / "report" / "graph.json").read_text() or (out / "hls").is_dir()
    assert _leftovers(out) == []


def test_force_onto_a_file_fails_before_the_build(fuzz_seeds, tmp_path):
    target = tmp_path / "proj"
    target.write_text("not a directory")
    line = refused_one_line(["build", str(fuzz_seeds["mlp"]), "--out", str(target), "--force"])
    assert "not a directory" in line
    assert target.read_text() == "not a directory" and _leftovers(target) == []


def test_existing_directory_needs_force_and_force_replaces(fuzz_seeds, tmp_path):
    out = tmp_path / "proj"
    out.mkdir()
    (out / "old.txt").write_text("old")
    refused_one_line(["build", str(fuzz_seeds["mlp"]), "--flow", "estimate", "--out", str(out)])
    assert (out / "old.txt").exists()
    r = run_cli(["build", str(fuzz_seeds["mlp"]), "--flow", "estimate", "--out", str(out), "--force"])
    assert r.code == 0, r.err
    assert not (out / "old.txt").exists() and (out / "report").is_dir() and _leftovers(out) == []


def test_stale_sibling_from_sigkill_is_swept_by_name(fuzz_seeds, tmp_path):
    out = tmp_path / "proj"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".proj.tmp-{dead.pid}-abcd"
    (stale / "hls").mkdir(parents=True)
    live = tmp_path / f".proj.tmp-{os.getpid()}-efgh"  # a running process's: not touched
    live.mkdir()
    r = run_cli(["build", str(fuzz_seeds["mlp"]), "--flow", "estimate", "--out", str(out)])
    assert r.code == 0, r.err
    assert not stale.exists() and str(stale) in r.out.replace("\n", "")
    assert live.exists()


def test_sigkill_then_next_build_cleans_up(fuzz_seeds, tmp_path):
    out = tmp_path / "proj"
    p = _build_proc(fuzz_seeds["cnn"], out, "--verify-n", RUNNING)
    tmp = _wait_for_tmp(out, p)
    p.kill()
    p.wait()
    assert tmp.exists()  # SIGKILL cannot be handled: the next build sweeps it
    r = run_cli(["build", str(fuzz_seeds["mlp"]), "--flow", "estimate", "--out", str(out)])
    assert r.code == 0, r.err
    assert not tmp.exists() and _leftovers(out) == []
