#!/usr/bin/env python3
"""Best wall-clock time of a command over RUNS runs (the bench scripts' timer):

    python3 bench/best_time.py RUNS COMMAND [ARGS...]        # prints the seconds, e.g. 1.234
    python3 bench/best_time.py --last-line RUNS COMMAND ...  # and the command's last output line

The command must succeed; its output is discarded (but for --last-line).
"""
import subprocess
import sys
import time

args = sys.argv[1:]
last_line = args[:1] == ["--last-line"]
if last_line:
    args = args[1:]
if len(args) < 2:
    sys.exit(__doc__)
runs, cmd = int(args[0]), args[1:]
best, last = None, ""
for _ in range(runs):
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    t = time.perf_counter() - start
    if best is None or t < best:  # the last line of the best run
        best = t
        lines = out.strip().splitlines()
        last = lines[-1] if lines else ""
print(f"{best:.3f} s  ({last})" if last_line else f"{best:.3f}")
