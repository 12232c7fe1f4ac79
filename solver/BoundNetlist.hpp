#pragma once
// One point of a run: the values `.step` gives the stepped variables, and the netlist
// elaborated with them and bound to devices. Every analysis of the point runs on it; a `.dc`
// sweep of a `.param` binds one of its own per swept value.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "parser/Netlist.hpp"
#include "solver/Circuit.hpp"
#include "solver/Options.hpp"

namespace ionspice::solver {

/// Independent sources' DC values set by `.step V1 …`, by top-level source name.
using SourceValues = std::vector<std::pair<std::string, double>>;

/// One `.step` point: the stepped variables' values, and what they set. Without `.step`, one
/// empty point.
struct StepPoint {
    std::vector<std::pair<std::string, double>> values;  ///< every stepped variable, in .step order
    std::map<std::string, double> params;                ///< .param overrides
    SourceValues sources;                                ///< independent sources' DC values
};

/// The netlist elaborated with some .param overrides (and stepped source values), and the
/// circuit built from it.
struct BoundNetlist {
    parser::Netlist netlist;
    SimOptions options;
    std::unique_ptr<Circuit> circuit;
    double elaborate_seconds = 0, bind_seconds = 0;

    BoundNetlist(const parser::Deck& deck, const std::map<std::string, double>& overrides,
                 const SourceValues& sources);
    /// For a netlist elaborated already, which took `seconds`.
    BoundNetlist(parser::Netlist n, const SourceValues& sources, double seconds);

    /// Everything this netlist accepts without acting on, as located warnings: the cards the
    /// parser noted, then the ngspice options that change nothing here.
    std::vector<std::string> warnings() const;

private:
    void bind(const SourceValues& sources, std::chrono::steady_clock::time_point t0);
};

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace ionspice::solver
