#pragma once
// The few most recent numeric factorisations of one analysed pattern, each with the exact values
// it factors. A transient of a linear circuit meets the same few matrices again and again (one
// per step size): each needs factoring only once. Every linear-solver engine keeps its numeric
// objects here, so "the same values: no factorisation" and "which one to drop" have one owner.

#include <cstddef>
#include <cstring>
#include <vector>

namespace ionspice::solver {

/// Numeric: a movable owner of one factorisation (a unique_ptr with its library's deleter).
template <class Numeric>
class FactorCache {
public:
    struct Entry {
        Numeric numeric{};
        std::vector<double> values;
        long used = 0;  ///< when it was last made current (the oldest is dropped first)
    };

    Entry* current() { return current_ >= 0 ? &kept_[static_cast<std::size_t>(current_)] : nullptr; }
    const Entry* current() const { return current_ >= 0 ? &kept_[static_cast<std::size_t>(current_)] : nullptr; }

    /// The current factorisation is of exactly these values.
    bool current_equals(const std::vector<double>& values) const {
        const Entry* e = current();
        return e && e->numeric && same(e->values, values);
    }

    /// Makes a kept factorisation of exactly these values the current one; false if none.
    bool select(const std::vector<double>& values) {
        for (std::size_t k = 0; k < kept_.size(); ++k)
            if (kept_[k].numeric && same(kept_[k].values, values)) {
                current_ = static_cast<int>(k);
                kept_[k].used = ++clock_;
                return true;
            }
        return false;
    }

    /// The entry a new factorisation goes to, made current: a new one while there is room
    /// (`capacity` entries of `per_entry` bytes within `max_bytes`), else the one used longest
    /// ago, whose numeric object the caller may reuse (a refactorisation) or replace.
    Entry& slot(std::size_t per_entry) {
        const bool room = static_cast<int>(kept_.size()) < capacity_ &&
                          (per_entry == 0 || per_entry * (kept_.size() + 1) <= max_bytes_);
        std::size_t s = 0;
        if (room || kept_.empty()) {
            kept_.emplace_back();
            s = kept_.size() - 1;
        } else {
            for (std::size_t k = 1; k < kept_.size(); ++k)
                if (kept_[k].used < kept_[s].used) s = k;
        }
        current_ = static_cast<int>(s);
        kept_[s].used = ++clock_;
        return kept_[s];
    }

    /// Forgets the current entry (its factorisation failed).
    void drop_current() {
        if (current_ < 0) return;
        kept_.erase(kept_.begin() + current_);
        current_ = -1;
    }

    /// How many to keep (at least 1), within `max_bytes` together; the oldest beyond that are
    /// dropped now, never the current one.
    void set_capacity(int count, std::size_t max_bytes) {
        capacity_ = count < 1 ? 1 : count;
        max_bytes_ = max_bytes;
        while (static_cast<int>(kept_.size()) > capacity_) {
            int oldest = -1;
            for (std::size_t k = 0; k < kept_.size(); ++k)
                if (static_cast<int>(k) != current_ &&
                    (oldest < 0 || kept_[k].used < kept_[static_cast<std::size_t>(oldest)].used))
                    oldest = static_cast<int>(k);
            kept_.erase(kept_.begin() + oldest);
            if (current_ > oldest) --current_;
        }
    }
    int capacity() const { return capacity_; }

    void clear() {
        kept_.clear();
        current_ = -1;
    }

private:
    static bool same(const std::vector<double>& a, const std::vector<double>& b) {
        return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
    }

    std::vector<Entry> kept_;
    int current_ = -1;
    int capacity_ = 1;
    std::size_t max_bytes_ = std::size_t(512) << 20;
    long clock_ = 0;
};

}  // namespace ionspice::solver
