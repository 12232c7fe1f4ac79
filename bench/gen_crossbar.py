#!/usr/bin/env python3
"""Generates an N×N passive crossbar netlist for benchmarks (ngspice and ionspice run it as is).

Rows are driven by voltage sources through the row wire; each cell is a resistor (random
conductance 1–50 µS) between the row wire and the column wire at its crosspoint; each column
wire ends in a 0 V source, a virtual ground whose current is the column output. Every wire
segment is a resistor of --rwire ohms.

  bench/gen_crossbar.py 128 > xbar128.cir            # .op
  bench/gen_crossbar.py 64 --tran > xbar64_tran.cir  # 1 fF per row node, PULSE drivers, 200 ns
  bench/gen_crossbar.py 128 --ac > xbar128_ac.cir    # 1 fF per line node, AC 1 on the drivers,
                                                     # .ac dec 20 1meg 100g (101 frequencies)
"""
import argparse
import random
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, help="rows = columns")
    ap.add_argument("--rwire", type=float, default=1.0, help="ohms per wire segment (default 1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tran", action="store_true", help="transient: 1 fF per row node, PULSE drivers, 200 ns")
    ap.add_argument("--ac", action="store_true",
                    help="small signal: 1 fF per row and column node, AC 1 on the drivers, .ac dec 20 1meg 100g")
    ap.add_argument("--klu", action="store_true", help="add .options klu (for an ngspice built with KLU)")
    a = ap.parse_args()
    n, rw = a.n, a.rwire
    rng = random.Random(a.seed)
    out = sys.stdout
    w = out.write
    w(f"* {n}x{n} passive crossbar, {rw:g} ohm per wire segment, cells 1-50 uS (seed {a.seed})\n")
    for i in range(n):
        v = 0.1 + 0.2 * rng.random()
        if a.tran:
            w(f"vr{i} rin{i} 0 pulse(0 {v:.4f} {1 + i % 7}n 1n 1n 50n 100n)\n")
        elif a.ac:
            w(f"vr{i} rin{i} 0 dc {v:.4f} ac 1\n")
        else:
            w(f"vr{i} rin{i} 0 dc {v:.4f}\n")
        w(f"rwr{i}_0 rin{i} r{i}_0 {rw:g}\n")
        for j in range(1, n):
            w(f"rwr{i}_{j} r{i}_{j-1} r{i}_{j} {rw:g}\n")
        if a.tran or a.ac:
            for j in range(n):
                w(f"cr{i}_{j} r{i}_{j} 0 1f\n")
    for j in range(n):
        for i in range(1, n):
            w(f"rwc{i}_{j} c{i-1}_{j} c{i}_{j} {rw:g}\n")
        w(f"rwc{n}_{j} c{n-1}_{j} cout{j} {rw:g}\n")
        w(f"vc{j} cout{j} 0 dc 0\n")
        if a.ac:
            for i in range(n):
                w(f"cc{i}_{j} c{i}_{j} 0 1f\n")
    for i in range(n):
        for j in range(n):
            g = 1e-6 + 49e-6 * rng.random()
            w(f"rx{i}_{j} r{i}_{j} c{i}_{j} {1.0 / g:.6g}\n")
    if a.klu:
        w(".options klu\n")
    if a.tran:
        w(".tran 1n 200n\n")
    elif a.ac:
        w(".ac dec 20 1meg 100g\n")
    else:
        w(".op\n")
    w(".end\n")


if __name__ == "__main__":
    main()
