"""Run generated Vivado/Vitis HLS Tcl under plain ``tclsh`` with stub tool commands.

Every Xilinx command is a stub that appends its name and arguments to a log (and returns a
plausible value); any other unknown command, a Tcl syntax error or an unset variable makes the
run fail. ``file copy`` is logged instead of executed (the tool outputs do not exist here).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

needs_tclsh = pytest.mark.skipif(shutil.which("tclsh") is None, reason="tclsh not installed")

STUBS = """
proc _log {name args} {
    set f [open $::stub_log a]
    puts -nonewline $f "[join [concat [list $name] $args] \\x1f]\\x1e"
    close $f
}
foreach cmd {open_project set_top open_solution set_part create_clock csim_design csynth_design
             cosim_design create_project update_ip_catalog create_bd_design apply_bd_automation
             connect_bd_intf_net connect_bd_net assign_bd_address validate_bd_design save_bd_design
             add_files update_compile_order launch_runs wait_on_run open_run report_utilization
             report_timing_summary write_hw_platform write_bd_tcl set_property} {
    proc $cmd {args} "_log $cmd {*}\\$args; return {}"
}
# export_design as an unpatched Vivado HLS 2020.1 / Vitis HLS 2020.2-2021.2 fails after 2021 (AR 76960)
proc export_design {args} {
    _log export_design {*}$args
    if {[info exists ::env(STUB_EXPORT_FAIL)]} { error "bad lexical cast: source type value could not be interpreted as target" }
    return {}
}
# the IP catalog as `get_ipdefs -all xilinx.com:ip:<name>:*` answers in each Vivado release
array set ::ipdefs_by_release {
    2020.2 {xilinx.com:ip:processing_system7:5.5 xilinx.com:ip:zynq_ultra_ps_e:3.3 xilinx.com:ip:axi_dma:7.1
            xilinx.com:ip:axi_interconnect:2.1 xilinx.com:ip:smartconnect:1.0 xilinx.com:ip:proc_sys_reset:5.0}
    2023.2 {xilinx.com:ip:processing_system7:5.5 xilinx.com:ip:zynq_ultra_ps_e:3.5 xilinx.com:ip:axi_dma:7.1
            xilinx.com:ip:axi_interconnect:2.1 xilinx.com:ip:smartconnect:1.0 xilinx.com:ip:proc_sys_reset:5.0}
    bare {}
}
proc get_ipdefs {args} {
    _log get_ipdefs {*}$args
    set release 2023.2
    if {[info exists ::env(STUB_VIVADO)]} { set release $::env(STUB_VIVADO) }
    set out {}
    foreach d $::ipdefs_by_release($release) {
        if {[string match [lindex $args end] $d]} { lappend out $d }
    }
    return $out
}
proc create_bd_cell {args} { _log create_bd_cell {*}$args; return [lindex $args end] }
proc get_bd_pins {args} { _log get_bd_pins {*}$args; return [lindex $args end] }
proc get_bd_intf_pins {args} {
    _log get_bd_intf_pins {*}$args
    set i [lsearch -exact $args -of_objects]
    if {$i >= 0} {
        set cell [lindex $args [expr {$i + 1}]]
        if {[string match "*MODE == Slave*" $args]} { return "$cell/in0" }
        return "$cell/out0"
    }
    return [lindex $args end]
}
proc get_board_parts {args} {
    _log get_board_parts {*}$args
    if {[info exists ::env(STUB_NO_BOARD_FILES)]} { return {} }
    return [lindex $args end]
}
proc current_project {args} { return hwgen_vivado }
proc _env {name default} { if {[info exists ::env($name)]} { return $::env($name) }; return $default }
proc current_fileset {args} { return sources_1 }
proc get_runs {args} { return [lindex $args end] }
proc get_files {args} {
    _log get_files {*}$args
    if {[lsearch -exact $args -of_objects] >= 0} {
        if {[info exists ::env(STUB_NO_HWH_FILE)]} { return {} }
        return [list /stub/bd/[lindex $args end]]
    }
    return [lindex $args end]
}
proc make_wrapper {args} { _log make_wrapper {*}$args; return /stub/hwgen_bd_wrapper.v }
proc get_property {args} {
    _log get_property {*}$args
    switch -glob -- [lindex $args 0] {
        PROGRESS { return 100% }
        DIRECTORY {
            if {[lindex $args end] eq "hwgen_vivado"} { return [_env STUB_PROJ_DIR /stub/proj] }
            return /stub/runs/[lindex $args end]
        }
        STATS.WNS { return [_env STUB_WNS 0.512] }
        STATS.WHS { return [_env STUB_WHS 0.021] }
        CONFIG.PCW_ACT_FPGA0_PERIPHERAL_FREQMHZ { return [_env STUB_PL_MHZ 100.000000] }
        CONFIG.PSU__CRL_APB__PL0_REF_CTRL__ACT_FREQMHZ { return [_env STUB_PL_MHZ 99.999001] }
    }
    return {}
}
rename file _tcl_file
proc file {sub args} {
    if {$sub eq "copy" || $sub eq "mkdir"} { _log file $sub {*}$args; return {} }
    return [_tcl_file $sub {*}$args]
}
rename exit _real_exit
proc exit {args} { _log exit {*}$args; error HWGEN_EXIT }
proc unknown {args} { puts stderr "STUB: unknown command: $args"; _real_exit 3 }
"""

RUNNER = """
set ::stub_log [lindex $argv 0]
set script [lindex $argv 1]
set argv [lrange $argv 2 end]
set argc [llength $argv]
%s
if {[catch {source $script} err]} {
    if {$err ne "HWGEN_EXIT"} { puts stderr "TCL ERROR: $::errorInfo"; _real_exit 1 }
}
puts HWGEN_DONE
_real_exit 0
"""


@dataclass
class TclRun:
    calls: list[list[str]]
    stdout: str

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]

    def find(self, name: str, *contains: str) -> list[list[str]]:
        """Calls of ``name`` whose arguments include every string in ``contains``."""
        return [c for c in self.calls if c[0] == name and all(any(s in a for a in c[1:]) for s in contains)]

    def index(self, name: str, *contains: str) -> int:
        for i, c in enumerate(self.calls):
            if c[0] == name and all(any(s in a for a in c[1:]) for s in contains):
                return i
        raise AssertionError(f"no call {name} with {contains}; calls: {self.names()}")


def run_tcl(script: Path, tmp: Path, *args: str, env: dict[str, str] | None = None,
            fail: bool = False) -> TclRun:
    """Run ``script`` under tclsh with the stubs; raises AssertionError on any Tcl failure (with
    ``fail``: when the script does NOT fail; the error text is then in ``stdout``)."""
    log = tmp / f"{script.stem}.{len(list(tmp.glob('*.runner.tcl')))}.log"
    runner = tmp / f"{log.stem}.runner.tcl"
    runner.write_text(RUNNER % STUBS)
    e = {k: v for k, v in os.environ.items() if k != "XILINX_HLS" and not k.startswith("STUB_")}
    e.update(env or {})
    r = subprocess.run(["tclsh", str(runner), str(log), str(script), *args], capture_output=True,
                       text=True, env=e, cwd=tmp, timeout=60)
    if fail:
        assert r.returncode != 0 and "HWGEN_DONE" not in r.stdout, f"tclsh did not fail: {r.stdout}"
    else:
        assert r.returncode == 0 and "HWGEN_DONE" in r.stdout, f"tclsh failed ({r.returncode}): {r.stderr}"
    raw = log.read_text() if log.exists() else ""
    calls = [rec.split("\x1f") for rec in raw.split("\x1e") if rec]
    return TclRun(calls, r.stdout + r.stderr)
