#pragma once
// Results files as tables for the post-processing commands (`ionspice fit`, `ionspice plot`):
// a raw file (ngspice layout, one solver::Plot per plot) or a CSV file (a header of vector
// names, one row per point: one Plot), cut into series — one per plot, and within a plot one
// per distinct value of the group columns (the leading step columns of a stepped CSV file, or
// the outer variable of a nested .dc sweep).

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "solver/OutputWriters.hpp"
#include "solver/Plot.hpp"

namespace ionspice::tools {

/// Reads FILE as a raw file when it starts with "Title:" (in any layout read_raw reads, an
/// LTspice file's UTF-16 header included), as CSV otherwise. Throws
/// std::runtime_error naming the file (and line, for CSV) when it cannot.
std::vector<solver::Plot> read_table(const std::string& path);

/// The rows of one plot that make one curve or one fit.
struct Series {
    const solver::Plot* plot = nullptr;
    std::size_t plot_index = 0;                         ///< 0-based, in the file
    std::vector<std::pair<std::string, double>> step;   ///< stepped parameters, then group columns
    std::vector<std::size_t> rows;

    /// "vread=1.4 vref=0.6" from the step values, "plot=2" without them; empty when `alone`.
    std::string label(bool alone) const;
};

struct SeriesRequest {
    std::vector<std::string> columns;  ///< every column the command reads (case-insensitive)
    std::vector<std::string> group;    ///< split each plot's rows by the values of these columns
    /// Keep plots of this analysis ("dc", "tran", "ac", as Plot::analysis), or, when no plot of
    /// the file is of it, whose name contains this text (case-insensitive).
    std::string analysis;
    /// Leave complex plots (AC) out, for commands that work on real data only (the fit).
    bool real_only = false;
};

/// The series to work on. Plots are those holding every requested column (resolve_column;
/// and matching `analysis`); of these, only plots with the name of the first one with more than one point
/// (so a .op plot beside a .dc sweep is left out). Throws std::runtime_error naming a missing
/// column and listing the columns available.
std::vector<Series> select_series(const std::vector<solver::Plot>& plots, const SeriesRequest& request);

/// Index of a column, matched case-insensitively; -1 when absent.
int find_column(const solver::Plot& plot, const std::string& name);

/// A column as a command names it: a variable, or one of ngspice's real functions of one.
struct ColumnRef {
    int var = -1;                         ///< -1: the plot has no such column
    std::optional<solver::VectorFn> fn;   ///< none: the variable itself
    explicit operator bool() const { return var >= 0; }
};

/// The column `name` names in the plot: a variable (find_column) first, else a function of one
/// in ngspice's spellings: `vdb(out)` `vm(out)` `vp(out)` `vr(out)` `vi(out)` (and `idb(v1)` ...
/// for currents), `db(v(out))` `mag(...)` `ph(...)` `real(...)` `imag(...)` (`re(...)`, `im(...)`).
ColumnRef resolve_column(const solver::Plot& plot, const std::string& name);

/// The column's values over a series' rows (of a complex plot, the real part).
std::vector<double> column_values(const Series& series, int column);
/// The column's values over a series' rows: the function's when it has one, else as stored
/// (the real part of a complex value).
std::vector<double> column_values(const Series& series, const ColumnRef& column);

/// "V", "A", "s", "Hz" from a variable's type; empty when it has none.
std::string unit_of(const solver::Variable& variable);

}  // namespace ionspice::tools
