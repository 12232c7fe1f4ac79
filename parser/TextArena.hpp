#pragma once
// Storage for the deck's names: lower-cased once, packed into large blocks, and handed out as
// string_views that stay valid as long as the arena. A crossbar's 1.6 million node names cost
// one allocation per block instead of one per name.

#include <cstddef>
#include <string_view>
#include <vector>

namespace ionspice::parser {

class TextArena {
public:
    TextArena() = default;
    TextArena(const TextArena&) = delete;
    TextArena& operator=(const TextArena&) = delete;
    ~TextArena();

    /// A lower-case copy of `s`.
    std::string_view lower_copy(std::string_view s);

private:
    char* reserve(std::size_t n);

    struct Block {
        char* data;
        std::size_t size;
    };
    std::vector<Block> blocks_;
    char* next_ = nullptr;
    std::size_t left_ = 0;
};

}  // namespace ionspice::parser
