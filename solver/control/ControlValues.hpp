#pragma once
// The values of ngspice's control language: vectors (real or complex) kept in plots, and the
// expressions of `let`, `print`, `if` and `while` over them.

#include <complex>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "solver/Plot.hpp"

namespace ionspice::solver::control {

using Complex = std::complex<double>;

struct Vec {
    std::string name;  ///< lower case, as `print` shows it
    std::string type = "notype";  ///< raw-file type: voltage, current, time, frequency, notype
    std::vector<Complex> data;
    bool real = true;

    std::size_t size() const { return data.size(); }
    /// The real parts of the values (all of a real vector).
    std::vector<double> reals() const {
        std::vector<double> out(data.size());
        for (std::size_t k = 0; k < data.size(); ++k) out[k] = data[k].real();
        return out;
    }
};

/// A set of vectors: one analysis' results (its type name is `tran1`, `op2`, …) or the
/// constants plot that holds `let` vectors before any analysis ran.
struct ControlPlot {
    std::string type_name;  ///< "tran1", "const", …
    std::string title, name, date;
    std::string analysis;   ///< the analysis ("tran", "op", …); empty for the constants plot
    std::vector<Vec> vecs;  ///< vecs[0] is the scale when the plot has one
    bool has_scale = false;
    /// Its index among the run's result plots (of a `linearize`d plot: that of the transient it
    /// came from); none for the constants plot and the plots the script makes itself
    /// (`setplot new`, `fft`).
    std::optional<std::size_t> result;

    Vec* find(std::string_view name);
    const Vec* find(std::string_view name) const;
    void set(Vec v);  ///< replaces a vector of that name, or adds one
    const Vec* scale() const { return has_scale && !vecs.empty() ? &vecs.front() : nullptr; }
};

/// Every vector of an analysis' plot, by column.
ControlPlot from_plot(const Plot& plot, const std::string& type_name);
/// The vectors as one plot of their own (write): as long as the longest, the others padded
/// with zeros as ngspice pads them.
Plot to_plot(const ControlPlot& source, const std::vector<const Vec*>& vecs);

/// Where expressions look names up: the current plot, and the others by type name.
struct Scope {
    std::function<const ControlPlot*(std::string_view)> plot;  ///< by type name; null: none
    const ControlPlot* current = nullptr;
    /// `@name[param]` not saved in the plot: an element's or model's parameter; nullopt when
    /// it has none of that name; throws std::invalid_argument when nothing is named `name`.
    std::function<std::optional<double>(const std::string& name, const std::string& param)> device_param;
    /// `@name[param]` that is a vector (a source's waveform, `@v1[pulse]`); nullopt when none.
    std::function<std::optional<std::vector<double>>(const std::string& name, const std::string& param)> device_vector;
};

/// Evaluates an expression. Throws std::invalid_argument with a message (the caller adds the
/// location). Expressions nest at most kMaxExpressionDepth deep.
Vec evaluate(std::string_view text, const Scope& scope);

inline constexpr int kMaxExpressionDepth = 1000;

/// A number as ngspice prints it: %e, with one digit fewer for negatives (always 12 wide).
std::string format_number(double v);

}  // namespace ionspice::solver::control
