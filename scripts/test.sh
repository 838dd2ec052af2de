#!/usr/bin/env bash
# Sets up everything (package, models, test tools, chromium, LibreOffice, espeak-ng) and runs the whole test
# suite: unit and end-to-end tests, then the notebooks with nbval.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/python -m ruff check src tests scripts
args=(tests)
if compgen -G "notebooks/*.ipynb" >/dev/null; then
  args+=(--nbval-lax notebooks)
fi
.venv/bin/python -m pytest "${args[@]}" "$@"
