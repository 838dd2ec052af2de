#!/usr/bin/env bash
# System packages the test suite drives: Debian's chromium (browser tests of the journey map),
# LibreOffice (renders the workshop deck to PDF) and espeak-ng (speaks the synthetic interview
# recording, tests/test_audio.py). Installed only when missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-impress)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "Installing system packages for the tests: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
