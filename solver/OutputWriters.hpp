#pragma once
// Writers for results: ngspice's raw file (binary or ASCII), CSV, and text tables; and ngspice's
// real functions of complex vectors (magnitude, phase, dB, ...) that .print and the plot command
// offer for AC results.

#include <complex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "solver/Plot.hpp"

namespace ionspice::solver {

/// ngspice raw layout, as its batch mode (`ngspice -b -r`) writes it; several plots are
/// concatenated in one file. A complex plot is "Flags: complex" with every value a (re, im)
/// pair (ASCII: `re,im`). A frequency scale (.ac, .noise) carries `grid=3` when its points are
/// logarithmically spaced (a dec/oct sweep), as ngspice marks it, and nothing for a lin sweep.
void write_raw(std::ostream& out, const std::vector<Plot>& plots, bool ascii);
/// One header row of variable names, then one row per point; full double precision. A complex
/// plot's scale is one real column (`frequency`), each other vector two: `re(v(out)),im(v(out))`.
void write_csv(std::ostream& out, const Plot& plot);
/// The same analysis of several `.step` points as one table: a leading column per stepped
/// variable, holding the step's value on each of its rows, then the plots' vectors; one header.
/// Throws std::runtime_error when the plots do not hold the same vectors (or are not all of one
/// kind, real or complex).
void write_csv(std::ostream& out, const std::vector<const Plot*>& plots);

/// A real function of a complex vector, as ngspice's .print names them after the v or i
/// (`vm(out)`, `vp(out)`, `vdb(out)`, `vr(out)`, `vi(out)`) and its script functions
/// (`mag`, `ph`, `db`, `real`, `imag`).
enum class VectorFn { Real, Imag, Mag, Phase, Db };

/// "r", "i", "m", "p", "db" (the .print letters) or "real", "imag", "mag", "ph", "db" (and "re",
/// "im", the CSV column prefixes), case-insensitive; nullopt for anything else.
std::optional<VectorFn> parse_vector_fn(std::string_view fn);
/// The readings of a name written through a vector function, in the order to try them:
/// `db(v(out))` as the script function db of v(out); `vdb(out)`, `im(v1)` as .print's spelling,
/// the probe's letter then the function (dB of v(out), magnitude of i(v1)). `im(v1)` has both
/// readings (imag of v1, magnitude of i(v1)): the caller takes the first whose vector exists.
/// `fn` is the function as written ("db", "m"), for parse_vector_fn. Empty for any other name.
struct VectorFnReading {
    std::string vector;
    std::string fn;
};
std::vector<VectorFnReading> vector_fn_readings(std::string_view name);

/// The function of one value: real part, imaginary part, |x|, arg(x) in radians in (−π, π]
/// (ngspice 39 prints vp() in radians), 20·log10|x| (−inf for 0).
double apply_vector_fn(VectorFn fn, std::complex<double> x);
/// The function of variable `var` of the plot at every point (of a real plot too: |x|, 0 or π,
/// ...). Throws std::invalid_argument for a name parse_vector_fn does not know or a bad `var`.
std::vector<double> derived_column(const Plot& plot, int var, std::string_view fn);
std::vector<double> derived_column(const Plot& plot, int var, VectorFn fn);
/// The name ngspice's .print heads such a column with: "vm(out)" for v(out) and "m",
/// "idb(v1)" for i(v1) and "db"; for any other vector the script function, "mag(x(n1))".
std::string derived_name(const std::string& var_name, std::string_view fn);

/// One column of a printed table.
struct PrintColumn {
    int var = 0;         ///< variable of the plot
    std::string fn;      ///< empty: the value as stored (a complex one printed "re, im"); else as parse_vector_fn
    std::string header;  ///< the column's name; empty: the variable's name, or derived_name() with `fn`
};

/// `name = value` lines for a one-point plot (.op), or a table with the given columns; a
/// stepped plot's table is headed by a `step: a=1 b=2` line. A complex plot's scale prints as
/// its real part, any other complex vector as "re, im" (ngspice's .print ac v(out)), a derived
/// column as its real function. Throws std::invalid_argument for an unknown `fn` (before
/// printing anything).
void print_table(std::ostream& out, const Plot& plot, const std::vector<PrintColumn>& columns);
/// The variables as they are, headed by their names.
void print_table(std::ostream& out, const Plot& plot, const std::vector<int>& columns);

/// "a=1 b=2": a step's values for people (12 significant digits).
std::string step_label(const std::vector<std::pair<std::string, double>>& step);
/// The raw `Title:` of a stepped plot: "title (step: a=1 b=2)"; the title itself without a step.
std::string stepped_title(const std::string& title, const std::vector<std::pair<std::string, double>>& step);
/// The step values `stepped_title` appended, read back (empty when the title has none).
std::vector<std::pair<std::string, double>> step_from_title(const std::string& title);

/// "Mon Nov 23 15:30:41  2026", as ngspice dates its plots: now, local time, or the UTC time
/// SOURCE_DATE_EPOCH gives (seconds since 1970), so that repeated runs write the same bytes.
std::string raw_date();

}  // namespace ionspice::solver
