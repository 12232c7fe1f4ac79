"""MTT-array inference and a 2x3x1 XOR network (docs/circuits.md §1, §3), the study behind the
"MTT-array inference" section of docs/arrays.md and its figures (docs/figures/arrays_mtt_*.png).

Generates every array with `ionspice.arrays.mtt_array` (the generator of `ionspice gen mtt-array`),
runs it with `ionspice.run` (one at a time) and evaluates the plots in Python:

  0. the unit's G_e,min (the reference transistor's chord conductance at Vread_H/2) and its weight
     transfer W_h -> W_b, from DC sweeps of one-row arrays;
  1. linear inference (the paper's Fig. 5f,g): a random input waveform on the inference drains of
     one row of units with hidden weights 2-40 uS, as one transient (`samples=`); the
     column currents against the input, fitted with a line per unit;
  2. a 2x3x1 binary network of differential MTT units on an XOR-like data set: layer 1 a 2x6 array,
     layer 2 a 3x2 array, each one transient over all samples (data set and a grid for the decision
     regions); batch norm and the Sign activation are done in Python, not simulated.

Inputs: the hidden weights and thresholds are read from netlists/arrays/mtt_xor_weights.csv (format
in its comment lines); the data set, the grid and the input waveform are generated here from fixed
seeds (SEED_* below). Deterministic; a few seconds of simulation. Gnuplot for the figures.

    python3 -m ionspice.studies.mtt_inference                    # writes docs/figures/ of the source tree
    python3 -m ionspice.studies.mtt_inference --docs /tmp/docs

`--root` (default $IONSPICE_SOURCE_DIR, else .) is the source tree (the weights file, and docs/ by
default). The markdown section goes to stdout, progress and timings to stderr.
`ionspice.studies.arrays` calls study(docs_dir, root); measure(root) returns the measurements.
"""

from __future__ import annotations

import argparse
import bisect
import math
import os
import random
import time
from fractions import Fraction

from ..arrays import mtt_array
from . import common
from .common import COLOURS, Figure, at_sample_midpoints, line_fit, log, q, sig, with_saves

TITLE = "## MTT-array inference and a 2×3×1 XOR network"

VREADH, VREFG = 1.4, 0.6              # V, the paper's inference bias
GE_MAX = 40e-6                        # S, the paper's G_e,max
# The paper's ECRAM (WOx/LiPON, switching ratio 632 below 40 uS). The read is ohmic (I = g0*V);
# the window only bounds programming and the conductances gen accepts.
ECRAM = "ecell ecram (gmin=0.0633u gmax={gmax} vp=10 tp=2m vd=7 td=2m nsteps=180 kch=1)"
MODEL = ECRAM.format(gmax="40u")
MODEL_WIDE = ECRAM.format(gmax="1m")  # calibration only: admits the "infinite" G_INF
G_INF = 1e-3                          # S, stands for G_e -> infinity (gate at ~Vread_H)
# Both transistors at W/L = 0.5 (--fet-w; --ref-w could size the reference alone): the reference
# of the ECRAM units in docs/mtt.md (G_e,min ~ 1.4 uS, dynamic range ~ 29); at gen's default 1u/1u
# G_e,min would be ~ 2.8 uS (range ~ 14). For the inference transistor the width only scales the
# currents; W_b does not depend on it.
FET_W, FET_WL = "0.5u", "0.5"          # width passed to gen (L stays 1u) and the ratio, for the text
T_SAMPLE = 1e-6                       # s, how long each input sample is held
V_S = 0.01                            # V per unit of input (x, or a binary activation h = +-1)

# 1. linear inference
LIN_G = (2e-6, 5e-6, 10e-6, 20e-6, 40e-6)
LIN_SAMPLES, LIN_VMAX, SEED_WAVE = 60, 0.02, 7
WAVE_SHOWN = 30                       # samples drawn in the waveform panel

# 2. the network
WEIGHTS_CSV = os.path.join("netlists", "arrays", "mtt_xor_weights.csv")  # under the source tree
CENTRES = ((1, 1), (-1, -1), (1, -1), (-1, 1))
PER_CLUSTER, SIGMA, SEED_DATA = 50, 0.3, 5
GRID_N, GRID_LIM = 31, 2.0


# --- generic helpers (candidates for common) --------------------------------------------------

def quad_fit(xs, ys):
    """Least-squares y = c*x^2 + a*x + b; returns c, a, b (normal equations, Cramer's rule)."""
    m = [[sum(x ** (i + j) for x in xs) for j in range(3)] for i in range(3)]  # sums of x^0..x^4
    r = [sum(y * x ** i for x, y in zip(xs, ys)) for i in range(3)]

    def det(a):
        return (a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]))

    d = det(m)
    coef = []
    for k in range(3):
        mk = [[r[i] if j == k else m[i][j] for j in range(3)] for i in range(3)]
        coef.append(det(mk) / d)
    b, a, c = coef
    return c, a, b


def sign(v):
    return 1 if v >= 0 else -1


def frac_text(w):
    """5/7 for a weight that is a fraction with a small denominator, else 3 significant digits."""
    f = Fraction(w).limit_denominator(16)
    if abs(float(f) - w) < 1e-12 and f.denominator == 1:
        return str(f.numerator).replace("-", "−")
    if abs(float(f) - w) < 1e-12:
        return f"{'−' if f < 0 else ''}{abs(f.numerator)}/{f.denominator}"
    return sig(w).replace("-", "−")


# --- simulation ---------------------------------------------------------------------------------

def simulate(name, rows, cols, saves=(), **options):
    """An MTT array at the study's bias (``options``: the rest of ``mtt_array``'s), run; returns
    its plot."""
    circuit = mtt_array(rows, cols, vreadh=VREADH, vrefg=VREFG, fet_w=FET_W, print=True, **options)
    if saves:
        with_saves(circuit, saves)
    plot, seconds = common.timed_run(circuit)
    log(f"  {name}: {plot.points} points, {seconds:.2f} s")
    return plot


def node_voltages(name, gs):
    """V(d) of one row of units with hidden weights GS (.op, inputs at 0 V)."""
    plot = simulate(name, 1, len(gs), [f"v(d0_{j})" for j in range(len(gs))], g=[gs], model=MODEL, vread=0)
    return [float(plot[f"v(d0_{j})"][0]) for j in range(len(gs))]


def find_gemin():
    """G_e,min: the hidden weight that puts the divider node at Vread_H/2 (then G_e,min equals the
    reference's chord conductance there). A coarse log sweep brackets it, a fine linear one
    interpolates it."""
    half = VREADH / 2
    coarse = [0.1e-6 * (GE_MAX / 0.1e-6) ** (k / 47) for k in range(48)]
    vd = node_voltages("gemin_coarse", coarse)
    k = next(k for k in range(len(vd)) if vd[k] >= half)
    fine = [coarse[k - 1] + (coarse[k] - coarse[k - 1]) * m / 40 for m in range(41)]
    vd = node_voltages("gemin_fine", fine)
    k = next(k for k in range(len(vd)) if vd[k] >= half)
    u = (half - vd[k - 1]) / (vd[k] - vd[k - 1])
    return fine[k - 1] + u * (fine[k] - fine[k - 1])


def g_of_wh(wh, gemin):
    """The + half's conductance for hidden weight |W_h| (the - half stays at G_e,min)."""
    return gemin + abs(wh) * (GE_MAX - gemin)


def transfer_sweep(gemin, extra_wh):
    """Inference slope (S) of single units over the hidden weight, from `.dc` of the row input at
    -V_S, 0, +V_S: slope = (I(+V_S) - I(-V_S)) / (2 V_S). Returns dict G -> slope and V(d) of the
    G_INF unit."""
    whs = sorted(set([0.0, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08,
                      0.1, 0.125, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0] +
                     [abs(w) for w in extra_wh]))
    gs = [g_of_wh(w, gemin) for w in whs] + list(LIN_G) + [G_INF]
    gs += [0.1e-6 * (GE_MAX / 0.1e-6) ** (k / 30) for k in range(31)]
    gs = sorted(set(gs))
    plot = simulate("transfer", 1, len(gs), [f"v(d0_{gs.index(G_INF)})"], g=[gs], model=MODEL_WIDE,
                    analyses=f".dc vrow0 {-V_S!r} {V_S!r} {V_S!r}")
    sweep = plot.scale.tolist()
    assert abs(sweep[0] + V_S) < 1e-12 and abs(sweep[-1] - V_S) < 1e-12
    slope = {}
    for j, g in enumerate(gs):
        i = plot[f"i(vcol{j})"].tolist()
        slope[g] = (i[-1] - i[0]) / (2 * V_S)
    return slope, float(plot[f"v(d0_{gs.index(G_INF)})"][1])


def wb_curve(slope, gemin):
    """W_b(W_h) of a differential unit: (slope(G+) - slope(G_e,min)) / (slope(inf) - slope(G_e,min)).
    Only the sampled points at or above G_e,min; the curve is odd by construction (a negative
    weight swaps the halves' columns)."""
    s0, s_inf = slope_at(slope, gemin), slope[G_INF]
    return [((g - gemin) / (GE_MAX - gemin), (s - s0) / (s_inf - s0))
            for g, s in sorted(slope.items()) if gemin - 1e-15 <= g <= GE_MAX + 1e-15]


def slope_at(slope, g):
    """The sampled slope at G, linearly interpolated between the two nearest sampled G."""
    gs = sorted(x for x in slope if x != G_INF)
    for x in gs:
        if abs(x - g) <= 1e-9 * g:
            return slope[x]
    i = bisect.bisect_left(gs, g)
    a, b = gs[i - 1], gs[i]
    return slope[a] + (g - a) / (b - a) * (slope[b] - slope[a])


# --- 1. linear inference --------------------------------------------------------------------------

def measure_linear():
    rng = random.Random(SEED_WAVE)
    vin = [rng.uniform(-LIN_VMAX, LIN_VMAX) for _ in range(LIN_SAMPLES)]
    plot = simulate("linear", 1, len(LIN_G), ["v(r0)"], g=[LIN_G], model=MODEL,
                    samples=[[v] for v in vin], sample_time=T_SAMPLE)
    keys = [f"i(vcol{j})" for j in range(len(LIN_G))]
    mid = at_sample_midpoints(plot, keys + ["v(r0)"], LIN_SAMPLES, T_SAMPLE)
    v_mid = [m[-1] for m in mid]
    assert max(abs(a - b) for a, b in zip(v_mid, vin)) < 1e-9, "row voltage at the midpoints is not the sample"
    fits = []
    for j, g in enumerate(LIN_G):
        cur = [m[j] for m in mid]
        a, b, r2, dev = line_fit(vin, cur)
        c2 = quad_fit(vin, cur)[0]
        fits.append({"g": g, "slope": a, "offset": b, "r2": r2, "dev": dev / max(abs(c) for c in cur),
                     "quad": c2, "points": list(zip(vin, cur))})
    wave = [w for w in zip(*(plot[k].tolist() for k in ["time", "v(r0)"] + keys)) if w[0] <= WAVE_SHOWN * T_SAMPLE]
    return {"vin": vin, "fits": fits, "wave": wave}


# --- 2. the network ---------------------------------------------------------------------------

def read_weights(path):
    """{layer: [(theta, [W_h from each input]) per neuron, in neuron order]}."""
    layers = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or line.lower().startswith("layer"):
                continue
            cells = [c.strip() for c in line.split(",") if c.strip()]
            layer, neuron = int(cells[0]), int(cells[1])
            vals = [float(Fraction(c)) for c in cells[2:]]
            layers.setdefault(layer, []).append((neuron, vals[0], vals[1:]))
    out = {}
    for layer, neurons in layers.items():
        neurons.sort()
        assert [n for n, _, _ in neurons] == list(range(1, len(neurons) + 1)), f"layer {layer}: neurons 1..N"
        out[layer] = [(th, ws) for _, th, ws in neurons]
    assert all(-1 <= w <= 1 for ns in out.values() for _, ws in ns for w in ws), "W_h outside [-1, 1]"
    return out


def data_set():
    rng = random.Random(SEED_DATA)
    pts = []
    for cx, cy in CENTRES:
        for _ in range(PER_CLUSTER):
            x1, x2 = rng.gauss(cx, SIGMA), rng.gauss(cy, SIGMA)
            pts.append((x1, x2, sign(x1 * x2)))
    return pts


def grid():
    step = 2 * GRID_LIM / (GRID_N - 1)
    return [(-GRID_LIM + i * step, -GRID_LIM + j * step) for j in range(GRID_N) for i in range(GRID_N)]


def conductance_matrix(neurons, gemin):
    """Rows: the layer's inputs; columns 2k (+ half) and 2k+1 (- half) of neuron k."""
    n_in = len(neurons[0][1])
    g = [[0.0] * (2 * len(neurons)) for _ in range(n_in)]
    for k, (_, ws) in enumerate(neurons):
        for i, w in enumerate(ws):
            g[i][2 * k] = g_of_wh(max(w, 0.0), gemin)
            g[i][2 * k + 1] = g_of_wh(max(-w, 0.0), gemin)
    return g


def run_layer(name, neurons, gemin, inputs, i_unit):
    """One MTT array for a layer; INPUTS in units of V_S (one vector per sample). Calibration
    samples (+-V_S on one row at a time, the others at 0) go first. Returns the pre-activations
    a_k = (I(col 2k) - I(col 2k+1)) / I_ts,max(V_S) per sample and the measured W_b[i][k]."""
    n_in, n_out = len(neurons[0][1]), len(neurons)
    calib = []
    for i in range(n_in):
        for s in (1, -1):
            calib.append([s if m == i else 0 for m in range(n_in)])
    samples = calib + [list(v) for v in inputs]
    plot = simulate(name, n_in, 2 * n_out, g=conductance_matrix(neurons, gemin), model=MODEL,
                    samples=[[x * V_S for x in v] for v in samples], sample_time=T_SAMPLE)
    keys = [f"i(vcol{j})" for j in range(2 * n_out)]
    mid = at_sample_midpoints(plot, keys, len(samples), T_SAMPLE)
    pre = [[(m[2 * k] - m[2 * k + 1]) / i_unit for k in range(n_out)] for m in mid]
    wb = [[(pre[2 * i][k] - pre[2 * i + 1][k]) / 2 for k in range(n_out)] for i in range(n_in)]
    return pre[len(calib):], wb, len(samples)


def forward_ideal(neurons, inputs, weight):
    """sign(sum_i weight(W_h) * in_i - theta) per neuron and sample."""
    return [[sign(sum(weight(w) * x for w, x in zip(ws, v)) - th) for th, ws in neurons] for v in inputs]


def measure_network(layers, gemin, i_unit):
    l1, l2 = layers[1], layers[2]
    assert len(l1[0][1]) == 2 and len(l2) == 1 and len(l2[0][1]) == len(l1), "a 2xHx1 network"
    data, pts = data_set(), grid()
    inputs = [(x1, x2) for x1, x2, _ in data] + pts
    pre1, wb1, n1 = run_layer("layer1", l1, gemin, inputs, i_unit)
    h = [[sign(a - th) for a, (th, _) in zip(p, l1)] for p in pre1]
    pre2, wb2, n2 = run_layer("layer2", l2, gemin, h, i_unit)
    y_hw = [sign(p[0] - l2[0][0]) for p in pre2]
    # the same pre-activations from the measured W_b as a linear map: what the layers' nonlinearity adds
    lin1 = [[sum(wb1[i][k] * v[i] for i in range(2)) for k in range(len(l1))] for v in inputs]
    nonlin1 = max(abs(a - b) for p, lp in zip(pre1, lin1) for a, b in zip(p, lp))
    margin1 = min(abs(a - th) for p, in_ in zip(pre1, inputs[:len(data)]) for a, (th, _) in zip(p, l1))

    def net(weight):
        hid = forward_ideal(l1, inputs, weight)
        return [o[0] for o in forward_ideal(l2, hid, weight)], hid

    y_bin, h_bin = net(lambda w: float(sign(w)))
    y_ana, _ = net(lambda w: w)
    nd = len(data)
    labels = [c for _, _, c in data]

    def acc(y):
        return sum(a == b for a, b in zip(y[:nd], labels)) / nd

    wrong_hw = {n for n in range(nd) if y_hw[n] != labels[n]}
    wrong_bin = {n for n in range(nd) if y_bin[n] != labels[n]}

    def boundary_distance(x):
        """Euclidean distance from x to the nearest ideal hidden boundary sum sign(W_h)*x = theta."""
        return min(abs(sum(sign(w) * xi for w, xi in zip(ws, x)) - th) / math.sqrt(len(ws)) for th, ws in l1)

    wrong_dist = max((boundary_distance(inputs[n]) for n in wrong_hw | wrong_bin), default=0.0)
    return {"l1": l1, "l2": l2, "wb1": wb1, "wb2": wb2, "data": data, "grid": pts,
            "wrong_hw": len(wrong_hw), "wrong_bin": len(wrong_bin), "wrong_both": len(wrong_hw & wrong_bin),
            "wrong_dist": wrong_dist,
            "y_hw": y_hw, "y_bin": y_bin, "y_ana": y_ana, "acc_hw": acc(y_hw), "acc_bin": acc(y_bin),
            "acc_ana": acc(y_ana),
            "agree_data": sum(a == b for a, b in zip(y_hw[:nd], y_bin[:nd])),
            "agree_grid": sum(a == b for a, b in zip(y_hw[nd:], y_bin[nd:])),
            "h_agree": sum(a == b for ha, hb in zip(h[:nd], h_bin[:nd]) for a, b in zip(ha, hb)),
            "x_max": max(abs(x) for v in inputs for x in v),
            "nonlin1": nonlin1, "margin1": margin1, "samples": (n1, n2)}


# --- the study --------------------------------------------------------------------------------

def measure(root=None):
    """Every measurement of the study; ``root`` is the source tree the weights are read from."""
    t0 = time.perf_counter()
    layers = read_weights(os.path.join(common.source_dir(root), WEIGHTS_CSV))
    log("0. G_e,min and the transfer")
    gemin = find_gemin()
    all_w = [w for ns in layers.values() for _, ws in ns for w in ws]
    slope, vd_inf = transfer_sweep(gemin, all_w)
    s0, s_inf = slope_at(slope, gemin), slope[G_INF]
    i_unit = (s_inf - s0) * V_S          # I_ts,max at V_S: the differential unit at W_h -> inf
    log(f"  G_e,min = {gemin * 1e6:.4g} uS, slope(G_e,min) = {s0 * 1e6:.4g} uS, slope(inf) = {s_inf * 1e6:.4g} uS")
    log("1. linear inference")
    lin = measure_linear()
    log("2. 2x3x1 network")
    netw = measure_network(layers, gemin, i_unit)
    return {"gemin": gemin, "slope": slope, "vd_inf": vd_inf, "s0": s0, "s_inf": s_inf, "i_unit": i_unit,
            "lin": lin, "net": netw, "seconds": time.perf_counter() - t0}


def study(docs_dir, root=None):
    """Runs the study, writes DOCS_DIR/figures/arrays_mtt_*.png and returns the markdown section."""
    data = measure(root)
    figdir = os.path.join(docs_dir, "figures")
    os.makedirs(figdir, exist_ok=True)
    return render(data, figdir)


# --- figures and text -------------------------------------------------------------------------

def fig_linear(data, path):
    lin = data["lin"]
    fig = Figure(path, size="1100,500")
    fig.cmd("set multiplot")
    # left: I against V_in
    fig.cmd("set origin 0,0")
    fig.cmd("set size 0.48,1")
    fig.cmd("set title 'Column current against the input (points: sample midpoints, lines: fits)'")
    fig.cmd("set xlabel 'V_{in} on the inference drains (mV)'")
    fig.cmd("set ylabel 'I(vcol_j) (µA)'")
    fig.cmd("set key top left")
    parts = []
    for j, f in enumerate(lin["fits"]):
        c = COLOURS[j % len(COLOURS)]
        d = fig.data([(v * 1e3, i * 1e6) for v, i in f["points"]])
        ln = fig.data([(v * 1e3, (f["slope"] * v + f["offset"]) * 1e6) for v in (-LIN_VMAX, LIN_VMAX)])
        parts.append(f"{d} using 1:2 with points pt 7 ps 0.6 lc rgb '{c}' "
                     f"title {q('G_e = ' + sig(f['g'] * 1e6, 2) + ' µS')}")
        parts.append(f"{ln} using 1:2 with lines lw 1 lc rgb '{c}' notitle")
    fig.cmd("plot " + ", \\\n  ".join(parts))
    # right top: the input waveform
    wave = lin["wave"]
    tmax = WAVE_SHOWN * T_SAMPLE * 1e6
    fig.cmd("set origin 0.48,0.55")
    fig.cmd("set size 0.52,0.45")
    fig.cmd(f"set title {q(f'Input waveform (first {WAVE_SHOWN} samples, T = {sig(T_SAMPLE * 1e6, 2)} µs each)')}")
    fig.cmd("set xlabel ''")
    fig.cmd("set ylabel 'V_{in} (mV)'")
    fig.cmd(f"set xrange [0:{tmax:g}]")
    fig.cmd(f"set yrange [{-LIN_VMAX * 1.1e3:g}:{LIN_VMAX * 1.1e3:g}]")
    d = fig.data([(w[0] * 1e6, w[1] * 1e3) for w in wave])
    fig.cmd(f"plot {d} using 1:2 with lines lw 1.2 lc rgb '#333333' notitle")
    # right bottom: the outputs
    fig.cmd("set origin 0.48,0")
    fig.cmd("set size 0.52,0.55")
    fig.cmd("set title 'Column currents (colours as on the left)'")
    fig.cmd("set xlabel 'time (µs)'")
    fig.cmd("set ylabel 'I(vcol_j) (µA)'")
    fig.cmd("set yrange [*:*]")
    d = fig.data([(w[0] * 1e6, *[x * 1e6 for x in w[2:]]) for w in wave])
    parts = [f"{d} using 1:{j + 2} with lines lw 1.2 lc rgb '{COLOURS[j % len(COLOURS)]}' notitle"
             for j in range(len(LIN_G))]
    fig.cmd("plot " + ", \\\n  ".join(parts))
    fig.cmd("unset multiplot")
    fig.render()


def fig_transfer(data, path):
    gemin, slope, netw = data["gemin"], data["slope"], data["net"]
    fig = Figure(path, size="1100,460")
    fig.cmd("set multiplot layout 1,2")
    fig.cmd("set title 'Inference slope of one unit against its hidden weight'")
    fig.cmd("set xlabel 'G_e (µS)'")
    fig.cmd("set ylabel 'dI/dV_{in} (µS)'")
    fig.cmd("set logscale x")
    fig.cmd("set xrange [0.1:50]")
    fig.cmd("set key bottom right")
    d = fig.data([(g * 1e6, s * 1e6) for g, s in sorted(slope.items()) if g <= GE_MAX * 1.0001])
    lpts = fig.data([(f["g"] * 1e6, f["slope"] * 1e6) for f in data["lin"]["fits"]])
    fig.cmd(f"set arrow 1 from {gemin * 1e6:g}, graph 0 to {gemin * 1e6:g}, graph 1 "
            "nohead dt 2 lc rgb '#888888'")
    label = q('G_{e,min} = ' + sig(gemin * 1e6, 3) + ' µS ')
    fig.cmd(f"set label 1 {label} at {gemin * 1e6:g}, graph 0.5 right")
    fig.cmd(f"plot {d} using 1:2 with linespoints pt 7 ps 0.4 lc rgb '{COLOURS[0]}' "
            f"title 'DC, ±{sig(V_S * 1e3, 2)} mV', \\\n"
            f"  {lpts} using 1:2 with points pt 6 ps 1.6 lw 1.5 lc rgb '{COLOURS[1]}' "
            "title 'transient fits (linear inference)', \\\n"
            f"  {data['s_inf'] * 1e6:g} with lines dt 3 lc rgb '#555555' title 'G_e → ∞'")
    fig.cmd("unset arrow 1")
    fig.cmd("unset label 1")
    fig.cmd("unset logscale x")
    fig.cmd("set title 'Differential unit: binary weight against hidden weight'")
    fig.cmd("set xlabel 'W_h'")
    fig.cmd("set ylabel 'W_b'")
    fig.cmd("set xrange [-1.05:1.05]")
    fig.cmd("set yrange [-1.1:1.1]")
    fig.cmd("set key bottom right")
    curve = wb_curve(slope, gemin)
    full = [(-w, -b) for w, b in reversed(curve) if w > 0] + curve
    dc = fig.data(full)
    ideal = fig.data([(-1, -1), (0, -1), (0, 1), (1, 1)])
    pts1 = [(w, netw["wb1"][i][k]) for k, (_, ws) in enumerate(netw["l1"]) for i, w in enumerate(ws)]
    pts2 = [(w, netw["wb2"][i][k]) for k, (_, ws) in enumerate(netw["l2"]) for i, w in enumerate(ws)]
    fig.cmd(f"plot {ideal} using 1:2 with lines dt 2 lc rgb '#888888' title 'sign(W_h)', \\\n"
            f"  {dc} using 1:2 with lines lw 1.5 lc rgb '{COLOURS[0]}' title 'DC sweep of one unit', \\\n"
            f"  {fig.data(pts1)} using 1:2 with points pt 7 ps 1.2 lc rgb '{COLOURS[1]}' title 'network, layer 1', \\\n"
            f"  {fig.data(pts2)} using 1:2 with points pt 4 ps 2 lw 1.5 lc rgb '{COLOURS[2]}' title 'network, layer 2'")
    fig.cmd("unset multiplot")
    fig.render()


def fig_xor(data, path):
    netw = data["net"]
    nd = len(netw["data"])
    fig = Figure(path, size="1100,560")
    fig.cmd("set multiplot layout 1,2")
    fig.cmd("set palette defined (-1 '#c6dbef', 1 '#fcd5cf')")
    fig.cmd("unset colorbox")
    fig.cmd("set cbrange [-1:1]")
    fig.cmd("set size ratio -1")
    lim = GRID_LIM + GRID_LIM / (GRID_N - 1)
    fig.cmd(f"set xrange [{-lim:g}:{lim:g}]")
    fig.cmd(f"set yrange [{-lim:g}:{lim:g}]")
    fig.cmd("set xlabel 'x_1'")
    fig.cmd("set ylabel 'x_2'")
    fig.cmd("set key outside bottom center horizontal")
    fig.cmd("unset grid")
    for name, y, acc in (("MTT arrays (simulated)", netw["y_hw"], netw["acc_hw"]),
                         ("ideal binary network, sign(W_h)", netw["y_bin"], netw["acc_bin"])):
        fig.cmd(f"set title {q(f'{name}: accuracy {100 * acc:.1f} %')}")
        bg = fig.data([(x1, x2, yy) for (x1, x2), yy in zip(netw["grid"], y[nd:])])
        plus = fig.data([(x1, x2) for (x1, x2, _), yy in zip(netw["data"], y[:nd]) if yy > 0])
        minus = fig.data([(x1, x2) for (x1, x2, _), yy in zip(netw["data"], y[:nd]) if yy < 0])
        wrong = fig.data([(x1, x2) for (x1, x2, c), yy in zip(netw["data"], y[:nd]) if yy != c] or [(99, 99)])
        fig.cmd(f"plot {bg} using 1:2:3 with image notitle, \\\n"
                f"  {plus} using 1:2 with points pt 7 ps 0.8 lc rgb '{COLOURS[1]}' title 'output +1', \\\n"
                f"  {minus} using 1:2 with points pt 7 ps 0.8 lc rgb '{COLOURS[0]}' title 'output −1', \\\n"
                f"  {wrong} using 1:2 with points pt 6 ps 1.8 lw 1.5 lc rgb 'black' title 'misclassified'")
    fig.cmd("unset multiplot")
    fig.render()


def ideal_formula(neurons, ins, outs):
    """'h₁ = sign(x₁ + x₂ − 1)' per neuron, with sign(W_h) as the weights."""
    out = []
    for name, (th, ws) in zip(outs, neurons):
        terms = ""
        for w, x in zip(ws, ins):
            terms += (f"−{x}" if not terms else f" − {x}") if w < 0 else (x if not terms else f" + {x}")
        if th:
            terms += f" − {frac_text(th)}" if th > 0 else f" + {frac_text(-th)}"
        out.append(f"{name} = sign({terms})")
    return out


def _boundary(theta, ws, ins=("x₁", "x₂")):
    """'x₁ + x₂ = 1': a hidden neuron's ideal boundary sum sign(W_h)*x = theta."""
    terms = ""
    for w, x in zip(ws, ins):
        terms += (f"−{x}" if not terms else f" − {x}") if w < 0 else (x if not terms else f" + {x}")
    return f"{terms} = {frac_text(theta)}"


def render(data, figdir):
    fig_linear(data, os.path.join(figdir, "arrays_mtt_linear.png"))
    fig_transfer(data, os.path.join(figdir, "arrays_mtt_transfer.png"))
    fig_xor(data, os.path.join(figdir, "arrays_mtt_xor.png"))

    gemin, s0, s_inf, netw, lin = data["gemin"], data["s0"], data["s_inf"], data["net"], data["lin"]
    slope = data["slope"]
    md = [TITLE, ""]
    md.append(
        "Written by `ionspice.studies.mtt_inference` (figures `docs/figures/arrays_mtt_*.png`); "
        "rerun it, do not edit by hand. Every array is made by `ionspice.arrays.mtt_array` "
        "(the generator of `ionspice gen mtt-array`) and run by `ionspice.run` "
        f"(docs/circuits.md §3): Vread_H = {VREADH:g} V, Vref_G = {VREFG:g} V (the paper's inference bias), "
        "ECRAM hidden weights with the paper's window (G_e,max = 40 µS), level-44 NMOS "
        f"(VTO = 0.45 V, as in docs/mtt.md) with W/L = {FET_WL} for both transistors "
        "(0.5 is the reference of docs/mtt.md's ECRAM units, and it only "
        "scales the inference currents). Inputs go on the inference drains (row lines), the "
        "columns are virtual grounds, and each input sample is held for "
        f"T = {sig(T_SAMPLE * 1e6, 2)} µs in one transient per array (`samples=`); currents "
        "are read at the middle of each sample.")
    md.append("")
    md.append(
        f"G_e,min = {sig(gemin * 1e6, 3)} µS: the hidden weight that puts the divider node at "
        f"Vread_H/2, i.e. the reference transistor's chord conductance there (docs/mtt.md's "
        f"definition), found from two DC sweeps; dynamic range G_e,max/G_e,min = {sig(GE_MAX / gemin, 3)}. "
        f"W_h = ±(G_e − G_e,min)/(G_e,max − G_e,min). A differential unit is a pair of columns: "
        "the + half holds G_e,min + max(W_h, 0)·(G_e,max − G_e,min), the − half "
        "G_e,min + max(−W_h, 0)·(…), on the same row; its output is I(col+) − I(col−). "
        f"W_b = (I(col+) − I(col−))/I_ts,max, with I_ts,max = {sig(data['i_unit'] * 1e6, 3)} µA the "
        f"differential current at V_s = {sig(V_S * 1e3, 2)} mV of a unit whose + half is "
        f"{sig(G_INF * 1e3, 2)} mS (G_e → ∞: its node at {data['vd_inf']:.4f} V against "
        f"Vread_H = {VREADH:g} V; that run widens the model window to admit it — the ECRAM read is "
        "ohmic at g0, the window only bounds programming).")
    md.append("")

    # 1. linear inference
    md.append("### Linear inference")
    md.append("")
    fits = lin["fits"]
    md.append(
        f"One row of {len(LIN_G)} units, one per column, hidden weights "
        f"{', '.join(sig(g * 1e6, 2) for g in LIN_G)} µS; the row gets {LIN_SAMPLES} samples drawn "
        f"uniformly from ±{sig(LIN_VMAX * 1e3, 2)} mV (Python `random.Random({SEED_WAVE})`). "
        "Each column current is fitted with a line I = s·V_in + b over the samples' midpoints. "
        "W_b is the binary weight of a differential unit with this G_e on its + half, "
        "(s − s(G_e,min))/(s(∞) − s(G_e,min)) from the DC slopes.")
    md.append("")
    md.append("![linear inference](figures/arrays_mtt_linear.png)")
    md.append("")
    rows = []
    for f in fits:
        g = f["g"]
        s_dc = slope_at(slope, g)
        rows.append([sig(g * 1e6, 2), sig((g - gemin) / (GE_MAX - gemin), 3), sig(f["slope"] * 1e6, 4),
                     sig(s_dc * 1e6, 4), sig(f["slope"] / s_inf, 3), sig((s_dc - s0) / (s_inf - s0), 3),
                     sig(f["offset"] * 1e9, 2), f"{f['r2']:.6f}", sig(100 * f["dev"], 2)])
    md.append(common.md_table(
        ["G_e (µS)", "W_h", "slope s (µS)", "DC slope (µS)", "s/s(∞)", "W_b", "offset b (nA)", "R²",
         "max \\|deviation\\| (% of max \\|I\\|)"], rows))
    md.append("")
    qs = [f["quad"] * 1e6 for f in fits]
    g_off = max(g for g, sl in slope.items() if sl < 0.01 * s_inf)
    worst_r2 = min(fits, key=lambda f: f["r2"])
    worst_dev = max(fits, key=lambda f: f["dev"])
    s_by_g = [f["slope"] for f in fits]
    rising = all(b > a for a, b in zip(s_by_g, s_by_g[1:]))
    gain_last = s_by_g[-1] / s_by_g[-2] - 1
    md.append(
        f"Every column is linear in its input: R² ≥ {worst_r2['r2']:.5f} (lowest at "
        f"{sig(worst_r2['g'] * 1e6, 2)} µS), and no sample lies further from its line than "
        f"{sig(100 * worst_dev['dev'], 2)} % of the column's largest current (at "
        f"{sig(worst_dev['g'] * 1e6, 2)} µS). What deviation there is, is the inference transistor's "
        "own curvature, a term in V_in² that does not depend on the gate: a quadratic fit gives the same "
        f"coefficient in every column ({sig(min(qs), 3)} … {sig(max(qs), 3)} µA/V²), and the lines' "
        "equal offsets b are that term averaged over the samples. It weighs most where the slope is "
        "smallest, and it cancels in a differential pair (next section). "
        + (f"The slope rises with G_e and saturates: {sig(s_by_g[0] * 1e6, 3)} µS at "
           f"{sig(LIN_G[0] * 1e6, 2)} µS, {sig(s_by_g[-1] * 1e6, 3)} µS at {sig(LIN_G[-1] * 1e6, 2)} µS, "
           f"and raising G_e from {sig(LIN_G[-2] * 1e6, 2)} to {sig(LIN_G[-1] * 1e6, 2)} µS adds only "
           f"{sig(100 * gain_last, 2)} %; G_e → ∞ gives {sig(s_inf * 1e6, 3)} µS. "
           if rising else "The slope does NOT rise monotonically with G_e here (see the table). ")
        + f"The transient slopes are within "
        f"{sig(100 * max(abs(f['slope'] / slope_at(slope, f['g']) - 1) for f in fits), 2)} % of the DC "
        f"ones (the DC slope is taken at ±{sig(V_S * 1e3, 2)} mV, the fits span ±{sig(LIN_VMAX * 1e3, 2)} mV). "
        f"Further below G_e,min the node falls under the threshold and the unit switches off "
        f"at and below {sig(g_off * 1e6, 2)} µS (left panel of the next figure: the slope is under 1 % "
        f"of s(∞) there). The single unit's slope at W_h = 0 "
        f"({sig(s0 * 1e6, 3)} µS) is not zero: only the differential pair cancels it.")
    md.append("")
    md.append("![transfer](figures/arrays_mtt_transfer.png)")
    md.append("")
    curve = wb_curve(slope, gemin)
    k = next(k for k, (w, b) in enumerate(curve) if b >= 0.5)
    (w0, b0), (w1, b1) = curve[k - 1], curve[k]
    w_half = w0 + (0.5 - b0) / (b1 - b0) * (w1 - w0)
    curve = dict(curve)
    wb_035 = next(b for w, b in curve.items() if abs(w - 0.35) < 1e-9)
    md.append(
        "Right: the differential unit's W_b(W_h) from the DC slopes (odd by construction here: a "
        "negative weight swaps the halves' columns), with the units of the network below as "
        f"measured in their arrays. W_b reaches 0.5 at W_h = {sig(w_half, 2)} (interpolated), "
        f"W_b(0.35) = {sig(wb_035, 3)} and W_b(1) = {sig(curve[max(curve)], 3)}: at this bias the transfer "
        "is close to a sign function. (docs/mtt.md §3 has the same divider with its two halves' drains at "
        "±10 mV on one sense line; compare its W_h at W_b = 0.5 and W_b(0.35).)")
    md.append("")

    # 2. network
    l1, l2, wb1, wb2 = netw["l1"], netw["l2"], netw["wb1"], netw["wb2"]
    nd = len(netw["data"])
    all_wh = [w for ns in (l1, l2) for _, ws in ns for w in ws]
    boundaries = ", ".join(_boundary(th, ws) for th, ws in l1)
    centre_dist = min(abs(sum(sign(w) * c for w, c in zip(ws, cen)) - th) / math.sqrt(len(ws))
                      for th, ws in l1 for cen in CENTRES)
    on_levels = all(abs(w * 7 - round(w * 7)) < 1e-9 and round(w * 7) % 2 == 1 for w in all_wh)
    at_one = any(abs(abs(w) - 1) < 1e-12 for w in all_wh)
    md.append("### A 2×3×1 binary network on an XOR-like set")
    md.append("")
    md.append(
        f"Data (generated by the study, Python `random.Random({SEED_DATA})`): {PER_CLUSTER} points "
        f"around each of (±1, ±1), Gaussian with σ = {SIGMA:g}, {nd} in all, label sign(x₁·x₂). "
        f"Inputs x are applied as x·{sig(V_S * 1e3, 2)} mV on the rows. The weights are given, not "
        "trained: `netlists/arrays/mtt_xor_weights.csv` holds hidden weights chosen by hand"
        + (" on the 3-bit levels k/7 (k odd)" if on_levels else "")
        + (" and deliberately not ±1" if not at_one else "")
        + ", and thresholds θ. With sign(W_h) they make "
        + ", ".join(ideal_formula(l1, ("x₁", "x₂"), [f"h{chr(0x2081 + k)}" for k in range(len(l1))])
                    + ideal_formula(l2, [f"h{chr(0x2081 + k)}" for k in range(len(l1))], ["y"])) + ".")
    md.append("")
    md.append(
        f"Layer 1 is a 2×{2 * len(l1)} MTT array (rows x₁, x₂; a column pair per hidden neuron), "
        f"layer 2 a {len(l1)}×2 array whose rows carry h·{sig(V_S * 1e3, 2)} mV. Batch norm and the "
        "Sign activation (the paper's Fig. 5i) are not simulated: in Python, "
        "h_k = sign(a_k − θ_k) with a_k = (I(col+) − I(col−))/I_ts,max, i.e. batch norm with a positive "
        "scale folded into a threshold; y = sign(a − θ) likewise. Each layer is one transient: "
        f"{2 * 2} + {2 * len(l1)} calibration samples (±{sig(V_S * 1e3, 2)} mV on one row at a time, "
        f"which give each unit's W_b), then the {nd} data points and a {GRID_N}×{GRID_N} grid over "
        f"[−{GRID_LIM:g}, {GRID_LIM:g}]² for the decision regions ({netw['samples'][0]} and "
        f"{netw['samples'][1]} samples).")
    md.append("")
    rows = []
    for layer, neurons, wb, names in ((1, l1, wb1, ("x₁", "x₂")), (2, l2, wb2, ("h₁", "h₂", "h₃"))):
        for k, (th, ws) in enumerate(neurons):
            for i, w in enumerate(ws):
                out = f"h{chr(0x2081 + k)}" if layer == 1 else "y"
                g_plus, g_minus = g_of_wh(max(w, 0), gemin), g_of_wh(max(-w, 0), gemin)
                rows.append([str(layer), f"{names[i]} → {out}", frac_text(w),
                             f"{sig(g_plus * 1e6, 3)} / {sig(g_minus * 1e6, 3)}",
                             f"{sign(w):+d}", sig(wb[i][k], 3), frac_text(th) if i == 0 else ""])
    md.append(common.md_table(["layer", "unit", "W_h", "G_e + / − (µS)", "sign(W_h)", "W_b measured", "θ"], rows))
    md.append("")
    all_wb = [abs(x) for r in wb1 for x in r] + [abs(x) for r in wb2 for x in r]
    max_diff = max(abs(abs(wb[i][k]) - next(b for w_, b in curve.items() if abs(w_ - abs(w)) < 1e-9))
                   for neurons, wb in ((l1, wb1), (l2, wb2)) for k, (_, ws) in enumerate(neurons)
                   for i, w in enumerate(ws))
    wb_at = {}
    for layer, neurons, wb in ((1, l1, wb1), (2, l2, wb2)):
        for k, (_, ws) in enumerate(neurons):
            for i, w in enumerate(ws):
                wb_at.setdefault(round(abs(w), 9), []).append(abs(wb[i][k]))
    by_level = "; ".join(f"|W_h| = {frac_text(w)}: {sig(min(v), 3)}"
                         + (f"–{sig(max(v), 3)}" if max(v) - min(v) > 5e-4 else "")
                         for w, v in sorted(wb_at.items()))
    md.append(
        f"The MTT transfer binarises the hidden weights: |W_b| lies between {sig(min(all_wb), 3)} and "
        f"{sig(max(all_wb), 3)} ({by_level}), with the sign of W_h throughout, and equal to the "
        f"one-unit DC sweep's W_b(W_h) to within {sig(max_diff, 2)} (ideal wires: the units of an "
        "array do not interact, and a sample's midpoint is the DC operating point). "
        f"Layer 1's pre-activations differ from the linear map Σ W_b·x by at most "
        f"{sig(netw['nonlin1'], 2)} (units of I_ts,max; inputs up to ±{sig(netw['x_max'], 2)}·V_s): the "
        "transistor curvature that bends a single column (above) cancels between the halves.")
    md.append("")
    md.append("![XOR network](figures/arrays_mtt_xor.png)")
    md.append("")
    ng = GRID_N * GRID_N
    rows = [["MTT arrays (simulated)", f"{100 * netw['acc_hw']:.1f}", "—", "—"],
            ["ideal binary network: sign(W_h), same θ", f"{100 * netw['acc_bin']:.1f}",
             f"{netw['agree_data']}/{nd}", f"{netw['agree_grid']}/{ng}"],
            ["W_h used as linear weights, same θ (computed, not simulated)", f"{100 * netw['acc_ana']:.1f}",
             f"{sum(a == b for a, b in zip(netw['y_hw'][:nd], netw['y_ana'][:nd]))}/{nd}",
             f"{sum(a == b for a, b in zip(netw['y_hw'][nd:], netw['y_ana'][nd:]))}/{ng}"]]
    md.append(common.md_table(["network", "accuracy (%)", "same output as the MTT arrays: data",
                               "grid"], rows))
    md.append("")
    md.append(
        f"The simulated network classifies {100 * netw['acc_hw']:.1f} % of the {nd} points, the ideal "
        f"binary network with the same thresholds {100 * netw['acc_bin']:.1f} %; they give the same "
        f"output on {netw['agree_data']} of {nd} points and {netw['agree_grid']} of {ng} grid points "
        f"(the hidden layer agrees on {netw['h_agree']} of {3 * nd} activations). "
        "Where they differ it is because |W_b| < 1: a hidden neuron's boundary Σ W_b·x = θ sits a little "
        "further out than Σ sign(W_h)·x = θ. "
        f"The misclassified points ({netw['wrong_hw']} simulated, {netw['wrong_bin']} ideal, "
        f"{netw['wrong_both']} by both) all lie within {sig(netw['wrong_dist'], 2)} of an ideal hidden "
        f"boundary ({boundaries}; the cluster centres are at least {sig(centre_dist, 2)} from them): they "
        f"are the tails that σ = {SIGMA:g} carries towards or across the diagonals that binary weights "
        "can draw. "
        "Used as plain linear weights, the same hidden weights would fail "
        f"({100 * netw['acc_ana']:.1f} %): the thresholds assume binary weights. "
        "Assumed throughout: the data set, the weights and thresholds, the input scale "
        f"{sig(V_S * 1e3, 2)} mV per unit, ideal wires, and an ideal batch norm and Sign activation (not simulated).")
    md.append("")
    return "\n".join(md)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=None, help="the source tree (default: $IONSPICE_SOURCE_DIR or .)")
    ap.add_argument("--docs", default=None, help="where the figures go (default: ROOT/docs)")
    args = ap.parse_args()
    try:
        root = common.source_dir(args.root)
    except FileNotFoundError as e:
        ap.exit(1, f"{e}\n")
    t0 = time.perf_counter()
    section = study(args.docs or os.path.join(root, "docs"), root)
    print(section)
    log(f"mtt_inference: {time.perf_counter() - t0:.1f} s in all")


if __name__ == "__main__":
    main()
