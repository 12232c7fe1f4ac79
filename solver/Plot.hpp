#pragma once
// One analysis' results as ngspice keeps them: named vectors over a common scale, all real or
// all complex (an AC plot: its scale, frequency, is stored as complex with a zero imaginary
// part, as ngspice writes it).

#include <complex>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ionspice::solver {

struct Variable {
    std::string name;  ///< lower case: "v(out)", "i(v1)", "time", "v(v-sweep)"
    std::string type;  ///< raw-file type: "voltage", "current", "time", "frequency", "notype"
};

struct Plot {
    enum class Kind { Real, Complex };

    std::string title;     ///< the netlist's title; in a .step run followed by " (step: a=1 b=2)"
    std::string name;      ///< raw "Plotname:": "Operating Point", "DC transfer characteristic", ...
    std::string date;      ///< ctime-style, as ngspice writes it
    /// The analysis that made it, as the card is named ("op", "dc", "tran", "ac", "noise", "tf"):
    /// what output files and .print/.meas select plots by.
    std::string analysis;
    Kind kind = Kind::Real;
    /// One point of named values with no scale (.op, .tf, the integrated noise): printed as
    /// `name = value` lines.
    bool scalar = false;
    std::vector<Variable> variables;  ///< variables[0] is the scale
    /// Point-major. Real: values[p * variables.size() + v]. Complex: the real and imaginary
    /// parts side by side, values[2 * (p * variables.size() + v)] and the next one, which is
    /// also the binary raw layout.
    std::vector<double> values;
    /// In a `.step` run, the stepped variables' values for this plot, in the order the `.step`
    /// lines were written; empty otherwise. A raw file carries them only in `title`.
    std::vector<std::pair<std::string, double>> step;

    bool is_complex() const { return kind == Kind::Complex; }
    std::size_t stride() const { return is_complex() ? 2 : 1; }
    std::size_t points() const { return variables.empty() ? 0 : values.size() / (variables.size() * stride()); }
    /// A real plot's value; of a complex plot, the real part.
    double at(std::size_t point, std::size_t var) const { return values[(point * variables.size() + var) * stride()]; }
    /// The value as a complex number (imaginary part 0 in a real plot).
    std::complex<double> complex_at(std::size_t point, std::size_t var) const {
        const std::size_t k = (point * variables.size() + var) * stride();
        return is_complex() ? std::complex<double>(values[k], values[k + 1]) : std::complex<double>(values[k], 0.0);
    }
    /// Index of a variable by name; -1 when absent. O(1) on a large plot (a 512² crossbar's
    /// .op holds 526 000 vectors, and reading them all by name must not take n² steps).
    int find(const std::string& name) const;

private:
    /// Name → index, built on the first look-up in a large plot and rebuilt when the number of
    /// variables changed or a hit no longer names its variable. Copies share it (under a lock).
    struct NameIndex;
    mutable std::shared_ptr<NameIndex> index_;
};

}  // namespace ionspice::solver
