#pragma once
// The circuit linearised at its operating point, for the small-signal analyses (.ac, .noise,
// .tf): J(ω) = G + jω·C with G = df/dx and C = dq/dx exactly as the devices stamp them for
// Newton and the integrator — no device has code of its own for AC. The DC context holds
// non-volatile states (their rows stay s − s0 = 0), so a memory device linearises with its
// state fixed. The pattern is the circuit's, analysed once; each frequency only refactors.

#include <complex>
#include <string>
#include <vector>

#include "solver/Circuit.hpp"
#include "solver/LinearSolver.hpp"
#include "solver/Options.hpp"

namespace ionspice::solver {

class SmallSignal {
public:
    /// What the linearisation stands for: a frequency (.ac, .noise, .pz: devices add what
    /// differs in small signal, Device::load_small_signal) or DC (.tf).
    enum class At { Frequency, Dc };

    /// Linearises at x (an operating point).
    SmallSignal(const Circuit& circuit, const SimOptions& options, const std::vector<double>& x,
                At at = At::Frequency);

    /// Factors J(ω) = G + j·2π·f·C on `linear` (analysed on the circuit's pattern here). Throws
    /// SimulationError naming the node when it is singular; `where` says at what ("1 kHz").
    void factor(LinearSolver& linear, double frequency, const std::string& where) const;

    /// The response to the small-signal values of sources: −J⁻¹·f_exc, in place (f_exc as the
    /// sources' stamp_excitation adds it).
    static void solve(LinearSolver& linear, std::vector<std::complex<double>>& excitation);

    const std::vector<double>& g() const { return g_; }
    const std::vector<double>& c() const { return c_; }
    const Circuit& circuit() const { return circuit_; }

private:
    const Circuit& circuit_;
    std::vector<double> g_, c_;
    mutable std::vector<std::complex<double>> values_;
};

/// The source called `name`, or a NetlistError at `loc` saying what it is instead.
models::IndependentSource& independent_source(const Circuit& circuit, const std::string& name,
                                              const parser::SourceLoc& loc, const std::string& card);

}  // namespace ionspice::solver
