// `ionspice gen crossbar|1t1r|h1e1t|mtt-array --rows R --cols C …`: an array netlist
// (tools/GenArray.hpp) to stdout or, written atomically, to -o FILE. This file reads and checks
// the command line; the layout and the names are GenArray's.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <stdexcept>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "models/Device.hpp"
#include "models/Registry.hpp"
#include "parser/Netlist.hpp"
#include "parser/Number.hpp"
#include "solver/AtomicFile.hpp"
#include "tools/Commands.hpp"
#include "tools/GenArray.hpp"
#include "tools/GenCommand.hpp"

namespace ionspice::tools {

namespace {

constexpr const char* kPrefix = "ionspice gen: ";

/// A mistake on the command line (or in a file it names): exit status 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

[[noreturn]] void usage(const std::string& what) { throw UsageError(what); }

double number(const std::string& text, const std::string& option) {
    auto v = parser::parse_number(text);
    if (!v || !std::isfinite(*v)) usage(fmt::format("{}: '{}' is not a number", option, text));
    return *v;
}

double non_negative(const std::string& text, const std::string& option) {
    double v = number(text, option);
    if (v < 0) usage(fmt::format("{} must not be negative, got {}", option, text));
    return v;
}

double positive(const std::string& text, const std::string& option) {
    double v = number(text, option);
    if (!(v > 0)) usage(fmt::format("{} must be positive, got {}", option, text));
    return v;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

/// "NAME TYPE (params)" (a leading ".model" is allowed) read by the netlist parser and checked
/// by the device family that will use it, so a bad parameter is reported now, not at run time.
ModelInfo read_model(const std::string& text, const std::string& option) {
    std::string body = trim(text);
    if (body.find_first_of("\n") != std::string::npos) usage(option + ": the model card must be one line");
    if (lower(body.substr(0, 6)) == ".model") body = trim(body.substr(6));
    if (body.empty()) usage(option + ": give the model as \"NAME TYPE (params)\"");
    ModelInfo m;
    m.card = ".model " + body;
    parser::Netlist n;
    try {
        n = parser::elaborate(parser::parse_deck("model\n" + m.card + "\n.end\n", option));
    } catch (const parser::NetlistError& e) {
        usage(fmt::format("{}: {} (in \"{}\")", option, e.message(), body));
    }
    if (n.models.size() != 1) usage(fmt::format("{}: \"{}\" is not one model card", option, body));
    const parser::Model& pm = n.models.front();
    m.name = pm.name;
    m.type = pm.type;
    for (const auto& p : pm.params) m.params[p.name] = p.value;
    for (const auto& w : pm.words) m.words[w.name] = w.text;

    const char letter = m.type == "nmos" || m.type == "pmos" ? 'm' : 'n';
    const int level = static_cast<int>(std::lround(m.param("level", 1)));
    const auto& registry = models::Registry::instance();
    const models::Registration* reg = registry.find(letter, m.type, level);
    if (!reg) usage(fmt::format("{}: no built-in model of type '{}'{}", option, m.type,
                                registry.knows_type(letter, m.type) ? fmt::format(" and level {}", level) : ""));
    if (reg->prepare) {
        models::ModelCard card{m.name, m.type, m.params, m.words};
        try {
            m.prepared = reg->prepare(card);
        } catch (const models::DeviceError& e) {
            usage(fmt::format("{}: {}", option, e.what()));
        }
    }
    return m;
}

/// The values of a CSV file, line by line: comma-separated (or, without commas, separated by
/// blanks) SPICE numbers; blank lines and lines starting with '#' are skipped.
std::vector<std::vector<double>> read_csv(const std::string& path, const std::string& option) {
    std::ifstream in(path);
    if (!in) usage(fmt::format("{}: cannot read '{}'", option, path));
    std::vector<std::vector<double>> rows;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        const char sep = t.find(',') != std::string::npos ? ',' : t.find(';') != std::string::npos ? ';' : ' ';
        std::vector<double> values;
        std::size_t pos = 0;
        while (pos <= t.size()) {
            std::size_t end = t.find(sep, pos);
            if (end == std::string::npos) end = t.size();
            std::string field = trim(t.substr(pos, end - pos));
            pos = end + 1;
            if (field.empty() && sep == ' ') continue;
            auto v = parser::parse_number(field);
            if (!v || !std::isfinite(*v))
                usage(fmt::format("{}: {}:{}: '{}' is not a number", option, path, n, field));
            values.push_back(*v);
        }
        rows.push_back(std::move(values));
    }
    return rows;
}

/// A rows×cols matrix from a CSV file (`--g csv:FILE`, `--program map:FILE`), row-major;
/// `what` names it in messages ("--g csv:FILE").
std::vector<double> read_matrix(const std::string& path, const std::string& what, int rows, int cols) {
    auto table = read_csv(path, what);
    if (static_cast<int>(table.size()) != rows)
        usage(fmt::format("{}: {} rows of values, expected {} (--rows)", what, table.size(), rows));
    std::vector<double> m;
    m.reserve(static_cast<std::size_t>(rows) * cols);
    for (std::size_t i = 0; i < table.size(); ++i) {
        if (static_cast<int>(table[i].size()) != cols)
            usage(fmt::format("{}: row {} has {} values, expected {} (--cols)", what, i + 1, table[i].size(), cols));
        m.insert(m.end(), table[i].begin(), table[i].end());
    }
    return m;
}

/// A rows×cols matrix given as a table (row-major), checked as read_matrix checks a file.
std::vector<double> table_matrix(const std::vector<double>& m, const std::string& what, int rows, int cols) {
    if (m.size() != static_cast<std::size_t>(rows) * cols)
        usage(fmt::format("{}: {} values, expected {}x{} = {}", what, m.size(), rows, cols,
                          static_cast<std::size_t>(rows) * cols));
    for (std::size_t k = 0; k < m.size(); ++k)
        if (!std::isfinite(m[k])) usage(fmt::format("{}: {} at ({},{})", what, m[k], k / cols, k % cols));
    return m;
}

/// `--g uniform:G`, `random:GMIN:GMAX` (with --seed) or `csv:FILE`, as rows×cols values.
std::vector<double> read_conductances(const std::string& spec, int rows, int cols, std::uint64_t seed,
                                      std::string& described) {
    const std::size_t n = static_cast<std::size_t>(rows) * cols;
    const auto colon = spec.find(':');
    const std::string kind = lower(spec.substr(0, colon));
    const std::string rest = colon == std::string::npos ? "" : spec.substr(colon + 1);
    const char* forms = "give --g uniform:G, random:GMIN:GMAX or csv:FILE";
    if (colon == std::string::npos || rest.empty()) usage(fmt::format("--g '{}': {}", spec, forms));
    if (kind == "uniform") {
        double g = number(rest, "--g uniform");
        described = fmt::format("uniform, G = {} S", g);
        return std::vector<double>(n, g);
    }
    if (kind == "random") {
        const auto c2 = rest.find(':');
        if (c2 == std::string::npos) usage(fmt::format("--g '{}': random takes GMIN:GMAX", spec));
        double lo = number(rest.substr(0, c2), "--g random GMIN"), hi = number(rest.substr(c2 + 1), "--g random GMAX");
        if (!(hi >= lo)) usage(fmt::format("--g '{}': GMAX must not be below GMIN", spec));
        // Uniform in [GMIN, GMAX), row by row, from the 53 high bits of a 64-bit Mersenne twister:
        // both are fixed by the C++ standard, so a seed gives the same array everywhere.
        std::mt19937_64 engine(seed);
        std::vector<double> g(n);
        for (auto& v : g) v = lo + (hi - lo) * (static_cast<double>(engine() >> 11) * 0x1.0p-53);
        described = fmt::format("uniformly random in [{}, {}] S, seed {}", lo, hi, seed);
        return g;
    }
    if (kind == "csv") {
        described = fmt::format("from {}", rest);
        return read_matrix(rest, "--g csv:" + rest, rows, cols);
    }
    usage(fmt::format("--g '{}': unknown kind '{}'; {}", spec, kind, forms));
}

/// "ROW,COL", 0-based.
std::pair<int, int> read_select(const std::string& text, int rows, int cols) {
    const auto comma = text.find(',');
    auto index = [&](const std::string& s, const char* what) {
        std::string t = trim(s);
        if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos || t.size() > 9)
            usage(fmt::format("--select '{}': {} must be a non-negative integer (0-based)", text, what));
        return std::stoi(t);
    };
    if (comma == std::string::npos) usage(fmt::format("--select '{}': give ROW,COL", text));
    int r = index(text.substr(0, comma), "ROW"), c = index(text.substr(comma + 1), "COL");
    if (r >= rows || c >= cols)
        usage(fmt::format("--select {},{} is outside the {}x{} array (rows 0..{}, columns 0..{})", r, c, rows, cols,
                          rows - 1, cols - 1));
    return {r, c};
}

/// The command line as a shell would take it back.
std::string quoted_command(int argc, char** argv) {
    std::string out = "ionspice";
    for (int k = 0; k < argc; ++k) {
        std::string a = argv[k];
        bool plain = !a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                                       "-_.,:/=+@%") == std::string::npos;
        if (plain) {
            out += " " + a;
        } else {
            std::string q = "'";
            for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
            out += " " + q + "'";
        }
    }
    return out;
}

const char* kDefaultEcram = "ecell ecram (gmin=0.079u gmax=50u vp=10 tp=2m vd=7 td=2m nsteps=180 kch=1)";
const char* kDefaultMemristor = "mcell memristor (level=rram)";
const char* kDefaultSelector = "nsel nmos (level=1 vto=0.5 kp=200u)";
const char* kDefaultMtt = "nmtt nmos (level=44 vto=0.45 kp=200u n=1.3 lambda=0.05)";

struct GenOptions {
    std::string type, output, cell, model, fet_model, fet_w, fet_l, ref_w, ref_l;
    int rows = 0, cols = 0;
    std::string rwire = "0", cwire = "0", rdrv = "0", rsense = "0", vread, inputs, g, scheme = "all", select;
    std::uint64_t seed = 1;
    std::vector<std::string> analyses;
    bool print = false;
    std::string vgate, veg, vreadh, vrefg, rref;
    std::string program, vp, vd, vss, width, period, edge, order = "rows";
    int pulses = 1;
    bool pwm = false;
    std::string input_samples, sample_time, options;
};

/// The command line's options, bound to `o`.
void define_options(CLI::App& app, GenOptions& o) {
    app.name("ionspice gen");
    app.add_option("type", o.type, "crossbar, 1t1r, h1e1t or mtt-array")->required();
    app.add_option("--rows", o.rows, "number of rows")->required();
    app.add_option("--cols", o.cols, "number of columns")->required();
    app.add_option("-o,--output", o.output, "write the netlist to FILE (default: stdout)");
    app.add_option("--cell", o.cell, "resistor, ecram or memristor (default resistor; ecram for h1e1t and mtt-array)");
    app.add_option("--model", o.model, "the cell's model card, \"NAME TYPE (params)\"");
    app.add_option("--fet-model", o.fet_model, "the transistors' model card (1t1r, h1e1t, mtt-array)");
    app.add_option("--fet-w", o.fet_w, "transistor width (default 10u; 1u for mtt-array)");
    app.add_option("--fet-l", o.fet_l, "transistor length (default 1u)");
    app.add_option("--ref-w", o.ref_w, "mtt-array: reference transistor width (default --fet-w)");
    app.add_option("--ref-l", o.ref_l, "mtt-array: reference transistor length (default --fet-l)");
    app.add_option("--rwire", o.rwire, "ohms per wire segment on rows and columns (0: ideal wires)");
    app.add_option("--cwire", o.cwire, "farads from every line node to ground");
    app.add_option("--rdrv", o.rdrv, "row-driver source resistance, ohms");
    app.add_option("--rsense", o.rsense, "column sense resistance to ground, ohms (default 0: virtual ground)");
    app.add_option("--vread", o.vread, "read voltage on the rows (default 0.1)");
    app.add_option("--inputs", o.inputs, "CSV file, one voltage per row (scheme all)");
    app.add_option("--input-samples", o.input_samples,
                   "CSV file, one input vector per line (a voltage per row): a transient through them (scheme all)");
    app.add_option("--sample-time", o.sample_time, "how long each input sample is held (default 1u)");
    app.add_option("--g", o.g, "initial conductances: uniform:G, random:GMIN:GMAX or csv:FILE (rows x cols)");
    app.add_option("--seed", o.seed, "seed of --g random (default 1)");
    app.add_option("--scheme", o.scheme, "all, floating, v2, v3 or ground");
    app.add_option("--select", o.select, "the selected cell, ROW,COL (0-based)");
    app.add_option("--analysis", o.analyses, "analysis card, e.g. op or \".tran 1u 1m\" (repeatable; default .op)")
        ->allow_extra_args(false);
    app.add_option("--options", o.options, "the text of an .options card for the netlist, e.g. \"seed=3 devseed=1\"");
    app.add_flag("--print", o.print, "add .print/.save lines for the column currents (when programming: g() of the selected cell, its row and its column)");
    app.add_option("--vgate", o.vgate, "1t1r: word-line voltage of a selected row (default 1.8)");
    app.add_option("--veg", o.veg, "ECRAM gate lines during reads (default 0)");
    app.add_option("--vreadh", o.vreadh, "mtt-array: Vread_H (default 1.4)");
    app.add_option("--vrefg", o.vrefg, "mtt-array: Vref_G (default 0.6)");
    app.add_option("--rref", o.rref, "mtt-array: a reference resistor of this value instead of the transistor");
    app.add_option("--program", o.program, "potentiate or depress the selected cell, or map:FILE, a rows x cols CSV of "
                                           "signed amounts in pulses for every cell (crossbar with ecram or memristor "
                                           "cells and --scheme v2|v3; h1e1t)");
    app.add_option("--order", o.order, "rows or cols: the order a programming map visits the array (default rows)");
    app.add_flag("--pwm", o.pwm, "programming map: one PWM pulse of |amount| x --pulse-width per cell");
    app.add_option("--vp", o.vp, "programming voltage the selected cell sees when potentiated (V_P)");
    app.add_option("--vd", o.vd, "depression voltage (V_D; h1e1t: the drain-line voltage)");
    app.add_option("--vss", o.vss, "h1e1t: selector gate voltage when on (default 9)");
    app.add_option("--pulse-width", o.width, "programming pulse width");
    app.add_option("--period", o.period, "pulse period (default twice the width)");
    app.add_option("--edge", o.edge, "pulse rise and fall time (default the smaller of 10u and width/10)");
    app.add_option("--pulses", o.pulses, "number of programming pulses (default 1)");
}

/// The checked spec from parsed options; `t` holds tables given in place of files.
ArraySpec read_spec(const CLI::App& app, const GenOptions& o, const GenTables& t, std::string command_line) {
    ArraySpec s;
    s.command_line = std::move(command_line);
    const std::string type = lower(o.type);
    if (type == "crossbar")
        s.kind = ArrayKind::crossbar;
    else if (type == "1t1r")
        s.kind = ArrayKind::one_t1r;
    else if (type == "h1e1t")
        s.kind = ArrayKind::h1e1t;
    else if (type == "mtt-array" || type == "mtt")
        s.kind = ArrayKind::mtt;
    else
        usage(fmt::format("unknown array type '{}': crossbar, 1t1r, h1e1t or mtt-array", o.type));
    const std::string type_name = s.kind == ArrayKind::mtt ? "mtt-array" : type;
    if (o.rows < 1 || o.cols < 1) usage(fmt::format("--rows and --cols must be at least 1, got {}x{}", o.rows, o.cols));
    if (static_cast<long long>(o.rows) * o.cols > 50'000'000)
        usage(fmt::format("{}x{} is more than 50 million cells", o.rows, o.cols));
    s.rows = o.rows;
    s.cols = o.cols;
    auto given = [&](const char* name) { return app.count(name) > 0; };
    auto only_for = [&](const char* name, bool allowed, const char* what) {
        if (given(name) && !allowed) usage(fmt::format("{} goes with {}", name, what));
    };

    // Cell and models.
    std::optional<ModelInfo> model;
    if (!o.model.empty()) model = read_model(o.model, "--model");
    std::string cell = lower(o.cell);
    if (cell.empty()) cell = model ? model->type : (s.kind == ArrayKind::h1e1t || s.kind == ArrayKind::mtt) ? "ecram" : "resistor";
    if (cell == "resistor")
        s.cell = CellKind::resistor;
    else if (cell == "ecram")
        s.cell = CellKind::ecram;
    else if (cell == "memristor")
        s.cell = CellKind::memristor;
    else
        usage(fmt::format("--cell '{}': resistor, ecram or memristor", o.cell));
    if (s.kind == ArrayKind::h1e1t && s.cell != CellKind::ecram) usage("h1e1t arrays hold ECRAM cells (--cell ecram)");
    if (s.cell == CellKind::resistor && model) usage("--model: resistor cells take no model (give --cell ecram or memristor)");
    if (model && model->type != cell)
        usage(fmt::format("--model: '{}' is a {} model, the cells are {}", model->name, model->type, cell));
    if (s.cell == CellKind::ecram) s.cell_model = model ? *model : read_model(kDefaultEcram, "--model");
    if (s.cell == CellKind::memristor) s.cell_model = model ? *model : read_model(kDefaultMemristor, "--model");

    const bool has_fets = s.kind != ArrayKind::crossbar;
    only_for("--fet-model", has_fets, "1t1r, h1e1t and mtt-array");
    only_for("--fet-w", has_fets, "1t1r, h1e1t and mtt-array");
    only_for("--fet-l", has_fets, "1t1r, h1e1t and mtt-array");
    if (has_fets) {
        s.fet_model = read_model(!o.fet_model.empty() ? o.fet_model
                                 : s.kind == ArrayKind::mtt ? kDefaultMtt
                                                            : kDefaultSelector,
                                 "--fet-model");
        if (s.fet_model->type != "nmos")
            usage(fmt::format("--fet-model: '{}' is a {} model; the transistors are NMOS", s.fet_model->name,
                              s.fet_model->type));
        s.fet_w = o.fet_w.empty() ? (s.kind == ArrayKind::mtt ? 1e-6 : 10e-6) : positive(o.fet_w, "--fet-w");
        s.fet_l = o.fet_l.empty() ? 1e-6 : positive(o.fet_l, "--fet-l");
    }

    // Wires and drivers.
    s.rwire = non_negative(o.rwire, "--rwire");
    s.cwire = non_negative(o.cwire, "--cwire");
    s.rdrv = non_negative(o.rdrv, "--rdrv");
    s.rsense = non_negative(o.rsense, "--rsense");
    s.vread = o.vread.empty() ? 0.1 : number(o.vread, "--vread");

    // Scheme, selection, programming.
    const std::string scheme = lower(o.scheme);
    if (scheme == "all")
        s.scheme = ReadScheme::all;
    else if (scheme == "floating")
        s.scheme = ReadScheme::floating;
    else if (scheme == "v2")
        s.scheme = ReadScheme::half;
    else if (scheme == "v3")
        s.scheme = ReadScheme::third;
    else if (scheme == "ground")
        s.scheme = ReadScheme::ground;
    else
        usage(fmt::format("--scheme '{}': all, floating, v2, v3 or ground", o.scheme));
    if (!o.select.empty()) std::tie(s.select_row, s.select_col) = read_select(o.select, s.rows, s.cols);

    const std::string program = lower(o.program);
    if (t.program && !program.empty()) usage("give the programming map either as --program or as a table, not both");
    const bool mapped = program.rfind("map:", 0) == 0 || t.program;
    if (!program.empty() && program != "potentiate" && program != "depress" && !mapped)
        usage(fmt::format("--program '{}': potentiate, depress or map:FILE", o.program));
    s.pulses.phase = program == "potentiate" ? ProgramPhase::potentiate
                     : program == "depress"  ? ProgramPhase::depress
                     : mapped                ? ProgramPhase::map
                                             : ProgramPhase::none;
    const bool programming = s.pulses.phase != ProgramPhase::none;
    for (const char* name : {"--vp", "--vd", "--pulse-width", "--period", "--edge"})
        only_for(name, programming, "--program");
    only_for("--pulses", programming && !mapped, "--program potentiate or depress (a map gives each cell's amount)");
    only_for("--order", mapped, "--program map:FILE");
    only_for("--pwm", mapped, "--program map:FILE");
    if (mapped) {
        const std::string path = t.program ? std::string("(table)") : o.program.substr(4);
        s.pulses.map = t.program ? table_matrix(*t.program, "the programming map", s.rows, s.cols)
                                 : read_matrix(path, "--program map:" + path, s.rows, s.cols);
        for (std::size_t k = 0; k < s.pulses.map.size(); ++k) {
            const double a = s.pulses.map[k];
            if (!o.pwm && a != std::round(a))
                usage(fmt::format("--program map:{}: {} at ({},{}) is not a whole number of pulses (give --pwm for "
                                  "PWM pulses of any length)",
                                  path, a, k / s.cols, k % s.cols));
        }
        if (std::all_of(s.pulses.map.begin(), s.pulses.map.end(), [](double a) { return a == 0; }))
            usage(fmt::format("--program map:{}: every amount is 0, so no cell would be programmed", path));
        s.pulses.map_source = t.program ? "given as a table" : fmt::format("from {}", path);
        s.pulses.pwm = o.pwm;
        const std::string order = lower(o.order);
        if (order != "rows" && order != "cols") usage(fmt::format("--order '{}': rows or cols", o.order));
        s.pulses.order = order == "rows" ? ProgramOrder::rows : ProgramOrder::cols;
    }
    only_for("--vss", programming && s.kind == ArrayKind::h1e1t, "h1e1t --program");
    if ((s.kind == ArrayKind::h1e1t || s.kind == ArrayKind::mtt) && s.scheme != ReadScheme::all)
        usage(fmt::format("{} arrays are read with --scheme all (h1e1t cells are selected with --program)", type_name));
    if (programming) {
        if (s.kind == ArrayKind::one_t1r || s.kind == ArrayKind::mtt)
            usage(fmt::format("--program goes with crossbar (ecram or memristor cells) and h1e1t, not {}", type_name));
        if (s.kind == ArrayKind::crossbar && s.cell == CellKind::resistor) usage("--program: resistor cells do not program");
        if (s.kind == ArrayKind::crossbar && s.scheme != ReadScheme::half && s.scheme != ReadScheme::third)
            usage("--program on a crossbar needs --scheme v2 or v3");
        if (mapped && s.select_row >= 0) usage("--select goes with --program potentiate or depress, not a map");
        if (!mapped && s.select_row < 0) usage("--program needs --select ROW,COL");
        // V_gc = V_G − [kch·V_D + (1 − kch)·V_S] with the drain on the column: only through kch
        // does a column line reach one cell of a row.
        if (s.kind == ArrayKind::crossbar && s.cell == CellKind::ecram && !(s.cell_model->memory().channel_fraction() > 0))
            usage("--program on an ECRAM crossbar needs kch > 0 (the drain, on the column, selects the cell)");
    } else if (s.scheme != ReadScheme::all && s.select_row < 0) {
        usage(fmt::format("--scheme {} reads one cell: give --select ROW,COL", scheme));
    } else if (s.scheme == ReadScheme::all && s.select_row >= 0) {
        usage("--select goes with a single-cell --scheme (floating, v2, v3, ground) or --program");
    }
    if (programming) {
        PulseSpec& p = s.pulses;
        if (s.kind == ArrayKind::h1e1t) {
            p.vd = o.vd.empty() ? 6 : positive(o.vd, "--vd");
            p.vss = o.vss.empty() ? 9 : positive(o.vss, "--vss");
        }
        // The voltage and width for one direction; a map uses both (and the potentiation width).
        auto amplitude_width = [&](bool pot) {
            double amplitude = 0, width = 0;
            if (s.kind == ArrayKind::h1e1t) {
                amplitude = 10, width = 5e-3;
                if (!pot && !mapped && given("--vp"))
                    usage("--vp goes with --program potentiate (depression uses --vd)");
            } else {
                if (!mapped && (pot ? given("--vd") : given("--vp")))
                    usage(pot ? "--vd goes with --program depress" : "--vp goes with --program potentiate");
                const models::ProgrammingPulse pulse =
                    pot ? s.cell_model->memory().potentiation() : s.cell_model->memory().depression();
                // `amplitude` is what the cell sees when potentiated; depression's is negated.
                amplitude = pot ? pulse.amplitude : -pulse.amplitude;
                width = pulse.width;
            }
            if (pot && !o.vp.empty()) amplitude = (amplitude < 0 ? -1 : 1) * positive(o.vp, "--vp");
            if (!pot && s.kind != ArrayKind::h1e1t && !o.vd.empty())
                amplitude = (amplitude < 0 ? -1 : 1) * positive(o.vd, "--vd");
            return std::pair{amplitude, width};
        };
        const bool pot = p.phase != ProgramPhase::depress;
        const auto [amplitude, width] = amplitude_width(pot);
        p.amplitude = amplitude;
        if (mapped) p.depress_amplitude = amplitude_width(false).first;
        p.width = o.width.empty() ? width : positive(o.width, "--pulse-width");
        p.period = o.period.empty() ? 2 * p.width : positive(o.period, "--period");
        p.edge = o.edge.empty() ? std::min(10e-6, p.width / 10) : positive(o.edge, "--edge");
        if (o.pulses < 1) usage(fmt::format("--pulses must be at least 1, got {}", o.pulses));
        p.count = o.pulses;
        if (!(p.width > p.edge)) usage("--pulse-width must exceed --edge");
        if (!(p.period >= p.width + p.edge)) usage("--period must be at least --pulse-width plus --edge");
        // An H-1E1T map switches selectors in the gap, half before the pulses and half after.
        if (mapped && s.kind == ArrayKind::h1e1t && !(p.period >= p.width + 2 * p.edge))
            usage("--period must be at least --pulse-width plus twice --edge (selectors switch in the gaps)");
    }

    // Line voltages.
    only_for("--vgate", s.kind == ArrayKind::one_t1r, "1t1r");
    s.vgate = o.vgate.empty() ? 1.8 : number(o.vgate, "--vgate");
    only_for("--veg", s.cell == CellKind::ecram && s.kind != ArrayKind::mtt,
             "ECRAM cells of crossbar, 1t1r and h1e1t arrays (mtt-array ECRAM gates are grounded)");
    s.veg = o.veg.empty() ? 0 : number(o.veg, "--veg");
    for (const char* name : {"--vreadh", "--vrefg", "--rref", "--ref-w", "--ref-l"}) only_for(name, s.kind == ArrayKind::mtt, "mtt-array");
    if (!o.ref_w.empty()) s.ref_w = positive(o.ref_w, "--ref-w");
    if (!o.ref_l.empty()) s.ref_l = positive(o.ref_l, "--ref-l");
    s.vreadh = o.vreadh.empty() ? 1.4 : number(o.vreadh, "--vreadh");
    s.vrefg = o.vrefg.empty() ? 0.6 : number(o.vrefg, "--vrefg");
    s.rref = o.rref.empty() ? 0 : positive(o.rref, "--rref");
    if (given("--rref") && given("--vrefg")) usage("--vrefg goes with the reference transistor, not --rref");
    if (given("--rref") && (given("--ref-w") || given("--ref-l"))) usage("--ref-w and --ref-l size the reference transistor, not --rref");

    // Inputs.
    if (t.samples && !o.input_samples.empty()) usage("give the input samples either as --input-samples or as a table, not both");
    if (t.inputs && !o.inputs.empty()) usage("give the inputs either as --inputs or as a table, not both");
    const bool sampled = t.samples || !o.input_samples.empty();
    only_for("--sample-time", sampled, "--input-samples");
    if (sampled) {
        const std::string what = t.samples ? "the input samples" : "--input-samples " + o.input_samples;
        if (s.scheme != ReadScheme::all || programming) usage(what + " go with --scheme all (a read of the whole array)");
        if (given("--vread") || given("--inputs") || t.inputs) usage("give one of --vread, --inputs and --input-samples");
        s.samples = t.samples ? *t.samples : read_csv(o.input_samples, "--input-samples");
        if (s.samples.empty()) usage(fmt::format("{}: no samples", what));
        for (std::size_t k = 0; k < s.samples.size(); ++k) {
            if (static_cast<int>(s.samples[k].size()) != s.rows)
                usage(fmt::format("{}: sample {} has {} values, expected one per row ({})", what, k + 1,
                                  s.samples[k].size(), s.rows));
            for (double v : s.samples[k])
                if (!std::isfinite(v)) usage(fmt::format("{}: sample {} holds {}", what, k + 1, v));
        }
        s.sample_time = o.sample_time.empty() ? 1e-6 : positive(o.sample_time, "--sample-time");
        s.inputs = s.samples.front();
        s.inputs_source = t.samples ? "given as a table" : fmt::format("from {}", o.input_samples);
    } else if (t.inputs || !o.inputs.empty()) {
        const std::string what = t.inputs ? "the inputs" : "--inputs " + o.inputs;
        if (s.scheme != ReadScheme::all || programming) usage(what + " go with --scheme all (a read of the whole array)");
        if (given("--vread")) usage("give either --vread or --inputs");
        bool shaped = true;
        if (t.inputs) {
            s.inputs = *t.inputs;
        } else {
            auto table = read_csv(o.inputs, "--inputs");
            for (const auto& r : table) s.inputs.insert(s.inputs.end(), r.begin(), r.end());
            shaped = static_cast<int>(table.size()) == s.rows
                         ? std::all_of(table.begin(), table.end(), [](auto& r) { return r.size() == 1; })
                         : table.size() == 1;
        }
        if (!shaped || static_cast<int>(s.inputs.size()) != s.rows)
            usage(fmt::format("{}: {} values, expected one per row ({}), one per line or all on one line", what,
                              s.inputs.size(), s.rows));
        for (double v : s.inputs)
            if (!std::isfinite(v)) usage(fmt::format("{}: {} is not a voltage", what, v));
        s.inputs_source = t.inputs ? "given as a table" : fmt::format("from {}", o.inputs);
    } else {
        s.inputs.assign(s.rows, s.vread);
        s.inputs_source = fmt::format("{} V on every row", s.vread);
    }

    // Conductances.
    std::pair<double, double> range = conductance_range(s.cell, s.cell_model ? &*s.cell_model : nullptr);
    if (t.g && !o.g.empty()) usage("give the conductances either as --g or as a table, not both");
    std::string g_spec = o.g;
    if (g_spec.empty())
        g_spec = s.cell == CellKind::resistor ? "uniform:10u" : fmt::format("uniform:{}", (range.first + range.second) / 2);
    only_for("--seed", !t.g && lower(g_spec.substr(0, 7)) == "random:", "--g random:GMIN:GMAX");
    if (t.g) {
        s.g = table_matrix(*t.g, "the conductances", s.rows, s.cols);
        s.g_source = "given as a table";
    } else {
        s.g = read_conductances(g_spec, s.rows, s.cols, o.seed, s.g_source);
    }
    for (std::size_t k = 0; k < s.g.size(); ++k) {
        const double g = s.g[k];
        const int i = static_cast<int>(k / s.cols), j = static_cast<int>(k % s.cols);
        if (s.cell == CellKind::resistor && !(g > 0))
            usage(fmt::format("--g: G = {} S at ({},{}); resistor cells need G > 0", g, i, j));
        // A relative margin, so that a window end written with fewer digits is accepted.
        const double slack = 1e-9 * range.second;
        if (s.cell != CellKind::resistor && !(g >= range.first - slack && g <= range.second + slack))
            usage(fmt::format("--g: G = {} S at ({},{}) is outside {} model {}'s range [{}, {}] S", g, i, j,
                              s.cell_model->type, s.cell_model->name, range.first, range.second));
        if (s.cell != CellKind::resistor) s.g[k] = std::clamp(g, range.first, range.second);
    }

    // Analyses.
    for (auto a : o.analyses) {
        a = trim(a);
        if (a.empty() || a.find_first_of("\n") != std::string::npos)
            usage("--analysis: give one analysis card, e.g. op or \".tran 1u 1m\"");
        if (a[0] != '.') a = "." + a;
        s.analyses.push_back(a);
    }
    s.print = o.print;
    s.options = trim(o.options);
    if (lower(s.options.substr(0, 8)) == ".options") s.options = trim(s.options.substr(8));
    if (s.options.find_first_of("\n") != std::string::npos) usage("--options: give one line");
    return s;
}

int gen_run(int argc, char** argv) {
    CLI::App app{"ionspice gen: write an array netlist (crossbar, 1t1r, h1e1t, mtt-array)"};
    GenOptions o;
    define_options(app, o);
    if (auto status = parse_options(app, argc, argv, kPrefix)) return *status;
    const std::string text = generate_array(read_spec(app, o, {}, quoted_command(argc, argv)));
    if (o.output.empty()) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
    } else {
        solver::write_atomically(o.output, [&](std::ostream& out) { out.write(text.data(), static_cast<std::streamsize>(text.size())); });
    }
    return 0;
}

}  // namespace

std::string gen_netlist(const std::vector<std::string>& args, const GenTables& tables) {
    CLI::App app{"ionspice gen"};
    GenOptions o;
    define_options(app, o);
    // CLI11 takes a vector of arguments last first.
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        throw GenUsageError(e.what());
    }
    if (!o.output.empty()) throw GenUsageError("-o/--output: the netlist is returned, not written");
    std::string command = "ionspice gen";
    for (const auto& a : args) command += " " + a;
    try {
        return generate_array(read_spec(app, o, tables, command));
    } catch (const UsageError& e) {
        throw GenUsageError(e.what());
    }
}

int gen_main(int argc, char** argv) {
    try {
        return gen_run(argc, argv);
    } catch (const UsageError& e) {
        fmt::print(std::cerr, "{}error: {} (try --help)\n", kPrefix, e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(std::cerr, "{}error: {}\n", kPrefix, e.what());
        return 1;
    }
}

}  // namespace ionspice::tools
