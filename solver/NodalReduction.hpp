#pragma once
// The nodal form of an MNA matrix, when it has one: a conductance network whose voltage sources
// are grounded (a crossbar's drivers and virtual grounds) is, once each such source's node is
// known from the source's own row, a symmetric positive definite system in the remaining
// unknowns, which a Cholesky factorisation or conjugate gradients solve with about half the
// work and fill of an LU of the whole matrix.
//
// A grounded source s is recognised by its pattern alone: row s holds a single entry, in the
// column of a node p (its equation is a·v(p) = b_s), and column s holds a single entry, in row
// p (its current enters the KCL of p only). Then, with F the nodes so fixed, S their sources
// and N every other unknown, A·y = b splits into
//
//     y_p   = b_s / A[s,p]                                  (each source's row)
//     A_NN·y_N = b_N − A_NF·y_F                             (the nodal system)
//     y_s   = (b_p − Σ_{j≠s} A[p,j]·y_j) / A[p,s]           (each fixed node's KCL)
//
// (A_NS is zero: a source's current appears in its node's row alone.) Aᵀ·z = c splits the same
// way with rows and columns exchanged, and A_NNᵀ = A_NN, so one factorisation serves both.
// Whether A_NN is symmetric depends on the values (a controlled source or a transistor's gm
// breaks it), so gather() checks it at every factorisation; whether it is positive definite,
// the factorisation itself finds out.

#include <cstdint>
#include <optional>
#include <vector>

namespace ionspice::solver {

class NodalReduction {
public:
    /// The reduction of a compressed-column pattern, or nothing when the pattern has no nodal
    /// form: an unknown of N without a diagonal entry (a floating source's branch, an
    /// inductor's current in DC), or an N×N part that is not structurally symmetric.
    static std::optional<NodalReduction> find(int n, const std::vector<int>& col_ptr, const std::vector<int>& row_idx);

    /// Unknowns of the nodal system, and how many grounded sources were eliminated.
    int size() const { return static_cast<int>(nodal_.size()); }
    int sources() const { return static_cast<int>(sources_.size()); }
    /// The lower triangle (diagonal included) of A_NN, compressed columns, rows sorted.
    const std::vector<std::int64_t>& lower_col_ptr() const { return lower_col_ptr_; }
    const std::vector<std::int64_t>& lower_row_idx() const { return lower_row_idx_; }

    /// A_NN's lower triangle from the full matrix's values; false when A_NN is not symmetric
    /// (to 1e-12 relative) or a source's coefficient is zero.
    bool gather(const std::vector<double>& values, std::vector<double>& lower) const;
    /// A_NN whether symmetric or not: `lower` as gather()'s, `upper` the mirrored entry
    /// A[j,i] of each lower entry (i, j) (the diagonal repeated); false when a source's
    /// coefficient is zero.
    bool gather_unsymmetric(const std::vector<double>& values, std::vector<double>& lower,
                            std::vector<double>& upper) const;

    /// Solves A·y = b (or Aᵀ·y = b) in place, given the full values and a solver of A_NN.
    template <class SolveNodal>
    void solve(const std::vector<double>& values, std::vector<double>& b, bool transposed, SolveNodal&& solve_nodal) {
        reduce(values, b, transposed);
        solve_nodal(rhs_.data());
        expand(values, b, transposed);
    }

private:
    /// Every eliminated source's coefficients are nonzero.
    bool sources_usable(const std::vector<double>& values) const;
    /// rhs_ = b_N − A_NF·y_F (or its transposed form), y_F written into b.
    void reduce(const std::vector<double>& values, std::vector<double>& b, bool transposed);
    /// y_N from rhs_ into b, then each source's current from its node's equation.
    void expand(const std::vector<double>& values, std::vector<double>& b, bool transposed);

    struct Source {
        int branch = 0, node = 0;  ///< s and p
        int row_slot = 0;          ///< A[s,p]: the source's equation
        int column_slot = 0;       ///< A[p,s]: its current in p's KCL
        /// Row p without A[p,s], and column p without A[s,p]: (unknown, slot) pairs.
        std::vector<std::pair<int, int>> row, column;
    };
    /// y_j of an unknown of N or F, while expand() works (N from b, F from fixed_).
    double solved(const std::vector<double>& b, int j) const {
        return nodal_of_[static_cast<std::size_t>(j)] >= 0 ? b[static_cast<std::size_t>(j)]
                                                           : fixed_[static_cast<std::size_t>(source_of_[static_cast<std::size_t>(j)])];
    }

    std::vector<int> nodal_;      ///< unknown of each nodal index
    std::vector<int> nodal_of_;   ///< nodal index of each unknown, −1 for F and S
    std::vector<int> source_of_;  ///< index into sources_ of each fixed node, −1 otherwise
    std::vector<Source> sources_;
    std::vector<std::int64_t> lower_col_ptr_, lower_row_idx_;
    std::vector<int> lower_slot_, mirror_slot_;  ///< per lower entry (i, j): its full slot, and (j, i)'s
    std::vector<double> rhs_, fixed_, currents_;
};

}  // namespace ionspice::solver
