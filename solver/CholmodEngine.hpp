#pragma once
// CHOLMOD's Cholesky (LLᵀ) of an SPD matrix: supernodal (BLAS-3 on dense supernodes: OpenBLAS
// does the work) when the factor is dense enough, simplicial otherwise; 64-bit indices
// throughout (a 2048² crossbar's factor passes 2³¹ entries).
//
// Ordering by cost, as KluSolver chooses: AMD first (cheap; its analysis gives the factor's
// flop count); when that count is large enough that METIS's nested dissection, which costs
// more to compute but leaves less fill on meshes, repays its time (more readily when the matrix
// will be factored repeatedly), METIS as well, and the one with fewer flops is kept.
//
// Supernodal or simplicial: CHOLMOD's own rule (supernodal where the factor is dense enough for
// BLAS-3 to pay), except for matrices with many solves per factorisation (a linear transient),
// which are simplicial: there the solves dominate, and a simplicial solve is a plain sparse
// loop where a supernodal one makes BLAS calls per supernode (a 64² crossbar's transient:
// 0.20 s against 0.40 s). Threads: the BLAS gets the caller's thread count only for a large
// supernodal factorisation; everything else runs on the calling thread (OpenBLAS's idle
// threads otherwise spin, which costs more than small factorisations gain).

#include <memory>

#include "solver/SpdEngine.hpp"

namespace ionspice::solver {

class CholmodEngine final : public SpdEngine {
public:
    CholmodEngine();
    ~CholmodEngine() override;
    CholmodEngine(const CholmodEngine&) = delete;
    CholmodEngine& operator=(const CholmodEngine&) = delete;

    void analyze(const std::vector<std::int64_t>& col_ptr, const std::vector<std::int64_t>& row_idx, Usage usage,
                 int threads) override;
    std::unique_ptr<SpdFactor> factor(const std::vector<double>& lower, std::unique_ptr<SpdFactor> reuse) override;
    std::string describe() const override;
    /// "amd" or "metis", and the analysed factor's flop count.
    const char* ordering() const;
    double flops() const;
    /// Entries in the analysed factor L.
    double entries() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ionspice::solver
