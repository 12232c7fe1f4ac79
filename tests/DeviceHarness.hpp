#pragma once
// A one-device circuit for device tests: builds a device through the Registry (prepare + create),
// numbers its unknowns (terminals as given, internal nodes, branches and states after them),
// builds a dense pattern through the two-pass PatternBuilder protocol, and loads it at a given x,
// returning dense df/dx, dq/dx, f and q.

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "models/Device.hpp"
#include "models/Registry.hpp"
#include "solver/DeviceHistory.hpp"

namespace ionspice::test {

using models::Index;
using models::kGround;

/// Dense results of one load.
struct Loaded {
    int n = 0;
    std::vector<double> jf, jq;  ///< row-major n×n
    std::vector<double> f, q;
    int noncon = 0;

    double Jf(int r, int c) const { return jf[static_cast<std::size_t>(r * n + c)]; }
    double Jq(int r, int c) const { return jq[static_cast<std::size_t>(r * n + c)]; }
};

class DeviceHarness {
public:
    /// `terminals`: the unknown of each node on the card (kGround for ground); `unknowns`: how many
    /// unknowns exist before the device adds its own (at least max(terminal) + 1); `branches`:
    /// branch-current unknowns of other elements, for F and H.
    DeviceHarness(models::InstanceCard card, std::vector<Index> terminals, int unknowns,
                  std::map<std::string, Index> branches = {})
        : card_(std::move(card)), terminals_(std::move(terminals)), n_(unknowns), branches_(std::move(branches)) {
        auto& registry = models::Registry::instance();
        int level = 1;
        std::string type;
        if (card_.model) {
            type = card_.model->type;
            if (auto it = card_.model->params.find("level"); it != card_.model->params.end())
                level = static_cast<int>(std::lround(it->second));
        }
        const models::Registration* reg = registry.find(card_.letter, type, level);
        if (!reg) throw std::runtime_error("no registration for the card");
        if (card_.model && reg->prepare) params_ = reg->prepare(*card_.model);
        device_ = reg->create(card_, params_.get());
        Declarer decl(*this);
        device_->declare(decl);
        Recorder rec(branches_);
        device_->pattern(rec);
        Resolver res(n_, branches_, rec.entries);
        device_->pattern(res);
        if (res.next != rec.entries.size()) throw std::runtime_error("pattern passes differ in length");
    }

    models::Device& device() { return *device_; }
    /// An accepted point, as the transient accepts one: the device updates its history values,
    /// which become the accepted ones.
    void accept(const std::vector<double>& x, double time) {
        device_->accept(x.data(), time, history_.now.data());
        history_.accepted = history_.now;
    }
    /// The device's history values (the solver's, in a circuit).
    solver::DeviceHistory& history() { return history_; }
    int size() const { return n_; }
    /// Names the device gave its internal nodes, branches and states, by unknown.
    const std::map<Index, std::string>& added() const { return added_; }

    /// One load at x with the given context (x and the noncon count are set here).
    Loaded load(const std::vector<double>& x, models::LoadContext ctx = {}) {
        if (static_cast<int>(x.size()) != n_) throw std::runtime_error("x has the wrong size");
        Loaded out;
        out.n = n_;
        out.jf.assign(static_cast<std::size_t>(n_ * n_), 0.0);
        out.jq.assign(static_cast<std::size_t>(n_ * n_), 0.0);
        out.f.assign(static_cast<std::size_t>(n_), 0.0);
        out.q.assign(static_cast<std::size_t>(n_), 0.0);
        ctx.x = x.data();
        ctx.noncon = 0;
        history_.attach(ctx);
        models::Stamp s{out.jf.data(), out.jq.data(), out.f.data(), out.q.data()};
        device_->load(ctx, s);
        out.noncon = ctx.noncon;
        return out;
    }

    /// Loads at x until the device no longer limits, so that its remembered voltages are x's and
    /// what it stamps is its exact f(x) and Jacobian.
    Loaded settle(const std::vector<double>& x, models::LoadContext ctx = {}) {
        Loaded l;
        for (int k = 0; k < 200; ++k) {
            l = load(x, ctx);
            if (l.noncon == 0) return l;
        }
        throw std::runtime_error("device keeps limiting at the same x");
    }

    /// Solves f = 0 for the unknowns the device added (internal nodes), with the others held at
    /// the values in x, by Newton's method on the dense sub-system. Returns the full x.
    std::vector<double> solve_internal(std::vector<double> x, int first_internal) {
        const int m = n_ - first_internal;
        for (int it = 0; it < 200; ++it) {
            Loaded l = load(x);
            std::vector<double> a(static_cast<std::size_t>(m * m)), b(static_cast<std::size_t>(m));
            for (int r = 0; r < m; ++r) {
                b[static_cast<std::size_t>(r)] = -l.f[static_cast<std::size_t>(first_internal + r)];
                for (int c = 0; c < m; ++c)
                    a[static_cast<std::size_t>(r * m + c)] = l.Jf(first_internal + r, first_internal + c);
            }
            std::vector<double> dx = solve_dense(a, b, m);
            double big = 0;
            for (int r = 0; r < m; ++r) {
                x[static_cast<std::size_t>(first_internal + r)] += dx[static_cast<std::size_t>(r)];
                big = std::max(big, std::fabs(dx[static_cast<std::size_t>(r)]));
            }
            if (big < 1e-14 && l.noncon == 0) return x;
        }
        throw std::runtime_error("internal nodes did not converge");
    }

    /// Gaussian elimination with partial pivoting.
    static std::vector<double> solve_dense(std::vector<double> a, std::vector<double> b, int m) {
        for (int k = 0; k < m; ++k) {
            int p = k;
            for (int r = k + 1; r < m; ++r)
                if (std::fabs(a[static_cast<std::size_t>(r * m + k)]) >
                    std::fabs(a[static_cast<std::size_t>(p * m + k)]))
                    p = r;
            if (p != k) {
                for (int c = 0; c < m; ++c)
                    std::swap(a[static_cast<std::size_t>(k * m + c)], a[static_cast<std::size_t>(p * m + c)]);
                std::swap(b[static_cast<std::size_t>(k)], b[static_cast<std::size_t>(p)]);
            }
            const double piv = a[static_cast<std::size_t>(k * m + k)];
            if (piv == 0) throw std::runtime_error("singular");
            for (int r = k + 1; r < m; ++r) {
                const double f = a[static_cast<std::size_t>(r * m + k)] / piv;
                for (int c = k; c < m; ++c)
                    a[static_cast<std::size_t>(r * m + c)] -= f * a[static_cast<std::size_t>(k * m + c)];
                b[static_cast<std::size_t>(r)] -= f * b[static_cast<std::size_t>(k)];
            }
        }
        std::vector<double> x(static_cast<std::size_t>(m));
        for (int k = m - 1; k >= 0; --k) {
            double s = b[static_cast<std::size_t>(k)];
            for (int c = k + 1; c < m; ++c)
                s -= a[static_cast<std::size_t>(k * m + c)] * x[static_cast<std::size_t>(c)];
            x[static_cast<std::size_t>(k)] = s / a[static_cast<std::size_t>(k * m + k)];
        }
        return x;
    }

private:
    class Declarer final : public models::Declarer {
    public:
        explicit Declarer(DeviceHarness& h) : h_(h) {}
        Index terminal(std::size_t k) const override {
            if (k >= h_.terminals_.size()) throw std::runtime_error("terminal out of range");
            return h_.terminals_[k];
        }
        Index add_node(std::string_view suffix) override { return add(std::string("node ") + std::string(suffix)); }
        Index add_branch() override { return add("branch"); }
        Index add_state(std::string_view suffix) override {
            return add(suffix.empty() ? std::string("state") : "state " + std::string(suffix));
        }
        std::size_t add_history(std::size_t count) override {
            const std::size_t first = h_.history_.now.size();
            h_.history_.now.resize(first + count, 0.0);
            h_.history_.accepted.resize(first + count, 0.0);
            return first;
        }

    private:
        Index add(std::string what) {
            h_.added_[h_.n_] = std::move(what);
            return h_.n_++;
        }
        DeviceHarness& h_;
    };

    class Recorder final : public models::PatternBuilder {
    public:
        explicit Recorder(const std::map<std::string, Index>& branches) : branches_(branches) {}
        models::Slot entry(Index row, Index col) override {
            if (row < 0 || col < 0) return models::kNoSlot;
            entries.emplace_back(row, col);
            return 0;
        }
        Index branch_of(std::string_view name) const override { return find_branch(branches_, name); }
        const models::Device* device(std::string_view) const override { return nullptr; }
        std::vector<std::pair<Index, Index>> entries;

    private:
        const std::map<std::string, Index>& branches_;
    };

    class Resolver final : public models::PatternBuilder {
    public:
        Resolver(int n, const std::map<std::string, Index>& branches, const std::vector<std::pair<Index, Index>>& rec)
            : n_(n), branches_(branches), rec_(rec) {}
        models::Slot entry(Index row, Index col) override {
            if (row < 0 || col < 0) return models::kNoSlot;
            if (next >= rec_.size() || rec_[next] != std::make_pair(row, col))
                throw std::runtime_error("pattern passes request different entries");
            ++next;
            return row * n_ + col;
        }
        Index branch_of(std::string_view name) const override { return find_branch(branches_, name); }
        const models::Device* device(std::string_view) const override { return nullptr; }
        std::size_t next = 0;

    private:
        int n_;
        const std::map<std::string, Index>& branches_;
        const std::vector<std::pair<Index, Index>>& rec_;
    };

    static Index find_branch(const std::map<std::string, Index>& branches, std::string_view name) {
        auto it = branches.find(std::string(name));
        if (it == branches.end())
            throw models::DeviceError(models::DeviceError::Where::Instance, std::string(name), "no such branch");
        return it->second;
    }

    models::InstanceCard card_;
    std::vector<Index> terminals_;
    int n_;
    std::map<std::string, Index> branches_;
    std::map<Index, std::string> added_;
    std::shared_ptr<const models::ModelParams> params_;
    std::unique_ptr<models::Device> device_;
    solver::DeviceHistory history_;
};

/// Builds an InstanceCard.
inline models::InstanceCard card(std::string name, std::vector<std::string> nodes, std::vector<double> values = {},
                                 std::map<std::string, double> params = {}, const models::ModelCard* model = nullptr) {
    models::InstanceCard c;
    c.letter = name.empty() ? '\0' : name[0];
    c.name = std::move(name);
    c.nodes = std::move(nodes);
    c.values = std::move(values);
    c.params = std::move(params);
    c.model = model;
    return c;
}

/// Largest mismatch between the stamped Jacobians and central differences of f and q, relative
/// to the largest entry of the row (plus `atol`). Each perturbed point is settled so that
/// limiting never shifts the point of evaluation.
struct JacobianCheck {
    double worst_f = 0;  ///< worst relative error in df/dx
    double worst_q = 0;  ///< worst relative error in dq/dx
    int row = -1, col = -1;
};

inline JacobianCheck check_jacobian(DeviceHarness& h, const std::vector<double>& x, double step = 1e-6,
                                    double atol = 1e-15, models::LoadContext ctx = {}) {
    const int n = h.size();
    const Loaded base = h.settle(x, ctx);
    JacobianCheck out;
    for (int c = 0; c < n; ++c) {
        std::vector<double> xp = x, xm = x;
        const double dv = step * std::max(1.0, std::fabs(x[static_cast<std::size_t>(c)]));
        xp[static_cast<std::size_t>(c)] += dv;
        xm[static_cast<std::size_t>(c)] -= dv;
        const Loaded lp = h.settle(xp, ctx);
        const Loaded lm = h.settle(xm, ctx);
        for (int r = 0; r < n; ++r) {
            double scale_f = 0, scale_q = 0;
            for (int k = 0; k < n; ++k) {
                scale_f = std::max(scale_f, std::fabs(base.Jf(r, k)));
                scale_q = std::max(scale_q, std::fabs(base.Jq(r, k)));
            }
            const std::size_t ri = static_cast<std::size_t>(r);
            const double fd_f = (lp.f[ri] - lm.f[ri]) / (2 * dv);
            const double fd_q = (lp.q[ri] - lm.q[ri]) / (2 * dv);
            const double ef = std::fabs(fd_f - base.Jf(r, c)) / (scale_f + atol);
            const double eq = std::fabs(fd_q - base.Jq(r, c)) / (scale_q + atol);
            if (ef > out.worst_f) {
                out.worst_f = ef;
                out.row = r;
                out.col = c;
            }
            out.worst_q = std::max(out.worst_q, eq);
        }
    }
    h.settle(x, ctx);
    return out;
}

}  // namespace ionspice::test
