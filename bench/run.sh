#!/usr/bin/env bash
# The benchmark (BENCHMARKS.md): builds fermata and fermata_bench optimised in build-bench/,
# then generates synthetic repositories of 100 to 50,000 files in a temporary directory (in
# /dev/shm when writable; FERMATA_BENCH_TMP=DIR chooses another) and
# measures scans against the I/O and parse floors, the real corpus, and `scan --staged`.
# Extra arguments go to fermata_bench (e.g. --sizes 100,1000 --repeat 1); see --help.
set -euo pipefail
cd "$(dirname "$0")/.."
# On a fresh machine: the build packages (and libyaml), installed with apt-get as the README's
# commands do.
scripts/setup.sh --bench
build_dir="${FERMATA_BENCH_BUILD:-build-bench}"
# Repositories live in memory (tmpfs) when it can be had: on disk, a machine that reclaims
# page cache eagerly makes runs wait for the disk, and the figures measure the disk.
work_root="${FERMATA_BENCH_TMP:-/dev/shm}"
[[ -d "$work_root" && -w "$work_root" ]] || work_root="${TMPDIR:-/tmp}"
work_dir="$(mktemp -d "$work_root/fermata-bench.XXXXXX")"
trap 'rm -rf "$work_dir"' EXIT
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFERMATA_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target fermata fermata_bench
corpus=()
if [[ -d ../shared/corpus/real ]]; then
  cp -r ../shared/corpus/real "$work_dir/corpus-real"
  corpus=(--corpus "$work_dir/corpus-real")
fi
"$build_dir/bench/fermata_bench" --work-dir "$work_dir" "${corpus[@]}" "$@"
