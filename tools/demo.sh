#!/usr/bin/env bash
# The README's demo: set up the environment if needed, generate the synthetic
# set, train the supervised and the semi-supervised detector on CPU, test both
# and print a side-by-side table. Extra arguments go to tools/demo.py.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
bash "$ROOT/tools/setup_env.sh"
VENV="${MMSSL_VENV:-$ROOT/.venv}"
cd "$ROOT"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
exec "$VENV/bin/python" tools/demo.py "$@"
