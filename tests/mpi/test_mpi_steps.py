"""`.step` runs shared over MPI ranks (mpirun -np N ionspice): the same bytes as one process,
Monte Carlo statistics as numpy computes them, failed points reported, nothing half-written
when a rank is killed. Registered by tests/CMakeLists.txt only when ionspice is built with MPI.
"""

import csv
import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

BINARY = os.environ["IONSPICE_BINARY"]
MPIRUN = os.environ.get("IONSPICE_MPIRUN", "mpirun")
# Open MPI refuses root without these (CI runs as root); in a container without ptrace rights
# its shared-memory transport's single-copy (CMA) reads fail, so it copies through the shared
# buffer instead; SOURCE_DATE_EPOCH fixes the raw files' date, so that runs made a second apart
# can be compared byte for byte.
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_btl_vader_single_copy_mechanism="none", SOURCE_DATE_EPOCH="1796000000")

# Nested steps around a Monte Carlo series: an RC whose R and C are drawn per run, a .dc, a
# .tran with .meas and a .print, so every kind of output is compared.
STEPPED = """mc rc
.param r0=agauss(1k, 100, 1) c0=gauss(1n, 0.05, 1)
.param vin=1
V1 in 0 pulse(0 {vin} 0 1u 1u 5u 20u)
R1 in out {r0}
C1 out 0 {c0}
R2 out 0 10k
.dc V1 0 {vin} {vin/4}
.tran 0.1u 10u
.print tran v(out)
.meas tran vmax max v(out)
.meas tran tr trig v(out) val=0.1 rise=1 targ v(out) val=0.5 rise=1
.step mc 7 seed=11
.step param vin list 1 2
.end
"""


def mpirun(np_, args, cwd, check=True):
    cmd = [MPIRUN, "--oversubscribe", "-np", str(np_), BINARY] + args
    r = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def plain(args, cwd, check=True):
    r = subprocess.run([BINARY] + args, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def outputs(d, tag):
    return [f"-r", f"{tag}.raw", "--csv", f"{tag}.csv", "--meas", f"{tag}.meas.csv"]


def files(d, tag):
    return sorted(p.name.replace(tag, "X", 1) for p in Path(d).iterdir() if p.name.startswith(tag))


def test_ranks_write_the_same_bytes_as_one_thread(tmp_path):
    (tmp_path / "mc.cir").write_text(STEPPED)
    one = plain(["-j", "1"] + outputs(tmp_path, "one") + ["mc.cir"], tmp_path)
    names = files(tmp_path, "one")
    # raw, a CSV per analysis, the .meas table and its Monte Carlo summary
    assert names == ["X.dc.csv", "X.meas.csv", "X.meas.summary.csv", "X.raw", "X.tran.csv"]
    for n in (1, 2, 3):
        r = mpirun(n, ["-j", "1"] + outputs(tmp_path, f"np{n}") + ["mc.cir"], tmp_path)
        assert r.stdout == one.stdout
        assert files(tmp_path, f"np{n}") == names
        for name in names:
            a = (tmp_path / name.replace("X", "one", 1)).read_bytes()
            b = (tmp_path / name.replace("X", f"np{n}", 1)).read_bytes()
            assert a == b, f"{name} differs with {n} ranks"
        if n > 1:
            assert f"{n} processes" in r.stderr
    # Threads inside the ranks change nothing either.
    mpirun(2, ["-j", "2", "-r", "t.raw", "mc.cir"], tmp_path)
    assert (tmp_path / "t.raw").read_bytes() == (tmp_path / "one.raw").read_bytes()


def test_monte_carlo_summary_matches_numpy(tmp_path):
    (tmp_path / "mc.cir").write_text(STEPPED.replace(".step mc 7", ".step mc 40"))
    r = mpirun(2, ["--meas", "m.csv", "mc.cir"], tmp_path)
    rows = list(csv.DictReader(open(tmp_path / "m.csv")))
    assert len(rows) == 80 and all(row["status"] == "ok" for row in rows)
    assert [int(row["mc"]) for row in rows[:3]] == [1, 2, 3]
    summary = list(csv.DictReader(open(tmp_path / "m.summary.csv")))
    assert len(summary) == 4  # 2 measurements × 2 values of vin
    for s in summary:
        v = np.array([float(row[s["measure"]]) for row in rows if row["vin"] == s["vin"]])
        assert int(s["values"]) == len(v) == 40 and int(s["missing"]) == 0
        expect = {"mean": v.mean(), "sigma": v.std(ddof=1), "min": v.min(), "max": v.max(),
                  "median": np.median(v)}
        for q, name in zip((5, 25, 75, 95), ("p5", "p25", "p75", "p95")):
            expect[name] = np.percentile(v, q)
        for k, want in expect.items():
            assert float(s[k]) == pytest.approx(want, rel=1e-12), k
        # The runs really differ: R and C are drawn per run.
        assert v.std() > 1e-3 * abs(v.mean())
    # And on the terminal, after the runs' own .meas lines.
    assert "Monte Carlo: 40 runs" in r.stdout
    assert "vin=2:" in r.stdout


def test_a_failing_point_is_reported_with_its_values_and_the_others_are_kept(tmp_path):
    deck = """divider
.param rx=1k
V1 in 0 1
R1 in out {rx}
R2 out 0 1k
.dc V1 1 1 1
.meas dc vout find v(out) at=1
.step param rx list 1k 2k 0 4k 5k
.end
"""
    (tmp_path / "f.cir").write_text(deck)
    (tmp_path / "f.raw").write_text("earlier")
    r = mpirun(2, ["-r", "f.raw", "--meas", "f.csv", "f.cir"], tmp_path, check=False)
    assert r.returncode != 0
    assert "resistance must not be zero (at .step rx=0)" in r.stderr
    assert "1 of 5 .step points failed" in r.stderr
    rows = list(csv.DictReader(open(tmp_path / "f.csv")))
    assert [row["rx"] for row in rows] == ["1000", "2000", "0", "4000", "5000"]
    assert rows[2]["status"].startswith("failed: ") and rows[2]["vout"] == ""
    for row in rows[:2] + rows[3:]:
        assert row["status"] == "ok"
        assert float(row["vout"]) == pytest.approx(1000 / (1000 + float(row["rx"])), rel=1e-12)
    raw = (tmp_path / "f.raw").read_bytes()
    assert raw.count(b"Title: divider (step: ") == 4 and b"rx=0)" not in raw
    # The same as one process does.
    p = plain(["-j", "1", "--meas", "g.csv", "f.cir"], tmp_path, check=False)
    assert p.returncode != 0
    assert (tmp_path / "g.csv").read_bytes() == (tmp_path / "f.csv").read_bytes()


def test_a_killed_rank_leaves_no_half_written_output(tmp_path):
    # Far more work than the test waits for: the run is stopped while both ranks compute.
    ladder = "".join(f"R{k} n{k} n{k + 1} 1k\nC{k} n{k + 1} 0 1n\n" for k in range(200))
    deck = f"""long ladder
.param k=1
V1 n0 0 pulse(0 {{k}} 0 1n 1n 1u 2u)
{ladder}.tran 1n 20u
.save v(n200)
.step param k 1 100000 1
.end
"""
    (tmp_path / "long.cir").write_text(deck)
    (tmp_path / "long.raw").write_text("earlier")
    proc = subprocess.Popen([MPIRUN, "--oversubscribe", "-np", "2", BINARY, "-j", "1", "-r", "long.raw", "long.cir"],
                            cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ranks = []
    deadline = time.time() + 60
    while len(ranks) < 2 and time.time() < deadline:
        out = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        ranks = [int(p) for p in out]
        time.sleep(0.1)
    assert len(ranks) == 2, "mpirun did not start two ranks"
    time.sleep(1.0)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    os.kill(ranks[-1], signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    # The earlier result is untouched and no temporary file is left behind.
    assert (tmp_path / "long.raw").read_text() == "earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.cir", "long.raw"]


def read_csv_row(path):
    rows = list(csv.DictReader(open(path)))
    assert len(rows) == 1
    return {k: float(v) for k, v in rows[0].items()}


def test_distributed_op_of_a_random_crossbar_equals_the_direct_solve(tmp_path):
    # 64×64 cells drawn in 1–50 µS, 1 Ω wire segments, 0.2 V on every row: every node voltage
    # and source current, solved across 2 and 3 ranks, against one process's direct (CHOLMOD)
    # solve, within 1e-9 of the largest of its kind.
    subprocess.run([BINARY, "gen", "crossbar", "--rows", "64", "--cols", "64", "--rwire", "1", "--g",
                    "random:1u:50u", "--seed", "7", "--vread", "0.2", "-o", "x.cir"], cwd=tmp_path, check=True)
    plain(["-j", "1", "--csv", "direct.csv", "x.cir"], tmp_path)
    direct = read_csv_row(tmp_path / "direct.csv")
    assert len(direct) > 8000
    for n in (2, 3):
        r = mpirun(n, ["--distributed", "--stats", "--csv", f"d{n}.csv", "x.cir"], tmp_path)
        assert f"over {n} MPI ranks" in r.stderr
        assert "no system was solved across the ranks" not in r.stderr
        got = read_csv_row(tmp_path / f"d{n}.csv")
        assert got.keys() == direct.keys()
        for kind in ("v(", "i("):
            names = [k for k in direct if k.startswith(kind)]
            scale = max(abs(direct[k]) for k in names)
            worst = max(abs(got[k] - direct[k]) for k in names)
            assert worst <= 1e-9 * scale, (kind, worst, scale)


def test_distributed_says_what_it_did_not_distribute(tmp_path):
    # A controlled source leaves no nodal (SPD) form: every rank solves it whole, and the run
    # says so.
    (tmp_path / "d.cir").write_text("vcvs\nV1 a 0 1\nE1 b 0 a 0 2\nR1 b c 1k\nR2 c 0 1k\n.op\n.end\n")
    r = mpirun(2, ["--distributed", "d.cir"], tmp_path)
    assert "no system was solved across the ranks" in r.stderr
    assert r.stdout.count("v(c)") == 1  # printed once, by rank 0
    # Outside mpirun it is an error, not a silent single-process run.
    p = plain(["--distributed", "d.cir"], tmp_path, check=False)
    assert p.returncode != 0 and "needs at least 2 ranks under mpirun" in p.stderr
