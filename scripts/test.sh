#!/usr/bin/env bash
# The whole test suite, from nothing: installs what is missing (MariaDB server included),
# builds, starts a throwaway MariaDB, runs every test, then builds again with AddressSanitizer +
# UndefinedBehaviorSanitizer and runs every test once more, and finally runs each libFuzzer
# target for 20 s (scripts/fuzz.sh, Clang). Stops MariaDB on exit.
# Usage: scripts/test.sh            (as root, or through sudo)
# Env: CARDLINE_SKIP_SANITIZE=1 skips the sanitizer pass, CARDLINE_SKIP_FUZZ=1 the fuzzing
# (for quick local runs only; CI runs both).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/install-deps.sh --test

export CARDLINE_REQUIRE_BROWSER=1
bash scripts/build.sh build
# The browser tests drive Debian's Chromium through playwright-core from the npm registry.
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
export CARDLINE_BROWSER_REQUIRE_ALL=1

db_dir=$(mktemp -d /tmp/cardline-mariadb.XXXXXX)
cleanup() { bash "$root/scripts/mariadb.sh" stop "$db_dir" || true; rm -rf "$db_dir"; }
trap cleanup EXIT
eval "$(bash scripts/mariadb.sh start "$db_dir")"
# The MariaDB-backed tests fail (never skip) when the server is missing.
export CARDLINE_REQUIRE_MARIADB=1

echo "== tests (RelWithDebInfo build) =="
(cd build && ctest --output-on-failure -j 2 --timeout 900)

if [[ "${CARDLINE_SKIP_SANITIZE:-0}" != "1" ]]; then
  echo "== tests (AddressSanitizer + UndefinedBehaviorSanitizer build) =="
  CARDLINE_SANITIZE=1 bash scripts/build.sh build-asan
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export LSAN_OPTIONS=suppressions=$root/tests/lsan.supp:print_suppressions=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  (cd build-asan && ctest --output-on-failure -j 2 --timeout 1800)
fi

if [[ "${CARDLINE_SKIP_FUZZ:-0}" != "1" ]]; then
  echo "== fuzzing (libFuzzer, 20 s per target; docs/fuzzing.md) =="
  bash scripts/fuzz.sh 20
fi
