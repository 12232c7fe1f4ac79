#pragma once
// Runs the ionspice executable (IONSPICE_BINARY) through the shell, capturing exit status,
// stdout and stderr, in a scratch directory of the test process's own.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace ionspice::test {

struct CommandRun {
    int status = -1;
    std::string out, err;
};

/// A fresh, empty directory for this tag and process. Emptied first: the name holds the process
/// id, which a later run of the suite may be given again, and what that earlier process left
/// (a netlist copied in, an output) would make copy_file fail or a check read old results.
inline std::filesystem::path scratch_dir(const std::string& tag) {
    auto d = std::filesystem::temp_directory_path() / ("ionspice_" + tag + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    return d;
}

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// `args` go to the shell as written: quote vector names such as 'i(vd)'. `env` is prefixed
/// to the command ("PATH=/nowhere").
inline CommandRun run_ionspice(const std::filesystem::path& dir, const std::string& args, const std::string& env = "") {
    auto out = dir / "stdout.txt", err = dir / "stderr.txt";
    std::string cmd = env + (env.empty() ? "" : " ") + IONSPICE_BINARY + " " + args + " >" + out.string() + " 2>" +
                      err.string();
    int rc = std::system(cmd.c_str());
    CommandRun r;
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

/// A scratch directory of the test process's own: netlists written into it, the executable
/// run with it as the place for stdout and stderr.
class Sandbox {
public:
    explicit Sandbox(const std::string& tag) : dir_(scratch_dir(tag)) {}
    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path write(const std::string& name, const std::string& text) const {
        auto p = dir_ / name;
        std::ofstream(p) << text;
        return p;
    }
    CommandRun run(const std::string& args, const std::string& env = "") const { return run_ionspice(dir_, args, env); }

private:
    std::filesystem::path dir_;
};

inline bool gnuplot_installed() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

}  // namespace ionspice::test
