// Linear controlled sources (ngspice's sign conventions):
//   E p n cp cn gain   voltage-controlled voltage source: vp − vn = gain·(vcp − vcn)
//   G p n cp cn gm     voltage-controlled current source: gm·(vcp − vcn) flows from p through it to n
//   F p n vctl gain    current-controlled current source: gain·i(vctl) flows from p through it to n
//   H p n vctl r       current-controlled voltage source: vp − vn = r·i(vctl)
// i(vctl) is the branch current of another element (a voltage source, an inductor, E or H).

#include <fmt/format.h>

#include "models/CardValue.hpp"
#include "models/Device.hpp"
#include "models/ParamReader.hpp"
#include "models/Registry.hpp"
#include "models/Stamping.hpp"

namespace ionspice::models {
namespace {

class Vcvs final : public Device {
public:
    Vcvs(std::string name, double gain) : Device(std::move(name)), gain_(gain) {}

    void declare(Declarer& d) override {
        p_ = d.terminal(0);
        n_ = d.terminal(1);
        cp_ = d.terminal(2);
        cn_ = d.terminal(3);
        br_ = d.add_branch();
    }
    void pattern(PatternBuilder& p) override {
        p_br_ = p.entry(p_, br_);
        n_br_ = p.entry(n_, br_);
        br_p_ = p.entry(br_, p_);
        br_n_ = p.entry(br_, n_);
        br_cp_ = p.entry(br_, cp_);
        br_cn_ = p.entry(br_, cn_);
    }
    // KCL: +i at p, −i at n. Branch row: vp − vn − gain·(vcp − vcn) = 0.
    void load(LoadContext& ctx, const Stamp& s) override {
        const double i = ctx.x[br_];
        const double* x = ctx.x;
        s.F(p_, i);
        s.F(n_, -i);
        s.F(br_, value_at(x, p_) - value_at(x, n_) - gain_ * (value_at(x, cp_) - value_at(x, cn_)));
        s.G(p_br_, 1);
        s.G(n_br_, -1);
        s.G(br_p_, 1);
        s.G(br_n_, -1);
        s.G(br_cp_, -gain_);
        s.G(br_cn_, gain_);
    }
    bool is_linear() const override { return true; }

private:
    double gain_;  ///< V/V
    Index p_ = kGround, n_ = kGround, cp_ = kGround, cn_ = kGround, br_ = kGround;
    Slot p_br_ = kNoSlot, n_br_ = kNoSlot, br_p_ = kNoSlot, br_n_ = kNoSlot, br_cp_ = kNoSlot, br_cn_ = kNoSlot;
};

class Vccs final : public Device {
public:
    Vccs(std::string name, double gm) : Device(std::move(name)), gm_(gm) {}

    void declare(Declarer& d) override {
        p_ = d.terminal(0);
        n_ = d.terminal(1);
        cp_ = d.terminal(2);
        cn_ = d.terminal(3);
    }
    void pattern(PatternBuilder& p) override {
        p_cp_ = p.entry(p_, cp_);
        p_cn_ = p.entry(p_, cn_);
        n_cp_ = p.entry(n_, cp_);
        n_cn_ = p.entry(n_, cn_);
    }
    // i = gm·(vcp − vcn), leaving p and entering n.
    void load(LoadContext& ctx, const Stamp& s) override {
        const double i = gm_ * (value_at(ctx.x, cp_) - value_at(ctx.x, cn_));
        s.F(p_, i);
        s.F(n_, -i);
        s.G(p_cp_, gm_);
        s.G(p_cn_, -gm_);
        s.G(n_cp_, -gm_);
        s.G(n_cn_, gm_);
    }
    bool is_linear() const override { return true; }

private:
    double gm_;  ///< S
    Index p_ = kGround, n_ = kGround, cp_ = kGround, cn_ = kGround;
    Slot p_cp_ = kNoSlot, p_cn_ = kNoSlot, n_cp_ = kNoSlot, n_cn_ = kNoSlot;
};

class Cccs final : public Device {
public:
    Cccs(std::string name, std::string control, double gain)
        : Device(std::move(name)), control_(std::move(control)), gain_(gain) {}

    void declare(Declarer& d) override {
        p_ = d.terminal(0);
        n_ = d.terminal(1);
    }
    void pattern(PatternBuilder& p) override {
        ctl_ = p.branch_of(control_);
        p_ctl_ = p.entry(p_, ctl_);
        n_ctl_ = p.entry(n_, ctl_);
    }
    // i = gain·i(vctl), leaving p and entering n.
    void load(LoadContext& ctx, const Stamp& s) override {
        const double i = gain_ * ctx.x[ctl_];
        s.F(p_, i);
        s.F(n_, -i);
        s.G(p_ctl_, gain_);
        s.G(n_ctl_, -gain_);
    }
    bool is_linear() const override { return true; }

private:
    std::string control_;
    double gain_;  ///< A/A
    Index p_ = kGround, n_ = kGround, ctl_ = kGround;
    Slot p_ctl_ = kNoSlot, n_ctl_ = kNoSlot;
};

class Ccvs final : public Device {
public:
    Ccvs(std::string name, std::string control, double r)
        : Device(std::move(name)), control_(std::move(control)), r_(r) {}

    void declare(Declarer& d) override {
        p_ = d.terminal(0);
        n_ = d.terminal(1);
        br_ = d.add_branch();
    }
    void pattern(PatternBuilder& p) override {
        ctl_ = p.branch_of(control_);
        p_br_ = p.entry(p_, br_);
        n_br_ = p.entry(n_, br_);
        br_p_ = p.entry(br_, p_);
        br_n_ = p.entry(br_, n_);
        br_ctl_ = p.entry(br_, ctl_);
    }
    // KCL: +i at p, −i at n. Branch row: vp − vn − r·i(vctl) = 0.
    void load(LoadContext& ctx, const Stamp& s) override {
        const double i = ctx.x[br_];
        s.F(p_, i);
        s.F(n_, -i);
        s.F(br_, value_at(ctx.x, p_) - value_at(ctx.x, n_) - r_ * ctx.x[ctl_]);
        s.G(p_br_, 1);
        s.G(n_br_, -1);
        s.G(br_p_, 1);
        s.G(br_n_, -1);
        s.G(br_ctl_, -r_);
    }
    bool is_linear() const override { return true; }

private:
    std::string control_;
    double r_;  ///< V/A
    Index p_ = kGround, n_ = kGround, br_ = kGround, ctl_ = kGround;
    Slot p_br_ = kNoSlot, n_br_ = kNoSlot, br_p_ = kNoSlot, br_n_ = kNoSlot, br_ctl_ = kNoSlot;
};

void check_nodes(const InstanceCard& card, const Subject& what, std::size_t count) {
    if (card.nodes.size() != count)
        throw DeviceError(DeviceError::Where::Instance, "",
                          fmt::format("{}: needs {} nodes, got {}", what, count, card.nodes.size()));
}

const std::string& control_of(const InstanceCard& card, const Subject& what) {
    if (card.refs.size() != 1)
        throw DeviceError(DeviceError::Where::Instance, "",
                          fmt::format("{}: needs the name of one controlling voltage source", what));
    return card.refs[0];
}

std::unique_ptr<Device> create_e(const InstanceCard& card, const ModelParams*) {
    const Subject what{"voltage-controlled voltage source", card.name};
    check_nodes(card, what, 4);
    ParamReader params(card, what);
    const double gain = main_value(card, params, {"gain"}, what, "gain");
    params.reject_unknown();
    return std::make_unique<Vcvs>(card.name, gain);
}

std::unique_ptr<Device> create_g(const InstanceCard& card, const ModelParams*) {
    const Subject what{"voltage-controlled current source", card.name};
    check_nodes(card, what, 4);
    ParamReader params(card, what);
    const double gm = main_value(card, params, {"gain"}, what, "transconductance");
    const double m = params.positive("m", 1);
    params.reject_unknown();
    return std::make_unique<Vccs>(card.name, gm * m);
}

std::unique_ptr<Device> create_f(const InstanceCard& card, const ModelParams*) {
    const Subject what{"current-controlled current source", card.name};
    check_nodes(card, what, 2);
    const std::string& control = control_of(card, what);
    ParamReader params(card, what);
    const double gain = main_value(card, params, {"gain"}, what, "gain");
    const double m = params.positive("m", 1);
    params.reject_unknown();
    return std::make_unique<Cccs>(card.name, control, gain * m);
}

std::unique_ptr<Device> create_h(const InstanceCard& card, const ModelParams*) {
    const Subject what{"current-controlled voltage source", card.name};
    check_nodes(card, what, 2);
    const std::string& control = control_of(card, what);
    ParamReader params(card, what);
    const double r = main_value(card, params, {"gain"}, what, "transresistance");
    params.reject_unknown();
    return std::make_unique<Ccvs>(card.name, control, r);
}

const Registrar e_registrar{Registration{.letter = 'e',
                                         .types = {},
                                         .levels = {},
                                         .description = "voltage-controlled voltage source",
                                         .prepare = {},
                                         .create = create_e}};
const Registrar g_registrar{Registration{.letter = 'g',
                                         .types = {},
                                         .levels = {},
                                         .description = "voltage-controlled current source",
                                         .prepare = {},
                                         .create = create_g}};
const Registrar f_registrar{Registration{.letter = 'f',
                                         .types = {},
                                         .levels = {},
                                         .description = "current-controlled current source",
                                         .prepare = {},
                                         .create = create_f}};
const Registrar h_registrar{Registration{.letter = 'h',
                                         .types = {},
                                         .levels = {},
                                         .description = "current-controlled voltage source",
                                         .prepare = {},
                                         .create = create_h}};

}  // namespace
}  // namespace ionspice::models
