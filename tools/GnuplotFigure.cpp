#include "tools/GnuplotFigure.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
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
        s << terminal_ << "\nset output " << gnuplot_quote(figure.string()) << "\n" << script << "\nunset output\n";
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

}  // namespace ionspice::tools
