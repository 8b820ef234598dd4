#!/usr/bin/env bash
# Install finn-plus into its own virtual environment (default .venv-finn), for `hwgen finn-check`
# and tools/capture_finn_fixtures.py. finn-plus pins versions that conflict with hwgen's (protobuf,
# onnxruntime, rich), so it never shares hwgen's environment: finn-plus and onnx-passes go in with
# --no-deps, then the pure-Python packages its estimate flow imports. Idempotent (a stamp file).
set -euo pipefail
VENV=${1:-.venv-finn}
PY=${PYTHON:-python3}
STAMP="$VENV/.finn-installed"
[ -f "$STAMP" ] && exit 0
test -x "$VENV/bin/python" || "$PY" -m venv "$VENV"
PIP="$VENV/bin/python -m pip"
$PIP install -q torch==2.13.0          # first and pinned: any other spec pulls a CUDA build
$PIP install -q --no-deps finn-plus==1.6.1 onnx-passes
$PIP install -q "brevitas==0.13.0" qonnx "onnx>=1.16,<1.23" onnxruntime onnxoptimizer onnx-ir \
  onnxscript bitstring pyyaml pydantic mashumaro termcolor rich click pandas scipy mip \
  scikit-learn psutil networkx 2>&1 | grep -v "^ERROR: pip's dependency resolver\|requires\|^$" || true
"$VENV/bin/python" -c "import finn.builder.build_dataflow_config, qonnx, brevitas" 
touch "$STAMP"
