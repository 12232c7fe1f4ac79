// Junction diode: D p n model [area] [area=] [pj=] [m=] [temp=] [dtemp=] [ic=] [off]
// .model NAME d (IS N RS TT CJO VJ M FC BV IBV NBV EG XTI IKF IKR TNOM ...)
//
// DC is ngspice-39's level-1 diode (dioload.c/diotemp.c): the same current in the forward,
// reverse and breakdown regions, the same temperature scaling and the same Newton limiting, so a
// converged operating point agrees with ngspice's. Sidewall, tunnelling and self-heating
// parameters are not supported (an error says so when they are given a non-zero value).

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

/// ngspice's reltol, which ends its breakdown-knee iteration (diotemp.c).
constexpr double kBreakdownRelTol = 1e-3;
/// ngspice caps no diode exponent; this cap only keeps a wild Newton iterate from overflowing.
constexpr double kMaxExpArg = 709.0;

struct DiodeModel final : ModelParams {
    double is = 1e-14;           ///< A, saturation current (per unit area)
    double n = 1;                ///< emission coefficient
    double rs = 0;               ///< Ω, series resistance (per unit area)
    double tt = 0;               ///< s, transit time
    double cjo = 0;              ///< F, zero-bias junction capacitance (per unit area)
    double vj = 1;               ///< V, junction potential
    double m = 0.5;              ///< grading coefficient
    double fc = 0.5;             ///< forward-bias depletion capacitance coefficient
    std::optional<double> bv;    ///< V, reverse breakdown voltage (none: no breakdown)
    double ibv = 1e-3;           ///< A, current at the breakdown voltage
    double nbv = 1;              ///< breakdown emission coefficient (default N)
    double eg = 1.11;            ///< eV, activation energy
    double xti = 3;              ///< saturation-current temperature exponent
    double ikf = 0;              ///< A, forward knee current (0: none)
    double ikr = 0;              ///< A, reverse knee current (0: none)
    double area = 1;             ///< default instance area factor
    std::optional<double> tnom;  ///< °C, parameter measurement temperature (default .options tnom)
    double trs1 = 0, trs2 = 0;   ///< 1/K, 1/K², series-resistance temperature coefficients
    double ttt1 = 0, ttt2 = 0;   ///< 1/K, 1/K², transit-time temperature coefficients
    double tm1 = 0, tm2 = 0;     ///< 1/K, 1/K², grading-coefficient temperature coefficients
    double tcv = 0;              ///< V/K (tlev 0) or 1/K (tlev 1), breakdown-voltage temperature coefficient
    int tlev = 0;                ///< breakdown-voltage temperature equation
    int tlevc = 0;               ///< capacitance temperature equation
    double cta = 0;              ///< 1/K, junction-capacitance temperature coefficient (tlevc 1)
    double tpb = 0;              ///< V/K, junction-potential temperature coefficient (tlevc 1)
    double kf = 0;               ///< flicker noise coefficient
    double af = 1;               ///< flicker noise current exponent
};

/// An instance's parameters after area, multiplier and temperature scaling (ngspice's DIOtemp).
struct DiodeScaled {
    double kelvin;             ///< K, the device temperature
    double mult;               ///< instance multiplier m
    double vt;                 ///< V, kT/q at the device temperature
    double vte;                ///< V, N·vt
    double vtebrk;             ///< V, NBV·vt
    double csat;               ///< A, saturation current
    double vcrit;              ///< V, where pnjlim starts limiting
    double gspr;               ///< S, series conductance (0: no series resistance)
    double cj0;                ///< F, zero-bias junction capacitance
    double pb;                 ///< V, junction potential
    double grading;            ///< grading coefficient
    double tt;                 ///< s, transit time
    std::optional<double> bv;  ///< V, breakdown voltage where the reverse current is IBV
    double ikf, ikr;           ///< A, knee currents (0: none)
};

double ratio_temp_factor(double c1, double c2, double dt) { return 1.0 + c1 * dt + c2 * dt * dt; }

DiodeScaled scale(const DiodeModel& mp, double area, double mult, double temp_c, double tnom_c) {
    using namespace physics;
    DiodeScaled s{};
    const double temp = temp_c + kCelsiusToKelvin;
    const double tnom = tnom_c + kCelsiusToKelvin;
    const double dt = temp - tnom;
    s.kelvin = temp;
    s.mult = mult;
    s.vt = thermal_voltage(temp);
    s.vte = mp.n * s.vt;
    s.vtebrk = mp.nbv * s.vt;

    // Grading coefficient, limited to 0.9 as ngspice does.
    s.grading = std::min(mp.m * ratio_temp_factor(mp.tm1, mp.tm2, dt), 0.9);

    // Junction potential and capacitance follow the band gap.
    const double fact1 = tnom / kRefTemp;
    const double fact2 = temp / kRefTemp;
    const double pbfact1 = potential_temperature_term(tnom);
    const double pbfact = potential_temperature_term(temp);
    const double cjo = mp.cjo * area * mult;
    if (mp.tlevc == 0) {
        const double pbo = (mp.vj - pbfact1) / fact1;
        const double gmaold = (mp.vj - pbo) / pbo;
        s.cj0 = cjo / (1 + s.grading * (400e-6 * (tnom - kRefTemp) - gmaold));
        s.pb = pbfact + fact2 * pbo;
        const double gmanew = (s.pb - pbo) / pbo;
        s.cj0 *= 1 + s.grading * (400e-6 * (temp - kRefTemp) - gmanew);
    } else {
        s.pb = mp.vj - mp.tpb * (temp - kRefTemp);
        s.cj0 = cjo * (1 + mp.cta * (temp - kRefTemp));
    }

    // IS(T) = IS·exp((T/Tnom − 1)·EG/(N·vt) + XTI/N·ln(T/Tnom)).
    const double is_arg = (temp / tnom - 1) * mp.eg / s.vte + mp.xti / mp.n * std::log(temp / tnom);
    s.csat = mult * mp.is * area * std::exp(is_arg);

    // vcrit = N·vt·ln(N·vt/(√2·IS)): beyond it the exponential is steep enough to need limiting.
    s.vcrit = s.vte * std::log(s.vte / (kSqrt2 * s.csat));

    // As ngspice does, keep the start of the linearised capacitance (fc·pb) at or below 1 V.
    if (mp.fc * s.pb > 1.0) s.pb = 1.0 / mp.fc;

    // Breakdown: find xbv such that the reverse current reaches IBV at BV,
    //   IBV = IS·(exp((BV − xbv)/(NBV·vt)) − 1 + xbv/vt),
    // with ngspice's fixed-point iteration and tolerance, so the knee sits where ngspice puts it.
    if (mp.bv) {
        const double tbv = mp.tlev == 0 ? *mp.bv - mp.tcv * dt : *mp.bv * (1 - mp.tcv * dt);
        double cbv = mult * mp.ibv;
        double xbv;
        if (cbv < s.csat * tbv / s.vt) {
            cbv = s.csat * tbv / s.vt;
            xbv = tbv;
        } else {
            const double tol = kBreakdownRelTol * cbv;
            xbv = tbv - mp.nbv * s.vt * std::log(1 + cbv / s.csat);
            for (int iter = 0; iter < 25; ++iter) {
                xbv = tbv - mp.nbv * s.vt * std::log(cbv / s.csat + 1 - xbv / s.vt);
                const double xcbv = s.csat * (std::exp((tbv - xbv) / (mp.nbv * s.vt)) - 1 + xbv / s.vt);
                if (std::fabs(xcbv - cbv) <= tol) break;
            }
        }
        s.bv = xbv;
    }

    s.tt = mp.tt * ratio_temp_factor(mp.ttt1, mp.ttt2, dt);
    s.gspr = mp.rs > 0 ? mult * area / mp.rs / ratio_temp_factor(mp.trs1, mp.trs2, dt) : 0.0;
    s.ikf = mp.ikf * area * mult;
    s.ikr = mp.ikr * area * mult;
    return s;
}

/// Junction current and conductance at vd, gmin included.
struct DiodeCurrent {
    double id;   ///< A, total junction current (knee and gmin included)
    double gd;   ///< S, did/dvd
    double idb;  ///< A, ideal-diode part (what diffusion charge follows)
    double gdb;  ///< S, didb/dvd
};

DiodeCurrent junction_current(const DiodeScaled& s, double vd, double gmin) {
    DiodeCurrent c{};
    if (vd >= -3 * s.vte) {
        // forward: I = IS·(exp(vd/(N·vt)) − 1)
        const double evd = std::exp(std::min(vd / s.vte, kMaxExpArg));
        c.idb = s.csat * (evd - 1);
        c.gdb = s.csat * evd / s.vte;
    } else if (!s.bv || vd >= -*s.bv) {
        // reverse: I = −IS·(1 + (3·N·vt/(e·vd))³), which meets the forward branch at −3·N·vt
        double arg = 3 * s.vte / (vd * std::numbers::e);
        arg = arg * arg * arg;
        c.idb = -s.csat * (1 + arg);
        c.gdb = s.csat * 3 * arg / vd;
    } else {
        // breakdown: I = −IS·exp(−(xbv + vd)/(NBV·vt))
        const double evrev = std::exp(std::min(-(*s.bv + vd) / s.vtebrk, kMaxExpArg));
        c.idb = -s.csat * evrev;
        c.gdb = s.csat * evrev / s.vtebrk;
    }
    c.id = c.idb;
    c.gd = c.gdb;
    // High injection: I/(1 + sqrt(I/IKF)) forward, the same with IKR in reverse.
    const bool forward = vd >= -3 * s.vte;
    const double knee = forward ? s.ikf : s.ikr;
    if (knee > 0 && (forward ? c.id > 1e-18 : c.id < -1e-18)) {
        const double sq = std::sqrt(std::fabs(c.id) / knee);
        c.gd = forward ? ((1 + sq) * c.gd - c.id * c.gd / (2 * sq * knee)) / (1 + 2 * sq + c.id / knee)
                       : ((1 + sq) * c.gd + c.id * c.gd / (2 * sq * knee)) / (1 + 2 * sq - c.id / knee);
        c.id = c.id / (1 + sq);
    }
    c.id += gmin * vd;
    c.gd += gmin;
    return c;
}

class Diode final : public Device {
public:
    Diode(std::string name, const DiodeModel& model, const DiodeScaled& scaled, bool off)
        : Device(std::move(name)), fc_(model.fc), kf_(model.kf), af_(model.af), s_(scaled), off_(off) {}

    void declare(Declarer& d) override {
        p_ = d.terminal(0);
        n_ = d.terminal(1);
        pi_ = s_.gspr > 0 ? d.add_node("internal") : p_;
        vold_ = d.add_history(1);
    }
    void pattern(PatternBuilder& p) override {
        if (pi_ != p_) series_.request(p, p_, pi_);
        junction_.request(p, pi_, n_);
    }

    void load(LoadContext& ctx, const Stamp& s) override {
        gmin_ = ctx.gmin;
        const double vd = value_at(ctx.x, pi_) - value_at(ctx.x, n_);
        const double vlim = limit(ctx, vd);
        const DiodeCurrent c = junction_current(s_, vlim, ctx.gmin);
        // Junction charge: depletion plus diffusion TT·I (ideal part).
        const JunctionCharge dep = depletion_charge(vlim, s_.cj0, s_.pb, s_.grading, fc_);
        const double qd = dep.q + s_.tt * c.idb;
        const double cd = dep.c + s_.tt * c.gdb;
        // Linearised about the limited voltage, evaluated at the actual one.
        const double i = c.id + c.gd * (vd - vlim);
        const double q = qd + cd * (vd - vlim);
        s.F(pi_, i);
        s.F(n_, -i);
        s.Q(pi_, q);
        s.Q(n_, -q);
        junction_.stamp_g(s, c.gd);
        junction_.stamp_c(s, cd);
        if (pi_ != p_) {
            const double ir = s_.gspr * (value_at(ctx.x, p_) - value_at(ctx.x, pi_));
            s.F(p_, ir);
            s.F(pi_, -ir);
            series_.stamp_g(s, s_.gspr);
        }
    }

    // ngspice's dionoise.c, with Id the junction current as the load computes it (gmin and knee
    // included) and m the instance multiplier:
    //     rs:     4kT·G_RS            between the anode and the internal node
    //     id:     2q·|Id|             across the junction
    //     1overf: m·KF·(|Id|/m)^AF/f  across the junction
    // G_RS is the series conductance the load uses (area and m applied once): ngspice-44 and
    // later; ngspice-39 multiplies it by area·m once more, which only matters when area·m ≠ 1.
    // T is the device temperature (ngspice-39 takes the circuit temperature even with temp= or
    // dtemp=). Every generator is listed, zero or not, so that the summaries match ngspice's.
    /// @d1[id] (and i(d1)): the current from anode to cathode, through the junction (and RS).
    std::optional<double> quantity(std::string_view name, const double* x, const double* /*xdot*/) const override {
        if (name != "id" && name != "i") return std::nullopt;
        return junction_current(s_, value_at(x, pi_) - value_at(x, n_), gmin_).id;
    }

    void noise(const double* x, std::vector<NoiseSource>& out) const override {
        const double id = junction_current(s_, value_at(x, pi_) - value_at(x, n_), gmin_).id;
        out.push_back({.name = "rs", .plus = pi_, .minus = p_,
                       .white = 4 * physics::kBoltzmann * s_.kelvin * s_.gspr});
        out.push_back({.name = "id", .plus = pi_, .minus = n_, .white = 2 * physics::kCharge * std::fabs(id)});
        out.push_back({.name = "1overf", .plus = pi_, .minus = n_,
                       .flicker = s_.mult * kf_ * std::pow(std::fabs(id) / s_.mult, af_)});
    }

private:
    /// The junction voltage to evaluate at: vcrit (or 0 when `off`) on the first iteration, else
    /// pnjlim from the voltage of the previous evaluation (about −BV in breakdown).
    double limit(LoadContext& ctx, double vd) {
        double& vold = ctx.history[vold_];
        double v = vd;
        bool limited = false;
        if (ctx.init_junctions) {
            v = off_ ? 0.0 : s_.vcrit;
            limited = true;
        } else if (s_.bv && vd < std::min(0.0, -*s_.bv + 10 * s_.vtebrk)) {
            const Limited l = pnjlim(-(vd + *s_.bv), -(vold + *s_.bv), s_.vtebrk, s_.vcrit);
            v = -(l.v + *s_.bv);
            limited = l.limited;
        } else {
            const Limited l = pnjlim(vd, vold, s_.vte, s_.vcrit);
            v = l.v;
            limited = l.limited;
        }
        if (limited) ++ctx.noncon;
        vold = v;
        return v;
    }

    double fc_;
    double kf_, af_;  ///< flicker noise coefficient and exponent
    DiodeScaled s_;
    bool off_;
    std::size_t vold_ = 0;  ///< history: the junction voltage of the previous evaluation (V)
    double gmin_ = 1e-12;  ///< S, the gmin of the last load: part of the current the noise follows
    Index p_ = kGround, n_ = kGround, pi_ = kGround;
    PairSlots series_, junction_;
};

std::shared_ptr<const ModelParams> prepare(const ModelCard& card) {
    auto mp = std::make_shared<DiodeModel>();
    ParamReader r(card, fmt::format("diode model {}", card.name));
    r.ignore({"level", "d"});
    auto alias = [&](std::initializer_list<const char*> names) -> std::optional<double> {
        std::optional<double> v;
        for (const char* n : names)
            if (auto x = r.find(n)) v = x;
        return v;
    };
    auto positive = [&](const char* name, std::optional<double> v, double fallback) {
        const double x = v.value_or(fallback);
        if (!(x > 0)) r.fail(name, fmt::format("must be positive, got {:g}", x));
        return x;
    };
    auto non_negative = [&](const char* name, std::optional<double> v, double fallback) {
        const double x = v.value_or(fallback);
        if (!(x >= 0)) r.fail(name, fmt::format("must not be negative, got {:g}", x));
        return x;
    };
    mp->is = positive("is", alias({"is", "js"}), 1e-14);
    mp->n = r.positive("n", 1);
    mp->rs = r.non_negative("rs", 0);
    mp->tt = non_negative("tt", r.find("tt"), 0);
    mp->cjo = non_negative("cjo", alias({"cjo", "cj0", "cj"}), 0);
    mp->vj = positive("vj", alias({"vj", "pb"}), 1);
    mp->m = non_negative("m", alias({"m", "mj"}), 0.5);
    mp->fc = r.non_negative("fc", 0.5);
    if (!(mp->fc < 1)) r.fail("fc", fmt::format("must be below 1, got {:g}", mp->fc));
    if (!(mp->m < 1)) r.fail("m", fmt::format("must be below 1, got {:g}", mp->m));
    if (auto bv = r.find("bv")) {
        if (!(*bv > 0)) r.fail("bv", fmt::format("must be positive, got {:g}", *bv));
        mp->bv = bv;
    }
    mp->ibv = positive("ibv", alias({"ibv", "ib"}), 1e-3);
    mp->nbv = r.positive("nbv", mp->n);
    mp->eg = r.positive("eg", 1.11);
    mp->xti = r.get("xti", 3);
    mp->ikf = non_negative("ikf", alias({"ikf", "ik"}), 0);
    mp->ikr = r.non_negative("ikr", 0);
    mp->area = r.positive("area", 1);
    mp->tnom = alias({"tnom", "tref"});
    mp->trs1 = alias({"trs", "trs1"}).value_or(0);
    mp->trs2 = r.get("trs2", 0);
    mp->ttt1 = r.get("ttt1", 0);
    mp->ttt2 = r.get("ttt2", 0);
    mp->tm1 = r.get("tm1", 0);
    mp->tm2 = r.get("tm2", 0);
    mp->tcv = r.get("tcv", 0);
    const double tlev = r.get("tlev", 0);
    if (tlev != 0 && tlev != 1) r.fail("tlev", fmt::format("must be 0 or 1, got {:g}", tlev));
    mp->tlev = static_cast<int>(tlev);
    const double tlevc = r.get("tlevc", 0);
    if (tlevc != 0 && tlevc != 1) r.fail("tlevc", fmt::format("must be 0 or 1, got {:g}", tlevc));
    mp->tlevc = static_cast<int>(tlevc);
    mp->cta = alias({"cta", "ctc"}).value_or(0);
    mp->tpb = alias({"tpb", "tvj"}).value_or(0);
    mp->kf = r.non_negative("kf", 0);
    mp->af = r.non_negative("af", 1);
    // Sidewall, tunnelling and self-heating currents are not modelled: accept them only at zero.
    for (const char* name : {"jsw", "cjp", "cjsw", "jtun", "jtunsw", "rth0"})
        if (auto v = r.find(name); v && *v != 0)
            r.fail(name, "is not supported by ionspice's diode (only zero is accepted)");
    // Parameters with no effect once the above are zero, safe-operating-area
    // limits (warnings only in ngspice), and level-3 geometry and recombination parameters (no
    // effect at level 1).
    r.unused({"ns", "php", "mjsw", "fcs", "ntun", "xtitun", "keg", "ctp", "tphp", "pj", "cth0", "isr", "nr", "lm",
              "lp", "wm", "wp", "xom", "xoi", "xm", "xp"},
             "ionspice's diode is ngspice's level 1, without sidewall, tunnelling, recombination or level-3 "
             "geometry terms");
    r.unused({"fv_max", "bv_max", "id_max", "te_max", "pd_max"}, "safe-operating-area limits are not checked");
    r.reject_unknown();
    return mp;
}

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams* model) {
    const auto& mp = static_cast<const DiodeModel&>(*model);
    const Subject what{"diode", card.name};
    ParamReader r(card, what);
    if (card.values.size() > 1)
        throw DeviceError(DeviceError::Where::Value, "1",
                          fmt::format("{}: unexpected value {:g}", what, card.values[1]));
    double area = mp.area;
    if (!card.values.empty()) {
        area = card.values[0];
        if (!(area > 0))
            throw DeviceError(DeviceError::Where::Value, "0",
                              fmt::format("{}: area must be positive, got {:g}", what, area));
        if (card.params.count("area"))
            throw DeviceError(DeviceError::Where::Instance, "area", fmt::format("{}: area given twice", what));
    } else {
        area = r.positive("area", mp.area);
    }
    const double mult = r.positive("m", 1);
    const double temp = r.get("temp", card.temp + r.get("dtemp", 0));  // °C
    // ic= is the initial junction voltage for `uic`, which this device does not use; pj= only
    // scales the (unsupported) sidewall terms.
    r.unused({"ic"}, "with uic the diode starts from its nodes' values (set them with .ic)");
    r.unused({"pj"}, "it scales the sidewall terms, which ionspice's diode does not have");
    r.reject_unknown();
    const bool off = read_off_flag(card, what);
    const double tnom = mp.tnom.value_or(card.tnom);
    if (!(temp + physics::kCelsiusToKelvin > 0))
        throw DeviceError(DeviceError::Where::Instance, "temp",
                          fmt::format("{}: temperature {:g} °C is below absolute zero", what, temp));
    return std::make_unique<Diode>(card.name, mp, scale(mp, area, mult, temp, tnom), off);
}

const Registrar registrar{Registration{
    .letter = 'd',
    .types = {"d"},
    .levels = {1},
    .description = "junction diode (ngspice level 1)",
    .prepare = prepare,
    .create = create,
}};

}  // namespace
}  // namespace ionspice::models
