#pragma once
// The temperature rule R, C and L share, as ngspice's restemp.c, captemp.c and indtemp.c:
// the instance's temp=, else the circuit temperature plus dtemp=; the instance's tc1/tc2
// override its model's; the value scales by 1 + tc1·ΔT + tc2·ΔT², ΔT = T − Tnom, Tnom the
// model's tnom= when written, else the circuit's (.options tnom).

#include <optional>

#include "models/Device.hpp"
#include "models/ParamReader.hpp"

namespace ionspice::models {

/// What a passive element's .model contributes to the rule (all unset without a model).
struct PassiveTempModel {
    double tc1 = 0, tc2 = 0;     ///< 1/K, 1/K²
    std::optional<double> tnom;  ///< °C
};

struct PassiveTemperature {
    double temp;    ///< °C, the element's temperature
    double dt;      ///< K, temp − Tnom
    double tc1, tc2;
    double factor;  ///< 1 + tc1·dt + tc2·dt²
};

/// Reads temp, dtemp, tc1 and tc2 (and `tc1_alias`, e.g. the resistor's `tc`) from `inst`.
inline PassiveTemperature passive_temperature(ParamReader& inst, const InstanceCard& card, const PassiveTempModel& m,
                                              const char* tc1_alias = nullptr) {
    PassiveTemperature t{};
    const double dtemp = inst.get("dtemp", 0);
    t.temp = inst.get("temp", card.temp + dtemp);
    t.dt = t.temp - m.tnom.value_or(card.tnom);
    std::optional<double> tc1 = inst.find("tc1");
    if (!tc1 && tc1_alias) tc1 = inst.find(tc1_alias);
    t.tc1 = tc1.value_or(m.tc1);
    t.tc2 = inst.get("tc2", m.tc2);
    t.factor = 1 + t.tc1 * t.dt + t.tc2 * t.dt * t.dt;
    return t;
}

}  // namespace ionspice::models
