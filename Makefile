# hwgen: `make demo` runs the main job, `make test` runs the tests. Both bootstrap .venv.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
DEMO   ?= build/demo

.PHONY: venv test test-slow test-fast demo bench clean

venv: $(STAMP)

# torch goes first and pinned: any other spec pulls a multi-GB CUDA build.
# hls4ml is installed without dependencies: hwgen uses only its ap_types headers.
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -r requirements.txt
	$(PIP) install -q --no-deps hls4ml
	$(PIP) install -q --no-deps -e .
	touch $(STAMP)

# the suite CI runs: everything but the tests marked slow (CNV in Verilator, CNV QCDQ, Yosys
# builds, the residual zoo's dataflow runs); `make test-slow` runs those too
test: venv
	$(PY) -m pytest -q -n 2 -m "not slow" tests

test-slow: venv
	$(PY) -m pytest -q -n 2 tests

test-fast: venv
	$(PY) -m pytest -q -x -n 2 -m "not slow" tests

demo: venv
	$(PY) -m hwgen.app.demo --out $(DEMO)

bench: venv
	$(PY) bench/sim_throughput.py

clean:
	rm -rf build .pytest_cache
