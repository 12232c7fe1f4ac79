#!/usr/bin/env bash
# Times one crossbar `.op` solved across MPI ranks (`mpirun -np R ionspice --distributed`) beside
# the same solve in one process (`.options solver=amg`: the same method, AMG-preconditioned CG,
# on one rank), whole process, and reports each rank's peak memory and the solve's own time
# (--stats). Netlists from bench/gen_crossbar.py (1 Ω wire segments, cells 1–50 µS), into
# bench/out/.
#
#   bench/run_distributed.sh                 # N = 512 1024, ranks 2
#   bench/run_distributed.sh "256 512" 2 3   # other sizes and rank counts (oversubscribed past the cores)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-"512 1024"}
shift || true
ranks=("${@:-2}")
[ ${#ranks[@]} -eq 0 ] && ranks=(2)
ionspice=${IONSPICE:-build/ionspice}
out=bench/out
mkdir -p "$out"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none  # containers often forbid its CMA reads

summary() {  # wall, the solve line's seconds and iterations, peak memory per rank, from --stats
  python3 - "$1" "$2" <<'PY'
import re, sys
text, wall = open(sys.argv[1]).read(), sys.argv[2]
solve = re.search(r"solve ([0-9.]+) s: .*?\(setup ([0-9.]+) s\), (\d+) iterations .*?\(([0-9.]+) s the last solve\)", text)
mems = [int(m) for m in re.findall(r"rank \d+ of \d+: peak memory (\d+) MB", text)]
if not mems:
    mems = [int(m) for m in re.findall(r"peak memory (\d+) MB", text)]
amg = f"{solve.group(2)} + {solve.group(4)} s, {solve.group(3)} iterations" if solve else "?"
print(f"{wall} s | {amg} | " + " / ".join(f"{m / 1024:.2f} GB" for m in mems))
PY
}

printf '| N | unknowns | run | wall | AMG setup + CG solve, iterations | peak memory per rank |\n|---|---|---|---|---|---|\n'
for n in $sizes; do
  net="$out/dist_xbar${n}.cir"
  [ -f "$net" ] || python3 bench/gen_crossbar.py "$n" > "$net"
  unknowns=$(( 2 * n * n + 2 * n ))
  amg="$out/xbar${n}_amg.cir"
  { sed '$d' "$net"; echo ".options solver=amg"; echo ".end"; } > "$amg"
  start=$(date +%s.%N)
  # One OpenMP thread in hypre, as each of the ranks below has on this 2-core machine.
  OMP_NUM_THREADS=1 "$ionspice" --stats -j 1 "$amg" > /dev/null 2> "$out/dist_${n}_1.log"
  wall=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$start" "$(date +%s.%N)")
  printf '| %s² | %s | 1 process | %s |\n' "$n" "$unknowns" "$(summary "$out/dist_${n}_1.log" "$wall")"
  for r in "${ranks[@]}"; do
    start=$(date +%s.%N)
    mpirun --oversubscribe -np "$r" "$ionspice" --stats --distributed "$net" > /dev/null 2> "$out/dist_${n}_${r}.log"
    wall=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$start" "$(date +%s.%N)")
    printf '| %s² | %s | %s ranks | %s |\n' "$n" "$unknowns" "$r" "$(summary "$out/dist_${n}_${r}.log" "$wall")"
  done
done
