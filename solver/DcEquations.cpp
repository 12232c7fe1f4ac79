#include "solver/DcEquations.hpp"

#include <algorithm>

namespace ionspice::solver {

void add_product(const Circuit& circuit, const std::vector<double>& values, const double* x, double* out) {
    const auto& cp = circuit.col_ptr();
    const auto& ri = circuit.row_idx();
    const int n = circuit.size();
    for (int c = 0; c < n; ++c) {
        const double xc = x[c];
        if (xc == 0) continue;
        for (int k = cp[c]; k < cp[c + 1]; ++k) out[ri[k]] += values[k] * xc;
    }
}

void DcEquations::assemble(models::LoadContext& ctx, std::vector<double>& jacobian, std::vector<double>& residual) {
    // Linear devices: J = base matrix, f = J·x + b(t). Only the nonlinear ones are evaluated.
    std::copy(circuit_.base_jf().begin(), circuit_.base_jf().end(), jacobian.begin());
    std::fill(residual.begin(), residual.end(), 0.0);
    add_product(circuit_, circuit_.base_jf(), ctx.x, residual.data());
    for (const auto* d : circuit_.sourced()) d->load_source(ctx, residual.data());
    const models::Stamp stamp{jacobian.data(), nullptr, residual.data(), nullptr};
    for (auto* d : circuit_.nonlinear()) d->load(ctx, stamp);

    if (shunt > 0) {
        const auto& unknowns = circuit_.unknowns();
        for (int i = 0; i < circuit_.size(); ++i) {
            if (unknowns[i].kind != UnknownKind::Voltage) continue;
            jacobian[circuit_.diag()[i]] += shunt;
            residual[i] += shunt * ctx.x[i];
        }
    }
    for (const auto& [i, v] : ties) {
        jacobian[circuit_.diag()[i]] += tie_conductance;
        residual[i] += tie_conductance * (ctx.x[i] - v);
    }
    for (const auto& [i, v] : holds) {
        jacobian[circuit_.diag()[i]] += hold_conductance;
        residual[i] += hold_conductance * (ctx.x[i] - v);
    }
}

}  // namespace ionspice::solver
