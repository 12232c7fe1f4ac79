#pragma once
// The values devices keep from one evaluation or accepted point to the next (Declarer's
// add_history, SPICE's state vectors), owned by the solver rather than by the devices: saving
// and restoring a whole analysis' state is a copy of this.

#include <vector>

#include "models/Device.hpp"

namespace ionspice::solver {

struct DeviceHistory {
    std::vector<double> now;       ///< left by the latest evaluation (state 0)
    std::vector<double> accepted;  ///< at the last accepted point (state 1)

    explicit DeviceHistory(std::size_t size = 0) : now(size, 0.0), accepted(size, 0.0) {}

    /// Points a load's context at these values.
    void attach(models::LoadContext& ctx) {
        ctx.history = now.data();
        ctx.accepted = accepted.data();
    }
};

}  // namespace ionspice::solver
