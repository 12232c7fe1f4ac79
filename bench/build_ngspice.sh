#!/usr/bin/env bash
# Builds current ngspice with KLU (the speed reference of bench/README.md) from a git checkout
# of its sources, outside this repository:
#   bench/build_ngspice.sh [GIT_DIR [PREFIX]]
# GIT_DIR: a clone (bare or not) of ngspice's repository (default: $NGSPICE_GIT, else
# /work/.mirror/imr+ngspice/repo); PREFIX: where it is built and installed (default
# $NGSPICE_PREFIX, else /work/ngspice-47). Installs the build tools it needs (as root). Prints the
# path of the ngspice binary; does nothing but that when it is built already.
set -euo pipefail
git_dir=${1:-${NGSPICE_GIT:-/work/.mirror/imr+ngspice/repo}}
prefix=${2:-${NGSPICE_PREFIX:-/work/ngspice-47}}
if [ -x "$prefix/bin/ngspice" ]; then echo "$prefix/bin/ngspice"; exit 0; fi

tools=(autoconf automake libtool bison flex make gcc g++ libsuitesparse-dev)
missing=()
for p in "${tools[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

src="$prefix/src"
rm -rf "$src" && mkdir -p "$src"
git --git-dir="$git_dir" archive HEAD | tar -x -C "$src"
cd "$src"
./autogen.sh >/dev/null 2>&1
mkdir -p release && cd release
# KLU is ngspice's own copy (--enable-klu); no X, no readline: batch runs only.
../configure --prefix="$prefix" --enable-klu --without-x --with-readline=no --disable-debug \
  CFLAGS="-O2" >/dev/null
nice -n 10 make -j"$(nproc)" >/dev/null 2>&1
make install >/dev/null
echo "$prefix/bin/ngspice"
