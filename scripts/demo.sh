#!/usr/bin/env bash
# The main job: build fermata and scan the demo agent system in fixtures/demo/.
# The demo is deliberately flawed, so the gate fails (exit 1) after printing its findings;
# that is the expected result. The SARIF report is written to build/demo.sarif.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
set +e
build/fermata scan fixtures/demo --format text --format sarif --output build/demo.sarif
status=$?
set -e
echo
echo "fermata exited with $status (1 = the gate blocked on high-risk findings, as the demo intends)."
echo "SARIF: build/demo.sarif"
[[ $status -eq 1 ]]
