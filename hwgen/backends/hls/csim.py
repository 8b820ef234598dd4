"""C-simulation: compile a generated HLS project with g++ and check it against the simulator.

Compiles ``hls/build.sh``'s sources against the ap_types headers in the hls4ml wheel, runs the
binary on N inputs, and compares every output code with ``hwgen.sim.executor`` bit for bit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hwgen.core.errors import CodegenError, VerificationError

CXXFLAGS = ("-std=c++14", "-O2")


def ap_types_dir() -> Path:
    """Where ap_int.h/hls_stream.h live (the hls4ml wheel); CodegenError says how to get them."""
    import importlib.util

    spec = importlib.util.find_spec("hls4ml")
    if spec is None or not spec.origin:
        raise CodegenError("C-simulation needs the ap_types headers from hls4ml: "
                           "pip install --no-deps hls4ml (or pip install 'hwgen[csim]')")
    d = Path(spec.origin).parent / "templates" / "vivado" / "ap_types"
    if not (d / "ap_int.h").is_file():
        raise CodegenError(f"{d}: ap_int.h not found; reinstall hls4ml (pip install --no-deps hls4ml)")
    return d


def find_cxx() -> str:
    cxx = os.environ.get("CXX", "g++")
    path = shutil.which(cxx)
    if path is None:
        raise CodegenError(f"C-simulation needs a C++ compiler ({cxx!r} not found): "
                           "apt-get install g++ (or set CXX)")
    return path


def compile_csim(hls_dir: Path, sources: list[str], out: str = "csim",
                 flags: tuple[str, ...] = CXXFLAGS) -> float:
    """Compile ``sources`` (relative to ``hls_dir``) into ``hls_dir/out``; returns seconds."""
    hls_dir = Path(hls_dir).resolve()  # g++ runs inside hls_dir: every path must be absolute
    cmd = [find_cxx(), *flags, "-I", str(hls_dir / "lib"), "-I", str(ap_types_dir()), *sources, "-o", out]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=hls_dir, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError(f"g++ failed in {hls_dir} (a bug in hwgen's code generation):\n{r.stderr[-4000:]}")
    return dt


def run_csim(hls_dir: Path, x: np.ndarray, out_elems: int, design: int = 0, exe: str = "csim") -> tuple[np.ndarray, float, float]:
    """Run the compiled testbench on integer codes ``x`` (N, in_elems).

    Returns (outputs (N, out_elems) int32, wall seconds, seconds per frame in the top function).
    """
    n = len(x)
    with tempfile.TemporaryDirectory(dir=hls_dir) as tmp:
        fin, fout = Path(tmp) / "in.bin", Path(tmp) / "out.bin"
        np.ascontiguousarray(x.reshape(n, -1), dtype="<i4").tofile(fin)
        t0 = time.perf_counter()
        r = subprocess.run([str(hls_dir / exe), str(fin), str(fout), str(n), str(design)],
                           capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if r.returncode != 0:
            raise VerificationError(f"C-simulation in {hls_dir} failed (exit {r.returncode}): "
                                    f"{(r.stderr or r.stdout).strip()[-2000:]}")
        y = np.fromfile(fout, dtype="<i4").reshape(n, out_elems)
    per = float(r.stdout.split("s per frame")[0].split(",")[-1].strip().split()[0]) if "per frame" in r.stdout else wall / max(n, 1)
    return y, wall, per


def run_csim_words(hls_dir: Path, raw: np.ndarray, out_frame_bytes: int, design: int = 0,
                   exe: str = "csim") -> tuple[np.ndarray, float]:
    """Run the compiled testbench on raw AXI-stream words, as the DMA moves them.

    ``raw`` is (N, in_frame_bytes) uint8 (``hwgen.core.host_runtime.pack_stream``); returns the
    output words (N, out_frame_bytes) uint8 and the wall time. The testbench checks that every
    frame ends with TLAST on its last word.
    """
    n = len(raw)
    with tempfile.TemporaryDirectory(dir=hls_dir) as tmp:
        fin, fout = Path(tmp) / "in.bin", Path(tmp) / "out.bin"
        np.ascontiguousarray(raw, dtype=np.uint8).tofile(fin)
        t0 = time.perf_counter()
        r = subprocess.run([str(hls_dir / exe), str(fin), str(fout), str(n), str(design), "words"],
                           capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if r.returncode != 0:
            raise VerificationError(f"C-simulation in {hls_dir} failed (exit {r.returncode}): "
                                    f"{(r.stderr or r.stdout).strip()[-2000:]}")
        return np.fromfile(fout, dtype=np.uint8).reshape(n, out_frame_bytes), wall


@dataclass(frozen=True)
class CsimResult:
    n: int
    compile_s: float
    run_s: float
    per_frame_s: float
    mismatches: int


def csim_graph(g, hls_dir: Path, n: int, seed: int = 0, compile_: bool = True, design=None) -> CsimResult:
    """Compile the project in ``hls_dir`` (from ``hwgen.backends.hls.codegen.generate``), run ``n``
    inputs drawn in the input quantizer's code space, and compare with the simulator's accelerator output bit for bit.

    ``design`` is the ``Design`` the project was generated from (its port layout); by default
    it is rebuilt for a 64-bit AXI port.
    """
    from hwgen.backends.hls.design import build_design
    from hwgen.core.host_runtime import frame_bytes, pack_stream, unpack_stream
    from hwgen.sim.executor import execute
    from hwgen.sim.verify import check_inputs

    find_cxx()
    ap_types_dir()
    d = design if design is not None else build_design(g)
    tin, tout = d.in_tensor, d.out_tensor
    x = check_inputs(g, n, seed)  # the input quantizer's codes: every code, both signs, extremes
    env = execute(g, x, keep=True)
    codes = env[tin].reshape(n, -1).astype(np.int32)
    want = env[tout].reshape(n, -1).astype(np.int64)
    t_compile = compile_csim(hls_dir, ["tb.cpp", "top.cpp"]) if compile_ else 0.0
    # the exact DMA words the driver writes and reads (one packer: hwgen.core.host_runtime)
    t0 = time.perf_counter()
    raw, _ = run_csim_words(hls_dir, pack_stream(codes, d.in_port), frame_bytes(d.out_port))
    got = unpack_stream(raw, d.out_port)
    wall = time.perf_counter() - t0
    per = wall / max(n, 1)
    bad = int(np.any(got != want, axis=1).sum())
    res = CsimResult(n, t_compile, wall, per, bad)
    if bad:
        first = int(np.argmax(np.any(got != want, axis=1)))
        raise VerificationError(f"C-simulation differs from the simulator on {bad}/{n} inputs "
                                f"(first: input {first}, tensor {tout!r}); see {hls_dir}")
    return res


# -- flow step ---------------------------------------------------------------------------------
from hwgen.core.flow import FlowState, step  # noqa: E402


@step("csim")
def _csim_step(state: FlowState) -> FlowState:
    """With ``options["csim_n"]`` > 0: compile the generated project, check N inputs bit for bit."""
    n = int(state.options.get("csim_n", 0) or 0)
    if n <= 0:
        return state
    find_cxx()
    ap_types_dir()
    hls_dir = Path(state.artifacts.get("hls_dir", Path(state.options["out_dir"]) / "hls"))
    g = state.graph  # the latest stage: the folded hardware graph
    from hwgen.core.log import console

    with console.status(f"C-simulation: compiling the HLS project with g++, then {n} inputs ..."):
        r = csim_graph(g, hls_dir, n, design=state.artifacts.get("design"))

    console.print(f"csim: compiled in {r.compile_s:.1f} s; {n} inputs in {r.run_s:.2f} s "
                  f"({1000 * r.per_frame_s:.2f} ms per frame), all equal to the simulator")
    return state.with_artifact(csim=r)
