#!/usr/bin/env bash
# A long fuzzing campaign: every target (or those named) for SECONDS each, one after another,
# from the seeds and from what earlier campaigns found (kept under build-asan/fuzz-campaign/,
# outside the repository). Prints each target's executions and findings; record them in
# tests/fuzz/README.md. Needs the asan build: cmake --preset asan && cmake --build build-asan -j2
#   tests/fuzz/campaign.sh [SECONDS] [TARGET...]        (default 3600 s: one CPU-hour each)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
seconds=${1:-3600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(deck expression simulate readers gen)
work="$src/build-asan/fuzz-campaign"
for t in "${targets[@]}"; do
  mkdir -p "$work/$t"
  echo "== fuzz_$t, $seconds s"
  if IONSPICE_SOURCE_DIR="$src" "$here/run.sh" "$src/build-asan/tests/fuzz/fuzz_$t" "$t" "$seconds" "$work/$t" \
       > "$work/$t.log" 2>&1; then
    echo "   no findings"
  else
    echo "   FINDINGS (see $work/$t.log)"
  fi
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)" "$work/$t.log" | sed 's/^/   /'
  echo "   corpus: $(ls "$work/$t" | wc -l) inputs"
done
