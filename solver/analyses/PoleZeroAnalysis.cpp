// `.pz in+ in− out+ out− cur|vol pol|zer|pz`: the poles and zeros of the small-signal transfer
// function from the input port to the output port, as ngspice's pole-zero analysis defines them.
// The circuit is linearised at its operating point, Y(s) = G + s·C (the .ac matrices), with the
// sources as ngspice treats them here: a voltage source with an AC value is the input and is
// taken out (its branch carries no current), one without is a short; current sources are open.
//
//   poles, cur:  det Y(s) = 0                      (the natural frequencies, input open)
//   poles, vol:  zeros of v(in)/i(in)              (the natural frequencies, input shorted)
//   zeros:       zeros of v(out)/i(in)             (for cur and vol alike: v(out)/v(in) has
//                                                   v(out)/i(in)'s zeros)
// A ratio v(p)/i(in), with a unit current driven into in+ and out of in−, vanishes where the
// bordered pencil [[G, b], [eᵀ, 0]] + s·[[C, 0], [0, 0]] is singular (b: the input's incidence,
// e: the measured port's). Its finite roots are found as the eigenvalues of (A + σB)⁻¹B — a dense
// eigenvalue problem of the circuit's size, where ngspice searches the determinant's roots one
// by one — so every root comes at once, none is missed, and each is exact to rounding except
// where several coincide: a root of multiplicity m is split by the rounding into m roots about
// eps^(1/m) apart, whose mean is exact again, and so clusters that tight are merged into one
// root of that multiplicity. Roots are listed with their real part rising, a complex root
// followed by its conjugate (ngspice's order), as vectors pole(1)… and zero(1)… of one complex
// point (plot "Pole-Zero Analysis").

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <optional>
#include <vector>

#include <Eigen/Dense>
#include <btf.h>
#include <fmt/format.h>

#include "solver/SimulationError.hpp"
#include "solver/SmallSignal.hpp"
#include "solver/analyses/Analysis.hpp"

namespace ionspice::solver {
namespace {

using Dense = Eigen::MatrixXd;
using Root = std::complex<double>;

/// A root of several computed ones merged, and how many it stands for.
struct Cluster {
    Root s;
    int multiplicity = 1;
};

/// Merges the computed roots that are one root of multiplicity m split by rounding (closer than
/// about eps^(1/m) of their size), each cluster replaced by its mean; a real root (a merged
/// multiple one too) keeps no rounding-sized imaginary part.
std::vector<Cluster> merge_multiple(std::vector<Root> roots, double scale) {
    constexpr double eps = std::numeric_limits<double>::epsilon();
    std::vector<Cluster> out;
    std::vector<bool> used(roots.size(), false);
    for (std::size_t i = 0; i < roots.size(); ++i) {
        if (used[i]) continue;
        used[i] = true;
        Root sum = roots[i];
        int m = 1;
        while (true) {
            const Root mean = sum / double(m);
            // The spread a root of multiplicity m + 1 would have, with a margin of 2 only: an
            // RC ladder's poles can be distinct 1e-7 apart (modes localised at equal
            // capacitors), and merging those is a larger error than leaving a multiple root
            // split by its own rounding (about eps^(1/m) of it, 1.5e-8 for a double one).
            const double reach = 2 * std::pow(eps, 1.0 / (m + 1)) * std::max(std::abs(mean), scale * 1e-12);
            std::size_t best = roots.size();
            double best_d = reach;
            for (std::size_t j = 0; j < roots.size(); ++j)
                if (!used[j] && std::abs(roots[j] - mean) <= best_d) best = j, best_d = std::abs(roots[j] - mean);
            if (best == roots.size()) break;
            used[best] = true;
            sum += roots[best];
            ++m;
        }
        Root mean = sum / double(m);
        if (std::fabs(mean.imag()) <= 1e-9 * std::abs(mean)) mean.imag(0);
        out.push_back({mean, m});
    }
    return out;
}

/// Scales the rows and columns of |A| + w·|B| (by powers of two, so no digit is lost) until
/// each has its largest entry near 1: conductances, capacitances and the ±1 of a branch are
/// many decades apart, and a singular value or an eigenvalue problem is only meaningful on
/// matrices whose rows and columns are of one size. The roots of det(A + sB) do not change.
template <class Matrix>
void equilibrate(Matrix& A, Matrix& B, double w) {
    for (int pass = 0; pass < 4; ++pass) {
        for (int dim = 0; dim < 2; ++dim) {
            const Eigen::Index count = dim == 0 ? A.rows() : A.cols();
            for (Eigen::Index k = 0; k < count; ++k) {
                const double size = dim == 0 ? std::max(A.row(k).cwiseAbs().maxCoeff(), w * B.row(k).cwiseAbs().maxCoeff())
                                             : std::max(A.col(k).cwiseAbs().maxCoeff(), w * B.col(k).cwiseAbs().maxCoeff());
                if (size == 0) continue;
                const double f = std::ldexp(1.0, -std::ilogb(size));
                if (dim == 0) A.row(k) *= f, B.row(k) *= f;
                else A.col(k) *= f, B.col(k) *= f;
            }
        }
    }
}

/// How close A + s·B is to singular: its smallest singular value relative to its largest,
/// equilibrated.
double singularity(const Dense& A, const Dense& B, Root s) {
    Eigen::MatrixXcd M = A.cast<Root>() + s * B.cast<Root>();
    Eigen::MatrixXcd none = Eigen::MatrixXcd::Zero(M.rows(), M.cols());
    equilibrate(M, none, 0.0);
    const Eigen::VectorXd sv = Eigen::BDCSVD<Eigen::MatrixXcd>(M).singularValues();
    return sv.size() == 0 || sv[0] == 0 ? 0.0 : sv[sv.size() - 1] / sv[0];
}

/// True when A + s·B is singular at s and clearly less so around it. A root at infinity of
/// higher index leaves the pencil nearly singular at every large s, smoothly, and its
/// computed stand-ins (eigenvalues ν of rounding's square-root size) show no such dip.
bool is_root(const Dense& A, const Dense& B, Root s, double w0) {
    const double at = singularity(A, B, s);
    const double q = std::max(std::abs(s), 1e-6 * w0);
    const double around = std::max(singularity(A, B, s + q), singularity(A, B, s - q * Root(0.5, 0.5)));
    return around > 1e-9 && at <= 1e-4 * around;
}

/// The finite roots of det(A + s·B) = 0 for one diagonal block of the block-triangular form,
/// each as often as its multiplicity (a complex root and its conjugate both); the pencil must
/// be regular. std::nullopt when no shift makes A + σB invertible (det ≡ 0).
std::optional<std::vector<Root>> block_roots(Dense A, Dense B) {
    if (B.cwiseAbs().maxCoeff() == 0) return std::vector<Root>{};  // no charge: nothing depends on s
    // In units of w0 = |A|/|B|, after equilibrating, A and B are of one size.
    double w0 = 1;
    for (int pass = 0; pass < 3; ++pass) {
        equilibrate(A, B, w0);
        const double norm_a = A.cwiseAbs().maxCoeff();
        w0 = norm_a > 0 ? norm_a / B.cwiseAbs().maxCoeff() : 1.0;  // A = 0: every root is s = 0
    }
    const Dense Bs = B * w0;
    // Shift-and-invert: (A + σBs)⁻¹Bs has the eigenvalue ν = 1/(σ − s') for each root s' = s/w0
    // and 0 for each infinite one. σ = 0 when A is regular (no cancellation in s' = −1/ν, so
    // small roots keep their digits); else s = 0 is a root, and a small shift is taken.
    const double shifts[] = {0.0, 1e-6, -1.7e-6, 3.1e-3, -2.3e-2, 0.61};
    for (const double sigma : shifts) {
        Eigen::FullPivLU<Dense> lu(A + sigma * Bs);
        lu.setThreshold(1e-13);
        if (!lu.isInvertible()) continue;
        const Dense M = lu.solve(Bs);
        const double norm_m = M.cwiseAbs().rowwise().sum().maxCoeff();
        Eigen::EigenSolver<Dense> es(M, false);
        if (es.info() != Eigen::Success) throw SimulationError("'.pz': an eigenvalue problem did not converge");
        std::vector<Root> candidates;
        for (Eigen::Index k = 0; k < es.eigenvalues().size(); ++k) {
            const Root nu = es.eigenvalues()[k];
            // Infinite roots come out as rounding-sized ν; a double one (a loop of capacitors
            // and voltage sources) as its square root, which is_root tells from a root.
            if (std::abs(nu) <= 1e-15 * norm_m) continue;
            Root s = sigma - 1.0 / nu;
            if (sigma != 0 && std::abs(s) <= 1e-9 * std::fabs(sigma)) s = 0;  // the root that made A singular
            candidates.push_back(s * w0);
        }
        std::vector<Root> roots;
        for (const Cluster& c : merge_multiple(std::move(candidates), w0)) {
            // Only a ν within a millionth of |M| can be an infinite root's stand-in (rounding,
            // or its square root); the others are roots as they stand, without three SVDs each.
            const bool clear = std::abs(c.s / w0 - sigma) * norm_m < 1e6;
            if (clear || is_root(A, B, c.s, w0)) roots.insert(roots.end(), c.multiplicity, c.s);
        }
        return roots;
    }
    return std::nullopt;
}

/// The finite roots s of det(A + s·B) = 0, in ngspice's order (real part rising; a complex root,
/// positive imaginary part first, followed by its conjugate), each as often as its multiplicity.
/// The pencil is first split into the diagonal blocks of its block-triangular form (SuiteSparse's
/// BTF), whose roots together are its roots: a chain of stages coupled one way (controlled
/// sources) becomes one small problem per stage, where as one matrix its one-way couplings make
/// the eigenvalues too sensitive to rounding. `what` names the function in messages, located at
/// `card` (the .pz card) when the function is undefined, which its ports make it.
std::vector<Root> finite_roots(const Dense& A, const Dense& B, const std::string& what, const parser::SourceLoc& card) {
    const int n = static_cast<int>(A.rows());
    std::vector<int> Ap(n + 1, 0), Ai;
    for (int j = 0; j < n; ++j) {
        for (int i = 0; i < n; ++i)
            if (A(i, j) != 0 || B(i, j) != 0) Ai.push_back(i);
        Ap[j + 1] = static_cast<int>(Ai.size());
    }
    std::vector<int> P(n), Q(n), R(n + 1), work(5 * static_cast<std::size_t>(n));
    double maxwork_done = 0;
    int matched = 0;
    const int blocks = n == 0 ? 0
                              : btf_order(n, Ap.data(), Ai.data(), 0.0, &maxwork_done, P.data(), Q.data(), R.data(),
                                          &matched, work.data());
    const std::string undefined = fmt::format(
        "'.pz': {} is undefined: its determinant is zero at every frequency (a floating part of the circuit, or a port "
        "that nothing drives)",
        what);
    if (matched < n) throw parser::NetlistError(card, undefined);
    std::vector<Root> all;
    for (int b = 0; b < blocks; ++b) {
        const int size = R[b + 1] - R[b];
        Dense Ab(size, size), Bb(size, size);
        for (int r = 0; r < size; ++r)
            for (int c = 0; c < size; ++c) {
                const int i = P[R[b] + r], j = BTF_UNFLIP(Q[R[b] + c]);
                Ab(r, c) = A(i, j);
                Bb(r, c) = B(i, j);
            }
        auto roots = block_roots(std::move(Ab), std::move(Bb));
        if (!roots) throw parser::NetlistError(card, undefined);
        all.insert(all.end(), roots->begin(), roots->end());
    }
    // Equal roots of different blocks are one multiple root.
    double scale = 0;
    for (const Root& s : all) scale = std::max(scale, std::abs(s));
    std::vector<Cluster> clusters = merge_multiple(std::move(all), scale);
    // One of each conjugate pair stands for both.
    std::erase_if(clusters, [](const Cluster& c) { return c.s.imag() < 0; });
    std::stable_sort(clusters.begin(), clusters.end(),
                     [](const Cluster& a, const Cluster& b) { return a.s.real() < b.s.real(); });
    std::vector<Root> out;
    for (const auto& c : clusters)
        for (int k = 0; k < c.multiplicity; ++k) {
            out.push_back(c.s);
            if (c.s.imag() != 0) out.push_back(std::conj(c.s));
        }
    return out;
}

class PoleZeroAnalysis final : public Analysis {
public:
    void run(AnalysisContext& ctx, const parser::Analysis& a) const override {
        const Circuit& c = ctx.circuit();
        int port[4];
        for (int k = 0; k < 4; ++k) {
            port[k] = c.node_index(a.ports[k]);
            if (port[k] == -2)
                throw parser::NetlistError(a.port_locs[k], fmt::format("'.pz': no node named '{}'", a.ports[k]));
        }
        if (port[0] == port[1]) throw parser::NetlistError(a.port_locs[1], "'.pz': the input is shorted (in+ = in−)");
        if (port[2] == port[3]) throw parser::NetlistError(a.port_locs[3], "'.pz': the output is shorted (out+ = out−)");
        if (!a.current_input && port[0] == port[2] && port[1] == port[3])
            throw parser::NetlistError(a.loc, "'.pz': the output is the input: the transfer function is 1");
        if (!a.current_input && port[0] == port[3] && port[1] == port[2])
            throw parser::NetlistError(a.loc, "'.pz': the output is the input reversed: the transfer function is -1");

        const std::vector<double> op = ctx.operating_point("pz");
        const SmallSignal ss(c, ctx.options(), op);
        const int n = c.size();
        Dense G = Dense::Zero(n, n), C = Dense::Zero(n, n);
        for (int col = 0; col < n; ++col)
            for (int k = c.col_ptr()[col]; k < c.col_ptr()[col + 1]; ++k) {
                G(c.row_idx()[k], col) += ss.g()[k];
                C(c.row_idx()[k], col) += ss.c()[k];
            }
        // A memory device's state is held, as in .ac: it has no dynamics of its own here.
        for (int i = 0; i < n; ++i)
            if (c.unknowns()[i].kind == UnknownKind::State) C.row(i).setZero();
        // The input: a voltage source with `AC` written, even `ac 0`, carries no current
        // (ngspice's pz load tests acGiven).
        for (const auto& d : c.devices())
            if (const auto* src = dynamic_cast<const models::IndependentSource*>(d.get()))
                if (src->is_voltage() && src->has_ac()) {
                    const int br = c.branch_index(src->name());
                    G.row(br).setZero();
                    C.row(br).setZero();
                    G(br, br) = 1;
                }

        auto incidence = [&](int plus, int minus) {
            Eigen::VectorXd v = Eigen::VectorXd::Zero(n);
            if (plus >= 0) v[plus] = 1;
            if (minus >= 0) v[minus] = -1;
            return v;
        };
        const Eigen::VectorXd input = incidence(port[0], port[1]);
        // The ratio of the voltage across `measured` to a current driven into the input.
        auto bordered = [&](const Eigen::VectorXd& measured, Dense& A, Dense& B) {
            A = Dense::Zero(n + 1, n + 1);
            B = Dense::Zero(n + 1, n + 1);
            A.topLeftCorner(n, n) = G;
            B.topLeftCorner(n, n) = C;
            A.col(n).head(n) = input;
            A.row(n).head(n) = measured.transpose();
        };
        const std::string in = fmt::format("v({},{})", a.ports[0], a.ports[1]);
        const std::string out = fmt::format("v({},{})", a.ports[2], a.ports[3]);
        std::vector<Root> poles, zeros;
        Dense A, B;
        if (a.poles) {
            if (a.current_input) {
                poles = finite_roots(G, C, "the circuit's admittance matrix", a.loc);
            } else {
                bordered(input, A, B);
                poles = finite_roots(A, B, fmt::format("the input impedance {}/i", in), a.loc);
            }
        }
        if (a.zeros) {
            bordered(incidence(port[2], port[3]), A, B);
            zeros = finite_roots(A, B, fmt::format("the transimpedance {}/i({})", out, in), a.loc);
        }

        Plot plot = ctx.new_plot("Pole-Zero Analysis", "pz", Plot::Kind::Complex);
        plot.scalar = true;
        for (std::size_t k = 0; k < poles.size(); ++k) plot.variables.push_back({fmt::format("pole({})", k + 1), "voltage"});
        for (std::size_t k = 0; k < zeros.size(); ++k) plot.variables.push_back({fmt::format("zero({})", k + 1), "voltage"});
        for (const auto* list : {&poles, &zeros})
            for (const Root& s : *list) {
                plot.values.push_back(s.real());
                plot.values.push_back(s.imag());
            }
        ctx.log(fmt::format(".pz: {} pole{} and {} zero{} ({} to {}, {} input)", poles.size(), poles.size() == 1 ? "" : "s",
                            zeros.size(), zeros.size() == 1 ? "" : "s", in, out, a.current_input ? "current" : "voltage"));
        if (plot.variables.empty()) {
            ctx.log("ionspice: warning: '.pz' found no finite pole or zero: no plot is written");
            return;
        }
        ctx.add_plot(std::move(plot), false);
    }
};

const AnalysisRegistrar registrar{"pz", std::make_unique<PoleZeroAnalysis>()};

}  // namespace
}  // namespace ionspice::solver
