#!/usr/bin/env bash
# Builds fermata with warnings as errors and runs the whole test suite: the doctest suite
# under CTest, then every report format checked by the shared validator.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

ctest --test-dir build --output-on-failure --parallel "$(nproc)" --timeout 600

shared="$(cd .. && pwd)/shared"
validator="$shared/tools/validate-reports"
if [[ ! -x "$validator" ]]; then
  echo "fermata: $validator is missing; the shared validators must sit beside the repository" >&2
  exit 1
fi
reports=build/reports
mkdir -p "$reports"
# The demo scan blocks by design (exit 1); any other status is a failure.
set +e
build/fermata scan fixtures/demo --no-progress --format sarif --output "$reports/demo.sarif" \
  --format json --output "$reports/demo.json"
status=$?
set -e
[[ $status -eq 1 ]] || { echo "fermata: demo scan exited $status, expected 1" >&2; exit 1; }
"$validator" sarif "$reports/demo.sarif"
