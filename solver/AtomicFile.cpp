#include "solver/AtomicFile.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

namespace ionspice::solver {

namespace {

// The temporary files being written, for a SIGINT/SIGTERM/SIGHUP handler to remove: fixed
// slots of plain characters, because a handler may only call async-signal-safe functions
// (unlink, signal, raise) and read memory that no allocation moves.
constexpr int kSlots = 16;
constexpr std::size_t kPathMax = 4096;
struct Slot {
    std::atomic<bool> used{false};
    char path[kPathMax];
};
Slot g_slots[kSlots];

extern "C" void remove_temporaries(int sig) {
    for (auto& s : g_slots)
        if (s.used.load()) ::unlink(s.path);
    // Then die of the signal, as without the handler.
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

/// Installs the handler for the signals at their default action (a host such as Python that
/// handles SIGINT itself keeps its handler). Checked at every write, a system call next to
/// creating a file: whoever changes a disposition later is respected the next time.
void install_handler() {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
        struct sigaction old {};
        if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler != SIG_DFL) continue;
        struct sigaction sa {};
        sa.sa_handler = remove_temporaries;
        sigemptyset(&sa.sa_mask);
        ::sigaction(sig, &sa, nullptr);
    }
}

/// Holds one temporary file's name in a slot while it exists (none free: it goes unguarded).
class TemporaryGuard {
public:
    explicit TemporaryGuard(const std::string& path) {
        if (path.size() >= kPathMax) return;
        install_handler();
        for (int k = 0; k < kSlots; ++k) {
            bool expected = false;
            if (g_slots[k].used.load() || !g_slots[k].used.compare_exchange_strong(expected, true)) continue;
            // A signal between the claim and the copy finds an earlier temporary's name, whose
            // file was renamed or removed already: unlinking it does no harm.
            std::memcpy(g_slots[k].path, path.c_str(), path.size() + 1);
            slot_ = k;
            return;
        }
    }
    ~TemporaryGuard() {
        if (slot_ >= 0) g_slots[slot_].used.store(false);
    }
    TemporaryGuard(const TemporaryGuard&) = delete;
    TemporaryGuard& operator=(const TemporaryGuard&) = delete;

private:
    int slot_ = -1;
};

}  // namespace

void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
    namespace fs = std::filesystem;
    fs::path target(path);
    fs::path tmp = target;
    tmp += fmt::format(".tmp{}", static_cast<long>(::getpid()));
    const TemporaryGuard guard(tmp.string());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
        try {
            write(out);
            out.flush();
        } catch (...) {
            out.close();
            std::error_code ec;
            fs::remove(tmp, ec);
            throw;
        }
        if (!out) {
            std::error_code ec;
            fs::remove(tmp, ec);
            throw std::runtime_error(fmt::format("cannot write '{}' (disk full?)", path));
        }
    }
    std::error_code ec;
    fs::rename(tmp, target, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw std::runtime_error(fmt::format("cannot write '{}': {}", path, ec.message()));
    }
}

}  // namespace ionspice::solver
