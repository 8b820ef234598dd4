"""The generated Tcl (hls.tcl, bd.tcl) runs to completion under tclsh with stub Xilinx commands,
and makes the tool calls a PYNQ overlay needs, for both boards."""

from __future__ import annotations

import pytest
from tcl_stubs import needs_tclsh, run_tcl

pytestmark = needs_tclsh

PS = {"pynq-z1": ("processing_system7", "FCLK_CLK0", "M_AXI_GP0", "S_AXI_HP0", "PCW_FPGA0_PERIPHERAL_FREQMHZ"),
      "zcu104": ("zynq_ultra_ps_e", "pl_clk0", "M_AXI_HPM0_FPD", "S_AXI_HP0_FPD", "PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ")}


def test_stub_harness_rejects_unknown_commands_and_bad_variables(tmp_path):
    bad = tmp_path / "bad.tcl"
    bad.write_text("open_project p\nlaunch_the_rockets now\n")
    with pytest.raises(AssertionError, match="unknown command: launch_the_rockets"):
        run_tcl(bad, tmp_path)
    bad.write_text("set_part $no_such_variable\n")
    with pytest.raises(AssertionError, match="no_such_variable"):
        run_tcl(bad, tmp_path)
    bad.write_text("if {1} {\n")
    with pytest.raises(AssertionError, match="TCL ERROR"):
        run_tcl(bad, tmp_path)


@pytest.mark.parametrize("board", ["pynq-z1", "zcu104"])
@pytest.mark.parametrize("vitis", [True, False])
def test_hls_tcl(tfc_scripts, tmp_path, board, vitis):
    p = tfc_scripts[board]
    env = {"XILINX_HLS": "/opt/Xilinx/Vitis_HLS/2023.2"} if vitis else {}
    r = run_tcl(p.root / "vivado" / "hls.tcl", tmp_path, env=env)
    names = r.names()
    order = ["open_project", "set_top", "add_files", "open_solution", "set_part", "create_clock",
             "csynth_design", "export_design", "exit"]
    assert [n for n in names if n in order and n != "add_files"] == [n for n in order if n != "add_files"]
    assert r.find("open_project", "-reset", "hwgen_hls")
    assert r.find("set_top", "top")
    top = r.find("add_files", "hls/top.cpp")
    assert len(top) == 1 and "-cflags" in top[0] and any(f"-I{p.hls}/lib" in a for a in top[0])
    assert r.find("add_files", "-tb", "hls/tb.cpp")
    assert r.find("set_part", p.board.part)
    assert r.find("create_clock", "-period", "10.000")
    assert bool(r.find("open_solution", "-flow_target", "vivado")) == vitis
    # Vivado HLS's front end knows C++11 only as -std=c++0x
    assert any(("-std=c++14" if vitis else "-std=c++0x") in a for a in top[0])
    assert "csim_design" not in names and "cosim_design" not in names
    assert r.find("export_design", "-format", "ip_catalog")
    # with -tclargs csim: C-simulation on the example codes before synthesis
    r2 = run_tcl(p.root / "vivado" / "hls.tcl", tmp_path, "csim", env=env)
    assert r2.index("csim_design", "csim_in.bin csim_out.bin 16 0 codes") < r2.index("csynth_design")
    # with -tclargs cosim (make cosim): RTL co-simulation after synthesis, before the export
    r3 = run_tcl(p.root / "vivado" / "hls.tcl", tmp_path, "cosim", env=env)
    assert r3.index("csynth_design") < r3.index("cosim_design", "csim_in.bin csim_out.bin 16 0 codes") < r3.index("export_design")


def test_export_failure_names_ar_76960(tfc_scripts, tmp_path):
    r = run_tcl(tfc_scripts["pynq-z1"].root / "vivado" / "hls.tcl", tmp_path, env={"STUB_EXPORT_FAIL": "1"})
    assert r.find("exit", "1")  # make stops here
    msg = [line for line in r.stdout.splitlines() if line.startswith("hwgen: export_design failed")]
    assert len(msg) == 1 and "bad lexical cast" in msg[0] and "AR 76960" in msg[0]
    ok = run_tcl(tfc_scripts["pynq-z1"].root / "vivado" / "hls.tcl", tmp_path)
    assert not ok.find("exit", "1") and "AR 76960" not in ok.stdout


@pytest.mark.parametrize("board", ["pynq-z1", "zcu104"])
@pytest.mark.parametrize("release", ["2020.2", "2023.2"])
def test_block_design_tcl(tfc_scripts, tmp_path, board, release):
    p = tfc_scripts[board]
    ps_ip, clk, master, slave, freq_key = PS[board]
    r = run_tcl(p.root / "vivado" / "bd.tcl", tmp_path, "2", env={"STUB_VIVADO": release})
    # every Xilinx IP at the version this Vivado's catalog has (zynq_ultra_ps_e 3.3 in 2020.2, 3.5 in 2023.2)
    ps_version = {"pynq-z1": "5.5", "zcu104": {"2020.2": "3.3", "2023.2": "3.5"}[release]}[board]
    assert r.find("create_bd_cell", f"xilinx.com:ip:{ps_ip}:{ps_version}")
    assert r.find("get_ipdefs", "-all", "xilinx.com:ip:axi_dma:*")
    assert r.find("create_project", "-part", p.board.part)
    assert r.find("set_property", "board_part", p.board.vivado_board_part)
    assert r.find("set_property", "ip_repo_paths", "hls/hwgen_hls/solution1/impl/ip")
    assert r.find("create_bd_cell", f"xilinx.com:ip:{ps_ip}:")
    assert r.find("apply_bd_automation", "apply_board_preset 1")
    ps_cfg = " ".join(r.find("set_property", "-dict", f"CONFIG.{freq_key} 100")[0])
    hp_bits = p.board.axi_port_bits
    assert (f"PCW_S_AXI_HP0_DATA_WIDTH {hp_bits}" if board == "pynq-z1"
            else f"PSU__SAXIGP2__DATA_WIDTH {hp_bits}") in ps_cfg
    assert r.find("create_bd_cell", "hwgen:hls:top:1.0", "top_0")
    assert r.find("create_bd_cell", "xilinx.com:ip:axi_dma:7.1", "axi_dma_0")
    # the PL clock: on ZynqMP the override comes before the frequency; read back and printed
    if board == "zcu104":
        assert ps_cfg.index("CONFIG.PSU__OVERRIDE__BASIC_CLOCK 0") < ps_cfg.index(freq_key)
    act = "99.999001" if board == "zcu104" else "100.000000"
    assert f"hwgen: {clk} runs at {act} MHz (requested 100.0)" in r.stdout
    assert "hwgen: timing met at 100.0 MHz (WNS 0.512 ns, WHS 0.021 ns)" in r.stdout
    dma_cfg = " ".join(r.find("set_property", "-dict", "CONFIG.c_m_axis_mm2s_tdata_width")[0])
    w_in, w_out = p.design.in_port["axi"], p.design.out_port["axi"]
    assert f"CONFIG.c_m_axis_mm2s_tdata_width {w_in}" in dma_cfg
    assert f"CONFIG.c_s_axis_s2mm_tdata_width {w_out}" in dma_cfg
    assert "CONFIG.c_include_sg 0" in dma_cfg and "CONFIG.c_sg_length_width 26" in dma_cfg
    # streams: DMA MM2S -> accelerator -> DMA S2MM
    assert r.find("connect_bd_intf_net", "axi_dma_0/M_AXIS_MM2S", "top_0/in0")
    assert r.find("connect_bd_intf_net", "top_0/out0", "axi_dma_0/S_AXIS_S2MM")
    # control and memory paths through the PS ports of this family
    assert r.find("connect_bd_intf_net", f"/{master}", "ctrl_interconnect/S00_AXI")
    assert r.find("connect_bd_intf_net", "ctrl_interconnect/M00_AXI", "axi_dma_0/S_AXI_LITE")
    assert r.find("connect_bd_intf_net", "axi_dma_0/M_AXI_S2MM", "mem_smartconnect/S01_AXI")
    assert r.find("connect_bd_intf_net", "mem_smartconnect/M00_AXI", f"/{slave}")
    assert r.find("create_bd_cell", "proc_sys_reset")
    clock_net = r.find("connect_bd_net", f"/{clk}", "top_0/ap_clk", "axi_dma_0/m_axi_s2mm_aclk")
    assert len(clock_net) == 1
    assert r.find("connect_bd_net", "peripheral_aresetn", "top_0/ap_rst_n", "axi_dma_0/axi_resetn")
    # address map, validation, wrapper, runs, outputs, in this order
    seq = [r.index("assign_bd_address"), r.index("validate_bd_design"), r.index("make_wrapper"),
           r.index("launch_runs", "synth_1"), r.index("launch_runs", "impl_1", "write_bitstream"),
           r.index("report_utilization", "-hierarchical"), r.index("file", "copy", "hwgen_bd_wrapper.bit"),
           r.index("file", "copy", "hwgen_bd.hwh"), r.index("write_hw_platform")]
    assert seq == sorted(seq)
    assert r.find("launch_runs", "synth_1", "-jobs", "2")
    assert r.find("file", "copy", "vivado/out/hwgen.bit") and r.find("file", "copy", "vivado/out/hwgen.hwh")


def test_block_design_without_board_files(tfc_scripts, tmp_path):
    p = tfc_scripts["pynq-z1"]
    r = run_tcl(p.root / "vivado" / "bd.tcl", tmp_path, env={"STUB_NO_BOARD_FILES": "1"})
    assert not r.find("set_property", "board_part")
    assert r.find("apply_bd_automation", "apply_board_preset 0")
    assert "board files for www.digilentinc.com:pynq-z1:part0:1.0 are not installed" in r.stdout


def test_missing_ip_in_catalog_is_a_clear_error(tfc_scripts, tmp_path):
    r = run_tcl(tfc_scripts["pynq-z1"].root / "vivado" / "bd.tcl", tmp_path, env={"STUB_VIVADO": "bare"}, fail=True)
    assert "hwgen: this Vivado's IP catalog has no xilinx.com:ip:processing_system7" in r.stdout


@pytest.mark.parametrize("board", ["pynq-z1", "zcu104"])
def test_pl_clock_other_than_requested_fails(tfc_scripts, tmp_path, board):
    r = run_tcl(tfc_scripts[board].root / "vivado" / "bd.tcl", tmp_path, env={"STUB_PL_MHZ": "50.0"}, fail=True)
    assert "MHz on" in r.stdout and "'50.0' MHz" in r.stdout and "not 100.0 MHz" in r.stdout
    assert not r.find("launch_runs")


@pytest.mark.parametrize("wns,whs", [("-0.131", "0.02"), ("0.2", "-0.01"), ("", "")])
def test_negative_slack_delivers_no_bitstream(tfc_scripts, tmp_path, wns, whs):
    r = run_tcl(tfc_scripts["pynq-z1"].root / "vivado" / "bd.tcl", tmp_path,
                env={"STUB_WNS": wns, "STUB_WHS": whs}, fail=True)
    assert ("timing not met at 100.0 MHz" if wns else "no timing result from impl_1") in r.stdout
    assert r.find("report_timing_summary")  # the reports are written, to see why
    assert not r.find("file", "copy", "hwgen.bit") and not r.find("write_hw_platform")


def test_hwh_found_by_glob_when_get_files_has_none(tfc_scripts, tmp_path):
    proj = tmp_path / "proj"
    hwh = proj / "hwgen_vivado.gen" / "sources_1" / "bd" / "hwgen_bd" / "hw_handoff" / "hwgen_bd.hwh"
    hwh.parent.mkdir(parents=True)
    hwh.write_text("<hwh/>")
    script = tfc_scripts["pynq-z1"].root / "vivado" / "bd.tcl"
    r = run_tcl(script, tmp_path, env={"STUB_NO_HWH_FILE": "1", "STUB_PROJ_DIR": str(proj)})
    assert r.find("file", "copy", str(hwh), "vivado/out/hwgen.hwh")
    hwh.unlink()
    r = run_tcl(script, tmp_path, env={"STUB_NO_HWH_FILE": "1", "STUB_PROJ_DIR": str(proj)}, fail=True)
    assert "hwgen: no hwgen_bd.hwh under" in r.stdout and not r.find("write_hw_platform")


@pytest.mark.skipif(__import__("shutil").which("g++") is None, reason="g++ not installed")
def test_hls_sources_compile_as_cxx0x(tfc_projects):
    """hls.tcl gives Vivado HLS -std=c++0x: the library, top level and testbench must be C++11."""
    from hwgen.backends.hls.csim import compile_csim, run_csim

    p = tfc_projects["pynq-z1"]
    compile_csim(p.hls, ["tb.cpp", "top.cpp"], out="csim_cxx0x", flags=("-std=c++0x", "-O0"))
    import numpy as np

    x = np.fromfile(p.hls / "csim_in.bin", dtype="<i4").reshape(16, -1)
    want = np.fromfile(p.hls / "csim_expected.bin", dtype="<i4").reshape(16, -1)
    y, _, _ = run_csim(p.hls, x, want.shape[1], exe="csim_cxx0x")
    assert np.array_equal(y, want)
