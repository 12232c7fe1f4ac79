#!/usr/bin/env bash
# Times the open-loop array's Monte Carlo (bench/openloop_monte_carlo.cir: 256 chips × 4 cycles,
# 1024 transient runs of a 10×10 ECRAM crossbar) on threads and on MPI ranks, whole process,
# best of 3, and checks that every way writes the same bytes (raw file and .meas table).
#
#   bench/run_monte_carlo.sh                           # build/ionspice
#   IONSPICE=/tmp/b/ionspice bench/run_monte_carlo.sh  # another executable (not rebuilt)
#
# As root, Open MPI needs OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 (set here).
set -euo pipefail
cd "$(dirname "$0")/.."
ionspice=${IONSPICE:-build/ionspice}
out=bench/out
mkdir -p "$out"
if [ -z "${IONSPICE:-}" ] && [ ! -x build/ionspice ]; then
  cmake --build build -j"$(nproc)" --target ionspice >/dev/null
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none  # containers often forbid its CMA reads
export SOURCE_DATE_EPOCH=1796000000  # the raw files' date, so that they compare byte for byte
netlist=bench/openloop_monte_carlo.cir

ways=(
  "-j 1|one process, 1 thread|$ionspice -j 1"
  "-j 2|one process, 2 threads|$ionspice -j 2"
  "mpirun -np 2 -j 1|2 ranks × 1 thread|mpirun -np 2 $ionspice -j 1"
  "mpirun -np 2 -j 2|2 ranks × 2 threads (oversubscribed)|mpirun --oversubscribe -np 2 $ionspice -j 2"
)
printf '| way | what | wall (s) | same bytes as -j 1 |\n|---|---|---|---|\n'
ref=""
for w in "${ways[@]}"; do
  IFS='|' read -r name what cmd <<<"$w"
  tag=$(echo "$name" | tr -c 'a-z0-9' '_')
  # shellcheck disable=SC2086
  t=$(python3 bench/best_time.py 3 $cmd -q -r "$out/mc_$tag.raw" --meas "$out/mc_$tag.csv" "$netlist")
  same="—"
  if [ -z "$ref" ]; then
    ref=$tag
  elif cmp -s "$out/mc_$ref.raw" "$out/mc_$tag.raw" && cmp -s "$out/mc_$ref.csv" "$out/mc_$tag.csv" &&
    cmp -s "$out/mc_$ref.summary.csv" "$out/mc_$tag.summary.csv"; then
    same="yes"
  else
    same="NO"
  fi
  printf '| `%s` | %s | %s | %s |\n' "$name" "$what" "$t" "$same"
done
echo
echo "Statistics over the chips, per cycle ($out/mc_${ref}.summary.csv):"
cat "$out/mc_${ref}.summary.csv"
