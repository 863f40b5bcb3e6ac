#!/usr/bin/env bash
# Configures and builds cardline. Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
# BUILD_DIR defaults to build/. Set CARDLINE_SANITIZE=1 for the ASan+UBSan configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build}"
shift || true
args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [[ "${CARDLINE_SANITIZE:-0}" == "1" ]]; then
  args=(-G Ninja -DCMAKE_BUILD_TYPE=Debug -DCARDLINE_SANITIZE=ON -DCARDLINE_BUILD_BENCH=OFF)
fi
mkdir -p "$dir"
cmake -S . -B "$dir" "${args[@]}" "$@" > "$dir/configure.log" 2>&1 || { cat "$dir/configure.log"; exit 1; }
jobs=$(nproc)
cmake --build "$dir" -j "$jobs"
