#pragma once
// Large arrays (800 000 cards of a crossbar) without 200 000 page faults: on some virtual
// machines each 4 KiB first touch costs ~10 µs, which made first-touch faults the largest part
// of reading a big netlist. Big blocks are asked for as transparent huge pages and pre-faulted
// with one madvise call instead.

#include <cstddef>
#include <new>

namespace ionspice::parser {

/// Pre-faults (and, where the kernel allows, backs with huge pages) the whole pages inside
/// [p, p + bytes). Only a hint: does nothing on failure or for small ranges.
void prefault(void* p, std::size_t bytes);

/// Blocks of at least 4 MiB are mapped directly and pre-faulted; smaller ones use operator new.
void* bulk_allocate(std::size_t bytes);
void bulk_deallocate(void* p, std::size_t bytes);

/// std::allocator with bulk_allocate underneath, for the deck's big card arrays.
template <typename T>
struct BulkAllocator {
    using value_type = T;
    BulkAllocator() = default;
    template <typename U>
    BulkAllocator(const BulkAllocator<U>&) {}
    T* allocate(std::size_t n) { return static_cast<T*>(bulk_allocate(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) { bulk_deallocate(p, n * sizeof(T)); }
    template <typename U>
    bool operator==(const BulkAllocator<U>&) const { return true; }
};

}  // namespace ionspice::parser
