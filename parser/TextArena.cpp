#include "parser/TextArena.hpp"

#include <algorithm>

#include "parser/BulkMemory.hpp"

namespace ionspice::parser {

namespace {
constexpr std::size_t first_block = std::size_t{64} << 10;
constexpr std::size_t largest_block = std::size_t{16} << 20;
}  // namespace

TextArena::~TextArena() {
    for (const Block& b : blocks_) bulk_deallocate(b.data, b.size);
}

char* TextArena::reserve(std::size_t n) {
    if (n > left_) {
        std::size_t size = blocks_.empty() ? first_block : std::min(blocks_.back().size * 2, largest_block);
        size = std::max(size, n);
        char* data = static_cast<char*>(bulk_allocate(size));
        blocks_.push_back(Block{data, size});
        next_ = data;
        left_ = size;
    }
    char* p = next_;
    next_ += n;
    left_ -= n;
    return p;
}

std::string_view TextArena::lower_copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        p[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return std::string_view(p, s.size());
}

}  // namespace ionspice::parser
