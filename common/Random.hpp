#pragma once
// Reproducible random numbers as pure functions of a key and an index (no state, no std::hash,
// whose values differ between standard libraries): shared by the models' variability and the
// parser's agauss/gauss/unif/aunif/limit, so that each draw depends only on what names it.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string_view>

namespace ionspice {

/// splitmix64's finaliser: a bijective 64-bit mixer with full avalanche.
inline std::uint64_t splitmix64(std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/// 64-bit FNV-1a of the name: fixed, portable, and enough to separate instance names.
inline std::uint64_t fnv1a64(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/// The seed of run `run` of a Monte Carlo series keyed by `base`: 53 bits, so that it survives
/// being an option's value (a double) exactly.
inline std::uint64_t monte_carlo_seed(std::uint64_t base, std::uint64_t run) {
    return splitmix64(base ^ splitmix64(run ^ 0x6d6f6e746543ULL)) >> 11;
}

/// Standard normal number `index` of the stream `key`, by Box–Muller from two uniforms that are
/// themselves pure functions of (key, index).
inline double standard_normal(std::uint64_t key, std::uint64_t index) {
    const std::uint64_t a = splitmix64(key ^ splitmix64(2 * index));
    const std::uint64_t b = splitmix64(key ^ splitmix64(2 * index + 1));
    constexpr double kTwoToMinus53 = 1.0 / 9007199254740992.0;
    const double u1 = static_cast<double>((a >> 11) + 1) * kTwoToMinus53;  // (0, 1]: log stays finite
    const double u2 = static_cast<double>(b >> 11) * kTwoToMinus53;        // [0, 1)
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

/// Uniform number `index` of the stream `key` in [−1, 1) (ngspice's drand()).
inline double symmetric_uniform(std::uint64_t key, std::uint64_t index) {
    constexpr double kTwoToMinus53 = 1.0 / 9007199254740992.0;
    return 2 * static_cast<double>(splitmix64(key ^ splitmix64(~index)) >> 11) * kTwoToMinus53 - 1;
}

}  // namespace ionspice
