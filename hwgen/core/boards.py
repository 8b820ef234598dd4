"""Boards are data: boards/<name>.toml loaded into a frozen dataclass."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from hwgen.core.errors import ConfigError
from hwgen.core.resources import data_dir

BOARDS_DIR = data_dir("boards")
RESOURCE_KINDS = ("lut", "ff", "bram18", "uram", "dsp")


@dataclass(frozen=True)
class Board:
    name: str
    part: str
    ps_family: str
    clock_mhz: float
    axi_port_bits: int
    lut: int
    ff: int
    bram18: int
    uram: int
    dsp: int
    vivado_board_part: str = ""  # Vivado board part (board files) for the PS preset; optional
    backend: str = "hls"  # the library the units' resources() price: "hls" or "rtl" (--backend)

    def capacity(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in RESOURCE_KINDS}


def known_boards() -> list[str]:
    return sorted(p.stem for p in BOARDS_DIR.glob("*.toml"))


# A board file is input: nothing in it may reach Tcl unvalidated (DESIGN §7). Parts are Xilinx
# part numbers; Vivado board parts are vendor:board:part0:version.
PART_RE = re.compile(r"^x[a-z0-9]+(-[a-z0-9]+)*$")
BOARD_PART_RE = re.compile(r"^[A-Za-z0-9_.]+:[A-Za-z0-9_.-]+:[A-Za-z0-9_.]+:[0-9][0-9.]*$")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
PORT_WIDTHS = (32, 64, 128, 256, 512, 1024)
MAX_CLOCK_MHZ = 1000.0


def validate_board(d: dict, where: str) -> Board:
    """A Board from a parsed board file, or ConfigError naming the field, its value and the rule."""

    def bad(field: str, value, rule: str):
        raise ConfigError(f"{where}: {field} = {value!r} {rule}; see boards/pynq-z1.toml")

    if not isinstance(d, dict):
        bad("board", d, "is not a table")
    for key in ("name", "part", "ps_family", "clock_mhz", "axi_port_bits", "resources"):
        if key not in d:
            raise ConfigError(f"{where}: missing key {key!r}; see boards/pynq-z1.toml")
    for key, rx in (("name", NAME_RE), ("part", PART_RE), ("ps_family", NAME_RE)):
        v = d[key]
        if not isinstance(v, str) or not rx.fullmatch(v) or len(v) > 64:
            bad(key, v, f"does not match {rx.pattern}")
    bp = d.get("vivado_board_part", "")
    if not isinstance(bp, str) or (bp and (not BOARD_PART_RE.fullmatch(bp) or len(bp) > 128)):
        bad("vivado_board_part", bp, f"does not match {BOARD_PART_RE.pattern}")
    clk = d["clock_mhz"]
    if isinstance(clk, bool) or not isinstance(clk, int | float) or not math.isfinite(clk) or not 0 < clk <= MAX_CLOCK_MHZ:
        bad("clock_mhz", clk, f"must be a finite number in (0, {MAX_CLOCK_MHZ:g}]")
    port = d["axi_port_bits"]
    if isinstance(port, bool) or not isinstance(port, int) or port not in PORT_WIDTHS:
        bad("axi_port_bits", port, f"must be one of {', '.join(map(str, PORT_WIDTHS))}")
    res = d["resources"]
    if not isinstance(res, dict):
        bad("resources", res, "is not a table")
    counts = {}
    for k in RESOURCE_KINDS:
        v = res.get(k)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            bad(f"resources.{k}", v, "must be an integer >= 0")
        counts[k] = v
    return Board(name=d["name"], part=d["part"], ps_family=d["ps_family"], clock_mhz=float(clk),
                 axi_port_bits=port, vivado_board_part=bp, **counts)


def check_board_values(b: Board) -> Board:
    """Re-check a Board built in code (not from a file) before its strings reach Tcl."""
    d = {k: getattr(b, k) for k in ("name", "part", "ps_family", "clock_mhz", "axi_port_bits", "vivado_board_part")}
    d["resources"] = b.capacity()
    return validate_board(d, f"board {b.name!r}")


def load_board(name_or_path: str) -> Board:
    """A board by name (boards/<name>.toml) or by path to a .toml file."""
    p = Path(name_or_path)
    if p.suffix != ".toml":
        if not NAME_RE.fullmatch(name_or_path):
            raise ConfigError(f"unknown board {name_or_path!r}; known boards: {', '.join(known_boards())} "
                              "(or pass a path to a board .toml)")
        p = BOARDS_DIR / f"{name_or_path}.toml"
    if not p.is_file():
        raise ConfigError(
            f"unknown board {name_or_path!r}; known boards: {', '.join(known_boards())} "
            "(or pass a path to a board .toml)"
        )
    try:
        d = tomllib.loads(p.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as e:
        msg = (str(e).splitlines() or [type(e).__name__])[0]
        raise ConfigError(f"{p}: invalid board file ({type(e).__name__}: {msg}); see boards/pynq-z1.toml") from None
    return validate_board(d, str(p))
