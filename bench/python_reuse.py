#!/usr/bin/env python3
"""In-situ training's inner loop: a crossbar of ECRAM cells read after each of many single-cell
state updates, through ionspice.Simulator (the circuit kept bound: set_state, then op) against
running the netlist from scratch for every update (read, elaborate, bind, solve).

    PYTHONPATH=build/python python3 bench/python_reuse.py [--size 64] [--updates 1000] [--fresh 50]

The fresh path is timed over --fresh updates and reported per update (it is the same work every
time). Both paths apply the same updates; at the end the kept circuit's column currents are
checked against a fresh run of the netlist with every updated state written in it.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import ionspice

ROOT = Path(__file__).resolve().parents[1]


def netlist(size: int, rwire: float, binary: str) -> str:
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "xb.cir"
        subprocess.run([binary, "gen", "crossbar", "--rows", str(size), "--cols", str(size), "--cell", "ecram",
                        "--rwire", str(rwire), "-o", str(out)], check=True)
        return out.read_text()


def with_states(text: str, states: dict[str, float]) -> str:
    """The netlist with each listed cell's initial state written as x0= instead of its g0=."""
    def fix(m: re.Match[str]) -> str:
        name = m.group(1).lower()
        return m.group(0) if name not in states else re.sub(r"g0=\S+", f"x0={states[name]!r}", m.group(0))
    return re.sub(r"^(nx\d+_\d+) .*$", fix, text, flags=re.M)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--rwire", type=float, default=1.0, help="ohms per wire segment (IR drop on)")
    ap.add_argument("--updates", type=int, default=1000)
    ap.add_argument("--fresh", type=int, default=50, help="updates timed on the from-scratch path")
    ap.add_argument("--binary", default=str(ROOT / "build" / "ionspice"))
    args = ap.parse_args()

    text = netlist(args.size, args.rwire, args.binary)
    rng = np.random.default_rng(1)
    cells = [f"nx{i}_{j}" for i in range(args.size) for j in range(args.size)]
    updates = [(cells[k], float(s)) for k, s in zip(rng.integers(0, len(cells), args.updates),
                                                   rng.uniform(0, 1, args.updates))]
    columns = [f"i(vcol{j})" for j in range(args.size)]

    t0 = time.perf_counter()
    sim = ionspice.Simulator(text)
    setup = time.perf_counter() - t0
    reads = []
    t0 = time.perf_counter()
    for cell, s in updates:
        sim.set_state(cell, s)
        plot = sim.op()
        reads.append(plot[columns[0]][0])
    kept = (time.perf_counter() - t0) / len(updates)

    states: dict[str, float] = {}
    t0 = time.perf_counter()
    for cell, s in updates[: args.fresh]:
        states[cell] = s
        ionspice.run(with_states(text, states))
    fresh = (time.perf_counter() - t0) / args.fresh

    for cell, s in updates:
        states[cell] = s
    final = ionspice.run(with_states(text, states))[0]
    worst = max(abs(plot[c][0] - final[c][0]) / abs(final[c][0]) for c in columns)

    print(f"{args.size}x{args.size} ECRAM crossbar, {args.rwire} ohm wire segments, {len(sim.op().names)} vectors")
    print(f"  Simulator: bind once {setup * 1e3:.1f} ms, then {kept * 1e3:.2f} ms per update+read "
          f"({len(updates)} updates)")
    print(f"  from scratch: {fresh * 1e3:.2f} ms per update+read ({args.fresh} updates)")
    print(f"  speed-up: {fresh / kept:.1f}x; kept vs fresh column currents after all updates: "
          f"worst relative difference {worst:.1e}")
    return 0 if worst < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
