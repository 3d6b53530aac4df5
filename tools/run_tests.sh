#!/usr/bin/env bash
# The test command of the README: set up the environment if needed, then run
# the whole test suite on CPU. Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
bash "$ROOT/tools/setup_env.sh"
VENV="${MMSSL_VENV:-$ROOT/.venv}"
cd "$ROOT"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
exec "$VENV/bin/python" -m pytest tests -q -p no:cacheprovider "$@"
