#include "tools/MpiRanks.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <fmt/ostream.h>

#ifdef IONSPICE_HAVE_MPI
#include <mpi.h>
#endif

namespace ionspice::tools {

namespace {

/// The environment an MPI launcher gives its processes (Open MPI's mpirun, PMIx, Hydra's PMI).
bool launched_by_mpirun() {
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"})
        if (std::getenv(v)) return true;
    return false;
}

int env_int(const char* name, int fallback) {
    const char* v = std::getenv(name);
    if (!v) return fallback;
    char* end = nullptr;
    const long n = std::strtol(v, &end, 10);
    return end != v && n > 0 && n < 1'000'000 ? static_cast<int>(n) : fallback;
}

}  // namespace

#ifdef IONSPICE_HAVE_MPI

struct MpiRanks::Impl final : solver::StepRanks {
    int rank_ = 0, size_ = 1;
    bool started = false;

    int rank() const override { return rank_; }
    int size() const override { return size_; }

    std::string broadcast(const std::string& text) override {
        auto n = static_cast<unsigned long long>(text.size());
        MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
        std::string out = rank_ == 0 ? text : std::string(n, '\0');
        MPI_Bcast(out.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD);
        return out;
    }

    std::vector<std::string> gather(const std::string& bytes) override {
        // Point to point in pieces below 2^31 bytes (MPI's counts are ints): a rank's share of
        // a large sweep can be gigabytes.
        constexpr std::size_t piece = std::size_t{1} << 30;
        if (rank_ != 0) {
            auto n = static_cast<unsigned long long>(bytes.size());
            MPI_Send(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, 0, MPI_COMM_WORLD);
            for (std::size_t at = 0; at < bytes.size(); at += piece)
                MPI_Send(bytes.data() + at, static_cast<int>(std::min(piece, bytes.size() - at)), MPI_CHAR, 0, 1,
                         MPI_COMM_WORLD);
            return {};
        }
        std::vector<std::string> all(static_cast<std::size_t>(size_));
        all[0] = bytes;
        for (int r = 1; r < size_; ++r) {
            unsigned long long n = 0;
            MPI_Recv(&n, 1, MPI_UNSIGNED_LONG_LONG, r, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            std::string& s = all[static_cast<std::size_t>(r)];
            s.resize(n);
            for (std::size_t at = 0; at < s.size(); at += piece)
                MPI_Recv(s.data() + at, static_cast<int>(std::min(piece, s.size() - at)), MPI_CHAR, r, 1,
                         MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
        return all;
    }

    [[noreturn]] void abort(const std::string& message) override {
        fmt::print(std::cerr, "{} (rank {} of {})\n", message, rank_, size_);
        MPI_Abort(MPI_COMM_WORLD, 1);
        std::abort();
    }
};

MpiRanks::MpiRanks() : impl_(std::make_unique<Impl>()) {
    if (!launched_by_mpirun()) return;
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) {
        // Only the main thread talks to other ranks; hypre (the AMG path) may run on the step
        // threads, one at a time (it holds its own lock).
        int provided = 0;
        MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
        impl_->started = true;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &impl_->rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &impl_->size_);
}

MpiRanks::~MpiRanks() {
    if (!impl_->started) return;
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (!finalised) MPI_Finalize();
}

solver::StepRanks* MpiRanks::steps() { return impl_->size_ > 1 ? impl_.get() : nullptr; }
int MpiRanks::rank() const { return impl_->rank_; }
int MpiRanks::size() const { return impl_->size_; }
bool MpiRanks::launched_without_mpi() { return false; }

#else  // built without MPI: one process

struct MpiRanks::Impl {};
MpiRanks::MpiRanks() : impl_(std::make_unique<Impl>()) {}
MpiRanks::~MpiRanks() = default;
solver::StepRanks* MpiRanks::steps() { return nullptr; }
int MpiRanks::rank() const { return 0; }
int MpiRanks::size() const { return 1; }
bool MpiRanks::launched_without_mpi() { return launched_by_mpirun(); }

#endif

int MpiRanks::local_size() const {
    // Open MPI says how many of the job's processes share this node; other launchers do not,
    // and then the whole job is taken to be here (the safe side: fewer threads).
    return std::max(1, env_int("OMPI_COMM_WORLD_LOCAL_SIZE", size()));
}

}  // namespace ionspice::tools
