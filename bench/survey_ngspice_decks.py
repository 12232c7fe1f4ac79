#!/usr/bin/env python3
"""Every netlist of ngspice's examples/ and tests/ (but tests/regression, which
bench/run_ngspice_regression.py runs with its self-checks), run by ionspice and by ngspice 47 as
they are, to find decks ngspice solves that ionspice accepts but does not solve.

    bench/survey_ngspice_decks.py [GIT_DIR]      (default: the mirror of github:imr/ngspice)
    IONSPICE=path NGSPICE47=path TIMEOUT=60 JOBS=2 bench/survey_ngspice_decks.py

A deck is exported with `git archive` into bench/out/ngspice-decks/ and run in its own folder.
ionspice's outcome is one of: ok (exit 0), rejected (a located netlist error: what ionspice does
not read), unsolved (it read the deck but a convergence, singular-matrix or time-step error
stopped it), crashed (a signal), timeout. ngspice's is ok, failed (an error or failed analysis in
its output, or a non-zero exit) or timeout. The table lists every deck; the summary counts them,
and names the decks that ngspice solves and ionspice reads but does not solve (issue 15 asks for
none), with ionspice's message.
"""
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor

from ngspice_reference import DEFAULT_GIT, ROOT, export, ngspice47, run as run_command

GIT = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_GIT
IONSPICE = os.environ.get("IONSPICE", os.path.join(ROOT, "build", "ionspice"))
TIMEOUT = float(os.environ.get("TIMEOUT", "60"))
JOBS = int(os.environ.get("JOBS", "2"))
OUT = os.path.join(ROOT, "bench", "out", "ngspice-decks")
SUFFIXES = (".cir", ".sp", ".net", ".spi", ".spice")
UNSOLVED = re.compile(r"does not converge|did not converge|time step too small|singular matrix|no convergence|"
                      r"convergence fail", re.I)
NG_FAILED = re.compile(r"^error|simulation\(s\) aborted|timestep too small|analysis failed|run simulation\(s\) aborted|"
                       r"no such|cannot|can't find|not found|unknown", re.I | re.M)


def all_decks():
    export(GIT, ["examples", "tests"], OUT)
    decks = []
    for top in ("examples", "tests"):
        for d, _, files in os.walk(os.path.join(OUT, top)):
            if os.sep + "regression" in d:
                continue
            decks += [os.path.relpath(os.path.join(d, f), OUT) for f in files if f.lower().endswith(SUFFIXES)]
    return sorted(decks)


def run(cmd, cwd):
    return run_command(cmd, cwd, TIMEOUT)


def ionspice_outcome(code, out):
    if code is None:
        return "timeout", ""
    if code < 0:
        return "crashed", f"signal {-code}"
    if code == 0:
        return "ok", ""
    first = next((l for l in out.splitlines() if "error" in l), out.strip().splitlines()[-1] if out.strip() else "")
    if UNSOLVED.search(out) and not re.search(r":\d+:\d+: error:", first):
        return "unsolved", first.strip()[:160]
    if UNSOLVED.search(first):
        return "unsolved", first.strip()[:160]
    return "rejected", first.strip()[:160]


def ngspice_outcome(code, out):
    if code is None:
        return "timeout"
    if code != 0 or NG_FAILED.search(out):
        return "failed"
    return "ok"


def survey(deck, ng):
    cwd = os.path.join(OUT, os.path.dirname(deck))
    name = os.path.basename(deck)
    ours, why = ionspice_outcome(*run([IONSPICE, name], cwd))
    theirs = ngspice_outcome(*run([ng, "-b", name], cwd)) if ng else "—"
    return deck, ours, why, theirs


def main():
    decks = all_decks()
    ng = ngspice47()
    with ThreadPoolExecutor(JOBS) as pool:
        rows = list(pool.map(lambda d: survey(d, ng), decks))
    print("| deck | ionspice | ngspice 47 | ionspice's message |")
    print("|---|---|---|---|")
    for deck, ours, why, theirs in rows:
        print(f"| {deck} | {ours} | {theirs} | {why.replace('|', '/')} |")
    count = lambda k, v: sum(1 for r in rows if r[k] == v)  # noqa: E731
    print()
    print(f"{len(rows)} decks. ionspice: {count(1, 'ok')} ok, {count(1, 'rejected')} rejected, "
          f"{count(1, 'unsolved')} unsolved, {count(1, 'crashed')} crashed, {count(1, 'timeout')} timed out. "
          f"ngspice 47: {count(3, 'ok')} ok.")
    gaps = [r for r in rows if r[3] == "ok" and r[1] in ("unsolved", "crashed", "timeout")]
    print(f"Solved by ngspice, read but not solved by ionspice: {len(gaps)}")
    for deck, ours, why, _ in gaps:
        print(f"  {deck}: {ours} {why}")


if __name__ == "__main__":
    main()
