"""Run a model file through ``hwgen verify`` and ``hwgen build`` in-process and classify the outcome.

Every outcome must be either success with finite, verified outputs, or a one-line error with exit
status 2. Anything else is a defect, reported as ``BUG:<what>``.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
import tempfile
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

OK, REFUSED = "ok", "refused"


class Hang(BaseException):
    pass


@dataclass(frozen=True)
class CliResult:
    code: int | str
    out: str
    err: str


def run_cli(args: list[str], timeout: int = 0) -> CliResult:
    """``hwgen ARGS`` in this process: (exit status or "exception", stdout, stderr)."""
    from hwgen.app.cli import run

    out, err = io.StringIO(), io.StringIO()
    old_argv = sys.argv
    sys.argv = ["hwgen", *args]

    def on_alarm(signum, frame):
        raise Hang()

    old_alarm = signal.signal(signal.SIGALRM, on_alarm) if timeout else None
    code: int | str = 0
    # C/C++ libraries (onnxruntime) write to file descriptor 2 directly: capture that too
    sys.stderr.flush()
    fd_err = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 - closed in the finally below
    saved_fd = os.dup(2)
    os.dup2(fd_err.fileno(), 2)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
            warnings.simplefilter("default")  # a warning we let through shows up on stderr
            if timeout:
                signal.alarm(timeout)
            try:
                run()
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            finally:
                if timeout:
                    signal.alarm(0)
    except Hang:
        code = "hang"
    except BaseException:  # noqa: BLE001 - anything escaping run() is a traceback for the user
        code = "exception"
        err.write(traceback.format_exc())
    finally:
        sys.argv = old_argv
        if timeout:
            signal.signal(signal.SIGALRM, old_alarm)
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        fd_err.seek(0)
        native = fd_err.read().decode("utf-8", "replace")
        fd_err.close()
    return CliResult(code, out.getvalue(), native + err.getvalue())


def classify(r: CliResult) -> str:
    """ok / refused, or BUG:<why> for anything a user must never see."""
    lines = [ln for ln in r.err.splitlines() if ln.strip()]
    if r.code == "hang":
        return "BUG:hang"
    if "Traceback" in r.err or "Traceback" in r.out or r.code == "exception":
        return "BUG:traceback"
    if r.code == 0:
        return OK
    if r.code != 2:
        return f"BUG:exit-{r.code}"
    if len(lines) != 1 or not lines[0].startswith("error:"):
        return "BUG:multiline"
    return REFUSED


def outputs_finite(model: Path, n: int = 16) -> bool:
    """Independent of verify's verdict: the hardware simulator's outputs are finite."""
    from hwgen.core.flow import compile_model
    from hwgen.sim.executor import simulate
    from hwgen.sim.verify import check_inputs

    st = compile_model(model)
    x = check_inputs(st.stages["float"], n)
    with np.errstate(all="ignore"):
        outs = simulate(st.stages["hardware"], x)
    return all(np.all(np.isfinite(np.asarray(o, np.float64))) for o in outs)


@dataclass(frozen=True)
class Outcome:
    verify: str
    build: str
    codegen: str | None
    detail: str

    @property
    def category(self) -> str:
        bugs = [c for c in (self.verify, self.build, self.codegen) if c and c.startswith("BUG")]
        if bugs:
            return bugs[0]
        return OK if self.verify == OK else REFUSED

    @property
    def passed(self) -> bool:
        return not self.category.startswith("BUG")


def check_model(model: Path, work: Path, *, invalid: bool = False, codegen: bool = False,
                verify_n: int = 16, timeout: int = 300) -> Outcome:
    """verify, build --flow estimate (and optionally the default flow) on ``model``."""
    v = run_cli(["verify", str(model), "--n", str(verify_n)], timeout)
    cv = classify(v)
    detail = (v.err.strip().splitlines() or [""])[-1][:300]
    if cv == OK:
        if invalid:
            cv = "BUG:accepted-invalid"
        elif not outputs_finite(model):
            cv = "BUG:nonfinite-success"
    b = run_cli(["build", str(model), "--flow", "estimate", "--out", str(work / "est"), "--force"], timeout)
    cb = classify(b)
    if cb == OK and invalid:
        cb = "BUG:accepted-invalid"
    if cb.startswith("BUG") and not detail:
        detail = (b.err.strip().splitlines() or [""])[-1][:300]
    cc = None
    if codegen:
        c = run_cli(["build", str(model), "--out", str(work / "full"), "--force", "--verify-n", str(verify_n)], timeout)
        cc = classify(c)
        if cc == OK and (invalid or cv != OK):
            cc = "BUG:built-unverified"  # build must verify with the same verdict as verify
        if cc.startswith("BUG") and not detail:
            detail = (c.err.strip().splitlines() or [""])[-1][:300]
    return Outcome(cv, cb, cc, detail)
