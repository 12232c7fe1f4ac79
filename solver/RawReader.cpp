#include "solver/RawReader.hpp"

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "solver/OutputWriters.hpp"

namespace ionspice::solver {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r");
    auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

std::vector<Plot> read_raw(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(fmt::format("cannot open raw file '{}'", path));
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string data = ss.str();
    auto fail = [&](const std::string& what) {
        throw std::runtime_error(fmt::format("'{}' is not a valid raw file: {}", path, what));
    };

    std::vector<Plot> plots;
    std::size_t pos = 0;
    auto next_line = [&]() {
        auto e = data.find('\n', pos);
        if (e == std::string::npos) e = data.size();
        std::string line = data.substr(pos, e - pos);
        pos = std::min(data.size(), e + 1);
        return line;
    };
    while (pos < data.size()) {
        Plot p;
        std::size_t nvars = 0, npoints = 0;
        bool complex = false;
        while (true) {
            if (pos >= data.size()) {
                if (p.name.empty() && p.title.empty()) return plots;
                fail("header ends without Binary: or Values:");
            }
            std::string line = next_line();
            if (trim(line).empty()) continue;
            auto colon = line.find(':');
            if (colon == std::string::npos) fail("unexpected line '" + line + "'");
            std::string key = lower(trim(line.substr(0, colon)));
            std::string val = trim(line.substr(colon + 1));
            if (key == "title") {
                p.title = val;
                p.step = step_from_title(val);
            } else if (key == "date") p.date = val;
            else if (key == "plotname") p.name = val;
            else if (key == "flags") complex = lower(val).find("complex") != std::string::npos;
            else if (key == "no. variables") nvars = std::stoul(val);
            else if (key == "no. points") npoints = std::stoul(val);
            else if (key == "variables") {
                for (std::size_t k = 0; k < nvars; ++k) {
                    std::istringstream ls(next_line());
                    std::size_t idx;
                    Variable v;
                    if (!(ls >> idx >> v.name >> v.type)) fail("bad variable line");
                    p.variables.push_back(v);
                }
            } else if (key == "binary") {
                if (complex) fail("complex data is not supported");
                std::size_t bytes = nvars * npoints * sizeof(double);
                if (pos + bytes > data.size()) fail("binary data is truncated");
                p.values.resize(nvars * npoints);
                std::memcpy(p.values.data(), data.data() + pos, bytes);
                pos += bytes;
                break;
            } else if (key == "values") {
                if (complex) fail("complex data is not supported");
                p.values.reserve(nvars * npoints);
                for (std::size_t pt = 0; pt < npoints; ++pt)
                    for (std::size_t v = 0; v < nvars; ++v) {
                        std::string line = next_line();
                        std::istringstream ls(line);
                        double x;
                        if (v == 0) {
                            std::size_t idx;
                            if (!(ls >> idx)) fail("bad point index");
                        }
                        if (!(ls >> x)) fail("bad value '" + line + "'");
                        p.values.push_back(x);
                    }
                break;
            }
        }
        plots.push_back(std::move(p));
    }
    return plots;
}

}  // namespace ionspice::solver
