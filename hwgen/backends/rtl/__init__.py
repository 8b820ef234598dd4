"""The rtl backend: Verilog from templates/rtl (a hand-written library plus Jinja wiring),
checked in Verilator (verilator.py) and synthesized with Yosys."""
