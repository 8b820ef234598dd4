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
$PIP install -q --no-deps finn-plus==1.6.1 onnx-passes==0.4.1
# pinned (tools/finn-requirements.txt): unpinned, pip's resolver spent minutes backtracking here
$PIP install -q -r "$(dirname "$0")/finn-requirements.txt" 2>&1 \
  | grep -v "^ERROR: pip's dependency resolver\|requires\|^$\|WARNING: Location" || true
"$VENV/bin/python" -c "import finn.builder.build_dataflow_config, qonnx, brevitas" 
touch "$STAMP"
