#pragma once
#include <stdexcept>
#include <string>

namespace ionspice::solver {

/// A failure of the simulation itself (singular matrix, no convergence) that the user must fix
/// in the circuit; what() names the nodes or unknowns involved.
class SimulationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace ionspice::solver
