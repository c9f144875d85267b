#!/usr/bin/env bash
# Set up (with test models) and run the whole test suite, offscreen.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh --test
export QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1
.venv/bin/ruff check counter_app tests tools bench
exec .venv/bin/python -m pytest -q "$@"
