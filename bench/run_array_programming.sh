#!/usr/bin/env bash
# Times the array programming studies, whole study (Python driving ionspice gen and ionspice),
# best of 3: the 10x10 open-loop ECRAM programming with write-and-verify (docs/circuits.md §5, nine
# runs of 100 PWM pulses each) and the H-1E1T stages and 4x4 array (§2, four runs).
#
#   bench/run_array_programming.sh                           # build/ionspice
#   IONSPICE=/tmp/b/ionspice bench/run_array_programming.sh  # another executable (not rebuilt)
set -euo pipefail
cd "$(dirname "$0")/.."
ionspice=${IONSPICE:-build/ionspice}
if [ -z "${IONSPICE:-}" ] && [ ! -x build/ionspice ]; then
  cmake --build build -j"$(nproc)" --target ionspice >/dev/null
fi

best() {  # best wall time of 3 runs of the command, and its last line of output
  python3 bench/best_time.py --last-line 3 "$@"
}

echo "| study | whole study, best of 3 |"
echo "|---|---|"
echo "| open-loop 10x10 ECRAM, 4 cycles + 3 write-and-verify | $(best python3 netlists/arrays/open_loop_programming.py --ionspice "$ionspice") |"
echo "| H-1E1T stages and 4x4 array | $(best python3 netlists/arrays/h1e1t_programming.py --ionspice "$ionspice") |"
