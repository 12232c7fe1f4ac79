// Results are written atomically: a failed or interrupted write leaves the earlier file as it
// was and no temporary file behind.

#include <csignal>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "solver/AtomicFile.hpp"
#include "tests/CommandRun.hpp"

namespace fs = std::filesystem;

namespace {

int files_in(const fs::path& dir) {
    int n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
    return n;
}

}  // namespace

TEST_CASE("atomic file: a complete write replaces the file, a throwing one leaves it") {
    const fs::path dir = ionspice::test::scratch_dir("atomic_throw");
    const fs::path out = dir / "out.raw";
    ionspice::solver::write_atomically(out.string(), [](std::ostream& o) { o << "first"; });
    CHECK(ionspice::test::slurp(out) == "first");
    CHECK_THROWS_AS(ionspice::solver::write_atomically(out.string(),
                                                       [](std::ostream& o) {
                                                           o << "half";
                                                           throw std::runtime_error("stop");
                                                       }),
                    std::runtime_error);
    CHECK(ionspice::test::slurp(out) == "first");
    CHECK(files_in(dir) == 1);
}

TEST_CASE("atomic file: SIGTERM or SIGINT during a write removes the temporary file") {
    for (int sig : {SIGTERM, SIGINT}) {
        const fs::path dir = ionspice::test::scratch_dir("atomic_signal_" + std::to_string(sig));
        const fs::path out = dir / "out.raw";
        std::ofstream(out) << "earlier result";
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            // In the child: the signal arrives halfway through the write (a user's Ctrl-C).
            ::signal(sig, SIG_DFL);  // as in a fresh process (the test runner may handle it)
            ionspice::solver::write_atomically(out.string(), [&](std::ostream& o) {
                o << "new result, half written";
                o.flush();
                ::raise(sig);
            });
            ::_exit(0);  // not reached
        }
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        INFO("signal " << sig);
        CHECK(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == sig);
        CHECK(ionspice::test::slurp(out) == "earlier result");
        CHECK(files_in(dir) == 1);  // no out.raw.tmp<pid> left
    }
}
