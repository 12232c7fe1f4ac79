#!/usr/bin/env bash
# One command from a fresh Debian machine (as root) to a result:
#   tools/bootstrap.sh example   installs what is missing, builds, runs an example netlist
#   tools/bootstrap.sh test      the same set-up, then the whole test suite (ctest, parallel), and
#                                again built with ASan + UBSan and clang, with the fuzz targets'
#                                short runs (CMakePresets.json "asan", in build-asan/)
#   tools/bootstrap.sh build     only the set-up and the build
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-example}
packages=(g++ cmake make libeigen3-dev libsuitesparse-dev libmetis-dev libopenblas-dev libhypre-dev libopenmpi-dev openmpi-bin libboost-dev libfmt-dev doctest-dev libcli11-dev ngspice python3 gnuplot-nox
          python3-dev pybind11-dev python3-numpy python3-pytest python3-sklearn
          clang libfuzzer-14-dev)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: run as root (or install: apt-get install ${missing[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs"

# `import ionspice` for Debian's Python: a .pth file in its site directory names the build's
# package directory (no copy, no network; a rebuild is picked up as it is).
if [ "$(id -u)" -eq 0 ] && [ -x /usr/bin/python3 ] && [ -d build/python/ionspice ]; then
  site=$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])')
  mkdir -p "$site"
  echo "$PWD/build/python" > "$site/ionspice.pth"
fi

case "$what" in
  example)
    echo "bootstrap: running netlists/mtt/mtt_ecram_unit.cir (an MTT unit: ECRAM hidden weight swept)"
    ./build/ionspice netlists/mtt/mtt_ecram_unit.cir
    ;;
  test)
    (cd build && ctest -j "$jobs" --output-on-failure)
    # The same suite under the sanitizers, and each libFuzzer target for a few seconds.
    cmake --preset asan >/dev/null
    cmake --build build-asan -j "$jobs"
    ctest --preset asan -j "$jobs"
    ;;
  build) ;;
  *) echo "usage: tools/bootstrap.sh [example|test|build]" >&2; exit 2 ;;
esac
