#!/usr/bin/env bash
# Runs one fuzz target for SECONDS from its seeds: tests/fuzz/corpus/TARGET (regression inputs,
# kept) and the repository's own netlists or data for that entry point. New inputs go to a
# scratch directory (or to OUT, for a campaign), never into the repository.
#   tests/fuzz/run.sh BINARY TARGET SECONDS [OUT]
set -euo pipefail
bin=$(readlink -f "$1") target=$2 seconds=$3 out=${4:-}
src=${IONSPICE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
fuzz="$src/tests/fuzz"
seeds=("$fuzz/corpus/$target")
case $target in
  deck|simulate) seeds+=("$src/netlists/examples" "$src/netlists/devices" "$src/netlists/mtt" "$src/netlists/arrays") ;;
  readers) seeds+=("$src/tests/golden" "$src/tests/data") ;;
esac
existing=()
for d in "${seeds[@]}"; do [ -d "$d" ] && existing+=("$d"); done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
[ -n "$out" ] || out="$scratch/new"
mkdir -p "$out"
cd "$scratch"   # crash-*, leak-* and timeout-* files land here; a failing run prints their path
"$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=65536 -dict="$fuzz/spice.dict" \
       -print_final_stats=1 "$out" "${existing[@]}" 2>&1 | tail -n 25
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  for f in crash-* leak-* timeout-* oom-*; do
    [ -e "$f" ] && { echo "finding: $f"; base64 "$f" | head -c 4000; echo; }
  done
fi
exit "$status"
