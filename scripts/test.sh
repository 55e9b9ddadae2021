#!/usr/bin/env bash
# Builds fermata with warnings as errors and runs the whole test suite: the doctest suite
# under CTest (fuzz corpus replays and the hardening check included), every report format
# checked by the shared validator, then the suite again under ASan and UBSan.
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
  --format json --output "$reports/demo.json" \
  --format gitlab-sast --output "$reports/gl-sast-report.json" \
  --format gitlab-codequality --output "$reports/gl-code-quality-report.json" \
  --format github --output "$reports/annotations.txt" \
  --format markdown --output "$reports/summary.md"
status=$?
set -e
[[ $status -eq 1 ]] || { echo "fermata: demo scan exited $status, expected 1" >&2; exit 1; }
"$validator" sarif "$reports/demo.sarif"
"$validator" gitlab-sast "$reports/gl-sast-report.json"
"$validator" codequality "$reports/gl-code-quality-report.json"
# GitHub workflow commands and the Markdown summary have no schema: their real consumer is
# GitHub. Check the shape GitHub parses: one command per line, level, file and line.
grep -qvE '^::(error|warning|notice) (file=[^,]+,line=[0-9]+,endLine=[0-9]+,col=[0-9]+(,endColumn=[0-9]+)?,)?title=[^:]+::.+$' \
  "$reports/annotations.txt" && { echo "fermata: malformed workflow command" >&2; exit 1; }
grep -q '^## fermata: ' "$reports/summary.md" || { echo "fermata: malformed Markdown summary" >&2; exit 1; }
# The integrations' own metadata.
"$validator" action action/action.yml
"$validator" gitlab-ci integrations/gitlab/fermata.gitlab-ci.yml
"$validator" pre-commit-hooks .pre-commit-hooks.yaml
# What `fermata init` writes for each integration, validated as its consumer reads it.
rm -rf "$reports/init" && mkdir -p "$reports/init"
build/fermata init "$reports/init" --github --gitlab --pre-commit >/dev/null
"$validator" workflow "$reports/init/.github/workflows/fermata.yml"
"$validator" gitlab-ci "$reports/init/.gitlab-ci.yml"
"$validator" pre-commit-config "$reports/init/.pre-commit-config.yaml"

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/,
# the asan-ubsan preset): every report aborts the test that caused it (-fno-sanitize-recover),
# and the fuzz corpora replay here too, so a memory error found once stays found.
cmake --preset asan-ubsan >/dev/null
cmake --build --preset asan-ubsan --parallel "$(nproc)"
ctest --preset asan-ubsan --parallel "$(nproc)"
