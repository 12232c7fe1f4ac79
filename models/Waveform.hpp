#pragma once
// Evaluation of independent-source waveforms (PULSE, PWL, SIN, EXP with ngspice-39's semantics;
// SFFM and AM with ngspice 47's, whose arguments AM changed),
// and the corners the transient analysis must step onto.

#include <limits>
#include <string>
#include <vector>

#include "models/Device.hpp"
#include "models/Subject.hpp"

namespace ionspice::models {

/// What ngspice substitutes for waveform arguments that are left out or written as zero: the
/// .tran step and stop time. PULSE rise and fall times default to tstep, its width and period to
/// tstop; SIN's frequency to 1/tstop; EXP's delays and time constants to tstep. Until a transient
/// analysis supplies them, edges are ideal (tstep = 0) and widths and periods infinite.
struct TransientDefaults {
    double tstep = 0;                                        ///< s
    double tstop = std::numeric_limits<double>::infinity();  ///< s
};

/// Argument k as written, or `fallback` when it is left out.
double arg_or(const Waveform& w, std::size_t k, double fallback);

/// Checks argument counts and ranges. Throws DeviceError(Where::Instance, "<kind>", …) naming
/// `what` (e.g. "voltage source v1").
void check_waveform(const Waveform& w, const Subject& what);

/// The waveform's value at time t (s). Kind::None is not a waveform: callers use the DC value.
double waveform_value(const Waveform& w, double t, const TransientDefaults& d);

/// Appends the times in (t0, t1] where the waveform has a corner: every PULSE edge start and end
/// (each period, up to NP pulses), every PWL point (with r= repeats and td= delay), SIN's delay,
/// EXP's two delays. The appended part is sorted and free of duplicates.
void waveform_breakpoints(const Waveform& w, double t0, double t1, const TransientDefaults& d,
                          std::vector<double>& out);

}  // namespace ionspice::models
