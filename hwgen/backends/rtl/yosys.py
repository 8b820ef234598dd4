"""Yosys synthesis of the generated Verilog: real LUT / FF / BRAM18 / DSP counts without Vivado.

``synth_xilinx -family xc7`` (Zynq-7000, PYNQ-Z1) maps to 7-series primitives; ``-family xcup``
(Zynq UltraScale+, ZCU104) to UltraScale+ ones (Yosys 0.23 maps BRAM and DSP48E2 there but has
no URAM mapping: a memory that the cost model would put in URAM lands in BRAM). Every unit is
wrapped in a ``keep_hierarchy`` module by the top-level generator, so one flattened run gives
the per-unit counts and the total.

Counting (primitive -> resource): LUT1-6 and INV are one LUT each; LUTRAM primitives count the
LUTs they occupy (RAM32M/RAM64M 4, RAM32X1D/RAM64X1D 2, RAM128X1D 4, RAM32X1S/RAM64X1S 1,
RAM128X1S 2, RAM256X1S 4, SRL16E/SRLC32E 1; UG474 ch. 5); FDRE/FDSE/FDCE/FDPE are FFs; a RAMB36
is two BRAM18; DSP48E1/E2 one DSP. MUXF7/F8 and CARRY4/8 sit in slices beside the LUTs and are
not counted (Vivado's utilisation report does not count them as LUTs either).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hwgen.core.errors import CodegenError

FAMILIES = {"zynq7000": "xc7", "zynq_us+": "xcup"}  # board ps_family -> synth_xilinx -family

_WEIGHTS: dict[str, tuple[str, int]] = {
    **{f"LUT{i}": ("lut", 1) for i in range(1, 7)}, "INV": ("lut", 1),
    "RAM32M": ("lut", 4), "RAM64M": ("lut", 4), "RAM32M16": ("lut", 8), "RAM64M8": ("lut", 8),
    "RAM32X1D": ("lut", 2), "RAM64X1D": ("lut", 2), "RAM128X1D": ("lut", 4),
    "RAM32X1S": ("lut", 1), "RAM64X1S": ("lut", 1), "RAM128X1S": ("lut", 2), "RAM256X1S": ("lut", 4),
    "SRL16E": ("lut", 1), "SRLC32E": ("lut", 1), "SRLC16E": ("lut", 1),
    "FDRE": ("ff", 1), "FDSE": ("ff", 1), "FDCE": ("ff", 1), "FDPE": ("ff", 1),
    "RAMB18E1": ("bram18", 1), "RAMB36E1": ("bram18", 2), "RAMB18E2": ("bram18", 1), "RAMB36E2": ("bram18", 2),
    "URAM288": ("uram", 1), "DSP48E1": ("dsp", 1), "DSP48E2": ("dsp", 1),
}
RESOURCES = ("lut", "ff", "bram18", "uram", "dsp")


def find_yosys() -> str:
    path = shutil.which(os.environ.get("YOSYS", "yosys"))
    if path is None:
        raise CodegenError("synthesis needs Yosys: apt-get install yosys (or set YOSYS)")
    return path


def count(cells: dict[str, int]) -> dict[str, int]:
    """Resource counts of a Yosys cell histogram (see the module docstring)."""
    out = dict.fromkeys(RESOURCES, 0)
    for cell, n in cells.items():
        kind = _WEIGHTS.get(cell)
        if kind:
            out[kind[0]] += kind[1] * int(n)
    return out


@dataclass(frozen=True)
class SynthResult:
    family: str
    total: dict[str, int]
    modules: dict[str, dict[str, int]]  # keep_hierarchy module -> counts of its own cells
    cells: dict[str, int]  # whole-design primitive histogram
    seconds: float


def synth(sources: Sequence[Path], top: str, family: str = "xc7", cwd: Path | None = None,
          timeout: float = 3600.0) -> SynthResult:
    """``synth_xilinx -family F -flatten`` of ``top``; ``$readmemh`` paths resolve against ``cwd``."""
    yosys = find_yosys()
    cwd = Path(cwd) if cwd else Path(sources[0]).parent
    with tempfile.TemporaryDirectory(dir=cwd) as tmp:
        stat = Path(tmp) / "stat.json"
        script = Path(tmp) / "synth.ys"
        files = " ".join(str(Path(s).resolve()) for s in sources)
        script.write_text(f"read_verilog -defer {files}\nhierarchy -top {top}\n"
                          f"synth_xilinx -family {family} -flatten -noiopad\n"
                          f"tee -q -o {stat} stat -json\n")
        t0 = time.perf_counter()
        r = subprocess.run([yosys, "-q", "-l", str(Path(tmp) / "yosys.log"), str(script)], cwd=cwd,
                           capture_output=True, text=True, timeout=timeout)
        dt = time.perf_counter() - t0
        if r.returncode != 0 or not stat.is_file():
            log = (Path(tmp) / "yosys.log").read_text()[-3000:] if (Path(tmp) / "yosys.log").is_file() else ""
            raise RuntimeError(f"yosys failed on {top} (a bug in hwgen's RTL generation):\n{r.stderr[-2000:]}\n{log}")
        data = json.loads(stat.read_text())
    modules = {name.lstrip("\\"): count(m.get("num_cells_by_type", {})) for name, m in data["modules"].items()}
    cells = data["design"].get("num_cells_by_type", {})
    return SynthResult(family, count(cells), modules, cells, dt)
