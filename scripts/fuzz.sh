#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with Clang and runs each for a short time.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 30)
#
# 1. Configures a separate build folder (build-fuzz, or $CARDLINE_FUZZ_BUILD_DIR) with
#    CC=clang CXX=clang++, CARDLINE_FUZZ=ON and every library compiled with
#    -fsanitize=fuzzer-no-link,address,undefined; builds only the fuzz targets.
# 2. Runs every saved crash input of tests/fuzz/regressions/<target>/ through its target: each
#    must now pass.
# 3. Fuzzes each target for SECONDS_PER_TARGET from a temporary copy of its seed corpus
#    (tests/fuzz/corpus/<target>/); the generated corpus is not written into the repository.
# Exits non-zero on the first failure and prints the crash input's path and the fuzzer log.
# Needs the Debian packages clang and libclang-rt-14-dev (scripts/install-deps.sh --test).
# See docs/fuzzing.md. Runs as root or as an ordinary user.
set -euo pipefail

seconds="${1:-30}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -lt 1 ]]; then
  echo "usage: $0 [SECONDS_PER_TARGET]   (a whole number of seconds, at least 1)" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${CARDLINE_FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs="${CARDLINE_FUZZ_JOBS:-2}"
fuzz_dir="$root/tests/fuzz"
targets=(intake_jsonl_fuzz intake_csv_fuzz protocol_codec_fuzz config_yaml_fuzz
  workflow_yaml_fuzz template_yaml_fuzz mrz_fuzz qr_payload_fuzz lds_fuzz)
started=$(date +%s)

for tool in clang clang++ cmake ninja; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "fuzz: '$tool' not found; install the packages clang libclang-rt-14-dev cmake" \
      "ninja-build (scripts/install-deps.sh --test)" >&2
    exit 1
  fi
done

sanitize="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
flags="-O1 -g -fno-omit-frame-pointer $sanitize"
echo "fuzz: configuring $build"
mkdir -p "$build"
if ! CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
    -DCARDLINE_FUZZ=ON -DCARDLINE_BUILD_TESTS=ON -DCARDLINE_BUILD_BENCH=OFF \
    >"$build/configure.log" 2>&1; then
  cat "$build/configure.log" >&2
  echo "fuzz: configuring $build failed (a folder configured with another compiler must be" \
    "removed first)" >&2
  exit 1
fi
echo "fuzz: building ${targets[*]}"
ninja -C "$build" -j "$jobs" "${targets[@]}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}"
common=(-rss_limit_mb=2048 -timeout=60 -malloc_limit_mb=2048)

# 2. Regression inputs: crashes found earlier must stay fixed.
for t in "${targets[@]}"; do
  dir="$fuzz_dir/regressions/$t"
  [[ -d "$dir" ]] || continue
  mapfile -t inputs < <(find "$dir" -type f ! -name '*.md' | sort)
  [[ ${#inputs[@]} -gt 0 ]] || continue
  log="$build/$t.regressions.log"
  if ! "$build/tests/fuzz/$t" "${common[@]}" "${inputs[@]}" >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz: $t fails on a regression input in $dir (log: $log)" >&2
    exit 1
  fi
  echo "fuzz: $t: ${#inputs[@]} regression input(s) pass"
done

# 3. A short fuzzing run per target, from a temporary copy of the seed corpus.
work="$(mktemp -d "${TMPDIR:-/tmp}/cardline-fuzz.XXXXXX")"
for t in "${targets[@]}"; do
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  if [[ -d "$fuzz_dir/corpus/$t" ]]; then cp -R "$fuzz_dir/corpus/$t/." "$work/$t/corpus/"; fi
  dict=()
  if [[ -f "$fuzz_dir/dict/$t.dict" ]]; then dict=(-dict="$fuzz_dir/dict/$t.dict"); fi
  log="$work/$t/fuzz.log"
  if ! "$build/tests/fuzz/$t" "${common[@]}" "${dict[@]}" -max_total_time="$seconds" \
      -print_final_stats=1 -artifact_prefix="$work/$t/artifacts/" "$work/$t/corpus" \
      >"$log" 2>&1; then
    tail -n 80 "$log" >&2
    echo "fuzz: $t FAILED; crash input(s):" >&2
    find "$work/$t/artifacts" -type f -printf '  %p\n' >&2
    echo "fuzz: full log $log; keep the input in tests/fuzz/regressions/$t/ once fixed" >&2
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*' || true)
  echo "fuzz: $t: ${seconds}s, ${runs:-?} runs, coverage ${cov:-?} edges, no crash"
done
rm -rf "$work"
echo "fuzz: all ${#targets[@]} targets passed in $(( $(date +%s) - started ))s"
