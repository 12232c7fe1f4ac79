#pragma once
// Capacitor: C p n [value] [model] [c=] [m=] [scale=] [w=] [l=] [ic=] [tc1=] [tc2=] [temp=] [dtemp=],
// and its .model (type c) as ngspice's.
// Declared here so that the solver can read the initial condition (`.tran … uic`).

#include <optional>

#include "models/Device.hpp"
#include "models/Stamping.hpp"

namespace ionspice::models {

class Capacitor final : public Device {
public:
    Capacitor(std::string name, double capacitance, std::optional<double> ic)
        : Device(std::move(name)), c_(capacitance), ic_(ic) {}

    void declare(Declarer& d) override;
    void pattern(PatternBuilder& p) override;
    void load(LoadContext& ctx, const Stamp& s) override;
    bool is_linear() const override { return true; }
    void initial_conditions(double* x) const override;
    /// i(c1), @c1[i]: the current from p through the capacitor to n, C·d(vp − vn)/dt, with the
    /// derivative the transient's integration formula gives (0 at a DC point).
    std::optional<double> quantity(std::string_view name, const double* x, const double* xdot) const override;

    double capacitance() const { return c_; }  ///< F
    /// Voltage vp − vn at t = 0 when the user gave `ic=` (used with `uic`).
    std::optional<double> initial_condition() const { return ic_; }  ///< V
    Index positive() const { return p_; }
    Index negative() const { return n_; }

private:
    double c_;                  ///< F
    std::optional<double> ic_;  ///< V
    Index p_ = kGround, n_ = kGround;
    PairSlots slots_;
};

}  // namespace ionspice::models
