#!/usr/bin/env bash
# Renders `fermata graph --format mermaid` of a directory in a real browser: headless Chromium
# (Debian `chromium`) loads a local page with mermaid.js from the npm registry (a pinned
# version, installed once into a cache directory; never fetched from a CDN at run time). The
# page checks that the diagram parses and renders, with one node per topology node and every
# label as written (tests/graph/mermaid_page.js); this script fails unless it says so.
# Usage: mermaid_render.sh [--screenshot PNG] FERMATA PATH [graph flags...]
# Exit 77 (CTest: skipped) when chromium, node or npm is missing or mermaid cannot be
# installed, except under CI=true, where that fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
screenshot=""
if [[ "${1:-}" == "--screenshot" ]]; then
  screenshot=$2
  shift 2
fi
fermata=$1
path=$2
shift 2

mermaid_version=11.12.0
cache=${FERMATA_MERMAID_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fermata/mermaid-$mermaid_version}
mermaid_js=$cache/node_modules/mermaid/dist/mermaid.min.js

unavailable() {
  echo "mermaid_render: $*" >&2
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
command -v node >/dev/null 2>&1 || unavailable "node is not installed (Debian: nodejs)"
if [[ ! -f "$mermaid_js" ]]; then
  command -v npm >/dev/null 2>&1 || unavailable "npm is not installed (Debian: npm)"
  mkdir -p "$cache"
  if ! timeout 600 npm install --prefix "$cache" --no-audit --no-fund --ignore-scripts \
    --no-save "mermaid@$mermaid_version" >"$cache/npm.log" 2>&1; then
    cat "$cache/npm.log" >&2
    unavailable "npm could not install mermaid@$mermaid_version into $cache"
  fi
  [[ -f "$mermaid_js" ]] || unavailable "npm installed mermaid without dist/mermaid.min.js"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$fermata" graph "$path" --no-progress --format mermaid -o "$work/graph.mmd" "$@"
"$fermata" graph "$path" --no-progress --format json -o "$work/graph.json" "$@"
cp "$mermaid_js" "$work/mermaid.min.js"
node "$here/mermaid_page.js" "$work/graph.mmd" "$work/graph.json" "$work/mermaid.min.js" \
  "$work/page.html"

# A fresh profile each time; no sandbox (CI containers run as root); virtual time lets the
# page's scripts finish before the DOM is dumped, and timeout bounds a hung browser.
browser_flags=(--headless --disable-gpu --no-sandbox --no-first-run --disable-extensions
  --user-data-dir="$work/profile" --virtual-time-budget=10000)
if ! timeout 120 "$browser" "${browser_flags[@]}" --dump-dom "file://$work/page.html" \
  >"$work/dom.html" 2>"$work/browser.log"; then
  cat "$work/browser.log" >&2
  echo "mermaid_render: $browser failed or timed out on $path" >&2
  exit 1
fi
# The verdict the page wrote into its status element ("pending" if its script never finished).
status=$(grep -o '<div id="status">[^<]*' "$work/dom.html" | head -n 1 | sed 's/^<div id="status">//' || true)
if [[ "$status" != "fermata-render: ok "* ]] || grep -q 'Syntax error' "$work/dom.html" ||
  ! grep -q '<svg' "$work/dom.html"; then
  echo "mermaid_render: $path did not render: ${status:-no status}" >&2
  exit 1
fi
echo "mermaid_render: $path: ${status#fermata-render: }"

if [[ -n "$screenshot" ]]; then
  mkdir -p "$(dirname "$screenshot")"
  timeout 120 "$browser" "${browser_flags[@]}" --hide-scrollbars --window-size=1400,1000 \
    --screenshot="$work/shot.png" "file://$work/page.html" >/dev/null 2>"$work/browser.log" || {
    cat "$work/browser.log" >&2
    exit 1
  }
  cp "$work/shot.png" "$screenshot"
  echo "mermaid_render: screenshot in $screenshot"
fi
