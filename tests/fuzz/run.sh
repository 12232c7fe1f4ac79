#!/usr/bin/env bash
# Runs one fuzz target for SECONDS from its seeds: tests/fuzz/corpus/TARGET (regression inputs,
# kept) and the repository's own netlists or data for that entry point. New inputs go to a
# scratch directory (or to OUT, for a campaign), never into the repository.
#   tests/fuzz/run.sh BINARY TARGET SECONDS [OUT]
set -uo pipefail
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
status=0
"$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=65536 -dict="$fuzz/spice.dict" \
       -print_final_stats=1 "$out" "${existing[@]}" > "$scratch/log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  # The report itself (sanitizer or our "unexpected exception"), then the input.
  grep -m1 -A40 -E "ERROR|unexpected exception|runtime error" "$scratch/log" || true
  for f in crash-* leak-* timeout-* oom-*; do
    [ -e "$f" ] && { echo "finding: $f (base64)"; base64 -w0 "$f" | head -c 8000; echo; }
  done
fi
tail -n 8 "$scratch/log"
exit "$status"
