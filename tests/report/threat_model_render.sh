#!/usr/bin/env bash
# Renders `fermata report --format html` of a directory in a real browser: headless Chromium
# (Debian `chromium`) loads the page from disk and dumps the DOM it built. Checks that the page
# parsed into every section (summary, inventory, diagram, L1..L7, cross-layer, mitigations,
# suppressed, compliance) with the inline SVG diagram and one box per node of the topology
# (`fermata graph --format json`, or at most 60 with the riskiest-part note above the cap), and
# that the file itself asks for nothing over the network (no http(s) src/href, no script).
# Usage: threat_model_render.sh [--screenshot PNG] FERMATA PATH [report flags...]
# Exit 77 (CTest: skipped) when chromium is missing, except under CI=true, where that fails.
set -euo pipefail
screenshot=""
if [[ "${1:-}" == "--screenshot" ]]; then
  screenshot=$2
  shift 2
fi
fermata=$1
path=$2
shift 2

fail() {
  echo "threat_model_render: $path: $*" >&2
  exit 1
}
unavailable() {
  echo "threat_model_render: $*" >&2
  [[ "${CI:-}" == "true" ]] && exit 1
  exit 77
}

browser=""
for candidate in chromium chromium-browser google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then
    browser=$candidate
    break
  fi
done
[[ -n "$browser" ]] || unavailable "no headless browser: install Debian's chromium (scripts/setup.sh --test)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
page=$work/report.html
"$fermata" report "$path" --no-progress --format html -o "$page" "$@"
"$fermata" graph "$path" --no-progress --format json -o "$work/graph.json"

# The file itself: nothing fetched over the network, no script at all.
if grep -Eio '(src|href|xlink:href)[[:space:]]*=[[:space:]]*"[[:space:]]*(https?:)?//[^"]*' "$page" |
  head -n 3 | grep -q .; then
  fail "the page references an external resource"
fi
grep -qi '<script' "$page" && fail "the page holds a script"
grep -Eqi '<link[^>]+rel=|@import|url\([[:space:]]*["'\'']?(https?:)?//' "$page" &&
  fail "the page loads a stylesheet or a url() from elsewhere"

# A fresh profile each time; no sandbox (CI containers run as root); the timeout bounds a hung
# browser.
browser_flags=(--headless --disable-gpu --no-sandbox --no-first-run --disable-extensions
  --user-data-dir="$work/profile" --virtual-time-budget=5000)
if ! timeout 120 "$browser" "${browser_flags[@]}" --dump-dom "file://$page" \
  >"$work/dom.html" 2>"$work/browser.log"; then
  cat "$work/browser.log" >&2
  fail "$browser failed or timed out"
fi
for id in summary contents inventory diagram layers layer-L1 layer-L2 layer-L3 layer-L4 layer-L5 \
  layer-L6 layer-L7 cross-layer mitigations suppressed compliance; do
  grep -q "id=\"$id\"" "$work/dom.html" || fail "the rendered page has no section '$id'"
done
grep -q '<svg[^>]*class="topology"' "$work/dom.html" || fail "the rendered page has no diagram"

# One box per node; above the diagram's cap, at most 60 and a note on what was left out.
graph_nodes=$(grep -o '"id": *"n[0-9]*"' "$work/graph.json" | wc -l)
graph_edges=$(grep -o '"from":' "$work/graph.json" | wc -l)
boxes=$(grep -o '<rect class="node-box"' "$work/dom.html" | wc -l)
if ((graph_nodes <= 60 && graph_edges <= 120)); then
  ((boxes == graph_nodes)) || fail "$boxes node boxes drawn for $graph_nodes nodes"
else
  ((boxes > 0 && boxes <= 60)) || fail "$boxes node boxes drawn (cap 60) for $graph_nodes nodes"
  grep -q 'Showing the riskiest part' "$work/dom.html" || fail "no note on the nodes left out"
fi
echo "threat_model_render: $path: every section rendered, $boxes node boxes for $graph_nodes nodes"

if [[ -n "$screenshot" ]]; then
  mkdir -p "$(dirname "$screenshot")"
  timeout 120 "$browser" "${browser_flags[@]}" --hide-scrollbars --window-size=1320,1400 \
    --screenshot="$work/shot.png" "file://$page" >/dev/null 2>"$work/browser.log" || {
    cat "$work/browser.log" >&2
    fail "the screenshot failed"
  }
  size=$(wc -c <"$work/shot.png")
  ((size < 400 * 1024)) || fail "the screenshot is $size bytes, over 400 KB"
  cp "$work/shot.png" "$screenshot"
  echo "threat_model_render: screenshot in $screenshot ($size bytes)"
fi
