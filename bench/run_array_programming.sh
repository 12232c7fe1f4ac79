#!/usr/bin/env bash
# Times the array programming studies, whole study (Python driving ionspice gen and ionspice),
# best of 3: the 10x10 open-loop ECRAM programming with write-and-verify (CIRCUITS.md §5, nine
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
  python3 - "$@" <<'PY'
import subprocess, sys, time
best, last = None, ""
for _ in range(3):
    start = time.perf_counter()
    out = subprocess.run(sys.argv[1:], check=True, capture_output=True, text=True).stdout
    t = time.perf_counter() - start
    best = t if best is None else min(best, t)
    last = out.strip().splitlines()[-1]
print(f"{best:.2f} s  ({last})")
PY
}

echo "| study | whole study, best of 3 |"
echo "|---|---|"
echo "| open-loop 10x10 ECRAM, 4 cycles + 3 write-and-verify | $(best python3 netlists/arrays/open_loop_programming.py --ionspice "$ionspice") |"
echo "| H-1E1T stages and 4x4 array | $(best python3 netlists/arrays/h1e1t_programming.py --ionspice "$ionspice") |"
