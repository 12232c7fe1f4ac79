#pragma once
// What the fuzz targets share: the input as text, and the rule for what counts as a failure.
// A located error, a convergence failure or a usage error is the expected answer to bad input
// (the command line prints it and exits 1 or 2); only a crash, a sanitizer report, a hang or an
// exception of another kind (a logic error escaping, which would surface as "internal error")
// is a finding.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

#include "models/Device.hpp"
#include "parser/SourceLoc.hpp"
#include "solver/SimulationError.hpp"

namespace ionspice::fuzz {

inline std::string text(const std::uint8_t* data, std::size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

/// Runs `f`; expected failures return normally, anything else aborts with its message so that
/// libFuzzer records the input.
template <typename F>
void expect_clean(F&& f, bool reader = false) {
    auto finding = [](const std::exception& e) {
        std::fprintf(stderr, "unexpected exception: %s\n", e.what());
        std::abort();
    };
    try {
        f();
    } catch (const parser::NetlistError&) {
    } catch (const solver::SimulationError&) {
    } catch (const models::DeviceError&) {
    } catch (const std::invalid_argument&) {  // usage errors (gen), fit data errors
    } catch (const std::bad_alloc&) {         // an input asking for more memory than the limit
    } catch (const std::runtime_error& e) {
        if (!reader) finding(e);  // the file readers report a malformed file this way
    } catch (const std::exception& e) {
        finding(e);
    }
}

}  // namespace ionspice::fuzz
