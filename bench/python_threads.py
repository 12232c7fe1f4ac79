#!/usr/bin/env python3
"""The module releases the GIL while it solves: two Python threads running two simulations
finish in about the time of one, where serial runs take twice as long (on a machine with two
cores or more). Measured here, never in a test (tests assert only that the results are equal).

    PYTHONPATH=build/python python3 bench/python_threads.py [--size 96] [--repeat 3]

Each job is one transient of an RC ladder netlist written by ionspice.Circuit (single-threaded
inside the solver), so the speed-up comes from the two Python threads alone.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

import numpy as np

import ionspice


def ladder(n: int) -> ionspice.Circuit:
    c = ionspice.Circuit(f"RC ladder of {n} sections")
    c.add("V1", "n0", 0, "PULSE(0 1 0 1n 1n 50n 100n)")
    for k in range(n):
        c.add(f"R{k}", f"n{k}", f"n{k + 1}", 100.0)
        c.add(f"C{k}", f"n{k + 1}", 0, 1e-12)
    c.analysis(".tran", 1e-10, 2e-6)
    return c


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=400, help="ladder sections")
    ap.add_argument("--repeat", type=int, default=3, help="best of")
    args = ap.parse_args()
    text = str(ladder(args.size))

    def job(out: list, k: int) -> None:
        out[k] = ionspice.run(text, jobs=1)[0]

    best_serial = best_threads = float("inf")
    for _ in range(args.repeat):
        serial = [None, None]
        t0 = time.perf_counter()
        job(serial, 0)
        job(serial, 1)
        best_serial = min(best_serial, time.perf_counter() - t0)

        threaded = [None, None]
        workers = [threading.Thread(target=job, args=(threaded, k)) for k in range(2)]
        t0 = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        best_threads = min(best_threads, time.perf_counter() - t0)
    same = all(np.array_equal(serial[0][n], threaded[k][n]) for k in range(2) for n in serial[0].names)
    print(f"{args.size}-section RC ladder transient, {serial[0].points} points, {os.cpu_count()} cores")
    print(f"  two runs one after the other: {best_serial:.3f} s (best of {args.repeat})")
    print(f"  two runs in two Python threads: {best_threads:.3f} s")
    print(f"  speed-up {best_serial / best_threads:.2f}x; results identical: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
