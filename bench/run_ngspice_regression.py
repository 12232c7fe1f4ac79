#!/usr/bin/env python3
"""ngspice's own regression netlists (tests/regression of its repository), run by ionspice as a
user would: each deck unchanged, with its .control block, which checks its own results and ends
with `quit 0` or `quit 1`. Prints one row per deck (ionspice's exit status, the checks its script
counted, and ngspice 47's for comparison) and the totals.

    bench/run_ngspice_regression.py [GIT_DIR]      (default: the mirror of github:imr/ngspice)
    IONSPICE=path NGSPICE47=path TIMEOUT=60 bench/run_ngspice_regression.py

The decks are exported with `git archive` into bench/out/ngspice-regression/. A deck's checks
are read from the lines its script prints ("INFO: 0 of 15 tests failed", "ERROR: 2 of 15 tests
failed", "ERROR, test failure, …"); a deck that prints none counts as one check, passed when it
exits 0. The sens/ decks (.sens, which ionspice does not have) and pipe/ (driven through a pipe)
are listed but not counted.
"""
import os
import re
import sys

from ngspice_reference import DEFAULT_GIT, ROOT, export, ngspice47, run as run_command

GIT = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_GIT
IONSPICE = os.environ.get("IONSPICE", os.path.join(ROOT, "build", "ionspice"))
TIMEOUT = float(os.environ.get("TIMEOUT", "60"))
OUT = os.path.join(ROOT, "bench", "out", "ngspice-regression")
NOT_COUNTED = ("sens/", "pipe/")


def decks():
    export(GIT, ["tests/regression"], OUT)
    base = os.path.join(OUT, "tests", "regression")
    decks = []
    for d, _, files in os.walk(base):
        decks += [os.path.relpath(os.path.join(d, f), base) for f in files if f.endswith(".cir")]
    return base, sorted(decks)


def run(cmd, cwd):
    """Exit status, checks, failed checks, and the first error line (or the reason it stopped)."""
    code, out = run_command(cmd, cwd, TIMEOUT)
    if code is None:
        return None, 1, 1, f"timeout after {TIMEOUT:g} s"
    total = failed = 0
    for m in re.finditer(r"(?:INFO|ERROR): (\d+) of (\d+) tests? failed", out):
        failed += int(m.group(1))
        total += int(m.group(2))
    if total == 0:
        total, failed = 1, 0 if code == 0 else 1
    first = next((l.strip() for l in out.splitlines() if "error" in l.lower()), "")
    return code, total, failed, first[:140]


def main():
    base, names = decks()
    ng = ngspice47()
    print("| deck | ionspice exit | checks passed | ngspice 47 exit | ngspice 47 passed | ionspice's first error |")
    print("|---|---|---|---|---|---|")
    sums = {"decks": 0, "ran": 0, "checks": 0, "passed": 0, "ng_checks": 0, "ng_passed": 0}
    for deck in names:
        cwd = os.path.join(base, os.path.dirname(deck))
        name = os.path.basename(deck)
        code, total, failed, first = run([IONSPICE, name], cwd)
        ng_code, ng_total, ng_failed, _ = run([ng, "-b", name], cwd) if ng else (None, 0, 0, "")
        counted = not deck.startswith(NOT_COUNTED)
        if counted:
            sums["decks"] += 1
            sums["ran"] += code == 0
            sums["checks"] += total
            sums["passed"] += total - failed
            sums["ng_checks"] += ng_total
            sums["ng_passed"] += ng_total - ng_failed
        note = "" if counted else " (not counted)"
        print(f"| {deck}{note} | {code} | {total - failed} of {total} | {ng_code} | {ng_total - ng_failed} of {ng_total} "
              f"| {first if code else ''} |", flush=True)
    print()
    print(f"ionspice: {sums['ran']} of {sums['decks']} decks exit 0, {sums['passed']} of {sums['checks']} checks pass; "
          f"ngspice 47: {sums['ng_passed']} of {sums['ng_checks']} checks pass")


if __name__ == "__main__":
    main()
