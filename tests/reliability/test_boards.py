"""Issue 11: board files are validated against a schema before any value reaches Tcl."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import refused_one_line

from hwgen.core.boards import BOARDS_DIR, check_board_values, load_board
from hwgen.core.errors import ConfigError

GOOD = (BOARDS_DIR / "pynq-z1.toml").read_text()


def _board(tmp_path, old: str, new: str):
    assert old in GOOD
    p = tmp_path / "b.toml"
    p.write_text(GOOD.replace(old, new))
    return p


@pytest.mark.parametrize("old,new,field", [
    ("clock_mhz = 100.0", "clock_mhz = 0.0", "clock_mhz"),
    ("clock_mhz = 100.0", "clock_mhz = nan", "clock_mhz"),
    ("clock_mhz = 100.0", "clock_mhz = -100.0", "clock_mhz"),
    ("clock_mhz = 100.0", "clock_mhz = inf", "clock_mhz"),
    ("clock_mhz = 100.0", 'clock_mhz = "100"', "clock_mhz"),
    ("axi_port_bits = 64", "axi_port_bits = 0", "axi_port_bits"),
    ("axi_port_bits = 64", "axi_port_bits = 7", "axi_port_bits"),
    ("axi_port_bits = 64", "axi_port_bits = -64", "axi_port_bits"),
    ("axi_port_bits = 64", "axi_port_bits = 2048", "axi_port_bits"),
    ('part = "xc7z020clg400-1"', 'part = "xc7z\\"; puts HACKED; #"', "part"),
    ('part = "xc7z020clg400-1"', 'part = "xc7z020 [exec rm -rf /]"', "part"),
    ('part = "xc7z020clg400-1"', 'part = "xc7z020\\nputs HACKED"', "part"),
    ('name = "pynq-z1"', 'name = "a b; puts HACKED"', "name"),
    ('ps_family = "zynq7000"', 'ps_family = "zynq7000}"', "ps_family"),
    ('vivado_board_part = "www.digilentinc.com:pynq-z1:part0:1.0"',
     'vivado_board_part = "x:y:z:1.0]; puts HACKED"', "vivado_board_part"),
    ("lut = 53200", "lut = -1", "resources.lut"),
    ("dsp = 220", "dsp = 2.5", "resources.dsp"),
    ("bram18 = 280", 'bram18 = "many"', "resources.bram18"),
    ("lut = 53200\n", "", "resources.lut"),
])
def test_bad_board_file_refused(tmp_path, old, new, field):
    p = _board(tmp_path, old, new)
    with pytest.raises(ConfigError) as e:
        load_board(str(p))
    msg = str(e.value)
    assert "\n" not in msg and field in msg and str(p) in msg


def test_injection_never_reaches_tcl(tmp_path, fuzz_seeds):
    """The issue's case: `set_part xc7z"; puts HACKED; ...` ran. The build refuses before writing."""
    p = _board(tmp_path, 'part = "xc7z020clg400-1"', 'part = "xc7z\\"; puts HACKED; #"')
    out = tmp_path / "out"
    line = refused_one_line(["build", str(fuzz_seeds["mlp"]), "--board", str(p), "--out", str(out)])
    assert "part" in line
    assert not out.exists()


def test_board_built_in_code_is_checked_before_tcl(tfc_hw, tmp_path):
    """A Board constructed in code (not from a file) is re-validated where the Tcl is rendered."""
    from hwgen.backends.board import generate_board
    from hwgen.backends.hls.design import build_design

    bad = dataclasses.replace(load_board("pynq-z1"), part='xc7z"; puts HACKED; #')
    with pytest.raises(ConfigError, match="part"):
        check_board_values(bad)
    with pytest.raises(ConfigError, match="part"):
        generate_board(tfc_hw, bad, build_design(tfc_hw), tmp_path)
    assert not (tmp_path / "vivado").exists()


def test_shipped_boards_pass():
    for name in ("pynq-z1", "zcu104"):
        b = load_board(name)
        assert check_board_values(b) == b


def test_unknown_board_name_is_one_line():
    with pytest.raises(ConfigError, match="unknown board"):
        load_board("../../etc/passwd")
