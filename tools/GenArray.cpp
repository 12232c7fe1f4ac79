// Array netlists (tools/GenArray.hpp). The layout is bench/gen_crossbar.py's: row lines run from
// their driver (column 0 side) to column C−1, column lines from row 0 down to their sense source
// after row R−1, and every wire segment between two crosspoints (or a line end and the first
// crosspoint) is one resistor.

#include "tools/GenArray.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iterator>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace ionspice::tools {

namespace {

/// 15 significant digits: 1/G of a round G stays round (1e5, not 99999.99999999999).
std::string num(double v) { return fmt::format("{:.15g}", v); }

/// What drives one line: a DC level, a train of pulses from 0 to `level`, or a PWL waveform.
struct Drive {
    double level = 0;  ///< V
    bool pulsed = false;
    std::vector<double> pwl;  ///< t0 v0 t1 v1 …: when not empty, the waveform (level unused)
};

/// A line held at `base` but for windows [t0, t1) at other levels, each entered and left by a
/// ramp of `edge` that starts at t0 and at t1 (so the mid-ramp to mid-ramp duration is t1 − t0,
/// as for PULSE's width in source_value).
struct Timeline {
    struct Window {
        double t0, t1, level;
    };
    double base = 0;
    std::vector<Window> windows;

    void add(double t0, double t1, double level) {
        if (t1 > t0) windows.push_back({t0, t1, level});
    }

    /// A DC drive when no window was added, else its PWL points. Windows must not overlap.
    Drive drive(double edge) const {
        if (windows.empty()) return Drive{base, false, {}};
        auto sorted = windows;
        std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.t0 < b.t0; });
        // Windows at one level that touch (one phase's ends where the next begins) are one.
        std::vector<Window> merged;
        for (const auto& w : sorted)
            if (!merged.empty() && merged.back().level == w.level && w.t0 <= merged.back().t1 + edge)
                merged.back().t1 = std::max(merged.back().t1, w.t1);
            else
                merged.push_back(w);
        sorted = std::move(merged);
        Drive d{base, false, {0.0, base}};
        for (const auto& w : sorted) {
            // A ramp no longer than half the window keeps the PWL times increasing.
            const double e = std::min(edge, (w.t1 - w.t0) / 2);
            if (w.t0 > d.pwl[d.pwl.size() - 2]) d.pwl.insert(d.pwl.end(), {w.t0, base});
            d.pwl.insert(d.pwl.end(), {w.t0 + e, w.level, w.t1, w.level, w.t1 + e, base});
        }
        return d;
    }
};
using LineDrive = std::optional<Drive>;  ///< nullopt: the line is left undriven (floating)

class ArrayWriter {
public:
    explicit ArrayWriter(const ArraySpec& s) : s_(s) {}

    std::string write() {
        plan_drives();
        header();
        models();
        line_sources();
        wires();
        cells();
        footer();
        return std::move(out_);
    }

private:
    template <typename... Args>
    void put(fmt::format_string<Args...> f, Args&&... args) {
        fmt::format_to(std::back_inserter(out_), f, std::forward<Args>(args)...);
        out_ += '\n';
    }

    bool wired() const { return s_.rwire > 0; }
    bool single() const { return s_.scheme != ReadScheme::all; }
    bool programming() const { return s_.pulses.phase != ProgramPhase::none; }
    bool has_gate_lines() const {
        return s_.cell == CellKind::ecram && (s_.kind == ArrayKind::crossbar || s_.kind == ArrayKind::one_t1r ||
                                              s_.kind == ArrayKind::h1e1t);
    }

    std::string row(int i, int j) const { return wired() ? fmt::format("r{}_{}", i, j) : fmt::format("r{}", i); }
    std::string col(int i, int j) const { return wired() ? fmt::format("c{}_{}", i, j) : fmt::format("c{}", j); }
    std::string row_in(int i) const { return wired() ? fmt::format("rin{}", i) : row(i, 0); }
    std::string col_out(int j) const { return wired() ? fmt::format("cout{}", j) : col(0, j); }

    /// Cell (i,j) is `<prefix><i>_<j>`: a resistor rx…, a memory device (N card) nx….
    const char* cell_prefix() const { return s_.cell == CellKind::resistor ? "rx" : "nx"; }

    /// The bias of every line, from the read scheme or the programming phase.
    void plan_drives() {
        const int R = s_.rows, C = s_.cols;
        rows_.assign(R, Drive{});
        cols_.assign(C, Drive{});
        if (has_gate_lines()) gates_.assign(R, Drive{s_.veg, false, {}});
        if (s_.kind == ArrayKind::one_t1r) word_lines_.assign(R, Drive{s_.vgate, false, {}});
        if (s_.kind == ArrayKind::h1e1t) tgs_.assign(C, Drive{s_.pulses.vss, false, {}});

        if (programming()) {
            plan_programming();
            return;
        }
        if (!single()) {
            for (int i = 0; i < R; ++i) rows_[i] = Drive{s_.inputs[i], false, {}};
            if (!s_.samples.empty()) plan_samples();
            return;
        }
        // Single-cell reads: the selected row at V, the selected column at 0 V.
        const double v = s_.vread;
        double row_other = 0, col_other = 0;
        if (s_.scheme == ReadScheme::half) row_other = col_other = v / 2;
        if (s_.scheme == ReadScheme::third) row_other = v / 3, col_other = 2 * v / 3;
        for (int i = 0; i < R; ++i) {
            if (i == s_.select_row)
                rows_[i] = Drive{v, false, {}};
            else if (s_.scheme == ReadScheme::floating)
                rows_[i].reset();
            else
                rows_[i] = Drive{row_other, false, {}};
        }
        for (int j = 0; j < C; ++j) {
            if (j == s_.select_col)
                cols_[j] = Drive{0, false, {}};
            else if (s_.scheme == ReadScheme::floating)
                cols_[j].reset();
            else
                cols_[j] = Drive{col_other, false, {}};
        }
        if (s_.kind == ArrayKind::one_t1r)
            for (int i = 0; i < R; ++i) word_lines_[i] = Drive{i == s_.select_row ? s_.vgate : 0, false, {}};
    }

    /// Sample k of the inputs held over [k·T, (k+1)·T), reached by a ramp of T/100 that starts
    /// at k·T: every sample has a flat part of 0.99·T to read the columns on.
    void plan_samples() {
        const double T = s_.sample_time, edge = T / 100;
        for (int i = 0; i < s_.rows; ++i) {
            Drive d{0, false, {0.0, s_.samples[0][i]}};
            for (std::size_t k = 1; k < s_.samples.size(); ++k) {
                const double t = static_cast<double>(k) * T, v = s_.samples[k][i];
                d.pwl.insert(d.pwl.end(), {t, s_.samples[k - 1][i], t + edge, v});
            }
            rows_[i] = std::move(d);
        }
        end_time_ = static_cast<double>(s_.samples.size()) * T;
    }

    /// Crossbar programming, the selected cell to see V, every other cell at most V/2 (V/3):
    ///   V/2: selected row +V/2, selected column −V/2, the rest 0 (docs/circuits.md §5)
    ///   V/3: selected row 2V/3, selected column −V/3, unselected columns +V/3, the rest 0
    /// An ECRAM's programming voltage is V_gc = V_G − [kch·V_D + (1 − kch)·V_S], with its
    /// drain on the column and source on the row: the row values go on the gate lines, the
    /// row lines stay at 0 V and the column values are divided by kch.
    struct Bias {
        double row_sel, col_sel, col_other;  ///< V, on the row (or gate) and column lines
    };
    Bias crossbar_bias(double v) const {
        const bool half = s_.scheme == ReadScheme::half;
        const double k = s_.cell_model ? s_.cell_model->memory().channel_fraction() : 1.0;
        return {half ? v / 2 : 2 * v / 3, (half ? -v / 2 : -v / 3) / k, (half ? 0 : v / 3) / k};
    }

    /// The cells of a programming map in the order it visits them, with their amounts.
    struct MapCell {
        int i, j;
        double amount;
    };

    /// When the pulses of `amount` end (from their start), and the windows they occupy.
    double pulses_duration(double amount) const {
        const PulseSpec& p = s_.pulses;
        return p.pwm ? std::abs(amount) * p.width : std::round(std::abs(amount)) * p.period;
    }
    void add_pulses(Timeline& line, double start, double amount, double level) const {
        const PulseSpec& p = s_.pulses;
        if (p.pwm) {
            line.add(start, start + std::abs(amount) * p.width, level);
            return;
        }
        const long n = std::lround(std::abs(amount));
        for (long k = 0; k < n; ++k) line.add(start + k * p.period, start + k * p.period + p.width, level);
    }

    /// The lines' timelines while a programming map is written.
    struct MapLines {
        std::vector<Timeline> rows, cols, gates, tgs;
    };

    /// ProgramPhase::map. Crossbars: one cell at a time (its pulses with the V/2 or V/3 bias of
    /// crossbar_bias), in row or column order. H-1E1T: a row (or column) at a time, in a
    /// potentiation phase then a depression phase, each programming all the row's (column's)
    /// cells of that sign together: the pulses last as long as the largest amount asks, and a
    /// cell whose amount is done is switched to "remain" (potentiation) or "idle" (depression)
    /// by its selector (row order) or its row lines (column order).
    void plan_map() {
        const PulseSpec& p = s_.pulses;
        MapLines l{std::vector<Timeline>(s_.rows), std::vector<Timeline>(s_.cols),
                   std::vector<Timeline>(has_gate_lines() ? s_.rows : 0), std::vector<Timeline>(tgs_.size())};
        for (auto& g : l.gates) g.base = s_.veg;
        for (auto& t : l.tgs) t.base = p.vss;
        end_time_ = s_.kind == ArrayKind::h1e1t ? map_h1e1t(l) : map_crossbar(l);
        for (int i = 0; i < s_.rows; ++i) rows_[i] = l.rows[i].drive(p.edge);
        for (int j = 0; j < s_.cols; ++j) cols_[j] = l.cols[j].drive(p.edge);
        for (std::size_t i = 0; i < l.gates.size(); ++i) gates_[i] = l.gates[i].drive(p.edge);
        for (std::size_t j = 0; j < l.tgs.size(); ++j) tgs_[j] = l.tgs[j].drive(p.edge);
    }

    double map_amount(int i, int j) const { return s_.pulses.map[static_cast<std::size_t>(i) * s_.cols + j]; }

    /// A crossbar's map, cell by cell; returns when the last pulse ends (and its gap).
    double map_crossbar(MapLines& l) const {
        const PulseSpec& p = s_.pulses;
        const int R = s_.rows, C = s_.cols;
        const double gap = p.period - p.width;  // between one cell's pulses and the next cell's
        const bool by_rows = p.order == ProgramOrder::rows;
        double t = 0;
        for (int a = 0; a < (by_rows ? R : C); ++a)
            for (int b = 0; b < (by_rows ? C : R); ++b) {
                const int i = by_rows ? a : b, j = by_rows ? b : a;
                const double x = map_amount(i, j);
                if (x == 0) continue;
                const Bias bias = crossbar_bias(x > 0 ? p.amplitude : -p.depress_amplitude);
                add_pulses(s_.cell == CellKind::ecram ? l.gates[i] : l.rows[i], t, x, bias.row_sel);
                for (int jj = 0; jj < C; ++jj) {
                    const double level = jj == j ? bias.col_sel : bias.col_other;
                    if (level != 0) add_pulses(l.cols[jj], t, x, level);
                }
                t += pulses_duration(x) + gap;
            }
        return t;
    }

    /// An H-1E1T array's map, phase by phase; returns when the last phase ends.
    double map_h1e1t(MapLines& l) const {
        const PulseSpec& p = s_.pulses;
        const int R = s_.rows, C = s_.cols;
        const double gap = p.period - p.width;  // between one phase's pulses and the next phase's
        auto& rows = l.rows;
        auto& gates = l.gates;
        auto& tgs = l.tgs;
        double t = 0;
        // The selectors switch in the first half of the gap before the pulses and after them.
        const double lead = gap / 2;
        const bool by_rows = p.order == ProgramOrder::rows;
        const int lines = by_rows ? R : C, along = by_rows ? C : R;
        for (int a = 0; a < lines; ++a)
            for (int sign : {+1, -1}) {
                std::vector<MapCell> cells;
                for (int b = 0; b < along; ++b) {
                    const int i = by_rows ? a : b, j = by_rows ? b : a;
                    if (map_amount(i, j) * sign > 0) cells.push_back({i, j, std::abs(map_amount(i, j))});
                }
                if (cells.empty()) continue;
                double longest = 0;
                for (const auto& c : cells) longest = std::max(longest, c.amount);
                const double p0 = t + lead;  // the pulses start
                // A cell is done at the end of its last pulse's gap half (trains) or of its
                // PWM pulse; the phase ends half a gap after the longest.
                auto done = [&](double x) { return p0 + (p.pwm ? x * p.width : std::round(x) * p.period - lead); };
                const double end = done(longest) + lead;
                const double vp = p.amplitude, vd = p.vd;
                if (by_rows) {
                    const int i = a;
                    if (sign > 0) {
                        add_pulses(gates[i], p0, longest, vp);
                        add_pulses(rows[i], p0, longest, vd);
                        for (const auto& c : cells) tgs[c.j].add(t, done(c.amount), 0);  // off: V_gc ≈ V_P
                    } else {
                        add_pulses(rows[i], p0, longest, vd);
                        std::vector<double> until(C, -1);  // on until then; −1: off all phase
                        for (const auto& c : cells) until[c.j] = done(c.amount);
                        for (int j = 0; j < C; ++j)
                            if (until[j] < 0)
                                tgs[j].add(t, end, 0);
                            else if (until[j] < done(longest))
                                tgs[j].add(until[j], end, 0);
                    }
                } else {
                    const int j = a;
                    for (const auto& c : cells) {
                        if (sign > 0) add_pulses(gates[c.i], p0, c.amount, vp);
                        add_pulses(rows[c.i], p0, c.amount, vd);
                    }
                    if (sign > 0)
                        tgs[j].add(t, end, 0);
                    else
                        for (int jj = 0; jj < C; ++jj)
                            if (jj != j) tgs[jj].add(t, end, 0);
                }
                t = end;
            }
        return t;
    }

    void plan_programming() {
        const PulseSpec& p = s_.pulses;
        if (p.phase == ProgramPhase::map) {
            plan_map();
            return;
        }
        const int R = s_.rows, C = s_.cols, si = s_.select_row, sj = s_.select_col;
        if (s_.kind == ArrayKind::h1e1t) {
            // docs/circuits.md §2 with a drain line per row. Potentiation of (si, sj): V_EG = V_P and
            // V_ED = V_D on row si, selector off in column sj (its ECRAM drain stays near 0 V, so
            // V_gc ≈ V_P) and on elsewhere (drain ≈ V_D: V_gc ≈ V_P − V_D, the cell holds). Other
            // rows see V_EG = V_ED = 0: idle. Depression: every V_EG = 0, V_ED = V_D on row si,
            // selector on in column sj only: V_gc ≈ −V_D at (si, sj), ≈ 0 elsewhere.
            for (int i = 0; i < R; ++i) {
                rows_[i] = Drive{i == si ? p.vd : 0, i == si, {}};
                gates_[i] = Drive{i == si && p.phase == ProgramPhase::potentiate ? p.amplitude : 0,
                                  i == si && p.phase == ProgramPhase::potentiate, {}};
            }
            for (int j = 0; j < C; ++j) {
                const bool on = p.phase == ProgramPhase::potentiate ? j != sj : j == sj;
                tgs_[j] = Drive{on ? p.vss : 0, false, {}};
            }
            return;
        }
        // Crossbars: a train of pulses with the bias of crossbar_bias.
        const Bias b = crossbar_bias(p.phase == ProgramPhase::potentiate ? p.amplitude : -p.amplitude);
        for (int i = 0; i < R; ++i) {
            const Drive d{i == si ? b.row_sel : 0, i == si, {}};
            if (s_.cell == CellKind::ecram)
                gates_[i] = d;
            else
                rows_[i] = d;
        }
        for (int j = 0; j < C; ++j) {
            const double level = j == sj ? b.col_sel : b.col_other;
            cols_[j] = Drive{level, level != 0, {}};
        }
    }

    std::string source_value(const Drive& d) const {
        if (!d.pwl.empty()) {
            std::string out = "PWL(";
            for (std::size_t k = 0; k < d.pwl.size(); k += 2)
                out += fmt::format("{}{} {}", k ? " " : "", num(d.pwl[k]), num(d.pwl[k + 1]));
            return out + ")";
        }
        if (!d.pulsed || d.level == 0) return "dc " + num(d.level);
        const PulseSpec& p = s_.pulses;
        return fmt::format("PULSE(0 {} 0 {} {} {} {} {})", num(d.level), num(p.edge), num(p.edge),
                           num(p.width - p.edge), num(p.period), p.count);
    }

    std::string scheme_text() const {
        switch (s_.scheme) {
            case ReadScheme::all: return "all rows driven, all columns at 0 V (vector-matrix product)";
            case ReadScheme::floating: return "selected row at V, selected column at 0 V, the other lines floating";
            case ReadScheme::half: return "selected row at V, selected column at 0 V, the other lines at V/2";
            case ReadScheme::third:
                return "selected row at V, selected column at 0 V, other rows at V/3, other columns at 2V/3";
            case ReadScheme::ground: return "selected row at V, selected column at 0 V, the other lines at 0 V";
        }
        return "";
    }

    std::string kind_text() const {
        const char* cell = s_.cell == CellKind::resistor ? "resistor" : s_.cell == CellKind::ecram ? "ECRAM" : "memristor";
        switch (s_.kind) {
            case ArrayKind::crossbar: return fmt::format("passive crossbar of {} cells", cell);
            case ArrayKind::one_t1r: return fmt::format("1T1R array ({} cells, NMOS selectors)", cell);
            case ArrayKind::h1e1t: return "H-1E1T array (ECRAM with a selector NMOS on its drain)";
            case ArrayKind::mtt: return fmt::format("MTT array ({} hidden weights)", cell);
        }
        return "";
    }

    void header() {
        const int R = s_.rows, C = s_.cols;
        std::string what =
            s_.pulses.phase == ProgramPhase::map
                ? fmt::format("programmed {} by a map{}", s_.pulses.order == ProgramOrder::rows ? "row by row" : "column by column",
                              s_.pulses.pwm ? " of PWM pulses" : "")
            : programming()
                ? fmt::format("{} {} {} cell ({},{})", s_.pulses.count, s_.pulses.count == 1 ? "pulse" : "pulses",
                              s_.pulses.phase == ProgramPhase::potentiate ? "potentiating" : "depressing", s_.select_row,
                              s_.select_col)
            : single()             ? fmt::format("{} read of cell ({},{})", scheme_name(), s_.select_row, s_.select_col)
            : !s_.samples.empty() ? fmt::format("all rows driven, {} input samples", s_.samples.size())
                                   : std::string("all rows driven");
        put("{}x{} {}, {}", R, C, kind_text(), what);
        put("* Generated by: {}", s_.command_line);
        put("*");
        put("* {} row{} (i = 0..{}) x {} column{} (j = 0..{}); names below use these 0-based indices.", R, R == 1 ? "" : "s",
            R - 1, C, C == 1 ? "" : "s", C - 1);
        if (wired()) {
            put("* Wires: {} ohm per segment. Row i runs from rin<i> (its driver) through r<i>_0 ... r<i>_{};", num(s_.rwire),
                C - 1);
            put("*   column j from c0_<j> down to c{}_<j> and on to cout<j> (its sense source).", R - 1);
            put("*   rwr<i>_<j>: the row segment ending at r<i>_<j>; rwc<i>_<j>: the column segment leaving c<i>_<j>.");
        } else {
            put("* Wires: ideal; row i is the single node r<i>, column j the node c<j>.");
        }
        if (s_.cwire > 0)
            put("* Wire capacitance: {} F per line node to ground (cr..., cc...){}.", num(s_.cwire),
                wired() ? "" : "; one capacitor per line of the line's total");
        if (s_.rdrv > 0) put("* Row drivers: vrow<i> at node rs<i>, through rdrv<i> = {} ohm.", num(s_.rdrv));
        if (s_.rsense > 0)
            put("* Column sensing: vcol<j> in series with rsense<j> = {} ohm to ground (node cs<j>): v(cs<j>) is the\n"
                "*   sensed voltage, i(vcol<j>) the current; the line itself is not held at the source's level.",
                num(s_.rsense));
        switch (s_.kind) {
            case ArrayKind::crossbar:
                if (s_.cell == CellKind::ecram)
                    put("* Cell (i,j): {} = ECRAM, gate on line eg<i> (source veg<i>), drain on the column, "
                        "source on the row.",
                        std::string(cell_prefix()) + "<i>_<j>");
                else
                    put("* Cell (i,j): {}<i>_<j> between the row and the column line.", cell_prefix());
                break;
            case ArrayKind::one_t1r:
                put("* Cell (i,j): {}<i>_<j> from the row line to node m<i>_<j>, then selector mx<i>_<j> (drain m<i>_<j>,",
                    cell_prefix());
                put("*   gate on word line wl<i> driven by vwl<i>, source on the column line, bulk 0).");
                if (s_.cell == CellKind::ecram) put("*   The ECRAM's gate is on line eg<i> (source veg<i>), its drain at m<i>_<j>.");
                break;
            case ArrayKind::h1e1t:
                put("* Lines: V_ED drain line per row (nodes r..., driver vrow<i>), V_EG ECRAM gate line eg<i> per row");
                put("*   (source veg<i>), V_TG selector gate line tg<j> per column (source vtg<j>).");
                put("* Cell (i,j): selector mx<i>_<j> (drain on the row's V_ED line, gate tg<j>, source d<i>_<j>, bulk 0)");
                put("*   and ECRAM nx<i>_<j> (gate eg<i>, drain d<i>_<j>, source on the column line: V_ES, held at 0 V");
                put("*   by vcol<j>). A drain line per row (not one V_ED for the array) lets unselected rows idle.");
                break;
            case ArrayKind::mtt:
                put("* MTT unit (i,j) (docs/circuits.md §1, §3): a divider from readh (Vread_H, source vreadh) through the");
                put("*   hidden weight {}<i>_<j> to node d<i>_<j> and on to ground through {}.", cell_prefix(),
                    s_.rref > 0 ? "the reference resistor rr<i>_<j>"
                                : "the reference NMOS mr<i>_<j>\n*   (gate on refg, held at Vref_G by vrefg; source and bulk 0)");
                put("*   Inference NMOS mi<i>_<j>: drain on input row line i, gate d<i>_<j>, source on column line j,");
                put("*   bulk 0: i(vcol<j>) sums the inference currents of column j.");
                if (s_.cell == CellKind::ecram) put("*   ECRAM gates are grounded; drain at d<i>_<j>, source on readh.");
                break;
        }
        put("* vrow<i>: row i's driver. vcol<j>: column j's 0 V sense source (virtual ground); i(vcol<j>) is");
        put("*   the current flowing into it from the column.");
        if (!programming()) {
            put("* Read: {}.", scheme_text());
            if (!single() && !s_.samples.empty())
                put("* Inputs: {} samples (V per row) {}, sample k held over [k*T, (k+1)*T) with T = {} s,\n"
                    "*   reached by a ramp of T/100 (PWL sources): read the columns at (k + 1/2)*T.",
                    s_.samples.size(), s_.inputs_source, num(s_.sample_time));
            else if (!single())
                put("* Inputs (V per row): {}.", s_.inputs_source);
            else
                put("* V = {} V; selected cell ({},{}).", num(s_.vread), s_.select_row, s_.select_col);
            if (s_.kind == ArrayKind::one_t1r)
                put("* Word lines at {} V when on ({}), else 0 V.", num(s_.vgate), single() ? "the selected row" : "all rows");
            if (s_.kind == ArrayKind::h1e1t) put("* Every selector on: V_TG = V_SS = {} V.", num(s_.pulses.vss));
            if (has_gate_lines()) put("* ECRAM gate lines at {} V.", num(s_.veg));
            if (s_.kind == ArrayKind::mtt)
                put("* Vread_H = {} V{}.", num(s_.vreadh), s_.rref > 0 ? fmt::format(", R_ref = {} ohm", num(s_.rref))
                                                                       : fmt::format(", Vref_G = {} V", num(s_.vrefg)));
        } else {
            program_header();
        }
        put("* Initial conductances: {}{}.", s_.g_source,
            s_.cell == CellKind::resistor   ? " (resistance 1/G)"
            : s_.cell == CellKind::ecram    ? " (ECRAM g0 = G)"
                                            : " (memristor x0 = the state whose conductance is G)");
        put("*");
    }

    std::string scheme_name() const {
        switch (s_.scheme) {
            case ReadScheme::floating: return "floating-line";
            case ReadScheme::half: return "V/2";
            case ReadScheme::third: return "V/3";
            case ReadScheme::ground: return "grounded-line";
            case ReadScheme::all: break;
        }
        return "";
    }

    void program_header() {
        const PulseSpec& p = s_.pulses;
        if (p.phase == ProgramPhase::map) {
            map_header();
            return;
        }
        put("* Programming: {} {} of {} s every {} s (edges {} s), from t = 0.", p.count, p.count == 1 ? "pulse" : "pulses",
            num(p.width), num(p.period),
            num(p.edge));
        if (s_.kind == ArrayKind::h1e1t) {
            if (p.phase == ProgramPhase::potentiate)
                put("* Potentiation of ({0},{1}): eg{0} pulses to V_P = {2} V and row {0}'s drain line to V_D = {3} V;"
                    " tg{1} = 0 (selector off: V_gc ~ V_P), the other tg at V_SS = {4} V (V_gc ~ V_P - V_D: remain).",
                    s_.select_row, s_.select_col, num(p.amplitude), num(p.vd), num(p.vss));
            else
                put("* Depression of ({0},{1}): row {0}'s drain line pulses to V_D = {2} V, tg{1} = V_SS = {3} V"
                    " (V_gc ~ -V_D), every other tg and every eg at 0 V.",
                    s_.select_row, s_.select_col, num(p.vd), num(p.vss));
            return;
        }
        const double v = p.phase == ProgramPhase::potentiate ? p.amplitude : -p.amplitude;
        if (s_.scheme == ReadScheme::half)
            put("* V/2 scheme, V = {} V: selected {} at V/2, selected column at -V/2{}, every other line at 0 V;",
                num(v), s_.cell == CellKind::ecram ? "gate line" : "row", s_.cell == CellKind::ecram ? "/kch" : "");
        else
            put("* V/3 scheme, V = {} V: selected {} at 2V/3, selected column at -V/3{}, other columns at V/3{};",
                num(v), s_.cell == CellKind::ecram ? "gate line" : "row", s_.cell == CellKind::ecram ? "/kch" : "",
                s_.cell == CellKind::ecram ? "/kch" : "");
        put("*   the selected cell sees V, half-selected cells {}.", s_.scheme == ReadScheme::half ? "V/2" : "at most V/3");
        if (s_.cell == CellKind::ecram)
            put("*   ECRAM: V is the gate-channel voltage V_gc = V_G - [kch*V_D + (1-kch)*V_S] (kch = {}); row lines at 0 V.",
                num(s_.cell_model->memory().channel_fraction()));
    }

    void map_header() {
        const PulseSpec& p = s_.pulses;
        put("* Programming map {}: per cell a signed amount in pulses of {} s (> 0 potentiates, < 0 depresses,",
            p.map_source, num(p.width));
        if (p.pwm)
            put("*   0 leaves it): one PWM pulse of |amount| x {} s per cell; {} s between pulses; edges {} s.", num(p.width),
                num(p.period - p.width), num(p.edge));
        else
            put("*   0 leaves it): |amount| pulses of {} s every {} s (edges {} s).", num(p.width), num(p.period), num(p.edge));
        if (s_.kind == ArrayKind::h1e1t) {
            const bool rows = p.order == ProgramOrder::rows;
            put("* {} by {}, each in a potentiation phase then a depression phase (docs/circuits.md §2):",
                rows ? "Row" : "Column", rows ? "row" : "column");
            if (rows) {
                put("*   potentiation of row i: eg<i> pulses to V_P = {} V and row i's drain line to V_D = {} V; tg<j> = 0",
                    num(p.amplitude), num(p.vd));
                put("*   (selector off: V_gc ~ V_P) for the cells to potentiate until their amount is done, then V_SS = {} V",
                    num(p.vss));
                put("*   (V_gc ~ V_P - V_D: remain), and V_SS throughout for the others;");
                put("*   depression of row i: row i's drain line pulses to V_D, every eg at 0 V; tg<j> = V_SS (V_gc ~ -V_D)");
                put("*   for the cells to depress until their amount is done, 0 otherwise (idle).");
            } else {
                put("*   potentiation of column j: the rows of the cells to potentiate pulse eg<i> to V_P = {} V and their",
                    num(p.amplitude));
                put("*   drain lines to V_D = {} V for the cell's amount; tg<j> = 0 (selector off: V_gc ~ V_P), every other", num(p.vd));
                put("*   tg at V_SS = {} V (V_gc ~ V_P - V_D: remain); rows not pulsing idle;", num(p.vss));
                put("*   depression of column j: the rows of the cells to depress pulse their drain lines to V_D for the");
                put("*   cell's amount, every eg at 0 V; tg<j> = V_SS (V_gc ~ -V_D), every other tg at 0 V (idle).");
            }
            put("*   Selectors switch half a gap before and after the pulses.");
            return;
        }
        const bool ecram = s_.cell == CellKind::ecram;
        put("* One cell at a time, {} ({} scheme): V = {} V to potentiate, {} V to depress;",
            p.order == ProgramOrder::rows ? "row by row" : "column by column",
            s_.scheme == ReadScheme::half ? "V/2" : "V/3", num(p.amplitude), num(-p.depress_amplitude));
        if (s_.scheme == ReadScheme::half)
            put("*   selected {} at V/2, selected column at -V/2{}, every other line at 0 V.", ecram ? "gate line" : "row",
                ecram ? "/kch" : "");
        else
            put("*   selected {} at 2V/3, selected column at -V/3{}, other columns at V/3{}, other rows at 0 V.",
                ecram ? "gate line" : "row", ecram ? "/kch" : "", ecram ? "/kch" : "");
        if (ecram)
            put("*   ECRAM: V is the gate-channel voltage V_gc = V_G - [kch*V_D + (1-kch)*V_S] (kch = {}); row lines at 0 V.",
                num(s_.cell_model->memory().channel_fraction()));
    }

    void models() {
        if (s_.cell_model) put("{}", s_.cell_model->card);
        if (s_.fet_model) put("{}", s_.fet_model->card);
    }

    void line_sources() {
        const int R = s_.rows, C = s_.cols;
        for (int i = 0; i < R; ++i) {
            if (!rows_[i]) continue;
            if (s_.rdrv > 0) {
                put("vrow{} rs{} 0 {}", i, i, source_value(*rows_[i]));
                put("rdrv{} rs{} {} {}", i, i, row_in(i), num(s_.rdrv));
            } else {
                put("vrow{} {} 0 {}", i, row_in(i), source_value(*rows_[i]));
            }
        }
        for (int j = 0; j < C; ++j) {
            if (!cols_[j]) continue;
            if (s_.rsense > 0) {
                put("vcol{} {} cs{} {}", j, col_out(j), j, source_value(*cols_[j]));
                put("rsense{} cs{} 0 {}", j, j, num(s_.rsense));
            } else {
                put("vcol{} {} 0 {}", j, col_out(j), source_value(*cols_[j]));
            }
        }
        for (int i = 0; i < static_cast<int>(gates_.size()); ++i) put("veg{} eg{} 0 {}", i, i, source_value(gates_[i]));
        for (int i = 0; i < static_cast<int>(word_lines_.size()); ++i)
            put("vwl{} wl{} 0 {}", i, i, source_value(word_lines_[i]));
        for (int j = 0; j < static_cast<int>(tgs_.size()); ++j) put("vtg{} tg{} 0 {}", j, j, source_value(tgs_[j]));
        if (s_.kind == ArrayKind::mtt) {
            put("vreadh readh 0 dc {}", num(s_.vreadh));
            if (s_.rref <= 0) put("vrefg refg 0 dc {}", num(s_.vrefg));
        }
    }

    void wires() {
        const int R = s_.rows, C = s_.cols;
        if (wired()) {
            const std::string rw = num(s_.rwire);
            for (int i = 0; i < R; ++i)
                for (int j = rows_[i] ? 0 : 1; j < C; ++j)
                    put("rwr{}_{} {} {} {}", i, j, j == 0 ? row_in(i) : row(i, j - 1), row(i, j), rw);
            for (int j = 0; j < C; ++j)
                for (int i = 0; i < (cols_[j] ? R : R - 1); ++i)
                    put("rwc{}_{} {} {} {}", i, j, col(i, j), i == R - 1 ? col_out(j) : col(i + 1, j), rw);
        }
        if (s_.cwire > 0) {
            if (wired()) {
                const std::string cw = num(s_.cwire);
                for (int i = 0; i < R; ++i)
                    for (int j = 0; j < C; ++j) put("cr{}_{} {} 0 {}", i, j, row(i, j), cw);
                for (int i = 0; i < R; ++i)
                    for (int j = 0; j < C; ++j) put("cc{}_{} {} 0 {}", i, j, col(i, j), cw);
            } else {
                for (int i = 0; i < R; ++i) put("cr{} {} 0 {}", i, row(i, 0), num(s_.cwire * C));
                for (int j = 0; j < C; ++j) put("cc{} {} 0 {}", j, col(0, j), num(s_.cwire * R));
            }
        }
    }

    /// The memory element between nodes a (p, or the ECRAM's drain) and b (n, or its source).
    void memory_cell(int i, int j, const std::string& gate, const std::string& a, const std::string& b) {
        const double g = s_.g[static_cast<std::size_t>(i) * s_.cols + j];
        switch (s_.cell) {
            case CellKind::resistor: put("rx{}_{} {} {} {}", i, j, a, b, num(1 / g)); break;
            case CellKind::memristor:
            case CellKind::ecram: {
                const models::InitialState st = s_.cell_model->memory().initial_state(g);
                const std::string terminals = s_.cell == CellKind::ecram ? fmt::format("{} {} {}", gate, a, b) : fmt::format("{} {}", a, b);
                put("nx{}_{} {} {} {}={}", i, j, terminals, s_.cell_model->name, st.param, num(st.value));
                break;
            }
        }
    }

    void cells() {
        const int R = s_.rows, C = s_.cols;
        const std::string size = fmt::format("W={} L={}", num(s_.fet_w), num(s_.fet_l));
        for (int i = 0; i < R; ++i)
            for (int j = 0; j < C; ++j) {
                const std::string gate = fmt::format("eg{}", i);
                switch (s_.kind) {
                    case ArrayKind::crossbar:
                        if (s_.cell == CellKind::ecram)
                            memory_cell(i, j, gate, col(i, j), row(i, j));
                        else
                            memory_cell(i, j, gate, row(i, j), col(i, j));
                        break;
                    case ArrayKind::one_t1r: {
                        const std::string m = fmt::format("m{}_{}", i, j);
                        if (s_.cell == CellKind::ecram)
                            memory_cell(i, j, gate, m, row(i, j));
                        else
                            memory_cell(i, j, gate, row(i, j), m);
                        put("mx{}_{} {} wl{} {} 0 {} {}", i, j, m, i, col(i, j), s_.fet_model->name, size);
                        break;
                    }
                    case ArrayKind::h1e1t: {
                        const std::string d = fmt::format("d{}_{}", i, j);
                        put("mx{}_{} {} tg{} {} 0 {} {}", i, j, row(i, j), j, d, s_.fet_model->name, size);
                        memory_cell(i, j, gate, d, col(i, j));
                        break;
                    }
                    case ArrayKind::mtt: {
                        const std::string d = fmt::format("d{}_{}", i, j);
                        if (s_.cell == CellKind::ecram)
                            memory_cell(i, j, "0", d, "readh");
                        else
                            memory_cell(i, j, "0", "readh", d);
                        if (s_.rref > 0)
                            put("rr{}_{} {} 0 {}", i, j, d, num(s_.rref));
                        else
                            put("mr{}_{} {} refg 0 0 {} W={} L={}", i, j, d, s_.fet_model->name,
                                num(s_.ref_w > 0 ? s_.ref_w : s_.fet_w), num(s_.ref_l > 0 ? s_.ref_l : s_.fet_l));
                        put("mi{}_{} {} {} {} 0 {} {}", i, j, row(i, j), d, col(i, j), s_.fet_model->name, size);
                        break;
                    }
                }
            }
    }

    /// Our choice when the user gives no analysis: an operating point for a read; a transient
    /// over everything for pulses or input samples, with 2000 steps at most between corners.
    std::vector<std::string> analyses() const {
        if (!s_.analyses.empty()) return s_.analyses;
        const PulseSpec& p = s_.pulses;
        if (p.phase == ProgramPhase::map) return {fmt::format(".tran {} {}", num(end_time_ / 2000), num(end_time_))};
        if (programming()) return {fmt::format(".tran {} {}", num(p.period / 20), num(p.count * p.period))};
        if (!s_.samples.empty()) return {fmt::format(".tran {} {}", num(s_.sample_time / 4), num(end_time_))};
        return {".op"};
    }

    void footer() {
        if (!s_.options.empty()) put(".options {}", s_.options);
        const auto cards = analyses();
        for (const auto& a : cards) put("{}", a);
        if (s_.print) {
            // .print per analysis kind: the card's first word without its dot.
            std::vector<std::string> kinds;
            for (const auto& a : cards) {
                std::string k = a.substr(1, a.find_first_of(" \t") - 1);
                for (auto& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                if ((k == "dc" || k == "tran") && std::find(kinds.begin(), kinds.end(), k) == kinds.end())
                    kinds.push_back(k);
            }
            std::string items;
            if (s_.pulses.phase == ProgramPhase::map) {
                for (int i = 0; i < s_.rows; ++i)
                    for (int j = 0; j < s_.cols; ++j) items += fmt::format(" g(nx{}_{})", i, j);
            } else if (programming()) {
                // The selected cell, then the rest of its row and column: the half-selected ones.
                const int si = s_.select_row, sj = s_.select_col;
                items += fmt::format(" g(nx{}_{})", si, sj);
                for (int j = 0; j < s_.cols; ++j)
                    if (j != sj) items += fmt::format(" g(nx{}_{})", si, j);
                for (int i = 0; i < s_.rows; ++i)
                    if (i != si) items += fmt::format(" g(nx{}_{})", i, sj);
            } else {
                for (int j = 0; j < s_.cols; ++j)
                    if (cols_[j]) items += fmt::format(" i(vcol{})", j);
            }
            // .op has no .print in ngspice; its values are printed anyway.
            for (const auto& k : kinds) put(".print {}{}", k, items);
            put(".save{}", items);
        }
        put(".end");
    }

    const ArraySpec& s_;
    std::string out_;
    std::vector<LineDrive> rows_, cols_;
    std::vector<Drive> gates_, word_lines_, tgs_;
    double end_time_ = 0;  ///< s, the end of the programming map's pulses or of the input samples
};

}  // namespace

const models::MemoryModel& ModelInfo::memory() const {
    const auto* m = dynamic_cast<const models::MemoryModel*>(prepared.get());
    if (!m) throw std::invalid_argument(fmt::format("model {} ({}) is not a memory model", name, type));
    return *m;
}

std::pair<double, double> conductance_range(CellKind cell, const ModelInfo* model) {
    if (cell == CellKind::resistor) return {std::numeric_limits<double>::min(), std::numeric_limits<double>::infinity()};
    return model->memory().conductance_window();
}

std::string generate_array(const ArraySpec& spec) { return ArrayWriter(spec).write(); }

}  // namespace ionspice::tools
