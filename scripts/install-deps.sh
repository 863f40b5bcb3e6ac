#!/usr/bin/env bash
# Installs every Debian 12 package cardline needs to build, run and test.
# Usage: scripts/install-deps.sh [--test]   (--test adds MariaDB server, PDF/QR tools, Chromium)
# Runs as root or through sudo. Installs only what is missing; safe to run again.
set -euo pipefail

build_pkgs=(build-essential cmake ninja-build pkg-config git
  libpoco-dev libmysqlcppconn-dev libboost-dev libhpdf-dev libzmq3-dev cppzmq-dev
  libyaml-cpp-dev libqrencode-dev libpng-dev libjpeg-dev libssl-dev libsqlite3-dev
  libzbar-dev fonts-noto-core fonts-noto-mono openssl
  libicu-dev libpoppler-cpp-dev libp11-kit-dev)
test_pkgs=(libgtest-dev libgmock-dev libbenchmark-dev mariadb-server mariadb-client
  zbar-tools poppler-utils qpdf python3-zmq libpoppler-cpp-dev
  chromium nodejs npm sqlite3 fonts-dejavu-core
  clang libclang-rt-14-dev softhsm2 opensc)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then want+=("${test_pkgs[@]}"); fi

# Node.js may come from another packaging (e.g. one that bundles npm); a working command is
# enough, and installing Debian's npm over it would conflict.
provided_by_command() {
  case "$1" in
    nodejs) command -v node >/dev/null 2>&1 ;;
    npm) command -v npm >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

missing=()
for p in "${want[@]}"; do
  if provided_by_command "$p"; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: every package is already installed"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
