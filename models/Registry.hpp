#pragma once
// Maps an element letter (and, for devices with a .model, the model type and level) to the code
// that builds the device. Each device family registers itself from its own .cpp with a static
// `Registrar`, so a new device touches no other file.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/Device.hpp"

namespace ionspice::models {

struct Registration {
    char letter = 0;                  ///< lower-case element letter
    std::vector<std::string> types;   ///< .model types it accepts; empty: takes no model
    std::vector<int> levels;          ///< model `level` values it accepts; empty: any
    std::string description;          ///< for messages, e.g. "MOSFET level 1 (Shichman-Hodges)"
    /// Checks and defaults a .model card once (may be empty when there is no model).
    /// Throws DeviceError(Where::Model, ...).
    std::function<std::shared_ptr<const ModelParams>(const ModelCard&)> prepare;
    /// Builds one instance; `model` is what `prepare` returned (null without a model).
    /// Throws DeviceError.
    std::function<std::unique_ptr<Device>(const InstanceCard&, const ModelParams* model)> create;
};

class Registry {
public:
    static Registry& instance();
    void add(Registration r);
    /// The registration for a letter and model type/level; null when none.
    /// For letters without models pass an empty type.
    const Registration* find(char letter, std::string_view type, int level) const;
    /// True when some registration takes this letter.
    bool knows_letter(char letter) const;
    /// True when some registration of this letter takes this model type (any level).
    bool knows_type(char letter, std::string_view type) const;
    /// Levels registered for a letter and type (for "no level N" messages).
    std::vector<int> levels(char letter, std::string_view type) const;

private:
    std::vector<Registration> regs_;
};

/// Put one `static Registrar reg{{...}};` in each device family's .cpp.
struct Registrar {
    explicit Registrar(Registration r) { Registry::instance().add(std::move(r)); }
};

}  // namespace ionspice::models
