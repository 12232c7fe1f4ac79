#!/usr/bin/env bash
# Times .ac on generated N×N passive crossbars (1 Ω wire segments, 1 fF on every line node, AC 1
# on every row driver, 101 frequencies from 1 MHz to 100 GHz): ionspice, ngspice built with KLU
# (bench/build_ngspice.sh; `.options klu`) and Debian's ngspice-39 where it is quick enough; whole
# process, best of 3 (1 for ngspice-39), binary raw output. Then checks that the answers agree:
# the largest relative difference of |v| at a column's far end and a row's far end over all
# frequencies, ionspice against ngspice-47 (ASCII runs that save just those two nodes).
#
#   bench/run_ac.sh                  # sizes 32 64 128
#   NG39_MAX=32 bench/run_ac.sh 64   # ngspice-39 only up to N = 32
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(32 64 128)
ng39max=${NG39_MAX:-64}
ng47=${NGSPICE47:-$(bench/build_ngspice.sh)}
out=bench/out
mkdir -p "$out"
[ -x build/ionspice ] || cmake --build build -j"$(nproc)" --target ionspice >/dev/null

compare() {  # max relative difference of |v| between two ASCII complex raw files, over shared vectors
  python3 - "$1" "$2" <<'PY'
import sys
def read(path):
    lines = open(path).read().splitlines()
    names, data, k = [], {}, 0
    while not lines[k].startswith("Variables:"): k += 1
    k += 1
    while not lines[k].startswith("Values:"):
        names.append(lines[k].split()[1].lower()); k += 1
    vals = [t for l in lines[k + 1:] for t in l.split() if "," in t]
    n = len(names)
    for i, name in enumerate(names):
        data[name] = [complex(*map(float, v.split(","))) for v in vals[i::n]]
    return data
a, b = read(sys.argv[1]), read(sys.argv[2])
worst = 0.0
for name in a:
    if name == "frequency" or name not in b: continue
    for x, y in zip(a[name], b[name]):
        worst = max(worst, abs(abs(x) - abs(y)) / max(abs(y), 1e-300))
print(f"{worst:.1e}")
PY
}

printf '| N | unknowns | ionspice (s) | ngspice-47 + KLU (s) | ngspice-39 (s) | ngspice-47 / ionspice | max rel. difference of \\|v\\| |\n'
printf '|---|---|---|---|---|---|---|\n'
for n in "${sizes[@]}"; do
  cir=$out/xbar${n}_ac.cir
  python3 bench/gen_crossbar.py "$n" --ac >"$cir"
  python3 bench/gen_crossbar.py "$n" --ac --klu >"$out/xbar${n}_ac_klu.cir"
  unknowns=$(build/ionspice --stats -r "$out/ionspice.raw" "$cir" 2>&1 | sed -n 's/.*devices, \([0-9]*\) unknowns.*/\1/p')
  ours=$(python3 bench/best_time.py 3 build/ionspice -q -r "$out/ionspice.raw" "$cir")
  ng=$(python3 bench/best_time.py 3 "$ng47" -b -r "$out/ngspice.raw" "$out/xbar${n}_ac_klu.cir")
  old="-"
  if [ "$n" -le "$ng39max" ]; then old=$(python3 bench/best_time.py 1 ngspice -b -r "$out/ngspice39.raw" "$cir"); fi
  ratio=$(python3 -c "print(f'{$ng / $ours:.1f}')")
  # The agreement check: the same netlist saving two far-end nodes, ASCII.
  last=$((n - 1))
  sed "s/^\.ac /.save v(c${last}_0) v(r0_${last})\n.ac /" "$out/xbar${n}_ac_klu.cir" >"$out/xbar${n}_ac_save.cir"
  build/ionspice -q --ascii -r "$out/ionspice_save.raw" "$out/xbar${n}_ac_save.cir"
  SPICE_ASCIIRAWFILE=1 "$ng47" -b -r "$out/ngspice_save.raw" "$out/xbar${n}_ac_save.cir" >/dev/null 2>&1
  diff=$(compare "$out/ionspice_save.raw" "$out/ngspice_save.raw")
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$unknowns" "$ours" "$ng" "$old" "$ratio" "$diff"
done
