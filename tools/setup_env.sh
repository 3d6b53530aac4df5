#!/usr/bin/env bash
# Create (once) a virtual environment with everything mmssl needs, CPU-only.
#   bash tools/setup_env.sh            -> .venv in the repository
#   MMSSL_VENV=/path bash tools/setup_env.sh
#   MMSSL_TORCH='torch==2.4.1' ...     -> another torch (e.g. a CUDA build)
# Prints nothing but progress; the environment's python is $MMSSL_VENV/bin/python.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${MMSSL_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    echo "[mmssl] creating virtual environment $VENV"
    "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"
if ! "$VPY" -c "import mmssl, pytest" >/dev/null 2>&1; then
    echo "[mmssl] installing torch, mmengine, mmcv-lite, mmaction2 and mmssl"
    "$VPY" -m pip install -q --upgrade pip
    if ! "$VPY" -c "import torch" >/dev/null 2>&1; then
        "$VPY" -m pip install -q "${MMSSL_TORCH:-torch==2.13.0}"
    fi
    "$VPY" -m pip install -q -r "$ROOT/requirements/runtime.txt" \
        -r "$ROOT/requirements/mminstall.txt" -r "$ROOT/requirements/tests.txt"
    "$VPY" -m pip install -q --no-deps -e "$ROOT"
fi
"$VPY" -c "import mmssl, mmaction, mmengine, torch; print('[mmssl] environment ready:', 'mmssl', mmssl.__version__, 'mmaction2', mmaction.__version__, 'mmengine', mmengine.__version__, 'torch', torch.__version__)" 2>/dev/null
