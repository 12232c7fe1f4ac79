// Bipolar junction transistor, Gummel–Poon as SPICE has it:
//   Q c b e [s] model [area] [off] [areab=] [areac=] [m=] [temp=] [dtemp=]
//   .model NAME npn|pnp (IS BF NF VAF IKF ISE NE BR NR VAR IKR ISC NC RB IRB RBM RE RC
//                        CJE VJE MJE CJC VJC MJC XCJC CJS VJS MJS TF XTF VTF ITF TR
//                        EG XTI XTB FC ISS NS SUBS KF AF TNOM)
//
// The DC currents, the base charge qb, the current-dependent base resistance, the junction and
// diffusion charges, the temperature scaling and the Newton limiting are ngspice's level-1 BJT
// (bjtload.c, bjttemp.c), so a converged operating point agrees with ngspice's:
//   ibe = IS·(e^(vbe/(NF·vt)) − 1), ibc = IS·(e^(vbc/(NR·vt)) − 1)   (−IS·(1 + (3NVt/(e·v))³) below −3NVt)
//   qb  = q1·(1 + √(1 + 4·q2))/2,   q1 = 1/(1 − vbc/VAF − vbe/VAR),   q2 = ibe/IKF + ibc/IKR
//   ic  = (ibe − ibc)/qb − ibc/BR − ISC·(e^(vbc/(NC·vt)) − 1)
//   ib  = ibe/BF + ISE·(e^(vbe/(NE·vt)) − 1) + ibc/BR + ISC·(e^(vbc/(NC·vt)) − 1)
// with gmin across both junctions. The base resistance is RBM + (RB − RBM)/qb, or with IRB
// RBM + 3·(RB − RBM)·(tan z − z)/(z·tan²z), z from the base current; like ngspice it is stamped as
// the conductance of the present point (its dependence on the currents is left out of the
// Jacobian, not out of the residual, so the solution is exact).
// Charges: qbe = TF·ibe·(1 + XTF·e^(vbc/(1.44·VTF))·(ibe/(ibe + ITF))²)/qb + depletion(CJE),
// qbc = TR·ibc + depletion(XCJC·CJC) between b' and c', depletion((1 − XCJC)·CJC) between b and
// c', and the substrate junction CJS (to c' for a vertical device, to b' for a lateral one).
// Excess phase (PTF ≠ 0, with TF): the transport current ibe/qb passes through Weil's second-order
// delay 3/((s·td)² + 3·s·td + 3), td = PTF·π/180·TF, which ngspice integrates inside its load with
// backward Euler; here it is two unknowns of the DAE (y and td·dy/dt, scaled to volts by
// kExcessScale so that vntol means 1 pA):
//     td·dy1/dt − y2 = 0,   td·dy2/dt + 3·y2 + 3·y1 − 3·S·ibe/qb = 0,
// whose DC solution is y1 = S·ibe/qb; .ac sees the same filter (ngspice's .ac a pure delay e^(−jω·td),
// equal to second order in ω·td).
// ngspice's later additions (quasi-saturation, separate IBE/IBC, tempco sets, tlev ≠ 0) are not
// built: an error names them.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
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

struct BjtModel final : ModelParams {
    double type = 1;  ///< +1 npn, −1 pnp
    bool lateral = false;  ///< subs = −1 (ngspice's default for pnp): the substrate junction is at b'
    double is = 1e-16, bf = 100, nf = 1, vaf = 0, ikf = 0, ise = 0, ne = 1.5;
    double br = 1, nr = 1, var = 0, ikr = 0, isc = 0, nc = 2;
    double rb = 0, irb = 0, rbm = 0, re = 0, rc = 0;
    double cje = 0, vje = 0.75, mje = 0.33, cjc = 0, vjc = 0.75, mjc = 0.33, xcjc = 1;
    double cjs = 0, vjs = 0.75, mjs = 0;
    double tf = 0, xtf = 0, vtf = 0, itf = 0, tr = 0;
    double ptf = 0;  ///< degrees, excess phase at 1/(2π·TF)
    double eg = 1.11, xti = 3, xtb = 0, fc = 0.5;
    std::optional<double> iss;  ///< A, substrate diode saturation current (none: only gmin)
    double ns = 1;
    double kf = 0, af = 1;
    std::optional<double> tnom;
};

/// V per A of the excess-phase unknowns: 1 µV (vntol) stands for 1 pA (abstol).
constexpr double kExcessScale = 1e6;

/// An instance's parameters after area, temperature and type (ngspice's BJTtemp).
struct BjtScaled {
    double kelvin, vt, mult;
    double is_be, is_bc, ise, isc, iss;  ///< A
    double vcrit, vcrit_sub;             ///< V
    double bf, br;
    double inv_vaf, inv_var, inv_ikf, inv_ikr;
    double gc, ge;       ///< S, collector and emitter conductances (0: none)
    double rb, rbm, irb; ///< Ω, Ω, A
    double itf;          ///< A
    double cje, vje, mje, cjc, vjc, mjc, cjs, vjs, mjs;
};

double junction_potential(double phi, double tnom, double temp) {
    using namespace physics;
    const double pbo = (phi - potential_temperature_term(tnom)) / (tnom / kRefTemp);
    return temp / kRefTemp * pbo + potential_temperature_term(temp);
}

/// ngspice's temperature scaling of a zero-bias capacitance with grading m and potential phi.
double junction_capacitance(double cj, double phi, double m, double tnom, double temp) {
    using namespace physics;
    const double pbo = (phi - potential_temperature_term(tnom)) / (tnom / kRefTemp);
    const double gmaold = (phi - pbo) / pbo;
    const double pb = junction_potential(phi, tnom, temp);
    const double gmanew = (pb - pbo) / pbo;
    return cj / (1 + m * (4e-4 * (tnom - kRefTemp) - gmaold)) * (1 + m * (4e-4 * (temp - kRefTemp) - gmanew));
}

BjtScaled scale(const BjtModel& mp, double area, double areab, double areac, double mult, double temp_c,
                double tnom_c) {
    using namespace physics;
    BjtScaled s{};
    const double temp = temp_c + kCelsiusToKelvin, tnom = tnom_c + kCelsiusToKelvin;
    s.kelvin = temp;
    s.vt = thermal_voltage(temp);
    s.mult = mult;
    const double ratlog = std::log(temp / tnom);
    const double factlog = (temp / tnom - 1) * mp.eg / s.vt + mp.xti * ratlog;
    const double bfactor = std::exp(ratlog * mp.xtb);
    const double factor = std::exp(factlog);
    // The base–collector junction's area: areab for a vertical device, areac for a lateral one.
    // ngspice scales the base–collector saturation current by area·areab (area² when areab is
    // not given) and the leakage ISC by areab alone; kept so, since DC must agree with ngspice.
    const double a_bc = mp.lateral ? areac : areab, a_sub = mp.lateral ? areab : areac;
    s.is_be = area * mp.is * factor;
    s.is_bc = area * a_bc * mp.is * factor;
    s.ise = area * mp.ise * std::exp(factlog / mp.ne) / bfactor;
    s.isc = a_bc * mp.isc * std::exp(factlog / mp.nc) / bfactor;
    s.iss = mp.iss ? a_sub * *mp.iss * factor : 0.0;
    s.bf = mp.bf * bfactor;
    s.br = mp.br * bfactor;
    s.inv_vaf = mp.vaf != 0 ? 1 / mp.vaf : 0;
    s.inv_var = mp.var != 0 ? 1 / mp.var : 0;
    s.inv_ikf = mp.ikf != 0 ? 1 / (mp.ikf * area) : 0;
    s.inv_ikr = mp.ikr != 0 ? 1 / (mp.ikr * area) : 0;
    s.gc = mp.rc != 0 ? area / mp.rc : 0;
    s.ge = mp.re != 0 ? area / mp.re : 0;
    s.rb = mp.rb / area;
    s.rbm = mp.rbm / area;
    s.irb = mp.irb * area;
    s.itf = mp.itf * area;
    s.mje = mp.mje;
    s.mjc = mp.mjc;
    s.mjs = mp.mjs;
    s.vje = junction_potential(mp.vje, tnom, temp);
    s.vjc = junction_potential(mp.vjc, tnom, temp);
    s.vjs = junction_potential(mp.vjs, tnom, temp);
    s.cje = area * junction_capacitance(mp.cje, mp.vje, mp.mje, tnom, temp);
    s.cjc = a_bc * junction_capacitance(mp.cjc, mp.vjc, mp.mjc, tnom, temp);
    s.cjs = a_sub * junction_capacitance(mp.cjs, mp.vjs, mp.mjs, tnom, temp);
    // ngspice limits both junctions with vt (not NF·vt) from the transport current's vcrit.
    s.vcrit = s.vt * std::log(s.vt / (kSqrt2 * s.is_be));
    s.vcrit_sub = s.iss > 0 ? s.vt * std::log(s.vt / (kSqrt2 * s.iss)) : 50.0;
    return s;
}

/// A junction's ideal current and conductance: exponential above −3·n·vt, SPICE's cubic tail below.
struct Branch {
    double i, g;
};
Branch diode(double is, double v, double nvt) {
    if (is == 0) return {0, 0};
    if (v >= -3 * nvt) {
        const double e = std::exp(std::min(v / nvt, 709.0));
        return {is * (e - 1), is * e / nvt};
    }
    double arg = 3 * nvt / (v * std::numbers::e);
    arg = arg * arg * arg;
    return {-is * (1 + arg), is * 3 * arg / v};
}

/// Substrate depletion charge: SPICE's formula in reverse bias, a linear capacitance slope in
/// forward bias (no FC region), as ngspice.
JunctionCharge substrate_charge(double v, double cj0, double pb, double m) {
    if (cj0 == 0) return {0, 0};
    if (v < 0) {
        const double arg = 1 - v / pb;
        const double sarg = std::exp(-m * std::log(arg));
        return {pb * cj0 * (1 - arg * sarg) / (1 - m), cj0 * sarg};
    }
    return {v * cj0 * (1 + m * v / (2 * pb)), cj0 * (1 + m * v / pb)};
}

class Bjt final : public Device {
public:
    Bjt(std::string name, const BjtModel& m, const BjtScaled& s, bool off, bool has_substrate)
        : Device(std::move(name)), m_(m), s_(s), off_(off), has_substrate_(has_substrate) {}

    void declare(Declarer& d) override {
        c_ = d.terminal(0);
        b_ = d.terminal(1);
        e_ = d.terminal(2);
        s_node_ = has_substrate_ ? d.terminal(3) : kGround;
        cp_ = s_.gc > 0 ? d.add_node("collector") : c_;
        bp_ = s_.rb > 0 ? d.add_node("base") : b_;
        ep_ = s_.ge > 0 ? d.add_node("emitter") : e_;
        sc_ = m_.lateral ? bp_ : cp_;
        if (excess_delay() > 0) {
            y1_ = d.add_node("excess");
            y2_ = d.add_node("excess_rate");
        }
        hist_ = d.add_history(3);
    }

    void pattern(PatternBuilder& p) override {
        const Index inner[3] = {cp_, bp_, ep_};
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 3; ++c) core_[r][c] = p.entry(inner[r], inner[c]);
        if (cp_ != c_) rc_.request(p, c_, cp_);
        if (bp_ != b_) rb_.request(p, b_, bp_);
        if (ep_ != e_) re_.request(p, e_, ep_);
        bx_.request(p, b_, cp_);
        sub_.request(p, s_node_, sc_);
        if (y1_ != kGround) {
            ex_[0] = p.entry(cp_, y1_);
            ex_[1] = p.entry(ep_, y1_);
            ex_[2] = p.entry(y1_, y1_);
            ex_[3] = p.entry(y1_, y2_);
            ex_[4] = p.entry(y2_, y1_);
            ex_[5] = p.entry(y2_, y2_);
            ex_[6] = p.entry(y2_, cp_);
            ex_[7] = p.entry(y2_, bp_);
            ex_[8] = p.entry(y2_, ep_);
        }
    }

    void load(LoadContext& ctx, const Stamp& st) override {
        const double* x = ctx.x;
        const double t = m_.type;
        const double vbe_x = t * (value_at(x, bp_) - value_at(x, ep_));
        const double vbc_x = t * (value_at(x, bp_) - value_at(x, cp_));
        const double vbx = t * (value_at(x, b_) - value_at(x, cp_));
        const double ts = t * (m_.lateral ? -1 : 1);
        const double vsub_x = ts * (value_at(x, s_node_) - value_at(x, sc_));
        double* h = ctx.history + hist_;
        double vbe = vbe_x, vbc = vbc_x, vsub = vsub_x;
        if (ctx.init_junctions) {
            vbe = off_ ? 0.0 : s_.vcrit;
            vbc = 0;
            vsub = 0;
            ++ctx.noncon;
        } else {
            const Limited lbe = pnjlim(vbe_x, h[0], s_.vt, s_.vcrit);
            const Limited lbc = pnjlim(vbc_x, h[1], s_.vt, s_.vcrit);
            const Limited lsub = pnjlim(vsub_x, h[2], s_.vt, s_.vcrit_sub);
            vbe = lbe.v;
            vbc = lbc.v;
            vsub = lsub.v;
            if (lbe.limited || lbc.limited || lsub.limited) ++ctx.noncon;
        }
        h[0] = vbe;
        h[1] = vbc;
        h[2] = vsub;

        const Op o = operating(vbe, vbc, ctx.gmin);
        const double mult = s_.mult;

        // Transport and base currents at the limited point, linearised to the actual one.
        const double dvbe = vbe_x - vbe, dvbc = vbc_x - vbc;
        double dcc_dvbe = o.gm + o.go, dcc_dvbc = -(o.go + o.gmu), cc0 = o.cc;
        if (y1_ != kGround) {
            // The delayed transport current y1/S takes the place of ibe/qb.
            const double cex = o.cbe / o.qb;
            const double dcex_dvbe = (o.gbe - o.cbe * o.dqbdve / o.qb) / o.qb, dcex_dvbc = -o.cbe * o.dqbdvc / (o.qb * o.qb);
            cc0 += x[y1_] / kExcessScale - cex;
            dcc_dvbe -= dcex_dvbe;
            dcc_dvbc -= dcex_dvbc;
            const double td = excess_delay(), S = kExcessScale;
            const double cex_x = cex + dcex_dvbe * dvbe + dcex_dvbc * dvbc;
            st.F(y1_, -x[y2_]);
            st.Q(y1_, td * x[y1_]);
            st.F(y2_, 3 * x[y1_] + 3 * x[y2_] - 3 * S * cex_x);
            st.Q(y2_, td * x[y2_]);
            st.G(ex_[0], mult * t / S);
            st.G(ex_[1], -mult * t / S);
            st.G(ex_[3], -1);
            st.C(ex_[2], td);
            st.G(ex_[4], 3);
            st.G(ex_[5], 3);
            st.C(ex_[5], td);
            // ∂/∂(v_c', v_b', v_e') of −3S·cex(t·(vb' − ve'), t·(vb' − vc')).
            st.G(ex_[6], 3 * S * t * dcex_dvbc);
            st.G(ex_[7], -3 * S * t * (dcex_dvbe + dcex_dvbc));
            st.G(ex_[8], 3 * S * t * dcex_dvbe);
        }
        const double cc = cc0 + dcc_dvbe * dvbe + dcc_dvbc * dvbc;
        const double cb = o.cb + o.gpi * dvbe + o.gmu * dvbc;
        // KCL rows (current leaving each node into the device), by the ngspice signs: cc flows
        // c' → e', cb flows b' → e'; the npn/pnp type multiplies every current.
        st.F(cp_, mult * t * cc);
        st.F(bp_, mult * t * cb);
        st.F(ep_, -mult * t * (cc + cb));
        // ∂/∂(v_b', v_c', v_e') of the type-signed currents (the type enters twice and cancels).
        const double dcc_db = dcc_dvbe + dcc_dvbc, dcc_dc = -dcc_dvbc, dcc_de = -dcc_dvbe;
        const double dcb_db = o.gpi + o.gmu, dcb_dc = -o.gmu, dcb_de = -o.gpi;
        stamp_core(st, 0, dcc_dc, dcc_db, dcc_de);
        stamp_core(st, 1, dcb_dc, dcb_db, dcb_de);
        stamp_core(st, 2, -(dcc_dc + dcb_dc), -(dcc_db + dcb_db), -(dcc_de + dcb_de));

        // Series resistances; the base one at the present point's conductance.
        if (cp_ != c_) resistor(st, rc_, c_, cp_, s_.gc * mult, x);
        if (bp_ != b_) resistor(st, rb_, b_, bp_, o.gx * mult, x);
        if (ep_ != e_) resistor(st, re_, e_, ep_, s_.ge * mult, x);

        // Substrate junction: ISS diode (or gmin alone) from the substrate to c' (b' lateral).
        const Branch dsub = diode(s_.iss, vsub, m_.ns * s_.vt);
        const double isub = dsub.i + ctx.gmin * vsub + (dsub.g + ctx.gmin) * (vsub_x - vsub);
        st.F(s_node_, mult * ts * isub);
        st.F(sc_, -mult * ts * isub);
        sub_.stamp_g(st, mult * (dsub.g + ctx.gmin));

        if (!st.q) return;
        charges(st, o, vbe, vbc, vbx, vsub, vbe_x - vbe, vbc_x - vbc, vsub_x - vsub);
    }

    /// @q1[ic], @q1[ib], @q1[ie], @q1[is] (and i(q1), the collector's): the static terminal
    /// currents into the device, type-signed, as ngspice's bjtask.c defines them: the substrate
    /// junction's current cdsub counts in ie (vertical) or ib (lateral), and is is −subs·cdsub.
    /// An excess-phase delayed transport current is included; a transient's charge currents
    /// are not.
    // In a transient these are the terminals' whole currents, charges included, as ngspice's.
    int terminal_of(std::string_view name) const override {
        return name == "ic" || name == "i" ? 0 : name == "ib" ? 1 : name == "ie" ? 2 : name == "is" ? 3 : -1;
    }
    std::optional<double> quantity(std::string_view name, const double* x, const double* /*xdot*/) const override {
        if (name != "ic" && name != "i" && name != "ib" && name != "ie" && name != "is") return std::nullopt;
        const double t = m_.type, m = s_.mult, subs = m_.lateral ? -1 : 1;
        const double vsub = t * subs * (value_at(x, s_node_) - value_at(x, sc_));
        const double cdsub = diode(s_.iss, vsub, m_.ns * s_.vt).i + gmin_noise_ * vsub;
        if (name == "is") return -subs * cdsub * m * t;
        const Op o = operating_at(x);
        double cc = o.cc;
        if (y1_ != kGround) cc += x[y1_] / kExcessScale - o.cbe / o.qb;
        if (name == "ib") return (o.cb - (m_.lateral ? cdsub : 0.0)) * m * t;
        if (name == "ie") return (-cc - o.cb + (m_.lateral ? 0.0 : cdsub)) * m * t;
        return cc * m * t;
    }

    // ngspice's bjtnoise.c: thermal noise of RC, RB (at the present base conductance) and RE,
    // shot noise 2q|I| of the collector and base currents, and flicker KF·|Ib|^AF/f.
    void noise(const double* x, std::vector<NoiseSource>& out) const override {
        const Op o = operating_at(x);
        const double fourkt = 4 * physics::kBoltzmann * s_.kelvin, m = s_.mult;
        out.push_back({.name = "rc", .plus = cp_, .minus = c_, .white = fourkt * s_.gc * m});
        out.push_back({.name = "rb", .plus = bp_, .minus = b_, .white = fourkt * o.gx * m});
        out.push_back({.name = "re", .plus = ep_, .minus = e_, .white = fourkt * s_.ge * m});
        out.push_back({.name = "ic", .plus = cp_, .minus = ep_, .white = 2 * physics::kCharge * std::fabs(o.cc) * m});
        out.push_back({.name = "ib", .plus = bp_, .minus = ep_, .white = 2 * physics::kCharge * std::fabs(o.cb) * m});
        out.push_back({.name = "1overf", .plus = bp_, .minus = ep_,
                       .flicker = m * m_.kf * std::pow(std::fabs(o.cb), m_.af)});
    }

private:
    /// The DC quantities at (vbe, vbc), ngspice's names.
    struct Op {
        double cbe, gbe, cbc, gbc;  ///< ideal junction currents (A) and conductances (S)
        double qb, dqbdve, dqbdvc;
        double cc, cb;              ///< A, transport (c' → e') and base (b' → e') currents
        double gpi, gmu, gm, go;    ///< S
        double gx;                  ///< S, base conductance (0: no base resistance)
    };

    /// s, Weil's delay td = PTF (radians)·TF; 0 without excess phase.
    double excess_delay() const { return m_.ptf / (180.0 / std::numbers::pi) * m_.tf; }

    /// At a solution, unlimited, with the gmin the analysis used (noise, device currents).
    Op operating_at(const double* x) const {
        const double t = m_.type;
        return operating(t * (value_at(x, bp_) - value_at(x, ep_)), t * (value_at(x, bp_) - value_at(x, cp_)),
                         gmin_noise_);
    }

    Op operating(double vbe, double vbc, double gmin) const {
        Op o{};
        const Branch be = diode(s_.is_be, vbe, m_.nf * s_.vt);
        const Branch bc = diode(s_.is_bc, vbc, m_.nr * s_.vt);
        const Branch ben = diode(s_.ise, vbe, m_.ne * s_.vt);
        const Branch bcn = diode(s_.isc, vbc, m_.nc * s_.vt);
        o.cbe = be.i;
        o.gbe = be.g;
        o.cbc = bc.i;
        o.gbc = bc.g;
        const double cben = ben.i + gmin * vbe, gben = ben.g + gmin;
        const double cbcn = bcn.i + gmin * vbc, gbcn = bcn.g + gmin;
        // Base charge: Early effect in q1, high injection in q2.
        const double q1 = 1 / (1 - s_.inv_vaf * vbc - s_.inv_var * vbe);
        if (s_.inv_ikf == 0 && s_.inv_ikr == 0) {
            o.qb = q1;
            o.dqbdve = q1 * o.qb * s_.inv_var;
            o.dqbdvc = q1 * o.qb * s_.inv_vaf;
        } else {
            const double q2 = s_.inv_ikf * o.cbe + s_.inv_ikr * o.cbc;
            const double arg = std::max(0.0, 1 + 4 * q2);
            const double sqarg = arg != 0 ? std::sqrt(arg) : 1.0;
            o.qb = q1 * (1 + sqarg) / 2;
            o.dqbdve = q1 * (o.qb * s_.inv_var + s_.inv_ikf * o.gbe / sqarg);
            o.dqbdvc = q1 * (o.qb * s_.inv_vaf + s_.inv_ikr * o.gbc / sqarg);
        }
        o.cc = (o.cbe - o.cbc) / o.qb - o.cbc / s_.br - cbcn;
        o.cb = o.cbe / s_.bf + cben + o.cbc / s_.br + cbcn;
        o.gpi = o.gbe / s_.bf + gben;
        o.gmu = o.gbc / s_.br + gbcn;
        o.go = (o.gbc + (o.cbe - o.cbc) * o.dqbdvc / o.qb) / o.qb;
        o.gm = (o.gbe - (o.cbe - o.cbc) * o.dqbdve / o.qb) / o.qb - o.go;
        if (s_.rb > 0) {
            const double rbpi = s_.rb - s_.rbm;
            double r = s_.rbm + rbpi / o.qb;
            if (s_.irb != 0) {
                const double a = std::max(o.cb / s_.irb, 1e-9);
                const double z = (-1 + std::sqrt(1 + 14.59025 * a)) / 2.4317 / std::sqrt(a);
                const double tz = std::tan(z);
                r = s_.rbm + 3 * rbpi * (tz - z) / z / tz / tz;
            }
            o.gx = r != 0 ? 1 / r : 0;
        }
        return o;
    }

    void stamp_core(const Stamp& st, int row, double dc, double db, double de) const {
        const double m = s_.mult;
        st.G(core_[row][0], m * dc);
        st.G(core_[row][1], m * db);
        st.G(core_[row][2], m * de);
    }

    void resistor(const Stamp& st, const PairSlots& slots, Index a, Index b, double g, const double* x) const {
        const double i = g * (value_at(x, a) - value_at(x, b));
        st.F(a, i);
        st.F(b, -i);
        slots.stamp_g(st, g);
    }

    /// The charges at the limited voltages, linearised to the actual ones (dv…: actual − limited).
    void charges(const Stamp& st, const Op& o, double vbe, double vbc, double vbx, double vsub, double dvbe,
                 double dvbc, double dvsub) const {
        const double t = m_.type, m = s_.mult;
        // Base–emitter: diffusion charge TF·ibe, modulated by XTF/VTF/ITF and divided by qb.
        double cbe = o.cbe, gbe = o.gbe, geqcb = 0;
        const double tf = m_.tf;
        if (tf != 0 && vbe > 0) {
            double argtf = 0, arg2 = 0, arg3 = 0;
            if (m_.xtf != 0) {
                const double ovtf = m_.vtf != 0 ? 1 / (m_.vtf * 1.44) : 0;
                argtf = m_.xtf;
                if (ovtf != 0) argtf *= std::exp(vbc * ovtf);
                arg2 = argtf;
                if (s_.itf != 0) {
                    const double r = cbe / (cbe + s_.itf);
                    argtf *= r * r;
                    arg2 = argtf * (3 - r - r);
                }
                arg3 = cbe * argtf * ovtf;
            }
            cbe = cbe * (1 + argtf) / o.qb;
            gbe = (gbe * (1 + arg2) - cbe * o.dqbdve) / o.qb;
            geqcb = tf * (arg3 - cbe * o.dqbdvc) / o.qb;
        }
        const JunctionCharge dbe = depletion_charge(vbe, s_.cje, s_.vje, s_.mje, m_.fc);
        const double qbe = tf * cbe + dbe.q, cqbe = tf * gbe + dbe.c;  // ∂qbe/∂vbe; ∂qbe/∂vbc = geqcb
        const JunctionCharge dbc = depletion_charge(vbc, m_.xcjc * s_.cjc, s_.vjc, s_.mjc, m_.fc);
        const double qbc = m_.tr * o.cbc + dbc.q, cqbc = m_.tr * o.gbc + dbc.c;
        const JunctionCharge dbx = depletion_charge(vbx, (1 - m_.xcjc) * s_.cjc, s_.vjc, s_.mjc, m_.fc);
        const JunctionCharge dsub = substrate_charge(vsub, s_.cjs, s_.vjs, s_.mjs);
        const double qbe_x = qbe + cqbe * dvbe + geqcb * dvbc;
        const double qbc_x = qbc + cqbc * dvbc;
        // qbe between b' and e' depends on vbe and vbc; qbc between b' and c'.
        st.Q(bp_, m * t * (qbe_x + qbc_x));
        st.Q(ep_, -m * t * qbe_x);
        st.Q(cp_, -m * t * qbc_x);
        // Rows b', e', c' by columns c', b', e' (core_ is [c', b', e'] both ways).
        auto c_at = [&](int row, double dc, double db, double de) {
            st.C(core_[row][0], m * dc);
            st.C(core_[row][1], m * db);
            st.C(core_[row][2], m * de);
        };
        // qbe = f(vbe, vbc): ∂/∂v_b' = cqbe + geqcb, ∂/∂v_c' = −geqcb, ∂/∂v_e' = −cqbe.
        c_at(1, -geqcb - cqbc, cqbe + geqcb + cqbc, -cqbe);
        c_at(2, geqcb, -cqbe - geqcb, cqbe);
        c_at(0, cqbc, -cqbc, 0);
        st.Q(b_, m * t * dbx.q);
        st.Q(cp_, -m * t * dbx.q);
        bx_.stamp_c(st, m * dbx.c);
        const double ts = t * (m_.lateral ? -1 : 1);
        const double qs = dsub.q + dsub.c * dvsub;
        st.Q(s_node_, m * ts * qs);
        st.Q(sc_, -m * ts * qs);
        sub_.stamp_c(st, m * dsub.c);
    }

    const BjtModel& m_;
    BjtScaled s_;
    bool off_;
    bool has_substrate_;
    /// S, the gmin in the currents the noise follows: ngspice's default (its part of a shot
    /// noise is 2q·gmin·v, far below any transistor's).
    double gmin_noise_ = 1e-12;
    Index c_ = kGround, b_ = kGround, e_ = kGround, s_node_ = kGround;
    Index cp_ = kGround, bp_ = kGround, ep_ = kGround, sc_ = kGround;
    Index y1_ = kGround, y2_ = kGround;  ///< excess phase: the delayed current and its rate (scaled)
    Slot ex_[9] = {kNoSlot, kNoSlot, kNoSlot, kNoSlot, kNoSlot, kNoSlot, kNoSlot, kNoSlot, kNoSlot};
    std::size_t hist_ = 0;  ///< history: vbe, vbc, vsub of the previous evaluation (limited)
    Slot core_[3][3] = {{kNoSlot, kNoSlot, kNoSlot}, {kNoSlot, kNoSlot, kNoSlot}, {kNoSlot, kNoSlot, kNoSlot}};
    PairSlots rc_, rb_, re_, bx_, sub_;
};

std::shared_ptr<const ModelParams> prepare(const ModelCard& card) {
    auto mp = std::make_shared<BjtModel>();
    mp->type = card.type == "pnp" ? -1 : 1;
    ParamReader r(card, fmt::format("bipolar model {}", card.name));
    r.ignore({"level"});
    auto alias = [&](std::initializer_list<const char*> names) -> std::optional<double> {
        std::optional<double> v;
        for (const char* n : names)
            if (auto x = r.find(n)) v = x;
        return v;
    };
    auto nn = [&](const char* name, std::optional<double> v, double fallback) {
        const double x = v.value_or(fallback);
        if (!(x >= 0)) r.fail(name, fmt::format("must not be negative, got {:g}", x));
        return x;
    };
    auto pos = [&](const char* name, std::optional<double> v, double fallback) {
        const double x = v.value_or(fallback);
        if (!(x > 0)) r.fail(name, fmt::format("must be positive, got {:g}", x));
        return x;
    };
    auto grading = [&](const char* name, std::optional<double> v, double fallback) {
        const double x = nn(name, v, fallback);
        // ngspice limits the grading coefficients to 0.999 (the charge formula divides by 1 − m).
        return std::min(x, 0.999);
    };
    const double subs = r.get("subs", mp->type > 0 ? 1 : -1);
    if (subs != 1 && subs != -1) r.fail("subs", fmt::format("must be 1 (vertical) or -1 (lateral), got {:g}", subs));
    mp->lateral = subs < 0;
    mp->is = pos("is", r.find("is"), 1e-16);
    mp->bf = pos("bf", r.find("bf"), 100);
    mp->nf = pos("nf", r.find("nf"), 1);
    mp->vaf = nn("vaf", alias({"vaf", "va"}), 0);
    mp->ikf = nn("ikf", alias({"ikf", "ik"}), 0);
    mp->ne = pos("ne", r.find("ne"), 1.5);
    mp->br = pos("br", r.find("br"), 1);
    mp->nr = pos("nr", r.find("nr"), 1);
    mp->var = nn("var", alias({"var", "vb"}), 0);
    mp->ikr = nn("ikr", r.find("ikr"), 0);
    mp->nc = pos("nc", r.find("nc"), 2);
    // ISE/ISC above 1e-4 are SPICE2's multipliers of IS (C2, C4), as ngspice reads them.
    mp->ise = nn("ise", alias({"ise", "c2"}), 0);
    if (mp->ise > 1e-4) mp->ise *= mp->is;
    mp->isc = nn("isc", alias({"isc", "c4"}), 0);
    if (mp->isc > 1e-4) mp->isc *= mp->is;
    mp->rb = nn("rb", r.find("rb"), 0);
    mp->rbm = nn("rbm", r.find("rbm"), mp->rb);
    mp->irb = nn("irb", alias({"irb", "jrb", "ioc"}), 0);
    mp->re = nn("re", r.find("re"), 0);
    mp->rc = nn("rc", r.find("rc"), 0);
    mp->cje = nn("cje", r.find("cje"), 0);
    mp->vje = pos("vje", alias({"vje", "pe"}), 0.75);
    mp->mje = grading("mje", alias({"mje", "me"}), 0.33);
    mp->cjc = nn("cjc", r.find("cjc"), 0);
    mp->vjc = pos("vjc", alias({"vjc", "pc"}), 0.75);
    mp->mjc = grading("mjc", alias({"mjc", "mc"}), 0.33);
    mp->xcjc = r.get("xcjc", 1);
    if (!(mp->xcjc >= 0 && mp->xcjc <= 1)) r.fail("xcjc", fmt::format("must be in [0, 1], got {:g}", mp->xcjc));
    mp->cjs = nn("cjs", alias({"cjs", "csub", "ccs"}), 0);
    mp->vjs = pos("vjs", alias({"vjs", "ps"}), 0.75);
    mp->mjs = grading("mjs", alias({"mjs", "ms"}), 0);
    mp->tf = nn("tf", r.find("tf"), 0);
    mp->xtf = nn("xtf", r.find("xtf"), 0);
    mp->vtf = nn("vtf", r.find("vtf"), 0);
    mp->itf = nn("itf", r.find("itf"), 0);
    mp->tr = nn("tr", r.find("tr"), 0);
    mp->eg = pos("eg", r.find("eg"), 1.11);
    mp->xti = r.get("xti", 3);
    mp->xtb = r.get("xtb", 0);
    mp->fc = r.get("fc", 0.5);
    // ngspice caps FC at 0.9999 with a warning; 1 or more would put the linear region past the pole.
    if (!(mp->fc >= 0 && mp->fc < 1)) r.fail("fc", fmt::format("must be in [0, 1), got {:g}", mp->fc));
    if (auto iss = r.find("iss")) mp->iss = nn("iss", iss, 0);
    mp->ns = pos("ns", r.find("ns"), 1);
    mp->kf = nn("kf", r.find("kf"), 0);
    mp->af = pos("af", r.find("af"), 1);
    mp->tnom = alias({"tnom", "tref"});
    mp->ptf = r.get("ptf", 0);
    // ngspice's additions beyond the SPICE Gummel–Poon model: accepted at their defaults only.
    for (const char* name : {"rco", "vo", "gamma", "qco", "ibe", "ibc", "tlev", "tlevc", "nkf", "nk"})
        if (auto v = r.find(name); v && *v != ((std::string_view(name) == "nkf" || std::string_view(name) == "nk") ? 0.5 : 0))
            r.fail(name, "is not supported by ionspice's bipolar transistor (only its default is accepted)");
    // Safe-operating-area limits (warnings in ngspice) change nothing here.
    r.unused({"vbe_max", "vbc_max", "vce_max", "vcs_max", "ic_max", "ib_max", "pd_max", "te_max"},
             "safe-operating-area limits are not checked");
    // Temperature-coefficient sets (tbf1, trb2, tvaf1, …; trb/trc/tre the first of theirs): only zero.
    for (const auto& [name, v] : card.params) {
        const bool tempco = name.size() >= 3 && name[0] == 't' &&
                            (std::isdigit(static_cast<unsigned char>(name.back())) || name == "trb" ||
                             name == "trc" || name == "tre");
        if (!tempco || name == "tnom") continue;
        if (v != 0) r.fail(name, "temperature coefficients are not supported by ionspice's bipolar transistor (only 0 is accepted)");
        r.ignore({name.c_str()});
    }
    r.reject_unknown();
    return mp;
}

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams* model) {
    const auto& mp = static_cast<const BjtModel&>(*model);
    const Subject what{"bipolar transistor", card.name};
    if (card.nodes.size() != 3 && card.nodes.size() != 4)
        throw DeviceError(DeviceError::Where::Instance, "",
                          fmt::format("{}: needs 3 or 4 nodes, got {}", what, card.nodes.size()));
    ParamReader r(card, what);
    if (card.values.size() > 1)
        throw DeviceError(DeviceError::Where::Value, "1", fmt::format("{}: unexpected value {:g}", what, card.values[1]));
    double area = card.values.empty() ? r.positive("area", 1) : card.values[0];
    if (!(area > 0))
        throw DeviceError(DeviceError::Where::Value, "0", fmt::format("{}: area must be positive, got {:g}", what, area));
    const double areab = r.positive("areab", area), areac = r.positive("areac", area);
    const double mult = r.positive("m", 1);
    const double temp = r.get("temp", card.temp + r.get("dtemp", 0));
    // icvbe/icvce only matter to `uic`, which starts every device from its nodes' values here.
    r.unused({"icvbe", "icvce", "ic"}, "with uic the transistor starts from its nodes' values (set them with .ic)");
    r.reject_unknown();
    const bool off = read_off_flag(card, what);
    if (!(temp + physics::kCelsiusToKelvin > 0))
        throw DeviceError(DeviceError::Where::Instance, "temp",
                          fmt::format("{}: temperature {:g} °C is below absolute zero", what, temp));
    const double tnom = mp.tnom.value_or(card.tnom);
    return std::make_unique<Bjt>(card.name, mp, scale(mp, area, areab, areac, mult, temp, tnom), off,
                                 card.nodes.size() == 4);
}

const Registrar registrar{Registration{
    .letter = 'q',
    .types = {"npn", "pnp"},
    .levels = {1},
    .description = "bipolar transistor (Gummel-Poon)",
    .prepare = prepare,
    .create = create,
}};

}  // namespace
}  // namespace ionspice::models
