#include "tools/GnuplotFigure.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "solver/AtomicFile.hpp"

extern char** environ;

namespace ionspice::tools {

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

std::string gnuplot_quote(const std::string& text) {
    std::string q = "'";
    for (char c : text) {
        if (c == '\'') q += '\'';
        if (c != '\n') q += c;
    }
    return q + "'";
}

GnuplotFigure::GnuplotFigure(std::string output, int width, int height) : output_(std::move(output)) {
    const std::string ext = lower(fs::path(output_).extension().string());
    // noenhanced: vector names such as i(v_d) are labels, not markup.
    if (ext == ".png")
        terminal_ = fmt::format("set terminal pngcairo size {},{} noenhanced font 'sans,10'", width, height);
    else if (ext == ".svg")
        terminal_ = fmt::format("set terminal svg size {},{} dynamic noenhanced background rgb 'white' font 'sans,10'",
                                width, height);
    else
        throw std::runtime_error(
            fmt::format("cannot tell the figure format of '{}': name it .png or .svg", output_));
    std::string tmpl = (fs::temp_directory_path() / "ionspice-figure-XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
        throw std::runtime_error(fmt::format("cannot make a temporary directory: {}", std::strerror(errno)));
    dir_ = tmpl;
}

GnuplotFigure::~GnuplotFigure() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

std::string GnuplotFigure::data(const std::string& name, const std::function<void(std::ostream&)>& write) {
    fs::path p = dir_ / name;
    std::ofstream out(p);
    write(out);
    if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", p.string()));
    return gnuplot_quote(p.string());
}

void GnuplotFigure::render(const std::string& script, std::ostream& warnings, const std::string& prefix) {
    const fs::path figure = dir_ / ("figure" + fs::path(output_).extension().string());
    const fs::path script_path = dir_ / "figure.gp", out_path = dir_ / "gnuplot.out", err_path = dir_ / "gnuplot.err";
    {
        std::ofstream s(script_path);
        // UTF-8: tick labels carry µ, titles the netlist's own text.
        s << "set encoding utf8\n" << terminal_ << "\nset output " << gnuplot_quote(figure.string()) << "\n" << script << "\nunset output\n";
        if (!s) throw std::runtime_error(fmt::format("cannot write '{}'", script_path.string()));
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::string prog = "gnuplot", arg = script_path.string();
    std::vector<char*> argv{prog.data(), arg.data(), nullptr};
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc == ENOENT)
        throw std::runtime_error("gnuplot is not installed; install it (Debian: apt-get install gnuplot-nox)");
    if (rc != 0) throw std::runtime_error(fmt::format("cannot run gnuplot: {}", std::strerror(rc)));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) throw std::runtime_error(fmt::format("waiting for gnuplot: {}", std::strerror(errno)));

    std::string said = slurp(err_path);
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && fs::exists(figure) && fs::file_size(figure) > 0;
    if (!ok) {
        // gnuplot writes nothing to stdout when run on a script; a shell that cannot find it says 127.
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            throw std::runtime_error("gnuplot is not installed; install it (Debian: apt-get install gnuplot-nox)");
        throw std::runtime_error(fmt::format("gnuplot failed{}{}", said.empty() ? "" : ":\n", said));
    }
    std::istringstream lines(said);
    for (std::string line; std::getline(lines, line);)
        if (!line.empty()) fmt::print(warnings, "{}{}\n", prefix, line);
    const std::string bytes = slurp(figure);
    solver::write_atomically(output_, [&](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

std::string engineering_axis(char axis, double lo, double hi) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) return {};
    if (hi < lo) std::swap(lo, hi);
    if (hi == lo) {  // a constant: a band around it, as gnuplot draws one
        const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
        lo -= pad, hi += pad;
    }
    // About eight intervals of 1, 2, 2.5 or 5 times a power of ten, as gnuplot chooses.
    const double raw = (hi - lo) / 8;
    // A span that overflows or underflows a double has no ticks of ours (nor an int exponent).
    if (!(std::isfinite(raw) && raw >= std::numeric_limits<double>::min())) return {};
    const int p = static_cast<int>(std::floor(std::log10(raw)));
    const double m = raw / std::pow(10.0, p);
    double nice = 10;
    for (double candidate : {1.0, 2.0, 2.5, 5.0})
        if (candidate >= m * (1 - 1e-12)) {
            nice = candidate;
            break;
        }
    const double step = nice * std::pow(10.0, p);
    const double i0 = std::floor(lo / step + 1e-9), i1 = std::ceil(hi / step - 1e-9);
    const long count = std::lround(i1 - i0);
    const double first = i0 * step, last = i1 * step;
    if (!(step > 0) || count < 1 || count > 100) return {};
    // One prefix for the axis, from its largest magnitude; decimals to show the step exactly.
    static constexpr std::array<const char*, 10> prefixes{"f", "p", "n", "µ", "m", "", "k", "M", "G", "T"};
    const double biggest = std::max(std::abs(first), std::abs(last));
    int e3 = 3 * static_cast<int>(std::floor(std::log10(biggest) / 3));
    e3 = std::clamp(e3, -15, 12);
    const int nice_p = nice == 10 ? p + 1 : p;
    const int decimals = std::max(0, e3 - nice_p + (nice == 2.5 ? 1 : 0));
    const double unit = std::pow(10.0, e3);
    std::string tics;
    for (long k = 0; k <= count; ++k) {
        double t = (i0 + static_cast<double>(k)) * step;
        std::string label = t == 0 ? "0" : fmt::format("{:.{}f}{}", t / unit, decimals, prefixes[(e3 + 15) / 3]);
        tics += fmt::format("{}{} {:.12g}", k ? ", " : "", gnuplot_quote(label), t);
    }
    return fmt::format("set {}tics ({})\nset {}range [{:.12g}:{:.12g}]\n", axis, tics, axis, first, last);
}

}  // namespace ionspice::tools
