#pragma once
// Physical constants, with the values ngspice-39 uses (CODATA 2014), so that thermal voltages,
// saturation currents and threshold voltages agree with ngspice to the last digits.

#include <cmath>

namespace ionspice::models::physics {

inline constexpr double kBoltzmann = 1.38064852e-23;    ///< J/K
inline constexpr double kCharge = 1.6021766208e-19;     ///< C
inline constexpr double kCelsiusToKelvin = 273.15;      ///< K
inline constexpr double kRefTemp = 300.15;              ///< K, 27 °C: where ngspice's band-gap fit is anchored
inline constexpr double kBandGapAtRefTemp = 1.1150877;  ///< eV, silicon Eg(kRefTemp) in ngspice's fit
inline constexpr double kBoltzmannOverCharge = kBoltzmann / kCharge;  ///< V/K
/// ngspice's ε0 for the MOS oxide and silicon permittivities (an older value than CODATA's).
inline constexpr double kEpsZeroMos = 8.854214871e-12;  ///< F/m
inline constexpr double kSqrt2 = 1.4142135623730951;

/// Thermal voltage kT/q (V) at `kelvin`.
inline constexpr double thermal_voltage(double kelvin) { return kBoltzmannOverCharge * kelvin; }

/// Silicon band gap (eV) at `kelvin`, ngspice's fit: Eg(T) = 1.16 − 7.02e-4·T²/(T + 1108).
inline constexpr double silicon_band_gap(double kelvin) { return 1.16 - (7.02e-4 * kelvin * kelvin) / (kelvin + 1108); }

/// ngspice's temperature term of junction and surface potentials (V) at `kelvin`:
///     pbfact(T) = −2·vt·(1.5·ln(T/Tref) + q·(−Eg(T)/(2kT) + Eg(Tref)/(2k·Tref))),
/// so that a potential φ measured at Tnom becomes φ(T) = (T/Tref)·(φ − pbfact(Tnom))/(Tnom/Tref) + pbfact(T).
inline double potential_temperature_term(double kelvin) {
    const double kt = kBoltzmann * kelvin;
    const double arg = -silicon_band_gap(kelvin) / (kt + kt) + kBandGapAtRefTemp / (kBoltzmann * (kRefTemp + kRefTemp));
    return -2 * thermal_voltage(kelvin) * (1.5 * std::log(kelvin / kRefTemp) + kCharge * arg);
}

}  // namespace ionspice::models::physics
