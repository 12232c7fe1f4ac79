#!/usr/bin/env bash
# Times ionspice (whole process, best of 3) on the 256×256 array reads of the crossbar study
# (ionspice.studies.crossbar_reads): the 1T1R one-cell reads (V/2 and floating lines), the
# 1T1R and passive vector–matrix products, and prints a table. The netlists are made first with
# `ionspice gen` (not timed), into bench/out/. Beside it, in the same run, ngspice 47 built with
# KLU (bench/build_ngspice.sh; NGSPICE47 names another binary; NGSPICE47=none leaves it out) on
# the same netlist with `.options klu`, best of 3, and the largest difference between the two
# column currents, relative to the largest.
#
#   bench/run_array_reads.sh                          # N = 256, build/ionspice
#   bench/run_array_reads.sh 128                      # another size
#   IONSPICE=/tmp/b/ionspice bench/run_array_reads.sh # another executable (not rebuilt)
#
# Reads: equal 20 µS cells, 0.2 V, 1 Ω per wire segment, the far-corner cell (0, N−1), word lines
# at 1.8 V (selected row only). Products: cells random in 1–50 µS (gen's seed 1), 0.2 V on every
# row, 1 Ω per segment; 1T1R with every word line on. Each netlist saves its column currents
# (--print) and is run as `ionspice -q --csv OUT NETLIST`.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-256}
ionspice=${IONSPICE:-build/ionspice}
out=bench/out
mkdir -p "$out"
if [ -z "${IONSPICE:-}" ] && [ ! -x build/ionspice ]; then
  cmake --build build -j"$(nproc)" --target ionspice >/dev/null
fi

seconds() {  # best wall time of $1 runs of the rest of the command line
  python3 bench/best_time.py "$@"
}

read_args=(--g uniform:20u --vread 0.2 --rwire 1 --select "0,$((n - 1))" --print)
vmm_args=(--g random:1u:50u --seed 1 --vread 0.2 --rwire 1 --print)
cases=(
  "1T1R read, V/2|1t1r_${n}_v2|1t1r --rows $n --cols $n ${read_args[*]} --scheme v2"
  "1T1R read, floating lines|1t1r_${n}_floating|1t1r --rows $n --cols $n ${read_args[*]} --scheme floating"
  "1T1R product, all word lines on|1t1r_${n}_vmm|1t1r --rows $n --cols $n ${vmm_args[*]}"
  "passive product|crossbar_${n}_vmm|crossbar --rows $n --cols $n ${vmm_args[*]}"
)

ngspice=${NGSPICE47:-$(bash bench/build_ngspice.sh 2>/dev/null || true)}
[ "$ngspice" = none ] && ngspice=

# max |i_ngspice − i_ionspice| / max |i| over the columns: ionspice's CSV against ngspice's raw file.
difference() {
  PYTHONPATH=build/python /usr/bin/python3 - "$1" "$2" <<'PY'
import csv, sys
import ionspice
with open(sys.argv[1]) as f:
    rows = list(csv.reader(f))
ours = dict(zip(rows[0], map(float, rows[1])))
theirs = ionspice.read_raw(sys.argv[2])[0].to_dict()
scale = max(abs(v) for v in ours.values())
print(f"{max(abs(float(theirs[k][0]) - v) for k, v in ours.items()) / scale:.1e}")
PY
}

printf '| %s×%s | unknowns | Newton iterations | ionspice (s) | ngspice-47 + KLU (s) | ngspice / ionspice | difference |\n' "$n" "$n"
printf '|---|---|---|---|---|---|---|\n'
for c in "${cases[@]}"; do
  IFS='|' read -r label name args <<<"$c"
  cir=$out/$name.cir
  # shellcheck disable=SC2086
  "$ionspice" gen $args -o "$cir"
  summary=$("$ionspice" --csv "$out/$name.csv" "$cir" 2>&1 >/dev/null | grep '^\.op:' || true)
  unknowns=$(sed -n 's/^\.op: \([0-9]*\) unknowns.*/\1/p' <<<"$summary")
  newton=$(sed -n 's/.* \([0-9]*\) Newton iteration.*/\1/p' <<<"$summary")
  t=$(seconds 3 "$ionspice" -q --csv "$out/$name.csv" "$cir")
  ng="—" ratio="—" diff="—"
  if [ -n "$ngspice" ]; then
    { grep -v '^\.end$' "$cir"; printf '.options klu\n.end\n'; } >"$out/${name}_klu.cir"
    ng=$(seconds 3 "$ngspice" -b -r "$out/${name}_ngspice.raw" "$out/${name}_klu.cir")
    ratio=$(python3 -c "print(f'{$ng / $t:.1f}×')")
    diff=$(difference "$out/$name.csv" "$out/${name}_ngspice.raw")
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "${unknowns:-?}" "${newton:-?}" "$t" "$ng" "$ratio" "$diff"
done
