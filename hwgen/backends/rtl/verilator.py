"""Verilator harness: verilate stream modules with a generated C++ testbench, run words through them.

Several configurations are compiled into one binary (``templates/rtl/harness.v.j2`` instantiates
each with its own ports; ``tb.cpp.j2`` drives the one named on the command line), and builds are
cached by the hash of every source text, so a second run of the same grid does not recompile.
Memories are ``$readmemh`` files read when the model starts, relative to the run directory:
new weights never need a new build.

Words cross the file boundary in the stream layout of ``hwgen.core.host_runtime`` (element i at
bits [i*B, (i+1)*B), two's complement), each word as ``stride`` little-endian uint32.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import numpy as np

from hwgen.core.errors import CodegenError, VerificationError
from hwgen.core.host_runtime import pack_elements, unpack_elements
from hwgen.core.resources import data_dir

TEMPLATES = data_dir("templates")
LIB_DIR = TEMPLATES / "rtl" / "lib"
# the C++ of a verilated model compiles much faster at -O1 and runs almost as fast as -O2 here
VERILATOR_FLAGS = ("--cc", "--exe", "--build", "-Wno-fatal", "-Wno-WIDTH", "-Wno-lint", "-Wno-style",
                   "--x-assign", "0", "--x-initial", "0", "-O3", "-CFLAGS", "-O1", "-MAKEFLAGS", "OPT_FAST=-O1")

_ENV: jinja2.Environment | None = None


def render(template: str, **values) -> str:
    """Render ``templates/<template>`` (StrictUndefined, trim/lstrip blocks); errors name it."""
    global _ENV
    if _ENV is None:
        _ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                                  trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                                  autoescape=False)
    try:
        return _ENV.get_template(template).render(**values)
    except jinja2.TemplateError as e:
        raise RuntimeError(f"template {template}: {type(e).__name__}: {e}") from e


def find_verilator() -> str:
    path = shutil.which(os.environ.get("VERILATOR", "verilator"))
    if path is None:
        raise CodegenError("RTL simulation needs Verilator: apt-get install verilator (or set VERILATOR)")
    return path


def stride(width: int) -> int:
    """uint32 per word in the testbench files (at least 2: ports up to 64 bits are one integer)."""
    return max(2, -(-width // 32))


UNIT_PORTS = {"clk": "clk", "rst": "rst_n", "idata": "in_tdata", "ivalid": "in_tvalid", "iready": "in_tready",
              "odata": "out_tdata", "ovalid": "out_tvalid", "oready": "out_tready", "olast": "", "extra": []}


@dataclass(frozen=True)
class Config:
    """One module instance of the harness: its stream ports ``<in>_t*`` and ``<out>_t*``.

    A module with several streams on one side packs them into that one port (stream k's data
    above stream k-1's, bit k of valid/ready): ``in_streams`` / ``out_streams`` give their widths
    (empty: one stream of ``in_width`` / ``out_width``); the harness gives each its own ports."""

    module: str
    params: dict[str, str]  # Verilog parameter -> literal
    in_width: int
    out_width: int
    summary: str = ""
    ports: dict = field(default_factory=lambda: dict(UNIT_PORTS))
    in_streams: tuple[int, ...] = ()
    out_streams: tuple[int, ...] = ()

    @property
    def ins(self) -> tuple[int, ...]:
        return self.in_streams or (self.in_width,)

    @property
    def outs(self) -> tuple[int, ...]:
        return self.out_streams or (self.out_width,)

    @property
    def in_strides(self) -> list[int]:
        return [stride(w) for w in self.ins]

    @property
    def out_strides(self) -> list[int]:
        return [stride(w) for w in self.outs]

    @property
    def in_stride(self) -> int:
        return stride(self.ins[0])

    @property
    def out_stride(self) -> int:
        return stride(self.outs[0])


def verilog_params(params: dict, files: dict[str, str]) -> dict[str, str]:
    """Parameters as Verilog literals; ``files`` maps file parameters to their relative paths."""
    out = {k: (v if isinstance(v, str) else str(int(v))) for k, v in params.items()}
    out.update({k: f'"{v}"' for k, v in files.items()})
    return out


def _cache_root() -> Path:
    root = os.environ.get("HWGEN_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "hwgen")
    return Path(root) / "verilator"


@dataclass(frozen=True)
class Build:
    exe: Path
    seconds: float  # 0.0 when taken from the cache
    cached: bool


def build(configs: Sequence[Config], sources: Sequence[Path] = (), cache: bool = True,
          jobs: int = 1) -> Build:
    """Verilate the harness of ``configs`` (plus extra Verilog ``sources``) into one binary."""
    verilator = find_verilator()
    harness = render("rtl/harness.v.j2", configs=configs)
    tb = render("rtl/tb.cpp.j2", configs=configs)
    libs = sorted(LIB_DIR.glob("*.v")) + [Path(s) for s in sources]
    h = hashlib.sha256()
    for text in [harness, tb, " ".join(VERILATOR_FLAGS), verilator]:
        h.update(text.encode())
    for p in libs:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    key = h.hexdigest()[:24]
    final = _cache_root() / key
    exe = final / "sim"
    if cache and exe.is_file():
        return Build(exe, 0.0, True)
    root = _cache_root()
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{key}.", dir=root))
    try:
        (work / "harness.v").write_text(harness)
        (work / "tb.cpp").write_text(tb)
        cmd = [verilator, *VERILATOR_FLAGS, "-j", str(jobs), "--top-module", "hwgen_harness", "-Mdir", "obj",
               "-o", "../sim", "harness.v", *[str(p) for p in libs], "tb.cpp"]
        t0 = time.perf_counter()
        r = subprocess.run(cmd, cwd=work, capture_output=True, text=True, check=False)
        dt = time.perf_counter() - t0
        if r.returncode != 0 or not (work / "sim").is_file():
            raise RuntimeError(f"verilator failed in {work} (a bug in hwgen's RTL generation):\n"
                               f"{(r.stderr or r.stdout)[-4000:]}")
        shutil.rmtree(work / "obj", ignore_errors=True)
        if final.exists():
            shutil.rmtree(work, ignore_errors=True)
        else:
            os.replace(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Build(exe, dt, False)


@dataclass(frozen=True)
class FifoPeak:
    instance: str
    peak: int
    capacity: int
    now: int  # words held when the run ended


@dataclass(frozen=True)
class Run:
    words: np.ndarray  # (n_out, stride) uint32 of output stream 0
    t_in: np.ndarray  # cycle of every transfer on input stream 0
    t_out: np.ndarray  # cycle of every transfer on output stream 0
    last: np.ndarray  # TLAST of every output word (0 for ports without one)
    cycles: int
    fifos: list[FifoPeak]
    deadlock: bool
    seconds: float
    out_words: list[np.ndarray] = field(default_factory=list)  # every output stream's words
    t_ins: list[np.ndarray] = field(default_factory=list)  # every input stream's transfer cycles
    t_outs: list[np.ndarray] = field(default_factory=list)  # every output stream's


_FIFO = re.compile(r"HWGEN_FIFO (\S+) peak=(\d+) depth=(\d+) now=(\d+)")


def run(exe: Path, cfg: int, cfg_info: Config, words: np.ndarray, n_out: int, cwd: Path,
        stall_limit: int = 100_000) -> Run:
    """Run configuration ``cfg`` on input ``words`` (n_in, in_stride) uint32 in directory ``cwd``."""
    return run_streams(exe, cfg, cfg_info, [words], [n_out], cwd, stall_limit)


def run_streams(exe: Path, cfg: int, cfg_info: Config, inputs: Sequence[np.ndarray], n_outs: Sequence[int],
                cwd: Path, stall_limit: int = 100_000, throttle: int = 0, seed: int = 0) -> Run:
    """Run configuration ``cfg`` with one word array (n_k, stride_k) uint32 per input stream and
    ``n_outs[k]`` words expected on output stream k; ``throttle`` percent of back-pressure."""
    if len(inputs) != len(cfg_info.ins) or len(n_outs) != len(cfg_info.outs):
        raise ValueError(f"{cfg_info.module}: {len(cfg_info.ins)} input and {len(cfg_info.outs)} output streams")
    ins = [np.ascontiguousarray(w, dtype="<u4") for w in inputs]
    n_ins = [len(w) for w in ins]
    with tempfile.TemporaryDirectory(dir=cwd) as tmp:
        fin, fout = Path(tmp) / "in.bin", Path(tmp) / "out.bin"
        with open(fin, "wb") as f:
            for w in ins:
                w.tofile(f)
        cmd = [str(exe), str(cfg), str(fin), ",".join(map(str, n_ins)), str(fout), ",".join(map(str, n_outs)),
               str(stall_limit)]
        if throttle:
            cmd += [str(throttle), str(seed)]
        t0 = time.perf_counter()
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
        dt = time.perf_counter() - t0
        if r.returncode not in (0, 3) or not fout.is_file():
            raise VerificationError(f"RTL simulation ({exe}) failed (exit {r.returncode}): "
                                    f"{(r.stderr or r.stdout).strip()[-2000:]}")
        raw = np.fromfile(fout, dtype=np.uint8)
    pos = 0

    def take(n: int, dtype: str) -> np.ndarray:
        nonlocal pos
        size = n * np.dtype(dtype).itemsize
        a = raw[pos : pos + size].view(dtype)
        pos += size
        return a

    outs = [take(n * s, "<u4").reshape(n, s) for n, s in zip(n_outs, cfg_info.out_strides)]
    t_ins = [take(n, "<i8") for n in n_ins]
    t_outs = [take(n, "<i8") for n in n_outs]
    lasts = [take(n, "u1").astype(bool) for n in n_outs]
    fifos = [FifoPeak(m[1], int(m[2]), int(m[3]), int(m[4])) for m in _FIFO.finditer(r.stdout)]
    cyc = re.search(r"cycle[s]?=(\d+)", r.stdout)
    return Run(outs[0], t_ins[0], t_outs[0], lasts[0], int(cyc[1]) if cyc else 0, fifos, r.returncode == 3, dt,
               outs, t_ins, t_outs)


def pack_words(codes: np.ndarray, epw: int, bits: int, width: int) -> np.ndarray:
    """Integer codes (..., k*epw) -> (k, stride) uint32 words, element i at bits [i*B, (i+1)*B)."""
    w = np.asarray(codes).reshape(-1, epw)
    return pack_elements(w, bits, 4 * stride(width)).view("<u4")


def unpack_words(words: np.ndarray, epw: int, bits: int, signed: bool) -> np.ndarray:
    """(k, stride) uint32 -> (k, epw) int64 codes, sign-extended if ``signed``."""
    raw = np.ascontiguousarray(words, dtype="<u4").view(np.uint8)
    return unpack_elements(raw, epw, bits, signed)


def frame_interval(t_out: np.ndarray, words_per_frame: int) -> float:
    """Steady-state cycles per frame: the mean spacing of frame ends over the second half."""
    ends = t_out.reshape(-1, words_per_frame)[:, -1]
    n = len(ends)
    if n < 3:
        raise ValueError("a steady-state interval needs at least 3 frames")
    h = n // 2
    return float(ends[-1] - ends[h - 1]) / (n - h)
