// Behavioural sources (ngspice's B element):
//   B p n I=expr   a current expr flowing from p through the source to n
//   B p n V=expr   a voltage source: vp − vn = expr, its branch current written as i(b...)
// expr is a function of node voltages v(a), v(a,b), branch currents i(x) and time, resolved by
// the parser and evaluated with its gradient by the solver (InstanceCard::function); here it is
// only stamped: its value and, for the Jacobian, its gradient onto the input unknowns.

#include <fmt/format.h>

#include <vector>

#include "models/CardValue.hpp"
#include "models/Device.hpp"
#include "models/Registry.hpp"
#include "models/Stamping.hpp"

namespace ionspice::models {
namespace {

class Behavioural final : public Device {
public:
    Behavioural(std::string name, bool voltage, std::shared_ptr<const InputFunction> f, std::size_t voltage_inputs,
                std::vector<std::string> currents)
        : Device(std::move(name)), voltage_(voltage), f_(std::move(f)), nv_(voltage_inputs),
          current_names_(std::move(currents)) {}

    void declare(Declarer& d) override {
        p_ = d.terminal(0);
        n_ = d.terminal(1);
        for (std::size_t k = 0; k < nv_; ++k) {
            a_.push_back(d.terminal(2 + 2 * k));
            b_.push_back(d.terminal(3 + 2 * k));
        }
        if (voltage_) br_ = d.add_branch();
    }

    void pattern(PatternBuilder& p) override {
        branches_.clear();
        for (const auto& c : current_names_) branches_.push_back(p.branch_of(c));
        // The row the expression enters: p and n for a current, the branch row for a voltage.
        rows_ = voltage_ ? std::vector<Index>{br_} : std::vector<Index>{p_, n_};
        slots_.clear();
        for (Index r : rows_) {
            for (std::size_t k = 0; k < nv_; ++k) {
                slots_.push_back(p.entry(r, a_[k]));
                slots_.push_back(p.entry(r, b_[k]));
            }
            for (Index c : branches_) slots_.push_back(p.entry(r, c));
        }
        if (voltage_) {
            p_br_ = p.entry(p_, br_);
            n_br_ = p.entry(n_, br_);
            br_p_ = p.entry(br_, p_);
            br_n_ = p.entry(br_, n_);
        }
    }

    void load(LoadContext& ctx, const Stamp& s) override {
        const double* x = ctx.x;
        u_.resize(f_->inputs());
        grad_.assign(u_.size(), 0.0);
        for (std::size_t k = 0; k < nv_; ++k) u_[k] = value_at(x, a_[k]) - value_at(x, b_[k]);
        for (std::size_t m = 0; m < branches_.size(); ++m) u_[nv_ + m] = x[branches_[m]];
        const double f = f_->eval(u_.data(), ctx.time, grad_.data());
        if (voltage_) {
            // KCL: +i at p, −i at n. Branch row: vp − vn − f = 0.
            const double i = x[br_];
            s.F(p_, i);
            s.F(n_, -i);
            s.F(br_, value_at(x, p_) - value_at(x, n_) - f);
            s.G(p_br_, 1);
            s.G(n_br_, -1);
            s.G(br_p_, 1);
            s.G(br_n_, -1);
            stamp_gradient(s, 0, -1);
        } else {
            s.F(p_, f);
            s.F(n_, -f);
            stamp_gradient(s, 0, 1);
            stamp_gradient(s, 1, -1);
        }
    }

private:
    /// sign·∂f/∂x onto row `row` (index into rows_).
    void stamp_gradient(const Stamp& s, std::size_t row, double sign) const {
        std::size_t slot = row * (2 * nv_ + branches_.size());
        for (std::size_t k = 0; k < nv_; ++k) {
            s.G(slots_[slot++], sign * grad_[k]);
            s.G(slots_[slot++], -sign * grad_[k]);
        }
        for (std::size_t m = 0; m < branches_.size(); ++m) s.G(slots_[slot++], sign * grad_[nv_ + m]);
    }

    bool voltage_;
    std::shared_ptr<const InputFunction> f_;
    std::size_t nv_;
    std::vector<std::string> current_names_;
    Index p_ = kGround, n_ = kGround, br_ = kGround;
    std::vector<Index> a_, b_, branches_, rows_;
    std::vector<Slot> slots_;
    Slot p_br_ = kNoSlot, n_br_ = kNoSlot, br_p_ = kNoSlot, br_n_ = kNoSlot;
    std::vector<double> u_, grad_;
};

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams*) {
    if (!card.function) throw DeviceError(DeviceError::Where::Instance, "", "a behavioural source needs v= or i=");
    if (card.nodes.size() < 2 || card.nodes.size() % 2 != 0)
        throw DeviceError(DeviceError::Where::Instance, "",
                          fmt::format("behavioural source {} needs 2 nodes", card.name));
    const std::size_t nv = (card.nodes.size() - 2) / 2;
    if (nv + card.refs.size() != card.function->inputs())
        throw DeviceError(DeviceError::Where::Instance, "", "internal error: the expression's inputs do not match");
    const bool voltage = !card.flags.empty() && card.flags.front() == "v";
    return std::make_unique<Behavioural>(card.name, voltage, card.function, nv, card.refs);
}

const Registrar registrar{Registration{.letter = 'b',
                                       .types = {},
                                       .levels = {},
                                       .description = "behavioural source",
                                       .prepare = {},
                                       .create = create}};

}  // namespace
}  // namespace ionspice::models
