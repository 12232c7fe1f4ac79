#!/usr/bin/env bash
# Times ionspice (whole process, best of 3) on generated N×N crossbars, beside ngspice when it
# is installed and the bare-KLU floor on the very same matrix, and prints a table.
#
#   bench/run_crossbar.sh                 # .op, sizes 64 128 256
#   bench/run_crossbar.sh --tran 32 64 128
#   NGSPICE_MAX=64 bench/run_crossbar.sh  # skip ngspice above this size (Debian's ngspice-39
#                                         # needs 40–60 s for a 128×128 .op)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=op
if [ "${1:-}" = "--tran" ]; then mode=tran; shift; fi
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(64 128 256)
ngmax=${NGSPICE_MAX:-128}
out=bench/out
mkdir -p "$out"
[ -x build/ionspice ] && [ -x build/klu_floor ] || cmake --build build -j"$(nproc)" --target ionspice klu_floor >/dev/null

seconds() {  # best wall time of $1 runs of the rest of the command line
  python3 bench/best_time.py "$@"
}

printf '| N | unknowns | ionspice (s) | bare KLU floor (s) | ngspice (s) | ngspice / ionspice |\n'
printf '|---|---|---|---|---|---|\n'
for n in "${sizes[@]}"; do
  cir=$out/xbar${n}_$mode.cir
  if [ "$mode" = tran ]; then python3 bench/gen_crossbar.py "$n" --tran >"$cir"; else python3 bench/gen_crossbar.py "$n" >"$cir"; fi
  ours=$(seconds 3 build/ionspice -q -r "$out/ionspice.raw" "$cir")
  floor=$(build/klu_floor "$cir" | sed -n 's/.*solve \([0-9.]*\) s/\1/p')
  unknowns=$(build/klu_floor "$cir" | sed -n 's/^\([0-9]*\) unknowns.*/\1/p')
  [ "$mode" = tran ] && floor="(n/a)"
  ng="-"; ratio="-"
  if command -v ngspice >/dev/null && [ "$n" -le "$ngmax" ]; then
    ng=$(seconds 1 ngspice -b -r "$out/ngspice.raw" "$cir")
    ratio=$(python3 -c "print(f'{$ng / $ours:.1f}')")
  fi
  printf '| %s | %s | %s | %s | %s | %s |\n' "$n" "$unknowns" "$ours" "$floor" "$ng" "$ratio"
done
