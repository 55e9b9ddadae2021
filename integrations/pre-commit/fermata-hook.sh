#!/usr/bin/env bash
# The pre-commit hook's entry point: scans the staged content of the repository being
# committed to and fails when the commit adds findings at or above the threshold.
#
# It uses, in order: $FERMATA (a path to the binary), `fermata` on PATH, or a build of this
# very checkout (pre-commit clones the hook repository into its cache; the first commit
# builds fermata there once, later commits reuse it). Extra arguments from the hook's `args:`
# are passed to `fermata scan`, e.g. `args: [--fail-on, critical]`.
set -euo pipefail

hook_source="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

find_fermata() {
  if [[ -n "${FERMATA:-}" ]]; then
    echo "$FERMATA"
  elif command -v fermata >/dev/null 2>&1; then
    command -v fermata
  elif [[ -x "$hook_source/build-hook/fermata" ]]; then
    echo "$hook_source/build-hook/fermata"
  else
    return 1
  fi
}

if ! fermata_bin="$(find_fermata)"; then
  for tool in cmake ninja g++ pkg-config; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "fermata hook: fermata is not installed and '$tool' is missing to build it." >&2
      echo "  Install fermata on PATH, or run: bash $hook_source/scripts/setup.sh" >&2
      exit 2
    fi
  done
  echo "fermata hook: building fermata once in the pre-commit cache (a few minutes)..." >&2
  cmake -S "$hook_source" -B "$hook_source/build-hook" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DFERMATA_BUILD_TESTS=OFF >/dev/null
  cmake --build "$hook_source/build-hook" --target fermata >&2
  fermata_bin="$hook_source/build-hook/fermata"
fi

# Block only on what this commit adds (before the first commit, that is everything).
exec "$fermata_bin" scan "$(git rev-parse --show-toplevel)" --staged --new-since HEAD \
  --no-progress --format text "$@"
