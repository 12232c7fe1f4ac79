#pragma once
// Inductor: L p n value [l=] [m=] [ic=] [tc1=] [tc2=] [temp=] [dtemp=]
// Declared here so that the solver can read the initial condition (`.tran … uic`).

#include <optional>

#include "models/Device.hpp"

namespace ionspice::models {

class Inductor final : public Device {
public:
    Inductor(std::string name, double inductance, std::optional<double> ic)
        : Device(std::move(name)), l_(inductance), ic_(ic) {}

    void declare(Declarer& d) override;
    void pattern(PatternBuilder& p) override;
    void load(LoadContext& ctx, const Stamp& s) override;
    bool is_linear() const override { return true; }

    double inductance() const { return l_; }  ///< H
    /// Branch current at t = 0 when the user gave `ic=` (used with `uic`).
    void initial_conditions(double* x) const override {
        if (ic_ && br_ >= 0) x[br_] = *ic_;
    }
    std::optional<double> initial_condition() const { return ic_; }  ///< A
    Index branch() const { return br_; }

private:
    double l_;                  ///< H
    std::optional<double> ic_;  ///< A
    Index p_ = kGround, n_ = kGround, br_ = kGround;
    Slot p_br_ = kNoSlot, n_br_ = kNoSlot, br_p_ = kNoSlot, br_n_ = kNoSlot, br_br_ = kNoSlot;
};

}  // namespace ionspice::models
