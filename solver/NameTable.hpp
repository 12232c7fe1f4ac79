#pragma once
// Names to values for a circuit's nodes and devices, of which a large array has millions: the
// entries in one array in insertion order, found through a second array of (hash, entry)
// slots probed linearly. Against std::unordered_map: no allocation per name, no copy of the
// name (the key is a view of a string its owner keeps: a node's name in the netlist, a device's
// own name) and, at a load of at most one half, one or two cache lines per look-up.

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

namespace ionspice::solver {

template <class T>
class NameTable {
public:
    /// Room for n names without growing.
    void reserve(std::size_t n) {
        entries_.reserve(n);
        if (2 * n > slots_.size()) rehash(2 * n);
    }
    std::size_t size() const { return entries_.size(); }
    bool empty() const { return entries_.empty(); }

    const T* find(std::string_view key) const {
        if (slots_.empty()) return nullptr;
        const Slot& at = slots_[probe(key, hash(key))];
        return at.entry >= 0 ? &entries_[at.entry].second : nullptr;
    }

    /// Adds key → value unless the key is there; the value the key has, and whether it was
    /// added. `key` must outlive the table.
    std::pair<T*, bool> try_emplace(std::string_view key, T value) { return try_emplace(key, hash(key), std::move(value)); }

    /// The same with the key's hash (`hash(key)`) computed already: a caller adding millions of
    /// names hashes ahead and `prefetch`es the slot each will probe (HashAhead), so that the
    /// table's cache misses overlap instead of coming one after another.
    std::pair<T*, bool> try_emplace(std::string_view key, std::uint64_t h, T value) {
        if (2 * (entries_.size() + 1) > slots_.size()) rehash(std::max<std::size_t>(16, 2 * slots_.size()));
        Slot& at = slots_[probe(key, h)];
        if (at.entry >= 0) return {&entries_[at.entry].second, false};
        at = {static_cast<std::uint32_t>(h), static_cast<std::int32_t>(entries_.size())};
        entries_.emplace_back(key, std::move(value));
        return {&entries_.back().second, true};
    }
    static std::uint64_t hash(std::string_view key) { return std::hash<std::string_view>{}(key); }
    /// Asks for the slot a key of hash `h` is probed at first: a hint, nothing changes.
    void prefetch(std::uint64_t h) const {
        if (slots_.empty()) return;
        __builtin_prefetch(&slots_[h & mask()]);
    }

private:
    struct Slot {
        std::uint32_t hash = 0;   ///< the low bits of the key's hash: most mismatches end here
        std::int32_t entry = -1;  ///< -1: empty
    };

    std::size_t mask() const { return slots_.size() - 1; }
    // The slot holding `key` (of hash h), or the empty one where it would go.
    std::size_t probe(std::string_view key, std::uint64_t h) const {
        std::size_t s = h & mask();
        while (slots_[s].entry >= 0 &&
               !(slots_[s].hash == static_cast<std::uint32_t>(h) && entries_[slots_[s].entry].first == key))
            s = (s + 1) & mask();
        return s;
    }

    // A power of two of at least `at_least` slots, filled from the stored hashes (the low 32
    // bits are all a table of fewer than 2^32 slots looks at).
    void rehash(std::size_t at_least) {
        std::size_t n = 16;
        while (n < at_least) n *= 2;
        std::vector<Slot> old(n);
        old.swap(slots_);
        for (const Slot& o : old) {
            if (o.entry < 0) continue;
            std::size_t s = o.hash & mask();
            while (slots_[s].entry >= 0) s = (s + 1) & mask();
            slots_[s] = o;
        }
    }

    std::vector<std::pair<std::string_view, T>> entries_;
    std::vector<Slot> slots_;
};

/// Hashes a sequence of names kAhead look-ups before their turn and asks for their slots in
/// `table` then, so that the cache misses of a table of millions of names overlap: feed the
/// names in order (`ahead`, or `skip` for a place without a look-up), and `take` the hash of the
/// name whose turn it is.
template <class T>
class HashAhead {
public:
    static constexpr std::size_t kAhead = 16;
    explicit HashAhead(const NameTable<T>& table) : table_(table) {}
    void ahead(std::string_view name) {
        const std::uint64_t h = NameTable<T>::hash(name);
        table_.prefetch(h);
        ring_[fed_++ % kAhead] = h;
    }
    void skip() { ring_[fed_++ % kAhead] = 0; }
    std::uint64_t take() { return ring_[taken_++ % kAhead]; }

private:
    const NameTable<T>& table_;
    std::array<std::uint64_t, kAhead> ring_{};
    std::size_t fed_ = 0, taken_ = 0;
};

}  // namespace ionspice::solver
