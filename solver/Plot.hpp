#pragma once
// One analysis' results as ngspice keeps them: named real vectors over a common scale.

#include <string>
#include <utility>
#include <vector>

namespace ionspice::solver {

struct Variable {
    std::string name;  ///< lower case: "v(out)", "i(v1)", "time", "v(v-sweep)"
    std::string type;  ///< raw-file type: "voltage", "current", "time", "notype"
};

struct Plot {
    std::string title;     ///< the netlist's title; in a .step run followed by " (step: a=1 b=2)"
    std::string name;      ///< raw "Plotname:": "Operating Point", "DC transfer characteristic", ...
    std::string date;      ///< ctime-style, as ngspice writes it
    std::vector<Variable> variables;  ///< variables[0] is the scale
    std::vector<double> values;       ///< point-major: values[p * variables.size() + v]
    /// In a `.step` run, the stepped variables' values for this plot, in the order the `.step`
    /// lines were written; empty otherwise. A raw file carries them only in `title`.
    std::vector<std::pair<std::string, double>> step;

    std::size_t points() const { return variables.empty() ? 0 : values.size() / variables.size(); }
    double at(std::size_t point, std::size_t var) const { return values[point * variables.size() + var]; }
    /// Index of a variable by name; -1 when absent.
    int find(const std::string& name) const;
};

}  // namespace ionspice::solver
