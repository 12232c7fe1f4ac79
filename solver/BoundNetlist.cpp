#include "solver/BoundNetlist.hpp"

namespace ionspice::solver {

BoundNetlist::BoundNetlist(const parser::Deck& deck, const std::map<std::string, double>& overrides,
                           const SourceValues& sources) {
    auto t0 = std::chrono::steady_clock::now();
    netlist = parser::elaborate(deck, overrides);
    bind(sources, t0);
}

BoundNetlist::BoundNetlist(parser::Netlist n, const SourceValues& sources, double seconds) : netlist(std::move(n)) {
    bind(sources, std::chrono::steady_clock::now());
    elaborate_seconds += seconds;
}

void BoundNetlist::bind(const SourceValues& sources, std::chrono::steady_clock::time_point t0) {
    // A stepped source gets its DC value in the netlist, before binding, so that every circuit
    // built for this step (.dc param sweeps build their own) starts from it.
    for (const auto& [name, v] : sources)
        for (auto& e : netlist.elements)
            if (e.source && e.name == name) {
                e.source->dc = v;
                e.source->has_dc = true;
            }
    options = read_options(netlist);
    auto t1 = std::chrono::steady_clock::now();
    circuit = std::make_unique<Circuit>(netlist, options);
    auto t2 = std::chrono::steady_clock::now();
    elaborate_seconds = std::chrono::duration<double>(t1 - t0).count();
    bind_seconds = std::chrono::duration<double>(t2 - t1).count();
}

std::vector<std::string> BoundNetlist::warnings() const {
    std::vector<std::string> out = netlist.warnings;
    for (auto& w : ignored_option_warnings(options)) out.push_back(std::move(w));
    if (circuit) out.insert(out.end(), circuit->warnings().begin(), circuit->warnings().end());
    return out;
}

}  // namespace ionspice::solver
