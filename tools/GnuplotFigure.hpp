#pragma once
// Figures drawn by gnuplot (Debian package gnuplot-nox), run as a subprocess on a generated
// script. Data files and the figure live in a private temporary directory; the figure is copied
// to its destination only when gnuplot succeeded, so a failed run leaves an earlier figure as it
// was.

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace ionspice::tools {

class GnuplotFigure {
public:
    /// The format comes from `output`'s extension: .png or .svg. Throws std::runtime_error for
    /// any other.
    GnuplotFigure(std::string output, int width, int height);
    ~GnuplotFigure();
    GnuplotFigure(const GnuplotFigure&) = delete;
    GnuplotFigure& operator=(const GnuplotFigure&) = delete;

    /// Writes a data file in the private directory; returns its name quoted for a script.
    std::string data(const std::string& name, const std::function<void(std::ostream&)>& write);

    /// Runs gnuplot on the terminal and output lines followed by `script`, then installs the
    /// figure. Gnuplot's warnings go to `warnings`, each line prefixed with `prefix`. Throws
    /// std::runtime_error when gnuplot is missing or fails (with what it said).
    void render(const std::string& script, std::ostream& warnings, const std::string& prefix);

private:
    std::string output_;
    std::string terminal_;
    std::filesystem::path dir_;
};

/// Tick marks for a linear axis (`axis` 'x' or 'y') whose data spans [lo, hi], labelled in
/// engineering notation (10µ, 15µ, …, 2.5m, 100n): gnuplot's own labels print "%g" of each value,
/// which on a 1e-5…4e-5 axis repeats 0.00002, 0.00002, 0.00003. Gives the commands `set
/// <axis>tics (…)` and `set <axis>range [first:last]`, the range widened to whole ticks as
/// gnuplot's autoscale widens it; empty (gnuplot's own ticks) when lo or hi is not finite.
std::string engineering_axis(char axis, double lo, double hi);

/// A gnuplot string literal: single quotes, embedded quotes doubled.
std::string gnuplot_quote(const std::string& text);

}  // namespace ionspice::tools
