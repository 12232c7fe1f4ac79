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

/// A gnuplot string literal: single quotes, embedded quotes doubled.
std::string gnuplot_quote(const std::string& text);

}  // namespace ionspice::tools
