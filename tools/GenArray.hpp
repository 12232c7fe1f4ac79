#pragma once
// Array netlists for `ionspice gen` (docs/circuits.md §2–§5): passive crossbars, 1T1R
// arrays, H-1E1T arrays (ECRAM with a selector on its drain) and MTT arrays, as plain netlist
// text that ionspice runs as is (and ngspice too, for crossbar and 1t1r arrays of resistors with
// level-1 selectors). tools/GenCommand.cpp reads the command line into an ArraySpec; everything
// here is pure: the same spec gives the same text.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/Device.hpp"
#include "models/MemoryState.hpp"

namespace ionspice::tools {

enum class ArrayKind { crossbar, one_t1r, h1e1t, mtt };
enum class CellKind { resistor, ecram, memristor };

/// How the lines are biased for a read (or, with a programming phase, for the pulses).
enum class ReadScheme {
    all,       ///< every row driven, every column at 0 V: the vector–matrix product
    floating,  ///< selected row at V, selected column at 0 V, other lines undriven
    half,      ///< the others at V/2
    third,     ///< unselected rows at V/3, unselected columns at 2V/3
    ground,    ///< the others at 0 V
};

enum class ProgramPhase {
    none,
    potentiate,
    depress,
    map,  ///< every cell by its signed amount in PulseSpec::map
};

/// The order in which a programming map visits the array.
enum class ProgramOrder { rows, cols };

/// A .model card as the user wrote it (or our default), and the parameters we need from it.
struct ModelInfo {
    std::string name;  ///< lower case
    std::string type;  ///< ecram, memristor, nmos
    std::string card;  ///< the full ".model …" line
    std::map<std::string, double> params;
    std::map<std::string, std::string> words;  ///< level=rram, mapping=exp
    /// What the device family's prepare made of the card: memory cells answer conductance
    /// window, initial state and nominal pulses through it, so no default is repeated here.
    std::shared_ptr<const models::ModelParams> prepared;

    /// The prepared card as a memory model; throws std::invalid_argument when it is not one.
    const models::MemoryModel& memory() const;

    double param(const std::string& key, double fallback) const {
        auto it = params.find(key);
        return it == params.end() ? fallback : it->second;
    }
    std::string word(const std::string& key, const std::string& fallback) const {
        auto it = words.find(key);
        return it == words.end() ? fallback : it->second;
    }
};

/// The programming pulses: one train of identical pulses on every line that is not at 0 V.
struct PulseSpec {
    ProgramPhase phase = ProgramPhase::none;
    /// V, what the selected cell sees when potentiated (V_P) or, negated, depressed (V_D):
    /// positive but for VTEAM memristors, which potentiate (G up) under a negative voltage.
    double amplitude = 0;
    /// ProgramPhase::map: what the cell sees when depressed is −depress_amplitude (the same sign
    /// convention as `amplitude` for ProgramPhase::depress).
    double depress_amplitude = 0;
    double vd = 6;         ///< V, H-1E1T drain-line voltage V_D
    double vss = 9;        ///< V, H-1E1T selector gate voltage when on
    double width = 5e-3;   ///< s
    double period = 10e-3; ///< s
    double edge = 10e-6;   ///< s, rise and fall
    int count = 1;
    /// ProgramPhase::map: rows×cols signed amounts, in pulses of `width` (positive potentiates,
    /// negative depresses, 0 leaves the cell alone). With `pwm` each cell gets one pulse of
    /// |amount|·width; without, |amount| (an integer) pulses of `width` every `period`.
    std::vector<double> map;
    std::string map_source;  ///< for the header
    bool pwm = false;
    ProgramOrder order = ProgramOrder::rows;
};

struct ArraySpec {
    ArrayKind kind = ArrayKind::crossbar;
    CellKind cell = CellKind::resistor;
    int rows = 0, cols = 0;
    std::optional<ModelInfo> cell_model;  ///< absent for resistor cells
    std::optional<ModelInfo> fet_model;   ///< selector / reference and inference transistors
    double fet_w = 10e-6, fet_l = 1e-6;   ///< m
    double ref_w = 0, ref_l = 0;          ///< m, MTT reference transistors; 0: fet_w, fet_l
    std::vector<double> g;                ///< S, row-major rows×cols, the cells' initial conductances
    std::string g_source;                 ///< how g was made, for the header
    double rwire = 0;                     ///< Ω per segment; 0: each line is one node
    double cwire = 0;                     ///< F per line node to ground
    double rdrv = 0;                      ///< Ω, row-driver source resistance
    double rsense = 0;                    ///< Ω, column sense resistance to the sense source (0: virtual ground)
    std::vector<double> inputs;           ///< V per row (scheme all)
    std::string inputs_source;            ///< for the header
    /// Scheme all, optional: one input vector per sample (samples × rows, V); sample k is held
    /// on the rows over [k·sample_time, (k+1)·sample_time). Empty: the DC inputs above.
    std::vector<std::vector<double>> samples;
    double sample_time = 1e-6;            ///< s
    double vread = 0.1;                   ///< V, the read voltage of single-cell schemes
    ReadScheme scheme = ReadScheme::all;
    int select_row = -1, select_col = -1;
    double vgate = 1.8;                   ///< V, 1T1R word line when on
    double veg = 0;                       ///< V, ECRAM gate lines during reads
    double vreadh = 1.4, vrefg = 0.6;     ///< V, MTT divider supply and reference gate
    double rref = 0;                      ///< Ω, MTT reference resistor (0: reference transistor)
    PulseSpec pulses;
    std::vector<std::string> analyses;    ///< card text, e.g. ".op", ".tran 1u 1m"; empty: our default
    bool print = false;
    std::string options;                  ///< the text of an .options card, e.g. "seed=3 devseed=1"
    std::string command_line;             ///< recorded in the header
};

/// The conductance range [min, max] (S) a cell can hold: the memory model's window; any G > 0
/// for resistors (model null).
std::pair<double, double> conductance_range(CellKind cell, const ModelInfo* model);

/// The netlist text. Expects a spec that GenCommand has checked (sizes, selection, ranges).
/// Without analyses: .op for a read, .tran over the whole programming run or all input samples.
std::string generate_array(const ArraySpec& spec);

}  // namespace ionspice::tools
