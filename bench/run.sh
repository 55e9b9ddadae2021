#!/usr/bin/env bash
# The benchmark (BENCHMARKS.md): builds fermata and fermata_bench optimised in build-bench/,
# then generates synthetic repositories of 100 to 50,000 files in a temporary directory and
# measures scans against the I/O and parse floors, the real corpus, and `scan --staged`.
# Extra arguments go to fermata_bench (e.g. --sizes 100,1000 --repeat 1); see --help.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${FERMATA_BENCH_BUILD:-build-bench}"
work_dir="$(mktemp -d "${TMPDIR:-/tmp}/fermata-bench.XXXXXX")"
trap 'rm -rf "$work_dir"' EXIT
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFERMATA_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target fermata fermata_bench
corpus=()
if [[ -d ../shared/corpus/real ]]; then corpus=(--corpus ../shared/corpus/real); fi
"$build_dir/bench/fermata_bench" --work-dir "$work_dir" "${corpus[@]}" "$@"
