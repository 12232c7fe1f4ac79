#!/usr/bin/env python3
"""Writes the raw files in this directory: hand-made samples of LTspice's and Xyce's raw layouts,
a few points each, for tests/test_raw_layouts.cpp (which holds the same values) and
python/tests/test_raw_layouts.py. Neither simulator runs here; each layout below is built as
its source describes it. Run from anywhere: `python3 tests/data/raw/make_samples.py`.

LTspice (no specification is published; the layout as the open-source readers decode it:
spicelib's and PyLTSpice's raw_read.py and their doc/varia/raw_file.rst, the `ltspice` package):
  - the header is text in UTF-16LE (LTspice XVII and 24 by default, with or without a byte-order
    mark), or in UTF-8/ASCII (XVII's option to write UTF-8; older versions);
  - header lines Title:, Date:, Plotname:, Flags:, No. Variables:, No. Points:, Offset:,
    Command:, Backannotation: (any number), Variables: (one `\\tindex\\tname\\ttype` line per
    variable), then Binary: or Values:;
  - Flags: real or complex, plus forward, log, stepped, fastaccess, double;
  - binary real data: per point the first variable (time, frequency, the .dc sweep, an .op's
    first vector) as a little-endian double, every other variable as a float; all doubles with
    `double`; complex data: every value, the frequency too, as two doubles (re, im);
  - `fastaccess`: the same values variable by variable (all points of variable 0, then of 1, ...);
  - a compressed transient may store a time negative (the sign bit is a flag): its magnitude is
    the time;
  - `stepped`: the .step runs one after the other in one plot; each run's scale starts again
    (time 0, the first frequency); an .op has one point per run;
  - several plots may be concatenated, each a whole file with its own header;
  - ASCII (Values:): each point's number, a tab and the scale's value, then one value a line
    after a tab, complex values as `re,im`; the whole file in the header's encoding.

Xyce (its Reference Guide, appendix "Rawfile Format", doc/Reference_Guide/Xyce_RG_app_rawformat.tex,
and its writer for `Xyce -r` / `-r -a`, src/IOInterfacePKG/N_IO_OutputterOverrideRaw.C and
N_IO_OutputterOverrideRawASCII.C, as of Xyce 7.x):
  - Title: and Date: once, at the top; every plot then starts at Plotname:;
  - a .step run's plot is named "Step Analysis: Step 1 of 2 params:  name = R1 value = 1000
    Transient Analysis"; with .ac, a real "DC operating point" plot comes first;
  - Flags: real or complex; "No. Points: " is followed by 18 blanks that the count overwrites;
  - variables: time/frequency/sweep, then the solution's names as SPICE3 writes them: a numeric
    node as V(1), other nodes bare (OUT, X1:MID), branch currents V1#branch;
  - binary: every value a double, complex ones two doubles; ASCII: as above with 8 decimals
    (`1.00000000e-03`), complex values as `re, im`, a blank line after each point;
  - the Reference Guide calls the binary header's strings NUL-terminated (the writer ends them
    with newlines): xyce_nul.raw has NUL-ended lines, "Flags:real" without a blank and no Date:.
"""

from __future__ import annotations

import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
LTSPICE_XVII = "Linear Technology Corporation LTspice XVII"
LTSPICE_24 = "LTspice 24.0.12 for Windows"


def d(x: float) -> bytes:
    return struct.pack("<d", x)


def f(x: float) -> bytes:
    return struct.pack("<f", x)


def c(z: complex) -> bytes:
    return struct.pack("<dd", z.real, z.imag)


def ltspice_header(plotname: str, flags: str, variables: list[tuple[str, str]], points: int,
                   command: str = LTSPICE_XVII, data: str = "Binary:", extra: tuple[str, ...] = ()) -> str:
    lines = ["Title: * C:\\users\\ion\\Documents\\LTspice\\rc.asc", "Date: Mon Jan  6 12:00:00 2025",
             f"Plotname: {plotname}", f"Flags: {flags}", f"No. Variables: {len(variables)}",
             f"No. Points: {points:>12}", "Offset:   0.0000000000000000e+000", f"Command: {command}", *extra,
             "Variables:"]
    lines += [f"\t{k}\t{name}\t{kind}" for k, (name, kind) in enumerate(variables)]
    return "\n".join(lines) + f"\n{data}\n"


def utf16(text: str, bom: bool = False) -> bytes:
    return (b"\xff\xfe" if bom else b"") + text.encode("utf-16-le")


def lt_e(x: float, digits: int) -> str:
    """A number as LTspice prints it: C's %e with three exponent digits (1.000000e-003)."""
    mantissa, exponent = f"{x:.{digits}e}".split("e")
    return f"{mantissa}e{exponent[0]}{int(exponent[1:]):03d}"


# The RC transient of the LTspice samples: v(in) = 1, v(out) charging, i(r1) = (1 − v(out))/1 kΩ.
TRAN_TIME = [0.0, 1e-6, 2e-6, 3e-6]
TRAN_VOUT = [0.0, 0.5, 0.75, 0.875]
TRAN_IR1 = [(1.0 - v) / 1000.0 for v in TRAN_VOUT]
TRAN_VARS = [("time", "time"), ("V(in)", "voltage"), ("V(out)", "voltage"), ("I(R1)", "device_current")]


def ltspice_tran() -> bytes:
    """UTF-16LE without a byte-order mark; the time of point 2 stored negative; two
    Backannotation: lines."""
    head = ltspice_header("Transient Analysis", "real forward", TRAN_VARS, 4,
                          extra=("Backannotation: u1 1 2 3", "Backannotation: u2 4 5 6"))
    body = b""
    for k, t in enumerate(TRAN_TIME):
        body += d(-t if k == 2 else t) + f(1.0) + f(TRAN_VOUT[k]) + f(TRAN_IR1[k])
    return utf16(head) + body


def ltspice_tran_double() -> bytes:
    """UTF-16LE with a byte-order mark, Flags: double: every value a double; point 1's time
    stored negative."""
    head = ltspice_header("Transient Analysis", "real forward double", TRAN_VARS, 4)
    body = b""
    for k, t in enumerate(TRAN_TIME):
        body += d(-t if k == 1 else t) + d(1.0) + d(TRAN_VOUT[k]) + d(TRAN_IR1[k])
    return utf16(head, bom=True) + body


AC_FREQ = [1.0, 10.0, 100.0]
AC_VOUT = [complex(0.5, -0.5), complex(0.25, -0.125), complex(0.0625, -0.03125)]


def ltspice_op_ac() -> bytes:
    """Two whole files concatenated: an .op (its first variable a double, the others floats)
    and an .ac (every value two doubles), both UTF-16LE."""
    op = utf16(ltspice_header("Operating Point", "real",
                              [("V(in)", "voltage"), ("V(out)", "voltage"), ("I(R1)", "device_current")], 1))
    op += d(1.0) + f(0.25) + f(7.5e-4)
    ac = utf16(ltspice_header("AC Analysis", "complex forward log",
                              [("frequency", "frequency"), ("V(in)", "voltage"), ("V(out)", "voltage")], 3))
    for k, fr in enumerate(AC_FREQ):
        ac += c(complex(fr, 0.0)) + c(complex(1.0, 0.0)) + c(AC_VOUT[k])
    return op + ac


def ltspice_fastaccess() -> bytes:
    """A UTF-8 header (LTspice 24's Command: line) and fastaccess: each variable's points
    together. A transient, then an .ac."""
    tran = ltspice_header("Transient Analysis", "real forward fastaccess",
                          [("time", "time"), ("V(out)", "voltage"), ("Ix(u1:out)", "subckt_current")], 3,
                          command=LTSPICE_24).encode()
    tran += d(0.0) + d(1e-3) + d(2e-3)
    tran += f(0.0) + f(0.5) + f(0.75)
    tran += f(1e-3) + f(5e-4) + f(2.5e-4)
    ac = ltspice_header("AC Analysis", "complex forward log fastaccess", [("frequency", "frequency"),
                        ("V(out)", "voltage")], 2, command=LTSPICE_24).encode()
    ac += c(complex(10.0, 0.0)) + c(complex(100.0, 0.0))
    ac += c(complex(0.75, -0.25)) + c(complex(0.125, -0.375))
    return tran + ac


def ltspice_stepped() -> bytes:
    """Two .step runs of a transient in one plot (3 and 4 points); a time of run 2 stored
    negative."""
    time = [0.0, 1e-3, 2e-3, 0.0, 5e-4, 1e-3, 2e-3]
    vout = [0.0, 0.5, 0.75, 0.0, 0.25, 0.5, 0.625]
    body = b""
    for k, t in enumerate(time):
        body += d(-t if k == 5 else t) + f(vout[k])
    return utf16(ltspice_header("Transient Analysis", "real forward stepped",
                                [("time", "time"), ("V(out)", "voltage")], len(time))) + body


def ltspice_stepped_op() -> bytes:
    """Three .step runs of an .op: one point each."""
    body = b""
    for v, i in [(0.5, -5e-4), (0.25, -7.5e-4), (0.125, -8.75e-4)]:
        body += d(v) + f(i)
    return utf16(ltspice_header("Operating Point", "real stepped",
                                [("V(out)", "voltage"), ("I(R1)", "device_current")], 3), bom=True) + body


def ltspice_stepped_ac() -> bytes:
    """Two .step runs of an .ac (two frequencies each), UTF-8 header."""
    body = b""
    for fr, z in [(10.0, complex(0.5, -0.25)), (100.0, complex(0.125, -0.0625)),
                  (10.0, complex(0.75, -0.125)), (100.0, complex(0.25, -0.5))]:
        body += c(complex(fr, 0.0)) + c(z)
    return ltspice_header("AC Analysis", "complex forward log stepped",
                          [("frequency", "frequency"), ("V(out)", "voltage")], 4).encode() + body


def ltspice_ascii() -> bytes:
    """Two ASCII files concatenated, each wholly UTF-16LE: a transient, then an .op whose title
    holds a character outside ASCII."""
    rows = [(0.0, 0.0, 1e-3), (1e-3, 0.5, 5e-4), (2e-3, 1.0 / 3.0, 2.5e-4)]
    text = ltspice_header("Transient Analysis", "real forward",
                          [("time", "time"), ("V(out)", "voltage"), ("I(R1)", "device_current")], 3, data="Values:")
    for k, (t, v, i) in enumerate(rows):
        text += f"{k}\t\t{lt_e(t, 15)}\n\t{lt_e(v, 6)}\n\t{lt_e(i, 6)}\n\n"
    op = ltspice_header("Operating Point", "real", [("V(in)", "voltage"), ("V(out)", "voltage")], 1, data="Values:")
    op = op.replace("\\ion\\", "\\j\u00fcrgen\\")
    op += f"0\t\t{lt_e(1.0, 15)}\n\t{lt_e(2.0 / 3.0, 6)}\n\n"
    return utf16(text) + utf16(op)


def ltspice_ascii_ac() -> bytes:
    """An ASCII .ac in UTF-8 with a byte-order mark; complex values as re,im."""
    text = ltspice_header("AC Analysis", "complex forward log", [("frequency", "frequency"),
                          ("V(out)", "voltage")], 2, data="Values:")
    for k, (fr, z) in enumerate([(10.0, complex(0.5, -0.25)), (100.0, complex(0.1, -0.3))]):
        text += f"{k}\t\t{lt_e(fr, 15)},{lt_e(0.0, 15)}\n\t{lt_e(z.real, 15)},{lt_e(z.imag, 15)}\n\n"
    return b"\xef\xbb\xbf" + text.encode()


def xyce_header(plotname: str, flags: str, variables: list[tuple[str, str]], points: int, first: bool,
                data: str = "Binary:", end: str = "\n", blank: str = " ") -> bytes:
    lines = ["Title: xyce rc, stepped", "Date: Mon Jan 06 12:00:00 2025"] if first else []
    count = f"{points}".ljust(18)  # the 18 blanks Xyce writes, the count written over them
    lines += [f"Plotname: {plotname}", f"Flags:{blank}{flags}", f"No. Variables: {len(variables)}",
              f"No. Points: {count}", "Variables:"]
    text = end.join(lines) + end
    text += "".join(f"\t{k}\t{name}\t{kind}\n" for k, (name, kind) in enumerate(variables))
    return (text + data + end).encode()


XYCE_TRAN_VARS = [("time", "time"), ("V(1)", "voltage"), ("OUT", "voltage"), ("X1:MID", "voltage"),
                  ("V1#branch", "current")]
# Two .step runs, R1 = 1000 and 2000: per point time, v(1), v(out), v(x1:mid), i(v1).
XYCE_STEPS = [(1000, [(0.0, 1.0, 0.0, 0.0, -1e-3), (1e-3, 1.0, 0.5, 0.25, -5e-4), (2e-3, 1.0, 0.75, 0.375, -2.5e-4)]),
              (2000, [(0.0, 1.0, 0.0, 0.0, -5e-4), (1e-3, 1.0, 0.25, 0.125, -3.75e-4),
                      (2e-3, 1.0, 0.4375, 0.21875, -2.8125e-4)])]


def xyce_step_name(k: int, r: int, analysis: str) -> str:
    return f"Step Analysis: Step {k + 1} of 2 params:  name = R1 value = {r}  {analysis}"


def xyce_step_tran(ascii: bool) -> bytes:
    out = b""
    for k, (r, rows) in enumerate(XYCE_STEPS):
        out += xyce_header(xyce_step_name(k, r, "Transient Analysis"), "real", XYCE_TRAN_VARS, len(rows), k == 0,
                           data="Values:" if ascii else "Binary:")
        for n, row in enumerate(rows):
            if ascii:
                out += (f"{n}" + "".join(f"\t{x:.8e}\n" for x in row) + "\n").encode()
            else:
                out += b"".join(d(x) for x in row)
    return out


XYCE_AC_VARS = [("frequency", "frequency"), ("IN", "voltage"), ("OUT", "voltage"), ("V1#branch", "current")]
XYCE_AC = [(100.0, complex(0.5, -0.5), complex(-5e-4, -5e-4)), (1000.0, complex(0.25, -0.125), complex(-7.5e-4, -1.25e-4)),
           (10000.0, complex(0.0625, -0.03125), complex(-9.375e-4, -3.125e-5))]


def xyce_ac(ascii: bool) -> bytes:
    """A real "DC operating point" plot, then the complex .ac."""
    data = "Values:" if ascii else "Binary:"
    out = xyce_header("DC operating point", "real", XYCE_AC_VARS, 1, True, data=data)
    op = [0.0, 1.0, 1.0, 0.0]
    out += (("0" + "".join(f"\t{x:.8e}\n" for x in op) + "\n").encode() if ascii else b"".join(d(x) for x in op))
    out += xyce_header("AC Analysis", "complex", XYCE_AC_VARS, len(XYCE_AC), False, data=data)
    for n, (fr, vout, ibranch) in enumerate(XYCE_AC):
        row = [complex(fr, 0.0), complex(1.0, 0.0), vout, ibranch]
        if ascii:
            out += (f"{n}" + "".join(f"\t{z.real:.8e}, {z.imag:.8e}\n" for z in row) + "\n").encode()
        else:
            out += b"".join(c(z) for z in row)
    return out


def xyce_nul() -> bytes:
    """The binary header as the Reference Guide describes it: NUL-terminated lines; no Date:."""
    rows = XYCE_STEPS[0][1]
    head = xyce_header("Transient Analysis", "real", XYCE_TRAN_VARS, len(rows), False, end="\0", blank="")
    head = head.replace(b"\n", b"\0")
    return b"Title: xyce rc\0" + head + b"".join(d(x) for row in rows for x in row)


SAMPLES = {
    "ltspice_tran.raw": ltspice_tran,
    "ltspice_tran_double.raw": ltspice_tran_double,
    "ltspice_op_ac.raw": ltspice_op_ac,
    "ltspice_fastaccess.raw": ltspice_fastaccess,
    "ltspice_stepped.raw": ltspice_stepped,
    "ltspice_stepped_op.raw": ltspice_stepped_op,
    "ltspice_stepped_ac.raw": ltspice_stepped_ac,
    "ltspice_ascii.raw": ltspice_ascii,
    "ltspice_ascii_ac.raw": ltspice_ascii_ac,
    "xyce_step_tran.raw": lambda: xyce_step_tran(False),
    "xyce_step_tran_ascii.raw": lambda: xyce_step_tran(True),
    "xyce_ac.raw": lambda: xyce_ac(False),
    "xyce_ac_ascii.raw": lambda: xyce_ac(True),
    "xyce_nul.raw": xyce_nul,
}

if __name__ == "__main__":
    for name, make in SAMPLES.items():
        (HERE / name).write_bytes(make())
        print(name)
