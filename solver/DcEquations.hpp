#pragma once
// The DC system: f(x) = 0 with every d/dt term dropped (capacitors open, inductors shorted,
// device states held by their own equations), plus the continuation aids of the operating
// point: a shunt conductance from every node to ground (gmin stepping) and nodes tied to
// .nodeset values, and nodes held at .ic values.

#include <utility>
#include <vector>

#include "solver/Circuit.hpp"
#include "solver/Newton.hpp"

namespace ionspice::solver {

class DcEquations final : public Equations {
public:
    explicit DcEquations(const Circuit& circuit) : circuit_(circuit) {}
    void assemble(models::LoadContext& ctx, std::vector<double>& jacobian, std::vector<double>& residual) override;
    bool linear() const override { return circuit_.nonlinear().empty(); }

    double shunt = 0;  ///< S from every voltage unknown to ground: gmin stepping's (gshunt is in the base matrix)
    /// Unknowns held near a value through `tie_conductance` (.nodeset).
    std::vector<std::pair<int, double>> ties;
    double tie_conductance = 0;
    /// Unknowns held at a value through `hold_conductance` in every solve (.ic without uic):
    /// 1e10 S, as ngspice's, so that a held node is off its value by no more than 1e-10 of the
    /// current the circuit drives into it (1e4 S left a B-source memristor's state 13 % off).
    std::vector<std::pair<int, double>> holds;
    double hold_conductance = 1e10;

private:
    const Circuit& circuit_;
};

/// J·x for a compressed-column matrix, added to `out`.
void add_product(const Circuit& circuit, const std::vector<double>& values, const double* x, double* out);

}  // namespace ionspice::solver
