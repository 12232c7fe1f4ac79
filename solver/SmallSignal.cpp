#include "solver/SmallSignal.hpp"

#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "solver/OperatingPoint.hpp"

namespace ionspice::solver {

SmallSignal::SmallSignal(const Circuit& circuit, const SimOptions& options, const std::vector<double>& x, At at)
    : circuit_(circuit), g_(circuit.base_jf()), c_(circuit.base_jq()) {
    std::vector<double> f(circuit.size(), 0.0), q(circuit.size(), 0.0);
    models::LoadContext ctx;
    ctx.x = x.data();
    ctx.dc = true;
    ctx.gmin = options.gmin;
    // The operating point's history (its Newton's last voltages, for limiting at x), copied so
    // that this evaluation leaves the circuit's as it was.
    DeviceHistory history = circuit.history();
    history.attach(ctx);
    const models::Stamp stamp{g_.data(), c_.data(), f.data(), q.data()};
    for (auto* d : circuit.nonlinear()) d->load(ctx, stamp);
    if (at == At::Frequency)
        for (const auto& d : circuit.devices()) d->load_small_signal(stamp);
}

void SmallSignal::factor(LinearSolver& linear, double frequency, const std::string& where) const {
    const double omega = 2 * std::numbers::pi * frequency;
    values_.resize(g_.size());
    for (std::size_t k = 0; k < g_.size(); ++k) values_[k] = {g_[k], omega * c_[k]};
    linear.analyze(circuit_.size(), circuit_.col_ptr(), circuit_.row_idx(), Usage::Newton, true);
    const FactorResult r = linear.factor(values_);
    if (!r.ok) throw_singular(circuit_, r.singular_col, where);
}

void SmallSignal::solve(LinearSolver& linear, std::vector<std::complex<double>>& excitation) {
    for (auto& v : excitation) v = -v;
    linear.solve(excitation);
}

models::IndependentSource& independent_source(const Circuit& circuit, const std::string& name,
                                              const parser::SourceLoc& loc, const std::string& card) {
    models::Device* d = circuit.find_device(name);
    if (!d) throw parser::NetlistError(loc, fmt::format("'{}': no element named '{}'", card, name));
    auto* s = dynamic_cast<models::IndependentSource*>(d);
    if (!s)
        throw parser::NetlistError(loc, fmt::format("'{}': '{}' is not an independent voltage or current source", card,
                                                    name));
    return *s;
}

}  // namespace ionspice::solver
