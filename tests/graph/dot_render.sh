#!/usr/bin/env bash
# Renders `fermata graph --format dot` of a directory with Graphviz (Debian `graphviz`) and
# checks that dot accepts it and draws one SVG node per topology node.
# Usage: dot_render.sh FERMATA PATH [graph flags...]
# Exit 77 (CTest: skipped) when dot is missing, except under CI=true, where that fails.
set -euo pipefail
fermata=$1
path=$2
shift 2

if ! command -v dot >/dev/null 2>&1; then
  echo "dot_render: Graphviz's dot is not installed (Debian: apt-get install graphviz;" \
    "scripts/setup.sh --test installs it)" >&2
  [[ "${CI:-}" == "true" ]] && exit 1
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$fermata" graph "$path" --no-progress --format dot -o "$work/graph.dot" "$@"
"$fermata" graph "$path" --no-progress --format json -o "$work/graph.json" "$@"
if ! timeout 120 dot -Tsvg "$work/graph.dot" -o "$work/graph.svg" 2>"$work/dot.err"; then
  echo "dot_render: dot rejected the graph of $path:" >&2
  cat "$work/dot.err" >&2
  exit 1
fi
# dot reports recoverable syntax problems on stderr and still exits 0.
if [[ -s "$work/dot.err" ]]; then
  echo "dot_render: dot complained about the graph of $path:" >&2
  cat "$work/dot.err" >&2
  exit 1
fi
grep -q '<svg' "$work/graph.svg" || { echo "dot_render: no <svg> in dot's output" >&2; exit 1; }
expected=$(grep -c '^      "kind": ' "$work/graph.json" || true)
drawn=$(grep -o 'class="node"' "$work/graph.svg" | wc -l)
if [[ "$expected" -eq 0 || "$drawn" -ne "$expected" ]]; then
  echo "dot_render: $drawn nodes drawn, $expected in the topology of $path" >&2
  exit 1
fi
echo "dot_render: $path: $drawn nodes drawn"
