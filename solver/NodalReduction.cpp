#include "solver/NodalReduction.hpp"

#include <algorithm>
#include <cmath>

namespace ionspice::solver {

std::optional<NodalReduction> NodalReduction::find(int n, const std::vector<int>& col_ptr,
                                                   const std::vector<int>& row_idx) {
    // Rows must be sorted within each column (Circuit builds them so): the symmetric partner
    // of an entry is then found by binary search.
    for (int c = 0; c < n; ++c)
        if (!std::is_sorted(row_idx.begin() + col_ptr[c], row_idx.begin() + col_ptr[c + 1])) return std::nullopt;
    auto slot_of = [&](int row, int col) {
        const auto first = row_idx.begin() + col_ptr[col], last = row_idx.begin() + col_ptr[col + 1];
        const auto it = std::lower_bound(first, last, row);
        return it != last && *it == row ? static_cast<int>(it - row_idx.begin()) : -1;
    };
    std::vector<int> row_count(static_cast<std::size_t>(n), 0);
    for (int r : row_idx) ++row_count[static_cast<std::size_t>(r)];

    NodalReduction red;
    red.source_of_.assign(static_cast<std::size_t>(n), -1);
    std::vector<char> is_source(static_cast<std::size_t>(n), 0);
    for (int s = 0; s < n; ++s) {
        if (row_count[static_cast<std::size_t>(s)] != 1 || col_ptr[s + 1] - col_ptr[s] != 1) continue;
        const int p = row_idx[static_cast<std::size_t>(col_ptr[s])];  // column s: its current in p's KCL
        if (p == s) continue;
        const int sp = slot_of(s, p);  // row s's only entry must be in column p
        if (sp < 0) continue;
        // Two sources on one node (or a source's node that is itself a source's current) are a
        // loop of sources: KLU names it.
        if (red.source_of_[static_cast<std::size_t>(p)] >= 0 || is_source[static_cast<std::size_t>(p)]) return std::nullopt;
        Source src;
        src.branch = s;
        src.node = p;
        src.row_slot = sp;
        src.column_slot = col_ptr[s];
        red.source_of_[static_cast<std::size_t>(p)] = static_cast<int>(red.sources_.size());
        is_source[static_cast<std::size_t>(s)] = 1;
        red.sources_.push_back(std::move(src));
    }
    for (const auto& src : red.sources_)
        if (red.source_of_[static_cast<std::size_t>(src.branch)] >= 0) return std::nullopt;

    red.nodal_of_.assign(static_cast<std::size_t>(n), -1);
    for (int i = 0; i < n; ++i)
        if (!is_source[static_cast<std::size_t>(i)] && red.source_of_[static_cast<std::size_t>(i)] < 0) {
            red.nodal_of_[static_cast<std::size_t>(i)] = static_cast<int>(red.nodal_.size());
            red.nodal_.push_back(i);
        }
    if (red.nodal_.empty()) return std::nullopt;

    // Each fixed node's row and column, the source's own entries left out.
    for (auto& src : red.sources_) {
        for (int k = col_ptr[src.node]; k < col_ptr[src.node + 1]; ++k)
            if (row_idx[static_cast<std::size_t>(k)] != src.branch) src.column.emplace_back(row_idx[static_cast<std::size_t>(k)], k);
    }
    for (int c = 0; c < n; ++c)
        for (int k = col_ptr[c]; k < col_ptr[c + 1]; ++k) {
            const int r = row_idx[static_cast<std::size_t>(k)];
            const int si = red.source_of_[static_cast<std::size_t>(r)];
            if (si >= 0 && c != red.sources_[static_cast<std::size_t>(si)].branch)
                red.sources_[static_cast<std::size_t>(si)].row.emplace_back(c, k);
        }

    // A_NN's lower triangle, in nodal numbering (increasing with the unknowns', so rows stay
    // sorted), with each entry's mirror; every nodal unknown needs its diagonal.
    const auto m = red.nodal_.size();
    red.lower_col_ptr_.assign(m + 1, 0);
    for (std::size_t j = 0; j < m; ++j) {
        const int c = red.nodal_[j];
        bool diagonal = false;
        for (int k = col_ptr[c]; k < col_ptr[c + 1]; ++k) {
            const int r = row_idx[static_cast<std::size_t>(k)];
            const int i = red.nodal_of_[static_cast<std::size_t>(r)];
            if (i < 0 || static_cast<std::size_t>(i) < j) continue;
            const int mirror = slot_of(c, r);
            if (mirror < 0) return std::nullopt;  // not structurally symmetric
            diagonal |= static_cast<std::size_t>(i) == j;
            red.lower_row_idx_.push_back(i);
            red.lower_slot_.push_back(k);
            red.mirror_slot_.push_back(mirror);
        }
        if (!diagonal) return std::nullopt;
        red.lower_col_ptr_[j + 1] = static_cast<std::int64_t>(red.lower_row_idx_.size());
    }
    // The upper triangle's entries must all have partners in the lower one: checked above from
    // the lower side for every (i ≥ j); an upper entry without a lower partner would be missed.
    for (std::size_t j = 0; j < m; ++j) {
        const int c = red.nodal_[j];
        for (int k = col_ptr[c]; k < col_ptr[c + 1]; ++k) {
            const int i = red.nodal_of_[static_cast<std::size_t>(row_idx[static_cast<std::size_t>(k)])];
            if (i >= 0 && static_cast<std::size_t>(i) < j && slot_of(c, row_idx[static_cast<std::size_t>(k)]) < 0)
                return std::nullopt;
        }
    }
    red.rhs_.resize(m);
    red.fixed_.resize(red.sources_.size());
    red.currents_.resize(red.sources_.size());
    return red;
}

bool NodalReduction::sources_usable(const std::vector<double>& values) const {
    for (const auto& src : sources_)
        if (values[static_cast<std::size_t>(src.row_slot)] == 0 || values[static_cast<std::size_t>(src.column_slot)] == 0)
            return false;
    return true;
}

bool NodalReduction::gather(const std::vector<double>& values, std::vector<double>& lower) const {
    if (!sources_usable(values)) return false;
    lower.resize(lower_slot_.size());
    for (std::size_t k = 0; k < lower_slot_.size(); ++k) {
        const double a = values[static_cast<std::size_t>(lower_slot_[k])];
        const double b = values[static_cast<std::size_t>(mirror_slot_[k])];
        if (std::fabs(a - b) > 1e-12 * std::max(std::fabs(a), std::fabs(b))) return false;
        lower[k] = a;
    }
    return true;
}

bool NodalReduction::gather_unsymmetric(const std::vector<double>& values, std::vector<double>& lower,
                                        std::vector<double>& upper) const {
    if (!sources_usable(values)) return false;
    lower.resize(lower_slot_.size());
    upper.resize(lower_slot_.size());
    for (std::size_t k = 0; k < lower_slot_.size(); ++k) {
        lower[k] = values[static_cast<std::size_t>(lower_slot_[k])];
        upper[k] = values[static_cast<std::size_t>(mirror_slot_[k])];
    }
    return true;
}

void NodalReduction::reduce(const std::vector<double>& values, std::vector<double>& b, bool transposed) {
    for (std::size_t k = 0; k < nodal_.size(); ++k) rhs_[k] = b[static_cast<std::size_t>(nodal_[k])];
    for (std::size_t si = 0; si < sources_.size(); ++si) {
        const auto& src = sources_[si];
        // A: a·y_p = b_s from the source's row; the nodes' equations lose column p.
        // Aᵀ: the source's column is the equation of z_p; the nodes' lose row p.
        const double pivot = values[static_cast<std::size_t>(transposed ? src.column_slot : src.row_slot)];
        const double y = b[static_cast<std::size_t>(src.branch)] / pivot;
        fixed_[si] = y;
        for (const auto& [j, slot] : transposed ? src.row : src.column) {
            const int i = nodal_of_[static_cast<std::size_t>(j)];
            if (i >= 0) rhs_[static_cast<std::size_t>(i)] -= values[static_cast<std::size_t>(slot)] * y;
        }
    }
}

void NodalReduction::expand(const std::vector<double>& values, std::vector<double>& b, bool transposed) {
    for (std::size_t k = 0; k < nodal_.size(); ++k) b[static_cast<std::size_t>(nodal_[k])] = rhs_[k];
    // Each source's current from its node's equation (A: row p; Aᵀ: column p), read before the
    // fixed nodes' values overwrite those right-hand sides.
    for (std::size_t si = 0; si < sources_.size(); ++si) {
        const auto& src = sources_[si];
        double acc = b[static_cast<std::size_t>(src.node)];
        for (const auto& [j, slot] : transposed ? src.column : src.row)
            acc -= values[static_cast<std::size_t>(slot)] * solved(b, j);
        currents_[si] = acc / values[static_cast<std::size_t>(transposed ? src.row_slot : src.column_slot)];
    }
    for (std::size_t si = 0; si < sources_.size(); ++si) {
        b[static_cast<std::size_t>(sources_[si].node)] = fixed_[si];
        b[static_cast<std::size_t>(sources_[si].branch)] = currents_[si];
    }
}

}  // namespace ionspice::solver
