#include "tools/Commands.hpp"

#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

namespace ionspice::tools {

std::optional<int> parse_options(CLI::App& app, int argc, char** argv, const char* prefix) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);
        fmt::print(std::cerr, "{}error: {} (try --help)\n", prefix, e.what());
        return 2;
    }
    return std::nullopt;
}

}  // namespace ionspice::tools
