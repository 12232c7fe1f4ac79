#!/usr/bin/env bash
# Regenerates the ngspice reference results beside each netlist here:
#   <name>.cir  ->  <name>.ngspice.raw   (ASCII raw, ngspice's own layout)
# Made with Debian's ngspice (39.3) in batch mode; the netlists set tight tolerances so the
# stored values are converged far below the 1e-6 relative tolerance the tests use.
set -euo pipefail
cd "$(dirname "$0")"
for cir in *.cir; do
  case $cir in *.ionspice.cir) continue ;; esac  # ionspice-only counterparts
  name=${cir%.cir}
  SPICE_ASCIIRAWFILE=1 ngspice -b -r "$name.ngspice.raw" "$cir" >/dev/null 2>"$name.ngspice.log" || {
    cat "$name.ngspice.log"; exit 1; }
  rm -f "$name.ngspice.log"
  echo "$name.ngspice.raw"
done
