"""Board-level errors (before anything is written) and the generated Makefile's deploy target."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import time

import pytest

from hwgen.core.boards import load_board
from hwgen.core.errors import CodegenError, ConfigError


def test_unknown_ps_family_fails_before_writing(tmp_path):
    toml = tmp_path / "versal.toml"
    text = open(os_path("pynq-z1")).read().replace('ps_family = "zynq7000"', 'ps_family = "versal"')
    toml.write_text(text.replace('name = "pynq-z1"', 'name = "vck-test"'))
    from hwgen.app.build import run_build

    out = tmp_path / "out"
    with pytest.raises(ConfigError, match=r"^board 'vck-test': ps_family 'versal' has no block-design template; use one of zynq7000, zynq_us\+") as e:
        run_build(str(tmp_path / "model.onnx"), board=str(toml), out_dir=str(out), force=False,
                  flow="default", verify_n=0)
    assert "\n" not in str(e.value)
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["versal.toml"]


def os_path(board: str) -> str:
    from hwgen.core.boards import BOARDS_DIR

    return str(BOARDS_DIR / f"{board}.toml")


def test_stream_wider_than_dma_is_an_error(cnv_hw, tmp_path):
    from hwgen.backends.board import generate_board
    from hwgen.backends.hls.design import build_design

    # a board file cannot say 4096 (schema: 32..1024); a design built for it still must not pass
    wide = dataclasses.replace(load_board("zcu104"), axi_port_bits=1024)
    d = build_design(cnv_hw, 4096)
    assert d.in_port["axi"] == 4096  # 512 x 8-bit pixels per word
    with pytest.raises(CodegenError, match="input stream is 4096 bits wide; the AXI DMA takes at most 1024"):
        generate_board(cnv_hw, wide, d, tmp_path / "p")
    assert not (tmp_path / "p").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_make_deploy_collects_the_package(tfc_scripts):
    root = tfc_scripts["pynq-z1"].root
    # what `make hls` and `make bitstream` would have produced, newer than their inputs
    ip = root / "hls/hwgen_hls/solution1/impl/ip/component.xml"
    ip.parent.mkdir(parents=True, exist_ok=True)
    (root / "vivado/out").mkdir(parents=True, exist_ok=True)
    past = time.time() - 100
    for f in [*root.glob("hls/*"), *root.glob("vivado/*.tcl"), *root.glob("driver/*")]:
        os.utime(f, (past, past))
    later = past + 10
    for f, text in ((ip, "<ip/>"), (root / "vivado/out/hwgen.bit", "BIT"), (root / "vivado/out/hwgen.hwh", "<hwh/>")):
        f.write_text(text)
        os.utime(f, (later, later))
        later += 1
    dry = subprocess.run(["make", "-n", "hls", "HLS=vitis_hls"], cwd=root, capture_output=True, text=True)
    assert dry.returncode == 0 and "vitis_hls" not in dry.stdout  # the IP is up to date
    r = subprocess.run(["make", "deploy"], cwd=root, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    got = sorted(p.name for p in (root / "deploy").iterdir())
    assert got == ["accel.json", "driver.py", "example_input.npy", "example_output.npy",
                   "host_params.npz", "host_runtime.py", "hwgen.bit", "hwgen.hwh", "run.sh"]
    # a changed library header rebuilds the IP
    lib = root / "hls/lib/mvau.hpp"
    os.utime(lib, (later + 5, later + 5))
    dry = subprocess.run(["make", "-n", "hls", "HLS=vitis_hls"], cwd=root, capture_output=True, text=True)
    assert "vitis_hls -f vivado/hls.tcl" in dry.stdout
    os.utime(lib, (past, past))
    ip.unlink()
    dry = subprocess.run(["make", "-n", "bitstream", "HLS=vitis_hls"], cwd=root, capture_output=True, text=True)
    assert "vitis_hls -f vivado/hls.tcl" in dry.stdout and "vivado -mode batch" in dry.stdout
    # under make -j, .bit and .hwh still come from ONE Vivado run, after the HLS run
    dry = subprocess.run(["make", "-n", "-j4", "deploy", "HLS=vitis_hls"], cwd=root, capture_output=True, text=True)
    assert dry.stdout.count("vivado -mode batch") == 1 and dry.stdout.count("vitis_hls -f") == 1
    assert dry.stdout.index("vitis_hls -f") < dry.stdout.index("vivado -mode batch")
    dry = subprocess.run(["make", "-n", "cosim", "HLS=vitis_hls"], cwd=root, capture_output=True, text=True)
    assert "vitis_hls -f vivado/hls.tcl -tclargs cosim" in dry.stdout
