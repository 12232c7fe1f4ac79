#!/usr/bin/env bash
# Builds current ngspice with KLU (the speed reference of bench/README.md) from a git clone of
# its sources, outside this repository, and prints the path of the ngspice binary:
#
#   bench/build_ngspice.sh [GIT_DIR [PREFIX]]
#
# GIT_DIR: a clone, bare or not, of ngspice's repository (default $NGSPICE_GIT, else the mirror
# /work/.mirror/imr+ngspice/repo of github:imr/ngspice at "prepare for ngspice-47", which still
# calls itself ngspice-46+). PREFIX: where it is unpacked (PREFIX/src), built (PREFIX/src/release)
# and installed (PREFIX/bin/ngspice) — default $NGSPICE_PREFIX, else /work/ngspice-47. Nothing is
# installed system-wide but the build tools it lacks (apt-get, as root). Idempotent: when
# PREFIX/bin/ngspice exists it only prints its path. `make -j${NGSPICE_JOBS:-2}`, at nice 19;
# about 10–20 minutes on the 2-core VM. The log: PREFIX/build.log.
#
# KLU is ngspice's own copy (src/maths/KLU, --enable-klu, the default of this version); it is
# used only when the netlist says `.options klu` (bench/gen_crossbar.py --klu), Sparse 1.3
# otherwise.
set -euo pipefail
git_dir=${1:-${NGSPICE_GIT:-/work/.mirror/imr+ngspice/repo}}
prefix=${2:-${NGSPICE_PREFIX:-/work/ngspice-47}}
jobs=${NGSPICE_JOBS:-2}
if [ -x "$prefix/bin/ngspice" ]; then echo "$prefix/bin/ngspice"; exit 0; fi

tools=(autoconf automake libtool bison flex make gcc g++)
missing=()
for p in "${tools[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$prefix"
log="$prefix/build.log"
src="$prefix/src"
fail() { echo "build_ngspice.sh: $1 failed; the end of $log:" >&2; tail -20 "$log" >&2; exit 1; }
rm -rf "$src" && mkdir -p "$src"
git --git-dir="$git_dir" archive HEAD | tar -x -C "$src"
cd "$src"
echo "building $(git --git-dir="$git_dir" log -1 --format='%h %s') in $src" | tee "$log" >&2
./autogen.sh >>"$log" 2>&1 || fail autogen.sh
mkdir -p release && cd release
# No X, no readline: batch runs only. (This version's flags: ./configure --help.)
../configure --prefix="$prefix" --enable-klu --without-x --with-readline=no --disable-debug \
  CFLAGS="-O2" >>"$log" 2>&1 || fail configure
nice -n 19 make -j"$jobs" >>"$log" 2>&1 || fail make
make install >>"$log" 2>&1 || fail "make install"
"$prefix/bin/ngspice" -v 2>&1 | grep -q "with KLU" || fail "the KLU check (ngspice -v)"
echo "$prefix/bin/ngspice"
