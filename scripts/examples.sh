#!/usr/bin/env bash
# Regenerates the generated examples under docs/: the demo's threat model in Markdown and HTML
# (docs/examples/demo-threat-model.{md,html}) and, with --screenshot, the picture of the HTML
# page in a headless browser (docs/images/demo-threat-model.png; needs Debian's chromium).
# A test (ctest -R threat_model_examples) fails when the committed examples are stale.
# Usage: scripts/examples.sh [--screenshot]   (FERMATA=path/to/fermata; default build/fermata)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fermata=${FERMATA:-$root/build/fermata}
cd "$root"
[[ -x "$fermata" ]] || { echo "examples: no fermata binary at $fermata (build first)" >&2; exit 2; }
mkdir -p docs/examples
"$fermata" report fixtures/demo --no-progress --format markdown -o docs/examples/demo-threat-model.md
"$fermata" report fixtures/demo --no-progress --format html -o docs/examples/demo-threat-model.html
echo "examples: wrote docs/examples/demo-threat-model.md and docs/examples/demo-threat-model.html"
if [[ "${1:-}" == "--screenshot" ]]; then
  tests/report/threat_model_render.sh --screenshot docs/images/demo-threat-model.png "$fermata" \
    fixtures/demo
fi
