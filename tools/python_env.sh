# Sourced by the launch scripts: choose the Python that has mmssl's packages.
# $PYTHON if set; else the environment tools/setup_env.sh made
# ($MMSSL_VENV or .venv in the repository) when it exists; else `python`.
# Stops with a message when that Python cannot import torch.
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_venv="${MMSSL_VENV:-$_root/.venv}"
if [ -z "${PYTHON:-}" ]; then
    if [ -x "$_venv/bin/python" ]; then
        PYTHON="$_venv/bin/python"
    else
        PYTHON=python
    fi
fi
if ! "$PYTHON" -c "import torch" >/dev/null 2>&1; then
    echo "[mmssl] $PYTHON cannot import torch: run 'bash tools/setup_env.sh'" \
         "(it creates $_venv), activate your own environment, or set" \
         "PYTHON=/path/to/python" >&2
    exit 1
fi
