// Behavioural sources (ngspice's B element):
//   B p n I=expr   a current expr flowing from p through the source to n
//   B p n V=expr   a voltage source: vp − vn = expr, its branch current written as i(b...)
// ddt(g) and sdt(g) inside expr are unknowns of the source with rows of their own, so that the
// solver's integrator (not the model) differentiates or integrates g.
// expr is a function of node voltages v(a), v(a,b), branch currents i(x) and time, resolved by
// the parser and evaluated with its gradient by the solver (InstanceCard::function); here it is
// only stamped: its value and, for the Jacobian, its gradient onto the input unknowns.

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "models/CardValue.hpp"
#include "models/ParamReader.hpp"
#include "models/Device.hpp"
#include "models/Registry.hpp"
#include "models/Stamping.hpp"

namespace ionspice::models {
namespace {

class Behavioural final : public Device {
public:
    Behavioural(std::string name, bool voltage, std::shared_ptr<const InputFunction> f, std::size_t voltage_inputs,
                std::vector<std::string> currents, double factor)
        : Device(std::move(name)), voltage_(voltage), f_(std::move(f)), nv_(voltage_inputs),
          current_names_(std::move(currents)), factor_(factor) {}

    void declare(Declarer& d) override {
        p_ = d.terminal(0);
        n_ = d.terminal(1);
        for (std::size_t k = 0; k < nv_; ++k) {
            a_.push_back(d.terminal(2 + 2 * k));
            b_.push_back(d.terminal(3 + 2 * k));
        }
        if (voltage_) br_ = d.add_branch();
        // One unknown per ddt()/sdt(), internal to the source (hidden from the output).
        for (std::size_t k = 0; k < f_->auxiliaries(); ++k)
            aux_.push_back(d.add_node(fmt::format("{}{}", f_->integral(k) ? "sdt" : "ddt", k + 1)));
    }

    void pattern(PatternBuilder& p) override {
        // Each input as the columns it is read from: v(a, b) from a (+) and b (−), a branch
        // current and a ddt/sdt unknown from their own column.
        columns_.clear();
        for (std::size_t k = 0; k < nv_; ++k) columns_.push_back({{a_[k], 1.0}, {b_[k], -1.0}});
        for (const auto& c : current_names_) columns_.push_back({{p.branch_of(c), 1.0}});
        for (Index y : aux_) columns_.push_back({{y, 1.0}});
        // The rows the expression enters: p and n for a current, the branch row for a voltage;
        // then each auxiliary's row.
        rows_ = voltage_ ? std::vector<Index>{br_} : std::vector<Index>{p_, n_};
        rows_.insert(rows_.end(), aux_.begin(), aux_.end());
        slots_.clear();
        for (Index r : rows_)
            for (const auto& input : columns_)
                for (const auto& [col, sign] : input) slots_.push_back(p.entry(r, col));
        self_.clear();
        for (Index y : aux_) self_.push_back(p.entry(y, y));
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
        for (std::size_t j = nv_; j < columns_.size(); ++j) u_[j] = x[columns_[j][0].first];
        double f = f_->eval(u_.data(), ctx.time, grad_.data());
        if (factor_ != 1) {
            f *= factor_;
            for (double& g : grad_) g *= factor_;
        }
        const std::size_t main_rows = voltage_ ? 1 : 2;
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
            stamp(s, 0, -1, grad_, false);
        } else {
            s.F(p_, f);
            s.F(n_, -f);
            stamp(s, 0, 1, grad_, false);
            stamp(s, 1, -1, grad_, false);
        }
        // ddt: y − dg/dt = 0 (f = y, q = −g). sdt: dy/dt − g = 0 (f = −g, q = y), and y = 0 at
        // the operating point, where its integral has not begun.
        for (std::size_t k = 0; k < aux_.size(); ++k) {
            const Index y = aux_[k];
            gaux_.assign(u_.size(), 0.0);
            const double g = f_->auxiliary(k, gaux_.data());
            const std::size_t row = main_rows + k;
            if (!f_->integral(k)) {
                s.F(y, x[y]);
                s.G(self_[k], 1);
                s.Q(y, -g);
                stamp(s, row, -1, gaux_, true);
            } else if (ctx.dc) {
                s.F(y, x[y]);
                s.G(self_[k], 1);
            } else {
                s.F(y, -g);
                stamp(s, row, -1, gaux_, false);
                s.Q(y, x[y]);
                s.C(self_[k], 1);
            }
        }
    }

private:
    /// sign·∂(value)/∂x onto row `row` (index into rows_), into df/dx or (charge) dq/dx.
    void stamp(const Stamp& s, std::size_t row, double sign, const std::vector<double>& grad, bool charge) const {
        std::size_t slot = row * slots_per_row();
        for (std::size_t j = 0; j < columns_.size(); ++j)
            for (const auto& [col, cs] : columns_[j]) {
                const double v = sign * cs * grad[j];
                if (charge) s.C(slots_[slot++], v);
                else s.G(slots_[slot++], v);
            }
    }
    std::size_t slots_per_row() const { return 2 * nv_ + (columns_.size() - nv_); }

    bool voltage_;
    std::shared_ptr<const InputFunction> f_;
    std::size_t nv_;
    std::vector<std::string> current_names_;
    Index p_ = kGround, n_ = kGround, br_ = kGround;
    std::vector<Index> a_, b_, aux_, rows_;
    std::vector<std::vector<std::pair<Index, double>>> columns_;
    std::vector<Slot> slots_, self_;
    Slot p_br_ = kNoSlot, n_br_ = kNoSlot, br_p_ = kNoSlot, br_n_ = kNoSlot;
    double factor_;  ///< tc1/tc2/m scaling of the value
    std::vector<double> u_, grad_, gaux_;
};

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams*) {
    if (!card.function) throw DeviceError(DeviceError::Where::Instance, "", "a behavioural source needs v= or i=");
    if (card.nodes.size() < 2 || card.nodes.size() % 2 != 0)
        throw DeviceError(DeviceError::Where::Instance, "",
                          fmt::format("behavioural source {} needs 2 nodes", card.name));
    const std::size_t nv = (card.nodes.size() - 2) / 2;
    if (nv + card.refs.size() + card.function->auxiliaries() != card.function->inputs())
        throw DeviceError(DeviceError::Where::Instance, "", "internal error: the expression's inputs do not match");
    const bool voltage = !card.flags.empty() && card.flags.front() == "v";
    // ngspice's asrc instance parameters: the value times 1 + tc1·ΔT + tc2·ΔT² (divided by it
    // with reciproctc=1) and times m (divided with reciprocm=1). ΔT is taken from 27 °C, as
    // ngspice's asrcload.c does whatever tnom says.
    ParamReader params(card, Subject{"behavioural source", card.name});
    const double temp = params.get("temp", card.temp + params.get("dtemp", 0));
    const double dt = temp - 27.0;
    double factor = 1 + params.get("tc1", 0) * dt + params.get("tc2", 0) * dt * dt;
    if (params.get("reciproctc", 0) == 1) factor = 1 / factor;
    const double m = params.positive("m", 1);
    factor = params.get("reciprocm", 0) == 1 ? factor / m : factor * m;
    params.reject_unknown();
    if (!std::isfinite(factor) || factor == 0)
        throw DeviceError(DeviceError::Where::Instance, "tc1",
                          fmt::format("behavioural source {}: its temperature factor is {:g}", card.name, factor));
    return std::make_unique<Behavioural>(card.name, voltage, card.function, nv, card.refs, factor);
}

const Registrar registrar{Registration{.letter = 'b',
                                       .types = {},
                                       .levels = {},
                                       .description = "behavioural source",
                                       .prepare = {},
                                       .create = create}};

}  // namespace
}  // namespace ionspice::models
