#pragma once
// MPI for the command line. Under `mpirun -np N ionspice …` every rank reads the netlist and
// runs its share of the `.step` points (solver::StepRanks); the first rank gathers the results
// and writes and prints them alone. Started only when the process was launched by an MPI
// launcher (its environment says so), so that a plain run never pays for MPI's start.

#include <memory>

#include "solver/Simulator.hpp"

namespace ionspice::tools {

class MpiRanks {
public:
    /// Starts MPI when launched by mpirun and MPI was built in; otherwise one process alone.
    MpiRanks();
    ~MpiRanks();  ///< finalises MPI if it started it
    MpiRanks(const MpiRanks&) = delete;
    MpiRanks& operator=(const MpiRanks&) = delete;

    int rank() const;
    int size() const;
    /// The processes of this run on this machine (for the default thread count), ≥ 1.
    int local_size() const;
    /// What run_steps shares the points with: nullptr for one process.
    solver::StepRanks* steps();
    /// Whether a launcher started this process although MPI was not built in (every rank would
    /// then run everything: the command line says so).
    static bool launched_without_mpi();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ionspice::tools
