#!/usr/bin/env bash
# Regenerates the ngspice reference results beside each netlist here:
#   <name>.cir  ->  <name>.ngspice.raw   (ASCII raw, ngspice's own layout)
#   complex_*.cir also  ->  <name>.ngspice.bin.raw  (the same in binary: the complex layouts)
#   complex_write.cir   ->  both files written by its own .control block (the write command's layout)
#   control_sweep.cir   ->  its wrdata file (.ngspice.txt) and its printed output (.ngspice.out)
#   tran_bjt_excess.cir ->  binary raw (its 4000 points)
#   tran_corners.cir, tran_corners_fast.cir  ->  binary raw (4000 points; each *.ionspice.cir is the same
#                           circuit at default tolerances, which the test runs against it)
# Made with Debian's ngspice (39.3) in batch mode; the netlists set tight tolerances so the
# stored values are converged far below the 1e-6 relative tolerance the tests use.
set -euo pipefail
cd "$(dirname "$0")"
for cir in *.cir; do
  case $cir in *.ionspice.cir) continue ;; esac  # ionspice-only counterparts
  name=${cir%.cir}
  case $name in
    complex_write)
      rm -f "$name.ngspice.raw" "$name.ngspice.bin.raw"  # it appends its second plot
      ngspice -b "$cir" >/dev/null 2>"$name.ngspice.log" || { cat "$name.ngspice.log"; exit 1; } ;;
    control_sweep)  # its wrdata file, and its standard output without ngspice's progress lines and dates
      rm -f "$name.ngspice.txt"  # it appends
      ngspice -b "$cir" 2>"$name.ngspice.log" |
        grep -v '^Note:\|^Circuit:\|^Doing analysis\|^No. of Data Rows\|^ngspice-.* done\|^$' |
        sed 's/  [A-Z][a-z][a-z] [A-Z][a-z][a-z] .*20[0-9][0-9]$/  DATE/' >"$name.ngspice.out" ;;
    tran_bjt_excess|tran_corners|tran_corners_fast)  # 4000 points: binary keeps it a quarter of the ASCII size
      ngspice -b -r "$name.ngspice.raw" "$cir" >/dev/null 2>"$name.ngspice.log" || {
        cat "$name.ngspice.log"; exit 1; } ;;
    *)
      SPICE_ASCIIRAWFILE=1 ngspice -b -r "$name.ngspice.raw" "$cir" >/dev/null 2>"$name.ngspice.log" || {
        cat "$name.ngspice.log"; exit 1; }
      case $name in complex_*)
        ngspice -b -r "$name.ngspice.bin.raw" "$cir" >/dev/null 2>"$name.ngspice.log" || {
          cat "$name.ngspice.log"; exit 1; } ;;
      esac ;;
  esac
  rm -f "$name.ngspice.log"
  echo "$name.ngspice.raw"
done
