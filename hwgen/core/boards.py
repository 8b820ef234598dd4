"""Boards are data: boards/<name>.toml loaded into a frozen dataclass."""

from __future__ import annotations

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

    def capacity(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in RESOURCE_KINDS}


def known_boards() -> list[str]:
    return sorted(p.stem for p in BOARDS_DIR.glob("*.toml"))


def load_board(name_or_path: str) -> Board:
    """A board by name (boards/<name>.toml) or by path to a .toml file."""
    p = Path(name_or_path)
    if p.suffix != ".toml":
        p = BOARDS_DIR / f"{name_or_path}.toml"
    if not p.is_file():
        raise ConfigError(
            f"unknown board {name_or_path!r}; known boards: {', '.join(known_boards())} "
            "(or pass a path to a board .toml)"
        )
    try:
        d = tomllib.loads(p.read_text())
        res = d["resources"]
        return Board(
            name=str(d["name"]), part=str(d["part"]), ps_family=str(d["ps_family"]),
            clock_mhz=float(d["clock_mhz"]), axi_port_bits=int(d["axi_port_bits"]),
            **{k: int(res[k]) for k in RESOURCE_KINDS},
            vivado_board_part=str(d.get("vivado_board_part", "")),
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as e:
        raise ConfigError(f"{p}: invalid board file ({type(e).__name__}: {e}); see boards/pynq-z1.toml") from None
