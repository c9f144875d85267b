#!/usr/bin/env bash
# Set up (with test models) and run the whole test suite, offscreen.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh --test
export QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1
.venv/bin/ruff check counter_app tests tools bench
# CTranslate2 picks its GEMM backend by CPU vendor: Intel MKL on Intel, oneDNN
# elsewhere (AMD), and int8 results differ between them (and between AVX2 and
# AVX-512 VNNI).  The tiny MT fixtures must translate exactly on every one, so
# the translation tests run first on MKL (works on AMD too), then the whole
# suite on oneDNN capped to AVX2: what an AVX2-only AMD EPYC runs (there the cap
# changes nothing), reproduced on an AVX-512 Intel machine.
CT2_USE_MKL=1 .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_mt.py tests/test_mt_ct2.py
export CT2_USE_MKL=0 ONEDNN_MAX_CPU_ISA=AVX2
exec .venv/bin/python -m pytest -q "$@"
