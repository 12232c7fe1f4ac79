// Junction FET, Shichman–Hodges as ngspice's level 1 (with the Sydney University doping-tail
// parameter B):
//   J d g s model [area] [off] [m=] [temp=] [dtemp=]
//   .model NAME njf|pjf (VTO BETA LAMBDA RD RS CGS CGD PB IS N FC B TCV BEX XTI EG KF AF TNOM)
//
// Drain current, vgst = vgs − VTO, β' = BETA·area·(1 + LAMBDA·vds) (normal mode, vds ≥ 0):
//   cutoff     vgst ≤ 0:            0
//   linear     vgst ≥ vds:          β'·vds·(vds·(Bf·vds − B) + vgst·(2B + 3Bf·(vgst − vds)))
//   saturation vgst < vds:          β'·vgst²·(B + Bf·vgst),      Bf = (1 − B)/(PB − VTO)
// (B = 1: the square law β'·vds·(2·vgst − vds) and β'·vgst²); inverse mode (vds < 0) the same with
// drain and source exchanged. Gate junctions: IS·(e^(v/(N·vt)) − 1) to source and drain, with gmin,
// and depletion charges of grading 1/2 (CGS, CGD, PB, FC). Newton limiting as SPICE: pnjlim, then
// fetlim about VTO, on vgs and vgd. Temperature as ngspice: VTO − TCV·ΔT, BETA·(T/Tnom)^BEX,
// IS·e^((T/Tnom − 1)·EG/(N·vt))·(T/Tnom)^XTI (XTI only when given), the gate potential and
// capacitances as the diode's.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>

#include "models/CardValue.hpp"
#include "models/Device.hpp"
#include "models/Junction.hpp"
#include "models/Limiting.hpp"
#include "models/ParamReader.hpp"
#include "models/Physics.hpp"
#include "models/Registry.hpp"
#include "models/Stamping.hpp"

namespace ionspice::models {
namespace {

struct JfetModel final : ModelParams {
    double type = 1;  ///< +1 n-channel, −1 p-channel
    double vto = -2, beta = 1e-4, lambda = 0, rd = 0, rs = 0, cgs = 0, cgd = 0, pb = 1, is = 1e-14, n = 1;
    double fc = 0.5, b = 1, tcv = 0, bex = 0, eg = 1.11;
    std::optional<double> xti;
    double kf = 0, af = 1;
    std::optional<double> tnom;
};

struct JfetScaled {
    double kelvin, vt, mult;
    double vto, beta, is, vcrit;  ///< beta and is with area
    double gd, gs;                ///< S, drain and source series conductances (0: none)
    double cgs, cgd, pb;          ///< F, F, V
};

class Jfet final : public Device {
public:
    Jfet(std::string name, const JfetModel& m, const JfetScaled& s, bool off)
        : Device(std::move(name)), m_(m), s_(s), off_(off) {}

    void declare(Declarer& d) override {
        d_ = d.terminal(0);
        g_ = d.terminal(1);
        s_node_ = d.terminal(2);
        dp_ = s_.gd > 0 ? d.add_node("drain") : d_;
        sp_ = s_.gs > 0 ? d.add_node("source") : s_node_;
        hist_ = d.add_history(2);
    }
    void pattern(PatternBuilder& p) override {
        const Index inner[3] = {dp_, g_, sp_};
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 3; ++c) core_[r][c] = p.entry(inner[r], inner[c]);
        if (dp_ != d_) rd_.request(p, d_, dp_);
        if (sp_ != s_node_) rs_.request(p, s_node_, sp_);
    }

    void load(LoadContext& ctx, const Stamp& st) override {
        const double* x = ctx.x;
        const double t = m_.type;
        const double vgs_x = t * (value_at(x, g_) - value_at(x, sp_));
        const double vgd_x = t * (value_at(x, g_) - value_at(x, dp_));
        double* h = ctx.history + hist_;
        double vgs = vgs_x, vgd = vgd_x;
        if (ctx.init_junctions) {
            vgs = vgd = off_ ? 0.0 : -1.0;
            ++ctx.noncon;
        } else {
            const Limited a = pnjlim(vgs_x, h[0], s_.vt, s_.vcrit);
            const Limited b = pnjlim(vgd_x, h[1], s_.vt, s_.vcrit);
            const Limited c = fetlim(a.v, h[0], s_.vto);
            const Limited d = fetlim(b.v, h[1], s_.vto);
            vgs = c.v;
            vgd = d.v;
            if (a.limited || b.limited || c.limited || d.limited) ++ctx.noncon;
        }
        h[0] = vgs;
        h[1] = vgd;
        const Op o = operating(vgs, vgd, ctx.gmin);
        const double m = s_.mult;
        const double dvgs = vgs_x - vgs, dvgd = vgd_x - vgd, dvds = dvgs - dvgd;
        const double igs = o.cgs + o.ggs * dvgs, igd = o.cgd + o.ggd * dvgd;
        const double id = o.cdrain + o.gm * dvgs + o.gds * dvds;
        // KCL (leaving each node): gate → s' and gate → d' junctions, channel d' → s'.
        st.F(g_, m * t * (igs + igd));
        st.F(dp_, m * t * (id - igd));
        st.F(sp_, -m * t * (id + igs));
        // Columns [d', g, s']: vgs = vg − vs', vgd = vg − vd', vds = vd' − vs'.
        row(st, 1, -o.ggd, o.ggs + o.ggd, -o.ggs, false);
        row(st, 0, o.gds + o.ggd, o.gm - o.ggd, -o.gm - o.gds, false);
        row(st, 2, -o.gds, -o.gm - o.ggs, o.gm + o.gds + o.ggs, false);
        if (dp_ != d_) resistor(st, rd_, d_, dp_, s_.gd * m, x);
        if (sp_ != s_node_) resistor(st, rs_, s_node_, sp_, s_.gs * m, x);
        if (!st.q) return;
        const JunctionCharge qgs = depletion_charge(vgs, s_.cgs, s_.pb, 0.5, m_.fc);
        const JunctionCharge qgd = depletion_charge(vgd, s_.cgd, s_.pb, 0.5, m_.fc);
        const double qs = qgs.q + qgs.c * dvgs, qd = qgd.q + qgd.c * dvgd;
        st.Q(g_, m * t * (qs + qd));
        st.Q(sp_, -m * t * qs);
        st.Q(dp_, -m * t * qd);
        row(st, 1, -qgd.c, qgs.c + qgd.c, -qgs.c, true);
        row(st, 0, qgd.c, -qgd.c, 0, true);
        row(st, 2, 0, -qgs.c, qgs.c, true);
    }

    /// @j1[id], @j1[ig], @j1[is] (and i(j1), the drain's): the static terminal currents into the
    /// device, as ngspice's cd, cg and −(cd + cg); a transient's junction-charge currents are not
    /// included.
    // In a transient these are the terminals' whole currents, charges included, as ngspice's.
    int terminal_of(std::string_view name) const override {
        return name == "id" || name == "i" ? 0 : name == "ig" ? 1 : name == "is" ? 2 : -1;
    }
    std::optional<double> quantity(std::string_view name, const double* x, const double* /*xdot*/) const override {
        if (name != "id" && name != "i" && name != "ig" && name != "is") return std::nullopt;
        const double t = m_.type, m = s_.mult;
        const Op o = operating_at(x);
        const double cd = m * t * (o.cdrain - o.cgd), cg = m * t * (o.cgs + o.cgd);
        return name == "ig" ? cg : name == "is" ? -(cd + cg) : cd;
    }

    // ngspice's jfetnoise.c (nlev 2): thermal noise of RD and RS, channel thermal noise
    // 4kT·(2/3)·|gm|, flicker KF·|Id|^AF/f.
    void noise(const double* x, std::vector<NoiseSource>& out) const override {
        const Op o = operating_at(x);
        const double fourkt = 4 * physics::kBoltzmann * s_.kelvin, m = s_.mult;
        out.push_back({.name = "rd", .plus = dp_, .minus = d_, .white = fourkt * s_.gd * m});
        out.push_back({.name = "rs", .plus = sp_, .minus = s_node_, .white = fourkt * s_.gs * m});
        out.push_back({.name = "id", .plus = dp_, .minus = sp_, .white = fourkt * 2.0 / 3.0 * std::fabs(o.gm) * m});
        out.push_back({.name = "1overf", .plus = dp_, .minus = sp_,
                       .flicker = m * m_.kf * std::pow(std::fabs(o.cdrain), m_.af)});
    }

private:
    struct Op {
        double cgs, ggs, cgd, ggd;  ///< gate junction currents (A) and conductances (S), gmin included
        double cdrain, gm, gds;     ///< channel current d' → s' and its derivatives in vgs, vds
    };

    /// At a solution, unlimited, with SPICE's default gmin (noise, device currents).
    Op operating_at(const double* x) const {
        const double t = m_.type;
        return operating(t * (value_at(x, g_) - value_at(x, sp_)), t * (value_at(x, g_) - value_at(x, dp_)), 1e-12);
    }

    Op operating(double vgs, double vgd, double gmin) const {
        Op o{};
        const double nvt = m_.n * s_.vt;
        auto junction = [&](double v, double& i, double& g) {
            if (v < -3 * nvt) {
                double arg = 3 * nvt / (v * std::numbers::e);
                arg = arg * arg * arg;
                i = -s_.is * (1 + arg) + gmin * v;
                g = s_.is * 3 * arg / v + gmin;
            } else {
                const double e = std::exp(std::min(v / nvt, 709.0));
                i = s_.is * (e - 1) + gmin * v;
                g = s_.is * e / nvt + gmin;
            }
        };
        junction(vgs, o.cgs, o.ggs);
        junction(vgd, o.cgd, o.ggd);
        const double vds = vgs - vgd, beta = s_.beta, lambda = m_.lambda, b = m_.b;
        const double bfac0 = (1 - b) / (m_.pb - m_.vto);
        if (vds >= 0) {
            const double vgst = vgs - s_.vto;
            if (vgst > 0) {
                const double betap = beta * (1 + lambda * vds);
                if (vgst >= vds) {
                    const double apart = 2 * b + 3 * bfac0 * (vgst - vds);
                    const double cpart = vds * (vds * (bfac0 * vds - b) + vgst * apart);
                    o.cdrain = betap * cpart;
                    o.gm = betap * vds * (apart + 3 * bfac0 * vgst);
                    o.gds = betap * (vgst - vds) * apart + beta * lambda * cpart;
                } else {
                    const double bfac = vgst * bfac0;
                    o.gm = betap * vgst * (2 * b + 3 * bfac);
                    const double cpart = vgst * vgst * (b + bfac);
                    o.cdrain = betap * cpart;
                    o.gds = lambda * beta * cpart;
                }
            }
        } else {
            const double vgdt = vgd - s_.vto;
            if (vgdt > 0) {
                const double betap = beta * (1 - lambda * vds);
                if (vgdt + vds >= 0) {
                    const double apart = 2 * b + 3 * bfac0 * (vgdt + vds);
                    const double cpart = vds * (-vds * (-bfac0 * vds - b) + vgdt * apart);
                    o.cdrain = betap * cpart;
                    o.gm = betap * vds * (apart + 3 * bfac0 * vgdt);
                    o.gds = betap * (vgdt + vds) * apart - beta * lambda * cpart - o.gm;
                } else {
                    const double bfac = vgdt * bfac0;
                    o.gm = -betap * vgdt * (2 * b + 3 * bfac);
                    const double cpart = vgdt * vgdt * (b + bfac);
                    o.cdrain = -betap * cpart;
                    o.gds = lambda * beta * cpart - o.gm;
                }
            }
        }
        return o;
    }

    void row(const Stamp& st, int r, double dd, double dg, double ds, bool charge) const {
        const double m = s_.mult;
        if (charge) {
            st.C(core_[r][0], m * dd);
            st.C(core_[r][1], m * dg);
            st.C(core_[r][2], m * ds);
        } else {
            st.G(core_[r][0], m * dd);
            st.G(core_[r][1], m * dg);
            st.G(core_[r][2], m * ds);
        }
    }

    void resistor(const Stamp& st, const PairSlots& slots, Index a, Index b, double g, const double* x) const {
        const double i = g * (value_at(x, a) - value_at(x, b));
        st.F(a, i);
        st.F(b, -i);
        slots.stamp_g(st, g);
    }

    const JfetModel& m_;
    JfetScaled s_;
    bool off_;
    Index d_ = kGround, g_ = kGround, s_node_ = kGround, dp_ = kGround, sp_ = kGround;
    std::size_t hist_ = 0;  ///< history: vgs, vgd of the previous evaluation (limited)
    Slot core_[3][3] = {{kNoSlot, kNoSlot, kNoSlot}, {kNoSlot, kNoSlot, kNoSlot}, {kNoSlot, kNoSlot, kNoSlot}};
    PairSlots rd_, rs_;
};

JfetScaled scale(const JfetModel& mp, double area, double mult, double temp_c, double tnom_c) {
    using namespace physics;
    JfetScaled s{};
    const double temp = temp_c + kCelsiusToKelvin, tnom = tnom_c + kCelsiusToKelvin;
    s.kelvin = temp;
    s.vt = thermal_voltage(temp);
    s.mult = mult;
    // IS(T) = IS·e^((T/Tnom − 1)·EG/(N·vt))·(T/Tnom)^XTI, the last factor only when XTI is given,
    // as current ngspice. ngspice-39 has no N (it accepts and ignores it, so its exponent is EG/vt
    // and its junctions e^(v/vt)): with N = 1 the two agree, which the golden decks check.
    const double ratio1 = temp / tnom - 1;
    s.is = area * mp.is * std::exp(ratio1 * mp.eg / (mp.n * s.vt)) * (mp.xti ? std::pow(ratio1 + 1, *mp.xti) : 1.0);
    // The gate potential and capacitances follow the band gap as a grading-1/2 junction's.
    const double fact1 = tnom / kRefTemp, fact2 = temp / kRefTemp;
    const double pbo = (mp.pb - potential_temperature_term(tnom)) / fact1;
    const double gmaold = (mp.pb - pbo) / pbo;
    const double cjfact = 1 / (1 + 0.5 * (4e-4 * (tnom - kRefTemp) - gmaold));
    s.pb = fact2 * pbo + potential_temperature_term(temp);
    const double gmanew = (s.pb - pbo) / pbo;
    const double cjfact1 = 1 + 0.5 * (4e-4 * (temp - kRefTemp) - gmanew);
    s.cgs = area * mp.cgs * cjfact * cjfact1;
    s.cgd = area * mp.cgd * cjfact * cjfact1;
    s.vcrit = s.vt * std::log(s.vt / (kSqrt2 * s.is));
    s.vto = mp.vto - mp.tcv * (temp - tnom);
    s.beta = area * mp.beta * std::pow(temp / tnom, mp.bex);
    s.gd = mp.rd != 0 ? area / mp.rd : 0;
    s.gs = mp.rs != 0 ? area / mp.rs : 0;
    return s;
}

std::shared_ptr<const ModelParams> prepare(const ModelCard& card) {
    auto mp = std::make_shared<JfetModel>();
    mp->type = card.type == "pjf" ? -1 : 1;
    ParamReader r(card, fmt::format("jfet model {}", card.name));
    r.ignore({"level"});
    mp->vto = r.get("vto", -2);
    if (auto v = r.find("vt0")) mp->vto = *v;
    mp->beta = r.positive("beta", 1e-4);
    mp->lambda = r.non_negative("lambda", 0);
    mp->rd = r.non_negative("rd", 0);
    mp->rs = r.non_negative("rs", 0);
    mp->cgs = r.non_negative("cgs", 0);
    mp->cgd = r.non_negative("cgd", 0);
    mp->pb = r.positive("pb", 1);
    mp->is = r.positive("is", 1e-14);
    mp->n = r.positive("n", 1);
    mp->fc = r.non_negative("fc", 0.5);
    // ngspice limits FC to 0.95 (with a warning): the linear capacitance region starts there.
    mp->fc = std::min(mp->fc, 0.95);
    mp->b = r.get("b", 1);
    if (mp->b != 1 && mp->pb == mp->vto) r.fail("b", "needs pb ≠ vto (B's doping tail divides by pb − vto)");
    mp->tcv = r.get("tcv", 0);
    mp->bex = r.get("bex", 0);
    mp->eg = r.positive("eg", 1.11);
    mp->xti = r.find("xti");
    mp->kf = r.non_negative("kf", 0);
    mp->af = r.positive("af", 1);
    mp->tnom = r.find("tnom");
    for (const char* name : {"vtotc", "betatce"})
        if (auto v = r.find(name); v && *v != 0)
            r.fail(name, "is not supported by ionspice's jfet (only 0 is accepted; use tcv and bex)");
    // Noise-level selection: ionspice's channel noise is nlev 2's.
    if (auto v = r.find("nlev"); v && *v != 2) r.fail("nlev", "only nlev=2 (the channel noise 4kT·2/3·gm) is supported");
    r.ignore({"gdsnoi"});
    r.reject_unknown();
    return mp;
}

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams* model) {
    const auto& mp = static_cast<const JfetModel&>(*model);
    const Subject what{"jfet", card.name};
    if (card.nodes.size() != 3)
        throw DeviceError(DeviceError::Where::Instance, "", fmt::format("{}: needs 3 nodes, got {}", what, card.nodes.size()));
    ParamReader r(card, what);
    if (card.values.size() > 1)
        throw DeviceError(DeviceError::Where::Value, "1", fmt::format("{}: unexpected value {:g}", what, card.values[1]));
    const double area = card.values.empty() ? r.positive("area", 1) : card.values[0];
    if (!(area > 0))
        throw DeviceError(DeviceError::Where::Value, "0", fmt::format("{}: area must be positive, got {:g}", what, area));
    const double mult = r.positive("m", 1);
    const double temp = r.get("temp", card.temp + r.get("dtemp", 0));
    r.unused({"ic", "icvds", "icvgs"}, "with uic the jfet starts from its nodes' values (set them with .ic)");
    r.reject_unknown();
    const bool off = read_off_flag(card, what);
    if (!(temp + physics::kCelsiusToKelvin > 0))
        throw DeviceError(DeviceError::Where::Instance, "temp",
                          fmt::format("{}: temperature {:g} °C is below absolute zero", what, temp));
    return std::make_unique<Jfet>(card.name, mp, scale(mp, area, mult, temp, mp.tnom.value_or(card.tnom)), off);
}

const Registrar registrar{Registration{
    .letter = 'j',
    .types = {"njf", "pjf"},
    .levels = {1},
    .description = "JFET (Shichman-Hodges)",
    .prepare = prepare,
    .create = create,
}};

}  // namespace
}  // namespace ionspice::models
