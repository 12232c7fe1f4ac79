// The devices' history values are the solver's: what a device remembers between evaluations
// (limiting voltages, Meyer's point 1, a memory device's pulse draws) lives in the circuit's
// DeviceHistory and nowhere else, so a copy of it restores every device exactly.

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "parser/Netlist.hpp"
#include "solver/BoundNetlist.hpp"
#include "solver/Circuit.hpp"

namespace ionspice {
namespace {

// One device of every family that keeps history: a diode and two MOSFETs (limiting), a level-1
// MOSFET with TOX (Meyer's point 1), an ECRAM and a memristor with cycle-to-cycle variability.
const char* kDeck = R"(history of every family
vd a 0 1
d1 a 0 dmod
.model dmod d (is=1e-14 cjo=1p)
m1 a a 0 0 n1 w=10u l=1u
.model n1 nmos (level=1 vto=0.7 kp=50u tox=20n)
m2 a a 0 0 n44 w=10u l=1u
.model n44 nmos (level=44)
ne1 a a 0 ecell
.model ecell ecram (gmin=0.079u gmax=50u vp=10 tp=2m vd=7 td=2m nsteps=180 kch=1 ctoc=0.1)
nr1 a 0 taox
.model taox memristor (level=rram ron=4k roff=300k ctoc=0.1)
.end
)";

struct Evaluation {
    std::vector<double> jf, jq, f, q;
    int noncon = 0;
    bool operator==(const Evaluation&) const = default;
};

/// One transient evaluation of every nonlinear device at x, through the circuit's history.
Evaluation evaluate(const solver::Circuit& c, const std::vector<double>& x) {
    Evaluation e{std::vector<double>(c.nnz()), std::vector<double>(c.nnz()), std::vector<double>(c.size()),
                 std::vector<double>(c.size())};
    models::LoadContext ctx;
    ctx.x = x.data();
    ctx.dc = false;
    c.history().attach(ctx);
    const models::Stamp st{e.jf.data(), e.jq.data(), e.f.data(), e.q.data()};
    for (auto* d : c.nonlinear()) d->load(ctx, st);
    e.noncon = ctx.noncon;
    return e;
}

TEST_CASE("device history: a copy of the circuit's history restores every device") {
    const parser::Deck deck = parser::parse_deck(kDeck, "history.cir");
    solver::BoundNetlist bound(deck, {}, {});
    const solver::Circuit& c = *bound.circuit;
    REQUIRE(c.history().now.size() > 0);

    auto at = [&](double va, double state) {
        std::vector<double> x(c.size(), 0.0);
        x[c.node_index("a")] = va;
        for (int i = 0; i < c.size(); ++i)
            if (c.unknowns()[i].kind == solver::UnknownKind::State) x[i] = state;
        return x;
    };
    // From the zero history, then accepted at 0.8 V (a pulse starts in neither memory device).
    evaluate(c, at(0.8, 0.5));
    c.accept(at(0.8, 0.5).data(), 0.0);
    evaluate(c, at(0.8, 0.5));
    const solver::DeviceHistory saved = c.history();
    const Evaluation first = evaluate(c, at(3.0, 0.5));

    // Elsewhere, and past both memory devices' thresholds: limiting voltages, point 1 and the
    // pulse draws all move on.
    evaluate(c, at(-2.0, 0.2));
    c.accept(at(12.0, 0.3).data(), 1e-3);
    evaluate(c, at(12.0, 0.3));
    const Evaluation moved = evaluate(c, at(3.0, 0.5));
    CHECK(c.history().now != saved.now);
    CHECK(c.history().accepted != saved.accepted);
    CHECK_FALSE(moved == first);  // the history matters, so the restore below is a real test

    c.history() = saved;
    const Evaluation again = evaluate(c, at(3.0, 0.5));
    CHECK(again == first);
    CHECK(again.noncon > 0);  // 0.8 V → 3 V is limited: the limiting read the restored voltages
}

}  // namespace
}  // namespace ionspice
