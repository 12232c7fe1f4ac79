// Mutual inductance: K name L1 L2 k, with −1 ≤ k ≤ 1. Couples the branch equations of two
// inductors through M = k·√(L1·L2):
//     v1 = L1·di1/dt + M·di2/dt,   v2 = M·di1/dt + L2·di2/dt.
// The inductors stamp their own terms; this device adds the two off-diagonal charge terms
// −M·i2 and −M·i1 to their branch rows (the inductor's row reads vp − vn + d/dt(−L·i) = 0).
// Linear: stamped once into the base matrix, and seen by AC and noise through dq/dx.

#include <fmt/format.h>

#include <cmath>

#include "models/CardValue.hpp"
#include "models/Device.hpp"
#include "models/Inductor.hpp"
#include "models/ParamReader.hpp"
#include "models/Registry.hpp"

namespace ionspice::models {
namespace {

class MutualInductance final : public Device {
public:
    MutualInductance(std::string name, std::string l1, std::string l2, double k)
        : Device(std::move(name)), l1_(std::move(l1)), l2_(std::move(l2)), k_(k) {}

    void declare(Declarer&) override {}
    void pattern(PatternBuilder& p) override {
        const Inductor& a = inductor(p, l1_);
        const Inductor& b = inductor(p, l2_);
        if (&a == &b)
            throw DeviceError(DeviceError::Where::Instance, l2_,
                              fmt::format("coupling {}: couples '{}' with itself", name(), l1_));
        const double product = a.inductance() * b.inductance();
        if (!(product > 0))
            throw DeviceError(DeviceError::Where::Instance, l2_,
                              fmt::format("coupling {}: '{}' and '{}' must have inductances of the same sign",
                                          name(), l1_, l2_));
        m_ = k_ * std::sqrt(product);
        b1_ = a.branch();
        b2_ = b.branch();
        s12_ = p.entry(b1_, b2_);
        s21_ = p.entry(b2_, b1_);
    }
    void load(LoadContext& ctx, const Stamp& s) override {
        s.Q(b1_, -m_ * ctx.x[b2_]);
        s.Q(b2_, -m_ * ctx.x[b1_]);
        s.C(s12_, -m_);
        s.C(s21_, -m_);
    }
    bool is_linear() const override { return true; }

private:
    const Inductor& inductor(PatternBuilder& p, const std::string& element) const {
        const auto* l = dynamic_cast<const Inductor*>(p.device(element));
        if (!l)
            throw DeviceError(DeviceError::Where::Instance, element,
                              fmt::format("coupling {}: '{}' is not an inductor", name(), element));
        return *l;
    }

    std::string l1_, l2_;
    double k_;
    double m_ = 0;  ///< H
    Index b1_ = kGround, b2_ = kGround;
    Slot s12_ = kNoSlot, s21_ = kNoSlot;
};

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams*) {
    const Subject what{"coupling", card.name};
    if (card.refs.size() != 2)
        throw DeviceError(DeviceError::Where::Instance, "", fmt::format("{}: needs two inductors", what));
    if (card.values.size() != 1)
        throw DeviceError(DeviceError::Where::Value, card.values.size() > 1 ? "1" : "",
                          fmt::format("{}: needs one coupling factor", what));
    const double k = card.values[0];
    if (!(k >= -1 && k <= 1))
        throw DeviceError(DeviceError::Where::Value, "0",
                          fmt::format("{}: coupling factor {:g} is outside [-1, 1]", what, k));
    ParamReader params(card, what);
    params.reject_unknown();
    return std::make_unique<MutualInductance>(card.name, card.refs[0], card.refs[1], k);
}

const Registrar registrar{Registration{
    .letter = 'k',
    .types = {},
    .levels = {},
    .description = "coupled inductor",
    .prepare = {},
    .create = create,
}};

}  // namespace
}  // namespace ionspice::models
