#!/usr/bin/env bash
# Times .ac on generated N×N passive crossbars (bench/gen_crossbar.py --ac: 1 Ω wire segments,
# 1 fF from every row and column node to ground, AC 1 on every row driver, `.ac dec 20 1meg 100g`,
# i.e. 101 frequencies) and prints a table: ionspice, ngspice-47 built with KLU
# (bench/build_ngspice.sh; the netlist says `.options klu`, without which ngspice uses Sparse 1.3)
# and Debian's ngspice-39 (Sparse 1.3) where it is quick enough. Whole process, binary raw file of
# every vector written; best of 3 (ngspice-39: 1 run, given up after NG39_TIMEOUT seconds).
# Then checks that the answers agree: the largest relative difference of |v| at a column's end
# (v(cN-1_0), next to its virtual ground) and at a row's far end (v(r0_N-1)) over all 101
# frequencies, ionspice against ngspice-47 (ASCII runs that save just those two nodes).
#
#   bench/run_ac.sh                  # sizes 32 64 128
#   NG39_MAX=32 bench/run_ac.sh 64   # ngspice-39 only up to N = 32 (default 64)
#   NGSPICE47=/path/to/ngspice IONSPICE=/path/to/ionspice bench/run_ac.sh
#
# ionspice is not built here: when build/ionspice is missing or fails (others rebuild it now and
# then), the script waits for it (up to 15 minutes) and retries.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(32 64 128)
ours_bin=${IONSPICE:-build/ionspice}
ng47=${NGSPICE47:-$(bench/build_ngspice.sh)}
ng39=${NGSPICE39:-/usr/bin/ngspice}
ng39max=${NG39_MAX:-64}
ng39timeout=${NG39_TIMEOUT:-120}
out=bench/out
mkdir -p "$out"

ours() {  # runs ionspice with these arguments, waiting out a rebuild of it
  local tries=0
  until [ -x "$ours_bin" ] && "$ours_bin" "$@"; do
    tries=$((tries + 1))
    [ $tries -le 45 ] || { echo "run_ac.sh: $ours_bin $* keeps failing" >&2; return 1; }
    echo "run_ac.sh: $ours_bin failed or is missing (being rebuilt?); retrying in 20 s" >&2
    sleep 20
  done
}
ours_time() {  # best of 3 whole-process runs, retried as a whole when a run fails
  local tries=0 t
  until t=$(python3 bench/best_time.py 3 "$ours_bin" "$@" 2>/dev/null); do
    tries=$((tries + 1))
    [ $tries -le 45 ] || { echo "run_ac.sh: timing $ours_bin $* keeps failing" >&2; return 1; }
    sleep 20
    ours -v >/dev/null
  done
  echo "$t"
}

compare() {  # max relative difference of |v| between two ASCII complex raw files, over shared vectors
  python3 - "$1" "$2" <<'PY'
import sys
def read(path):
    lines = open(path).read().splitlines()
    names, k = [], 0
    while not lines[k].startswith("Variables:"): k += 1
    k += 1
    while not lines[k].startswith("Values:"):
        names.append(lines[k].split()[1].lower()); k += 1
    vals = [t for l in lines[k + 1:] for t in l.split() if "," in t]
    n = len(names)
    return {name: [complex(*map(float, v.split(","))) for v in vals[i::n]] for i, name in enumerate(names)}
a, b = read(sys.argv[1]), read(sys.argv[2])
freq = [x.real for x in b["frequency"]]
assert len(a["frequency"]) == len(freq), "different frequency counts"
worst, where, shared, cworst = 0.0, "", 0, 0.0
for name in a:
    if name == "frequency" or name not in b: continue
    shared += 1
    for f, x, y in zip(freq, a[name], b[name]):
        d = abs(abs(x) - abs(y)) / max(abs(y), 1e-300)
        if d >= worst: worst, where = d, f"{name} at {f:.3g} Hz"
        cworst = max(cworst, abs(x - y) / max(abs(y), 1e-300))
assert shared, "no shared vectors"
print(f"{worst:.1e}\t{where}; of the complex v: {cworst:.1e}")
PY
}

ours -v >/dev/null
printf '| N | unknowns | ionspice (s) | ngspice-47 + KLU (s) | ngspice-39 (s) | ngspice-47 / ionspice | max rel. difference of \\|v\\| |\n'
printf '|---|---|---|---|---|---|---|\n'
notes=()
for n in "${sizes[@]}"; do
  cir=$out/xbar${n}_ac.cir
  klu=$out/xbar${n}_ac_klu.cir
  python3 bench/gen_crossbar.py "$n" --ac >"$cir"
  python3 bench/gen_crossbar.py "$n" --ac --klu >"$klu"
  unknowns=$(ours --stats -r "$out/ionspice_ac.raw" "$cir" 2>&1 | sed -n 's/.*devices, \([0-9]*\) unknowns.*/\1/p')
  t_ours=$(ours_time -q -r "$out/ionspice_ac.raw" "$cir")
  t_ng=$(python3 bench/best_time.py 3 "$ng47" -b -r "$out/ngspice47_ac.raw" "$klu")
  t_old="-"
  if [ -x "$ng39" ] && [ "$n" -le "$ng39max" ]; then
    t_old=$(python3 bench/best_time.py 1 timeout "$ng39timeout" "$ng39" -b -r "$out/ngspice39_ac.raw" "$cir" 2>/dev/null) ||
      t_old="> $ng39timeout"
  fi
  ratio=$(python3 -c "print(f'{$t_ng / $t_ours:.1f}')")
  # The agreement check: the same netlist saving two far-end nodes, ASCII raw files.
  last=$((n - 1))
  sed "s/^\.ac /.save v(c${last}_0) v(r0_${last})\n.ac /" "$klu" >"$out/xbar${n}_ac_save.cir"
  ours -q --ascii -r "$out/ionspice_save.raw" "$out/xbar${n}_ac_save.cir"
  SPICE_ASCIIRAWFILE=1 "$ng47" -b -r "$out/ngspice_save.raw" "$out/xbar${n}_ac_save.cir" >/dev/null 2>&1
  IFS=$'\t' read -r diff where < <(compare "$out/ionspice_save.raw" "$out/ngspice_save.raw")
  notes+=("N = $n: largest difference $diff, $where")
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$unknowns" "$t_ours" "$t_ng" "$t_old" "$ratio" "$diff"
done
printf '%s\n' "${notes[@]}"
