#include "models/Registry.hpp"

#include <algorithm>

namespace ionspice::models {

Registry& Registry::instance() {
    // Function-local static: initialised on first use, so registrars in other translation
    // units may run in any order.
    static Registry r;
    return r;
}

void Registry::add(Registration r) { regs_.push_back(std::move(r)); }

namespace {
bool takes_type(const Registration& r, std::string_view type) {
    if (r.types.empty()) return type.empty();
    return std::find(r.types.begin(), r.types.end(), type) != r.types.end();
}
}  // namespace

const Registration* Registry::find(char letter, std::string_view type, int level) const {
    for (const auto& r : regs_) {
        if (r.letter != letter || !takes_type(r, type)) continue;
        if (r.levels.empty() || std::find(r.levels.begin(), r.levels.end(), level) != r.levels.end())
            return &r;
    }
    return nullptr;
}

bool Registry::knows_letter(char letter) const {
    return std::any_of(regs_.begin(), regs_.end(), [&](const Registration& r) { return r.letter == letter; });
}

bool Registry::knows_type(char letter, std::string_view type) const {
    return std::any_of(regs_.begin(), regs_.end(),
                       [&](const Registration& r) { return r.letter == letter && takes_type(r, type); });
}

std::vector<int> Registry::levels(char letter, std::string_view type) const {
    std::vector<int> out;
    for (const auto& r : regs_)
        if (r.letter == letter && takes_type(r, type)) out.insert(out.end(), r.levels.begin(), r.levels.end());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace ionspice::models
