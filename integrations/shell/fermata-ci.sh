#!/usr/bin/env sh
# A plain CI step for any CI system: scan, keep the SARIF report, and fail only on
# high-risk findings that the change adds.
#
#   FERMATA_BASE=origin/main sh fermata-ci.sh [PATH]
#
# FERMATA_BASE is the revision the change is compared with (the target branch of a pull or
# merge request); leave it empty on the default branch to block on every open finding.
# Needs `fermata` on PATH (or FERMATA=/path/to/fermata) and, with FERMATA_BASE, a clone deep
# enough to hold the base (e.g. `git fetch origin main`).
set -eu
fermata="${FERMATA:-fermata}"
path="${1:-.}"
set -- scan "$path" --no-progress --fail-on "${FERMATA_FAIL_ON:-high}" \
  --format text --format sarif --output "${FERMATA_SARIF:-fermata.sarif}"
if [ -n "${FERMATA_BASE:-}" ]; then
  set -- "$@" --new-since "$FERMATA_BASE"
fi
exec "$fermata" "$@"
