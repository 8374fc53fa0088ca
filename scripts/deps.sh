#!/usr/bin/env bash
# Installs the Debian 12 packages sigap needs to build, run and test.
# Usage: scripts/deps.sh [build|test]   (default: build)
# Installs only what is missing; needs root (or sudo) the first time.
set -euo pipefail
mode=${1:-build}
build_pkgs=(build-essential meson ninja-build pkg-config
  libh2o-evloop-dev libssl-dev zlib1g-dev libsqlite3-dev libpq-dev libjansson-dev libsodium-dev
  liblinear-dev libstemmer-dev libutf8proc-dev libhpdf-dev libqrencode-dev libxlsxwriter-dev
  libmagic-dev liboath-dev libcurl4-openssl-dev sqlite3)
test_pkgs=(libcmocka-dev clang libclang-rt-14-dev cppcheck curl chromium
  postgresql postgresql-client nginx-light wrk python3 python3-openpyxl openssl haproxy)
pkgs=("${build_pkgs[@]}")
[ "$mode" = test ] && pkgs+=("${test_pkgs[@]}")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm may come from outside Debian (NodeSource); accept any working pair.
if [ "$mode" = test ] && ! { command -v node >/dev/null && command -v npm >/dev/null; }; then
  missing+=(nodejs npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
