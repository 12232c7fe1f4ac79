#!/usr/bin/env bash
# Times the array programming studies, whole study (ionspice.studies: Python generating each
# run's netlist with ionspice.arrays and running it in-process), best of 3: the 10x10 open-loop
# ECRAM programming with write-and-verify (docs/circuits.md §5, nine runs of 100 PWM pulses each)
# and the H-1E1T stages and 4x4 array (§2, four runs).
#
#   bench/run_array_programming.sh                                   # build/python
#   IONSPICE_PYTHONPATH=/tmp/b/python bench/run_array_programming.sh # another build's module (not rebuilt)
set -euo pipefail
cd "$(dirname "$0")/.."
pythonpath=${IONSPICE_PYTHONPATH:-build/python}
# Debian's python3 has numpy; a pyenv first on PATH may not.
python=${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )}
if [ -z "${IONSPICE_PYTHONPATH:-}" ] && ! compgen -G "build/python/ionspice/_core*.so" >/dev/null; then
  cmake --build build -j"$(nproc)" --target ionspice_python >/dev/null
fi

best() {  # best wall time of 3 runs of the command, and its last line of output
  PYTHONPATH=$pythonpath IONSPICE_SOURCE_DIR=$PWD "$python" bench/best_time.py --last-line 3 "$@"
}

echo "| study | whole study, best of 3 |"
echo "|---|---|"
echo "| open-loop 10x10 ECRAM, 4 cycles + 3 write-and-verify | $(best "$python" -m ionspice.studies.open_loop_programming) |"
echo "| H-1E1T stages and 4x4 array | $(best "$python" -m ionspice.studies.h1e1t_programming) |"
