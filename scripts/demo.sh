#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs the demo line on the embedded
# database (SQLite in ./var/demo). Extra arguments go to `cardline demo`.
# Usage: scripts/demo.sh [--applications N] [--port P] ...   (as root, or through sudo)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh build
exec build/mes/app/cardline demo "$@"
