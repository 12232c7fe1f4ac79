#include "parser/BulkMemory.hpp"

#include <sys/mman.h>

#include <cstdint>

namespace ionspice::parser {

namespace {

constexpr std::size_t page = 4096;
constexpr std::size_t bulk_threshold = std::size_t{4} << 20;
#ifndef MADV_POPULATE_WRITE
constexpr int MADV_POPULATE_WRITE = 23;  // Linux 5.14
#endif

}  // namespace

void prefault(void* p, std::size_t bytes) {
    auto begin = (reinterpret_cast<std::uintptr_t>(p) + page - 1) & ~(page - 1);
    auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(page - 1);
    if (end <= begin || end - begin < bulk_threshold / 2) return;
    auto* b = reinterpret_cast<void*>(begin);
    madvise(b, end - begin, MADV_HUGEPAGE);
    madvise(b, end - begin, MADV_POPULATE_WRITE);
}

// Under AddressSanitizer every block comes from operator new: the leak checker scans heap
// blocks for pointers, not private mappings, and would report what the cards hold as leaked.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kMapBlocks = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kMapBlocks = false;
#else
constexpr bool kMapBlocks = true;
#endif
#else
constexpr bool kMapBlocks = true;
#endif

void* bulk_allocate(std::size_t bytes) {
    if (!kMapBlocks || bytes < bulk_threshold) return ::operator new(bytes);
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    prefault(p, bytes);
    return p;
}

void bulk_deallocate(void* p, std::size_t bytes) {
    if (p == nullptr) return;
    if (!kMapBlocks || bytes < bulk_threshold)
        ::operator delete(p);
    else
        munmap(p, bytes);
}

}  // namespace ionspice::parser
