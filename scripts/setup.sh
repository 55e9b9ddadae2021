#!/usr/bin/env bash
# Installs what fermata needs to build (with --test, to run its test suite; with --bench, the
# benchmark's packages, without building) from
# Debian's packages, then configures and builds it in build/. Safe to run again: packages
# already present are not reinstalled and the build is incremental.
set -euo pipefail
cd "$(dirname "$0")/.."

build_packages=(g++ cmake ninja-build pkg-config git
                libyaml-cpp-dev libtomlplusplus-dev libre2-dev nlohmann-json3-dev libcli11-dev
                libgit2-dev doctest-dev)
# The report validators run on Node.js; a machine that has node and npm from elsewhere
# (NodeSource bundles npm into its nodejs) needs nothing more.
# The integration tests install the pre-commit hook with Debian's pre-commit; the graph tests
# render `fermata graph` with Graphviz and, through mermaid.js, in headless Chromium.
test_packages=(pre-commit graphviz chromium)
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || test_packages+=(nodejs npm)

packages=("${build_packages[@]}")
build_type=RelWithDebInfo
werror=OFF
# --bench: the benchmark's packages only (libyaml is timed beside yaml-cpp); it builds itself.
build=true
if [[ "${1:-}" == "--test" ]]; then
  packages+=(${test_packages[@]+"${test_packages[@]}"})
  werror=ON
elif [[ "${1:-}" == "--bench" ]]; then
  packages+=(libyaml-dev)
  build=false
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "fermata: installing ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ "$build" == true ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DFERMATA_WERROR="$werror" >/dev/null
  cmake --build build --parallel "$(nproc)"
fi
