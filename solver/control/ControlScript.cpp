#include "solver/control/ControlScript.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "parser/DeckData.hpp"
#include "parser/Number.hpp"
#include "solver/AtomicFile.hpp"
#include "solver/Measure.hpp"
#include "solver/OutputWriters.hpp"
#include "solver/RawReader.hpp"
#include "solver/Session.hpp"
#include "solver/SimulationError.hpp"
#include "solver/control/ControlValues.hpp"
#include "solver/control/Spectrum.hpp"

namespace ionspice::solver {

namespace {

using control::ControlPlot;
using control::Vec;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string trim(std::string_view s) {
    std::size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
    return std::string(s.substr(a, b - a));
}

/// Words separated by blanks; a double-quoted string is one word (quotes removed), and
/// parentheses or brackets keep what they enclose in one word.
std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    std::size_t p = 0;
    while (p < s.size()) {
        while (p < s.size() && std::isspace(static_cast<unsigned char>(s[p]))) ++p;
        if (p >= s.size()) break;
        std::string w;
        if (s[p] == '"') {
            const std::size_t e = s.find('"', p + 1);
            w = std::string(s.substr(p + 1, (e == std::string_view::npos ? s.size() : e) - p - 1));
            p = e == std::string_view::npos ? s.size() : e + 1;
            out.push_back(w);
            continue;
        }
        int depth = 0;
        while (p < s.size() && (depth > 0 || !std::isspace(static_cast<unsigned char>(s[p])))) {
            if (s[p] == '(' || s[p] == '[') ++depth;
            if (s[p] == ')' || s[p] == ']') depth = std::max(0, depth - 1);
            w += s[p++];
        }
        out.push_back(w);
    }
    return out;
}

/// ngspice's argument lists of print, wrdata, write: expressions separated by blanks, where a
/// blank next to a binary operator joins the two sides ("5 % 3" is one expression).
std::vector<std::string> expressions(std::string_view s) {
    static const std::set<std::string> kWordOps = {"gt", "lt", "ge", "le", "ne", "eq", "and", "or"};
    auto is_op_end = [](const std::string& w) {
        const char c = w.back();
        return std::string_view("+-*/^%<>=&|!").find(c) != std::string_view::npos;
    };
    auto is_op_start = [](const std::string& w) {
        const char c = w.front();
        return std::string_view("+-*/^%<>=&|").find(c) != std::string_view::npos;
    };
    std::vector<std::string> out;
    bool join = false;
    for (const auto& w : words(s)) {
        if (w.empty()) continue;  // an empty quoted word ("")
        const bool op_word = kWordOps.count(lower(w)) > 0;
        if (!out.empty() && (join || is_op_start(w) || op_word)) out.back() += " " + w;
        else out.push_back(w);
        join = op_word || is_op_end(w);
    }
    return out;
}

struct Statement {
    enum class Kind { Command, Foreach, Repeat, While, Dowhile, If };
    Kind kind = Kind::Command;
    std::string text;  ///< the line (a command) or the block's argument (condition, count, list)
    parser::SourceLoc loc;
    std::vector<Statement> body, otherwise;
};

[[noreturn]] void fail(const parser::SourceLoc& loc, const std::string& message) { throw parser::NetlistError(loc, message); }

/// The script's lines as blocks. Iterative, nesting bounded.
std::vector<Statement> build(const std::vector<parser::ControlLine>& lines) {
    std::vector<Statement> top;
    struct Open {
        Statement* st;
        bool in_else;
    };
    std::vector<Open> open;
    auto target = [&]() -> std::vector<Statement>& {
        if (open.empty()) return top;
        return open.back().in_else ? open.back().st->otherwise : open.back().st->body;
    };
    for (const auto& line : lines) {
        const std::string text = trim(line.text);
        if (text.empty()) continue;
        const auto w = words(text);
        const std::string head = lower(w[0]);
        const std::string rest = trim(std::string_view(text).substr(std::min(text.size(), w[0].size())));
        if (head == "end") {
            if (open.empty()) fail(line.loc, "'end' without a block to end");
            open.pop_back();
            continue;
        }
        if (head == "else") {
            if (open.empty() || open.back().st->kind != Statement::Kind::If || open.back().in_else)
                fail(line.loc, "'else' outside an 'if' block");
            open.back().in_else = true;
            continue;
        }
        if (head == "break" || head == "continue") {
            // ngspice's `break N` leaves N loops; here only the innermost one is left.
            const bool in_loop = std::any_of(open.begin(), open.end(),
                                             [](const Open& o) { return o.st->kind != Statement::Kind::If; });
            if (!in_loop) fail(line.loc, fmt::format("'{}' outside a loop", head));
            if (!rest.empty()) fail(line.loc, fmt::format("'{} {}': only the innermost loop can be left here", head, rest));
        }
        Statement st;
        st.text = rest;
        st.loc = line.loc;
        if (head == "foreach") st.kind = Statement::Kind::Foreach;
        else if (head == "repeat") st.kind = Statement::Kind::Repeat;
        else if (head == "while") st.kind = Statement::Kind::While;
        else if (head == "dowhile") st.kind = Statement::Kind::Dowhile;
        else if (head == "if") st.kind = Statement::Kind::If;
        else st.text = text;
        auto& into = target();
        into.push_back(std::move(st));
        if (into.back().kind != Statement::Kind::Command) {
            if (static_cast<int>(open.size()) >= kMaxBlockNesting)
                fail(line.loc, fmt::format("blocks nested deeper than {}", kMaxBlockNesting));
            if ((head == "foreach" && words(rest).size() < 1) || (head != "foreach" && head != "repeat" && rest.empty()))
                fail(line.loc, fmt::format("'{}' needs {}", head, head == "foreach" ? "a variable and values" : "a condition"));
            open.push_back({&into.back(), false});
        }
    }
    if (!open.empty()) fail(open.back().st->loc, fmt::format("block without 'end'"));
    return top;
}

/// ngspice commands that ionspice accepts without running: a warning names them.
const std::set<std::string> kNotRun = {
    "plot",  "hardcopy", "gnuplot", "asciiplot", "iplot",   "display", "show",   "showmod", "listing", "setcs",
    "shell", "rusage",   "version", "status",    "edit",    "source",  "option", "options", "save",
    "spec",  "cd",       "codemodel", "remcirc", "snsave",  "bug",     "help",   "history", "alias",
    "fourier", "psd",     "trace",     "where",   "delete",  "step",   "load",
    "sens",  "disto",   "pss",       "sp",      "devhelp", "inventory", "strcmp", "shift", "transpose",
    "unalias", "settype", "cross",   "wrs2p",   "esave",   "mc_source", "altermod_file", "diff",
    "rehash", "noise_cs", "meas_file", "setscale", "setseed", "sysinfo", "check", "optran", "pre_set"};

class Interpreter {
public:
    Interpreter(const parser::Deck& deck, const SimulateSettings& settings)
        : deck_(deck), settings_(settings), out_(settings.out) {
        ControlPlot constants;
        constants.type_name = "const";
        constants.title = "Constant values";
        constants.name = "constants";
        constants.date = raw_date();
        plots_.push_back(std::move(constants));
    }

    SimulationResult run() {
        const auto lines = parser::control_script(deck_);
        const auto script = build(lines);
        try {
            if (!deck_.data().csparams.empty()) define_csparams();
            block(script);
        } catch (const Quit& q) {
            result_.printed = result_.plots.size();
            result_.exit_status = q.status;
            return std::move(result_);
        } catch (...) {
            // The warnings of the lines that ran (a skipped print, say) explain the error that
            // stops the script: they are shown before it, as when the script ends normally.
            if (settings_.log)
                for (const auto& w : result_.warnings) fmt::print(*settings_.log, "{}\n", w);
            throw;
        }
        // As ngspice's batch mode: the netlist's own analyses after the script.
        result_.printed = result_.plots.size();
        SimulationResult batch = session().run();
        append(std::move(batch), false);
        return std::move(result_);
    }

private:
    struct Quit {
        int status = 0;
    };
    struct Break {};
    struct Continue {};

    /// `.csparam name = value`: a vector of one value in the constants plot, as ngspice makes it.
    void define_csparams() {
        for (const parser::Param& p : session().bound().netlist.csparams) {
            Vec v;
            v.name = p.name;
            v.data = {p.value};
            plots_.front().set(std::move(v));
        }
    }

    Session& session() {
        if (!session_) {
            SimulateSettings s = settings_;
            session_ = std::make_unique<Session>(deck_, s);
        }
        return *session_;
    }

    void say(const std::string& text) {
        if (out_) fmt::print(*out_, "{}", text);
    }

    void warn(const parser::SourceLoc& loc, const std::string& message) {
        add_warning(parser::format_diagnostic(loc, message, "warning"));
    }

    /// simulate() prints the result's warnings once the run is over; a warning a session repeats
    /// at every analysis (the netlist's own) is kept once.
    void add_warning(std::string w) {
        if (std::find(result_.warnings.begin(), result_.warnings.end(), w) == result_.warnings.end())
            result_.warnings.push_back(std::move(w));
    }

    ControlPlot& current() { return plots_[current_]; }

    const ControlPlot* plot_named(std::string_view name) const {
        for (const auto& p : plots_)
            if (p.type_name == name) return &p;
        return nullptr;
    }

    control::Scope scope() {
        control::Scope s;
        s.plot = [this](std::string_view n) { return plot_named(n); };
        s.current = &plots_[current_];
        s.device_param = [this](const std::string& name, const std::string& param) {
            try {
                return session().parameter(name, param);
            } catch (const SimulationError& e) {
                throw std::invalid_argument(e.what());
            }
        };
        s.device_vector = [this](const std::string& name, const std::string& param) {
            return session().waveform(name, param);
        };
        return s;
    }

    /// `define name(a, b) body`: a function of the script, expanded where it is called.
    void define(const std::string& args, const parser::SourceLoc& loc) {
        const std::size_t open = args.find('('), close = args.find(')');
        if (open == std::string::npos || close == std::string::npos || close < open)
            fail(loc, "'define' needs name(arguments) and a body");
        Function f;
        const std::string name = lower(trim(args.substr(0, open)));
        for (const auto& a : split_top(args.substr(open + 1, close - open - 1))) f.params.push_back(lower(trim(a)));
        f.body = trim(args.substr(close + 1));
        if (name.empty() || f.body.empty()) fail(loc, "'define' needs name(arguments) and a body");
        functions_[name] = std::move(f);
    }

    /// Text split at the commas outside parentheses and brackets.
    static std::vector<std::string> split_top(std::string_view s) {
        std::vector<std::string> out;
        int depth = 0;
        std::string cur;
        for (char c : s) {
            if (c == '(' || c == '[') ++depth;
            if (c == ')' || c == ']') --depth;
            if (c == ',' && depth == 0) {
                out.push_back(cur);
                cur.clear();
            } else {
                cur += c;
            }
        }
        if (!trim(cur).empty() || !out.empty()) out.push_back(cur);
        return out;
    }

    static bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

    /// Calls of defined functions replaced by their bodies, arguments in parentheses; a body
    /// may call others, expanded in turn (at most kMaxExpansions calls: a definition that calls
    /// itself is an error, not a hang).
    std::string expand_functions(std::string text, const parser::SourceLoc& loc) const {
        if (functions_.empty()) return text;
        constexpr int kMaxExpansions = 10000;
        int expansions = 0;
        for (std::size_t p = 0; p < text.size();) {
            if (!std::isalpha(static_cast<unsigned char>(text[p])) || (p > 0 && ident_char(text[p - 1]))) {
                ++p;
                continue;
            }
            std::size_t e = p;
            while (e < text.size() && ident_char(text[e])) ++e;
            auto it = functions_.find(lower(text.substr(p, e - p)));
            std::size_t q = e;
            while (q < text.size() && text[q] == ' ') ++q;
            if (it == functions_.end() || q >= text.size() || text[q] != '(') {
                p = e;
                continue;
            }
            int depth = 0;
            std::size_t close = q;
            for (; close < text.size(); ++close) {
                if (text[close] == '(') ++depth;
                if (text[close] == ')' && --depth == 0) break;
            }
            if (close >= text.size()) fail(loc, fmt::format("'(' without ')' in a call of {}", it->first));
            const auto args = split_top(std::string_view(text).substr(q + 1, close - q - 1));
            const Function& f = it->second;
            if (args.size() != f.params.size())
                fail(loc, fmt::format("{}() takes {} arguments, got {}", it->first, f.params.size(), args.size()));
            if (++expansions > kMaxExpansions)
                fail(loc, fmt::format("defined functions expand more than {} times (one calls itself?)", kMaxExpansions));
            std::string body;
            for (std::size_t b = 0; b < f.body.size();) {
                if (std::isalpha(static_cast<unsigned char>(f.body[b])) && (b == 0 || !ident_char(f.body[b - 1]))) {
                    std::size_t be = b;
                    while (be < f.body.size() && ident_char(f.body[be])) ++be;
                    const std::string word = lower(f.body.substr(b, be - b));
                    const auto at = std::find(f.params.begin(), f.params.end(), word);
                    body += at == f.params.end() ? f.body.substr(b, be - b)
                                                 : "(" + trim(args[static_cast<std::size_t>(at - f.params.begin())]) + ")";
                    b = be;
                } else {
                    body += f.body[b++];
                }
            }
            text = text.substr(0, p) + "(" + body + ")" + text.substr(close + 1);
            if (text.size() > 1000000) fail(loc, "defined functions expand to more than 1 000 000 characters");
            // Go on at the same place: the body may call other functions.
        }
        return text;
    }

    Vec eval(const std::string& text, const parser::SourceLoc& loc) {
        try {
            const std::string expanded = expand_functions(text, loc);
            if (expanded == text) return control::evaluate(text, scope());
            Vec v = control::evaluate(expanded, scope());
            v.name = lower(trim(text));  // named as written, as ngspice names it
            return v;
        } catch (const std::invalid_argument& e) {
            fail(loc, e.what());
        }
    }

    double scalar(const std::string& text, const parser::SourceLoc& loc) {
        Vec v = eval(text, loc);
        if (v.data.empty()) fail(loc, fmt::format("'{}' is empty", text));
        return v.data[0].real();
    }

    /// $name, $&vector and $?name replaced, as ngspice does before a command runs.
    std::string substitute(const std::string& text, const parser::SourceLoc& loc) {
        std::string out;
        for (std::size_t p = 0; p < text.size();) {
            if (text[p] != '$') {
                out += text[p++];
                continue;
            }
            std::size_t q = p + 1;
            const bool vector = q < text.size() && text[q] == '&';
            const bool query = q < text.size() && text[q] == '?';
            if (vector || query) ++q;
            std::size_t e = q;
            if (vector) {
                int depth = 0;
                while (e < text.size() &&
                       (std::isalnum(static_cast<unsigned char>(text[e])) || std::string_view("_.#()[],").find(text[e]) != std::string_view::npos)) {
                    if (text[e] == '(' || text[e] == '[') ++depth;
                    if (text[e] == ')' || text[e] == ']') {
                        if (depth == 0) break;
                        --depth;
                    }
                    ++e;
                }
            } else {
                while (e < text.size() && (std::isalnum(static_cast<unsigned char>(text[e])) || text[e] == '_')) ++e;
            }
            const std::string name = lower(text.substr(q, e - q));
            if (name.empty()) {
                out += text[p++];
                continue;
            }
            if (query) {
                out += vars_.count(name) || plot_variable(name) ? "1" : "0";
            } else if (vector) {
                Vec v = eval(name, loc);
                for (std::size_t k = 0; k < v.size(); ++k)
                    out += (k ? " " : "") + (v.real ? fmt::format("{:G}", v.data[k].real())
                                                    : fmt::format("{:G},{:G}", v.data[k].real(), v.data[k].imag()));
            } else {
                auto it = vars_.find(name);
                if (const auto plot = it == vars_.end() ? plot_variable(name) : std::nullopt) out += *plot;
                else if (it == vars_.end()) fail(loc, fmt::format("no variable '{}' (set it first)", name));
                else out += it->second;
            }
            p = e;
        }
        return out;
    }

    bool flag(const std::string& name) const { return vars_.count(name) > 0; }

    /// ngspice's csh-style braces, after variable substitution and outside double quotes: a word
    /// `a{x,y}b` becomes the words `axb ayb`, and `n{1001}_t` becomes `n1001_t` (so a variable can
    /// be joined to text: "n{$n}_t").
    static std::string expand_braces(const std::string& line, const parser::SourceLoc& loc) {
        if (line.find('{') == std::string::npos) return line;
        std::string out;
        bool quoted = false;
        for (std::size_t p = 0; p < line.size();) {
            if (line[p] == '"') {
                quoted = !quoted;
                out += line[p++];
                continue;
            }
            if (quoted || std::isspace(static_cast<unsigned char>(line[p]))) {
                out += line[p++];
                continue;
            }
            std::size_t e = p;
            while (e < line.size() && !std::isspace(static_cast<unsigned char>(line[e])) && line[e] != '"') ++e;
            std::vector<std::string> done, todo{line.substr(p, e - p)};
            while (!todo.empty()) {
                std::string w = std::move(todo.back());
                todo.pop_back();
                const std::size_t open = w.find('{');
                const std::size_t close = open == std::string::npos ? open : w.find('}', open);
                if (close == std::string::npos) {
                    done.push_back(std::move(w));
                    continue;
                }
                const std::string head = w.substr(0, open), tail = w.substr(close + 1);
                const std::string inside = w.substr(open + 1, close - open - 1);
                std::vector<std::string> alts;
                for (std::size_t a = 0;;) {
                    const std::size_t comma = inside.find(',', a);
                    alts.push_back(inside.substr(a, comma == std::string::npos ? std::string::npos : comma - a));
                    if (comma == std::string::npos) break;
                    a = comma + 1;
                }
                for (auto it = alts.rbegin(); it != alts.rend(); ++it) todo.push_back(head + *it + tail);
                if (done.size() + todo.size() > 100000) fail(loc, "braces expand to more than 100 000 words");
            }
            for (std::size_t k = 0; k < done.size(); ++k) out += (k ? " " : "") + done[k];
            p = e;
        }
        return out;
    }

    void block(const std::vector<Statement>& statements) {
        for (const auto& st : statements) statement(st);
    }

    void loop_body(const Statement& st, bool& stop) {
        try {
            block(st.body);
        } catch (const Break&) {
            stop = true;
        } catch (const Continue&) {
        }
    }

    void count_turn(long& turns, const Statement& st) {
        // One budget per loop and one for the whole script, so that nested loops cannot
        // multiply their way past it either.
        if (++turns > kMaxLoopTurns)
            fail(st.loc, fmt::format("the loop ran {} times without ending (the limit)", kMaxLoopTurns));
        if (++script_turns_ > kMaxScriptTurns)
            fail(st.loc, fmt::format("the script's loops ran {} turns in all (the limit)", kMaxScriptTurns));
    }

    /// As ngspice: true when any point of the vector, real or imaginary part, is not zero; a
    /// condition that cannot be evaluated is false (with a warning, where ngspice prints an error).
    bool condition(const Statement& st) {
        const std::string text = expand_braces(substitute(st.text, st.loc), st.loc);
        try {
            const Vec v = eval(text, st.loc);
            return std::any_of(v.data.begin(), v.data.end(), [](control::Complex c) { return c != control::Complex(0, 0); });
        } catch (const parser::NetlistError& e) {
            warn(st.loc, e.message() + "; the condition is taken as false (as ngspice does)");
            return false;
        }
    }

    void statement(const Statement& st) {
        long turns = 0;
        bool stop = false;
        switch (st.kind) {
        case Statement::Kind::Command: command(st); return;
        case Statement::Kind::If:
            block(condition(st) ? st.body : st.otherwise);
            return;
        case Statement::Kind::While:
            while (!stop && condition(st)) {
                count_turn(turns, st);
                loop_body(st, stop);
            }
            return;
        case Statement::Kind::Dowhile:
            do {
                count_turn(turns, st);
                loop_body(st, stop);
            } while (!stop && condition(st));
            return;
        case Statement::Kind::Repeat: {
            const std::string n = trim(substitute(st.text, st.loc));
            if (n.empty()) {
                for (; !stop;) {
                    count_turn(turns, st);
                    loop_body(st, stop);
                }
                return;
            }
            // ngspice truncates the count to a whole number.
            const double count = std::trunc(scalar(n, st.loc));
            if (!(count >= 0)) fail(st.loc, "'repeat' needs a number of turns that is not negative");
            for (double k = 0; k < count && !stop; ++k) {
                count_turn(turns, st);
                loop_body(st, stop);
            }
            return;
        }
        case Statement::Kind::Foreach: {
            // The variable's name as written (build() checked there is one); its values after
            // substitution and brace expansion, as ngspice globs them.
            const auto raw = words(st.text);
            const std::string var = lower(raw.at(0));
            const std::string values = trim(std::string_view(st.text).substr(st.text.find(raw[0]) + raw[0].size()));
            const auto w = words(expand_braces(substitute(values, st.loc), st.loc));
            for (std::size_t k = 0; k < w.size() && !stop; ++k) {
                count_turn(turns, st);
                vars_[var] = w[k];
                loop_body(st, stop);
            }
            return;
        }
        }
    }

    /// Commands that only read or write vectors: a mistake in one (a vector not there yet, a
    /// function ngspice lacks) is reported and the script goes on, as in ngspice, where such
    /// lines are common in decks that run (a print before the run that makes its vector).
    static bool reads_vectors(const std::string& cmd) {
        return cmd == "print" || cmd == "let" || cmd == "compose" || cmd == "wrdata" || cmd == "write" || cmd == "meas" ||
               cmd == "measure";
    }

    void command(const Statement& st) {
        const std::string head = lower(words(st.text).empty() ? std::string() : words(st.text)[0]);
        try {
            run_command(st);
        } catch (const parser::NetlistError& e) {
            if (!reads_vectors(head)) throw;
            warn(st.loc, e.message() + "; the command was skipped and the script goes on (as ngspice does)");
        } catch (const SimulationError&) {
            throw;
        } catch (const std::runtime_error& e) {
            // A file that cannot be written or read (write, wrdata, appendwrite): this command's.
            fail(st.loc, e.what());
        }
    }

    void run_command(const Statement& st) {
        std::string line = expand_braces(substitute(st.text, st.loc), st.loc);
        const auto head = words(line);
        if (head.empty()) return;
        const std::string first = lower(head[0]);
        if (first == "print" || first == "echo") {
            // `print v > file` / `>> file`: ngspice's redirection of a command's output.
            if (auto target = redirection(line)) {
                std::ostringstream captured;
                std::ostream* saved = out_;
                out_ = &captured;
                try {
                    execute(line, st.loc);
                } catch (...) {
                    out_ = saved;
                    throw;
                }
                out_ = saved;
                std::string text = captured.str();
                if (target->second && std::filesystem::exists(target->first)) {
                    std::ifstream in(target->first, std::ios::binary);
                    text = std::string(std::istreambuf_iterator<char>(in), {}) + text;
                }
                write_atomically(target->first, [&](std::ostream& o) { o << text; });
                return;
            }
        }
        execute(line, st.loc);
    }

    /// One command, its variables and braces already substituted.
    void execute(const std::string& line, const parser::SourceLoc& loc) {
        const auto w = words(line);
        if (w.empty()) return;
        const std::string cmd = lower(w[0]);
        const std::string args = trim(std::string_view(line).substr(std::min(line.size(), w[0].size())));
        if (cmd == "echo") {
            std::string text;
            for (std::size_t k = 1; k < w.size(); ++k) text += (k > 1 ? " " : "") + w[k];
            say(text + "\n");
        } else if (cmd == "set") {
            set(args, loc);
        } else if (cmd == "unset") {
            for (std::size_t k = 1; k < w.size(); ++k) vars_.erase(lower(w[k]));
        } else if (cmd == "let") {
            let(args, loc);
        } else if (cmd == "unlet" || cmd == "destroy") {
            if (cmd == "destroy") {
                destroy(w, loc);
                return;
            }
            for (std::size_t k = 1; k < w.size(); ++k) {
                if (const Vec* sc = current().scale(); sc && sc->name == lower(w[k]))
                    fail(loc, fmt::format("'{}' is the scale of plot {}: it cannot be unlet", w[k], current().type_name));
                auto& v = current().vecs;
                v.erase(std::remove_if(v.begin(), v.end(), [&](const Vec& x) { return x.name == lower(w[k]); }), v.end());
            }
        } else if (cmd == "print") {
            print(args, loc);
        } else if (cmd == "wrdata") {
            wrdata(args, loc);
        } else if (cmd == "write") {
            write(args, loc);
        } else if (cmd == "op" || cmd == "tran" || cmd == "dc" || cmd == "ac" || cmd == "noise" || cmd == "tf" ||
                   cmd == "pz") {
            analysis("." + line, loc);
        } else if (cmd == "run") {
            SimulationResult r = session().run();
            append(std::move(r), true);
            note_pause();
        } else if (cmd == "alter" || cmd == "altermod") {
            alter(cmd == "altermod", args, loc);
        } else if (cmd == "alterparam") {
            alter_param(args, loc);
        } else if (cmd == "stop") {
            stop(w, loc);
        } else if (cmd == "resume") {
            resume(loc);
        } else if (cmd == "reset") {
            session().reset();
            define_csparams();  // as ngspice: reset gives the .csparam vectors their values again
        } else if (cmd == "meas" || cmd == "measure") {
            measure(line, loc);
        } else if (cmd == "setplot") {
            if (w.size() < 2) fail(loc, "'setplot' needs a plot name (tran1, op1, …, or new)");
            set_plot(w[1], loc);
        } else if (cmd == "linearize") {
            linearize(w, loc);
        } else if (cmd == "fft") {
            fft(w, loc);
        } else if (cmd == "compose") {
            compose(w, loc);
        } else if (cmd == "define") {
            define(args, loc);
        } else if (cmd == "undefine") {
            for (std::size_t k = 1; k < w.size(); ++k) functions_.erase(lower(w[k]));
        } else if (cmd == "quit" || cmd == "exit") {
            int status = 0;
            if (w.size() > 1 && lower(w[1]) != "noask") {
                const auto n = parser::parse_number(w[1]);
                if (!n || *n != std::floor(*n) || *n < 0 || *n > 255)
                    fail(loc, fmt::format("'{}' takes an exit status from 0 to 255, got '{}'", cmd, w[1]));
                status = static_cast<int>(*n);
            }
            throw Quit{status};
        } else if (cmd == "break") {
            throw Break{};
        } else if (cmd == "continue") {
            throw Continue{};
        } else if (cmd == "goto" || cmd == "label") {
            fail(loc, fmt::format("'{}' is not supported by ionspice's control language (use while or repeat)", cmd));
        } else if (kNotRun.count(cmd)) {
            warn(loc, fmt::format("'{}' is not run here (ionspice runs the control language's analyses, vectors "
                                  "and files, not its graphics or interactive commands); the script goes on",
                                  cmd));
        } else {
            fail(loc, fmt::format("unknown control command '{}'", w[0]));
        }
    }

    void set(const std::string& args, const parser::SourceLoc& loc) {
        if (args.empty()) return;
        // set a = b, set a=b, set a, set a = ( x y z )
        std::string s = args;
        for (;;) {
            s = trim(s);
            if (s.empty()) return;
            std::size_t e = 0;
            while (e < s.size() && !std::isspace(static_cast<unsigned char>(s[e])) && s[e] != '=') ++e;
            const std::string name = lower(s.substr(0, e));
            if (name.empty()) fail(loc, "'set' needs a variable name");
            std::string rest = trim(s.substr(e));
            if (rest.empty() || rest[0] != '=') {
                vars_[name] = "";
                s = rest;
                continue;
            }
            rest = trim(rest.substr(1));
            if (!rest.empty() && rest[0] == '(') {
                const std::size_t close = rest.find(')');
                if (close == std::string::npos) fail(loc, "'(' without ')' in set");
                vars_[name] = trim(rest.substr(1, close - 1));
                s = rest.substr(close + 1);
                continue;
            }
            const auto w = words(rest);
            const std::string value = w.empty() ? "" : w[0];
            s = w.empty() ? "" : rest.substr(std::min(rest.size(), rest.find(w[0]) + w[0].size() + (rest[0] == '"' ? 2 : 0)));
            // ngspice's plot variables act on the current plot rather than being stored.
            if (name == "curplot") set_plot(value, loc);
            else if (name == "curplottitle") current().title = value;
            else if (name == "curplotname") current().name = value;
            else vars_[name] = value;
        }
    }

    /// The variables ngspice derives from the current plot ($curplot, …); nullopt for others.
    std::optional<std::string> plot_variable(const std::string& name) {
        if (name == "curplot") return current().type_name;
        if (name == "curplottitle") return current().title;
        if (name == "curplotname") return current().name;
        if (name == "curplotdate") return current().date;
        return std::nullopt;
    }

    /// `linearize [vec …] [np=N]`, as ngspice's: a new transient plot (current from then on) on
    /// the even grid tstart, tstart + tstep, … up to tstop of the last .tran (np= points instead),
    /// each vector (all of the plot's when none is named) interpolated linearly.
    void linearize(const std::vector<std::string>& w, const parser::SourceLoc& loc) {
        const ControlPlot& old = current();
        const Vec* time = old.scale();
        if (old.analysis != "tran" || !time || !time->real)
            fail(loc, fmt::format("'linearize' needs a transient plot; the current plot is {}", old.type_name));
        if (time->size() < 2) fail(loc, "'linearize': the transient has fewer than two points");
        const std::vector<double> t = time->reals();
        double tstart = t.front(), tstop = t.back(), tstep = (tstop - tstart) / static_cast<double>(t.size());
        if (const auto& tran = session_ ? session_->last_transient() : std::nullopt)
            tstart = tran->tstart, tstop = tran->tstop, tstep = tran->tstep;
        if (!((tstop - tstart) * tstep > 0) || tstop - tstart < tstep)
            fail(loc, fmt::format("'linearize': bad grid: start {:g}, stop {:g}, step {:g}", tstart, tstop, tstep));
        // np=N points, np=auto2n the power of two nearest the grid's; else the grid's own.
        double count = (tstop - tstart) / tstep + 1.5;
        bool np = false;
        std::vector<std::string> names;
        for (std::size_t k = 1; k < w.size(); ++k) {
            const std::string a = lower(w[k]);
            if (a.rfind("np=", 0) != 0) {
                names.push_back(a);
                continue;
            }
            const auto v = a == "np=auto2n" ? std::optional(std::exp2(std::round(std::log2((tstop - tstart) / tstep))))
                                            : parser::parse_number(a.substr(3));
            if (!v || !(*v >= 2)) fail(loc, fmt::format("'linearize': np= needs a number of points from 2, got '{}'", w[k]));
            count = std::round(*v);
            np = true;
        }
        if (count > 1e8) fail(loc, fmt::format("'linearize': {:g} points are too many", count));
        const auto points = static_cast<std::size_t>(count);
        if (np) tstep = (tstop - tstart) / static_cast<double>(points - 1);
        std::vector<double> grid(points);
        for (std::size_t k = 0; k < grid.size(); ++k) grid[k] = tstart + static_cast<double>(k) * tstep;

        ControlPlot lin;
        lin.type_name = unused_name("tran");
        lin.title = old.title;
        lin.name = old.name + " (linearized)";
        lin.date = old.date;
        lin.analysis = "tran";
        lin.has_scale = true;
        lin.result = old.result;  // a `meas` on it belongs to the run it was made from
        Vec scale = *time;
        scale.data.assign(grid.begin(), grid.end());
        lin.vecs.push_back(std::move(scale));
        for (std::size_t k = 1; k < old.vecs.size(); ++k) {
            const Vec& v = old.vecs[k];
            if (!names.empty() && std::find(names.begin(), names.end(), v.name) == names.end()) continue;
            if (!v.real || v.size() != t.size()) {
                warn(loc, fmt::format("'linearize': {} is {}; it is left out", v.name, v.real ? "not as long as the scale" : "complex"));
                continue;
            }
            Vec out = v;
            const auto values = control::interpolate_linear(t, v.reals(), grid);
            out.data.assign(values.begin(), values.end());
            lin.vecs.push_back(std::move(out));
        }
        for (const std::string& n : names)
            if (!old.find(n)) warn(loc, fmt::format("'linearize': no vector '{}'; the command goes on", n));
        plots_.push_back(std::move(lin));
        current_ = plots_.size() - 1;
    }

    /// `fft vec …`, as ngspice's (built without FFTW, as Debian's is): a new plot spect1, … with
    /// the scale frequency and each vector's complex spectrum, the samples taken as they are
    /// (`linearize` first for an even grid), weighted by `specwindow` (hanning unless set; its
    /// order `specwindoworder`, at least 2) and zero-padded to a power of two.
    void fft(const std::vector<std::string>& w, const parser::SourceLoc& loc) {
        const ControlPlot& source = current();
        const Vec* time = source.scale();
        if (!time || !time->real || time->type != "time")
            fail(loc, fmt::format("'fft' needs a plot with a real time scale; the current plot is {}", source.type_name));
        if (time->size() < 2) fail(loc, "'fft' needs more than one time point");
        if (w.size() < 2) fail(loc, "'fft' needs the vectors to transform");
        const std::vector<double> t = time->reals();
        const double span = control::fft_span(t);
        std::string kind = "hanning";
        if (auto it = vars_.find("specwindow"); it != vars_.end()) kind = lower(it->second);
        int order = 2;
        if (auto it = vars_.find("specwindoworder"); it != vars_.end()) {
            if (const auto v = parser::parse_number(it->second); v && *v >= 2 && *v <= 1e6) order = static_cast<int>(*v);
            else warn(loc, fmt::format("'fft': specwindoworder '{}' is not an order from 2; 2 is used", it->second));
        }
        auto window = control::spectral_window(kind, t, span, order);
        if (!window) {
            warn(loc, fmt::format("'fft': unknown window '{}' (specwindow); none is used", kind));
            window = control::spectral_window("none", t, span, order);
        }
        std::vector<std::string> names;
        std::vector<std::vector<double>> signals;
        for (std::size_t k = 1; k < w.size(); ++k) {
            const Vec v = eval(w[k], loc);
            if (v.size() != t.size() || !v.real || v.type == "time") {
                warn(loc, fmt::format("'fft': {} is {}; it is left out", w[k],
                                      !v.real ? "complex" : v.type == "time" ? "the time scale" : "not as long as the time scale"));
                continue;
            }
            names.push_back(v.name.empty() ? lower(w[k]) : v.name);
            signals.push_back(v.reals());
        }
        if (signals.empty()) return;
        const control::Spectrum sp = control::fft(t, signals, *window);
        say(fmt::format("FFT: Time span: {:g} s, input length: {}, zero padding: {}\n", sp.span, t.size(),
                        sp.padded - t.size()));
        say(fmt::format("FFT: Frequency resolution: {:g} Hz, output length: {}\n", 1.0 / sp.span, sp.frequency.size()));
        ControlPlot spec;
        spec.type_name = unused_name("spect");
        spec.title = source.title;
        spec.name = "Spectrum";
        spec.date = raw_date();
        spec.analysis = "spectrum";
        spec.has_scale = true;
        Vec f;
        f.name = "frequency";
        f.type = "frequency";
        f.data.assign(sp.frequency.begin(), sp.frequency.end());
        spec.vecs.push_back(std::move(f));
        for (std::size_t k = 0; k < names.size(); ++k) {
            Vec a;
            a.name = names[k];
            a.real = false;
            a.data = sp.amplitudes[k];
            spec.vecs.push_back(std::move(a));
        }
        plots_.push_back(std::move(spec));
        current_ = plots_.size() - 1;
    }

    /// A plot's name: its kind and the smallest number no plot of the script has (op1, op2, …;
    /// after `destroy op1` the next is op1 again, as in ngspice).
    std::string unused_name(const std::string& kind) const {
        for (int n = 1;; ++n) {
            const std::string name = kind + std::to_string(n);
            if (std::none_of(plots_.begin(), plots_.end(), [&](const ControlPlot& p) { return p.type_name == name; }))
                return name;
        }
    }

    /// `destroy [plot … | all]` (the current plot when none is named): the script no longer sees
    /// the plots. They stay among the run's results, which -r writes.
    void destroy(const std::vector<std::string>& w, const parser::SourceLoc& loc) {
        std::vector<std::string> names;
        for (std::size_t k = 1; k < w.size(); ++k) names.push_back(lower(w[k]));
        if (names.empty()) names.push_back(current().type_name);
        for (const std::string& name : names) {
            if (name == "const" || name == "constants") {
                warn(loc, "'destroy': the constants plot stays; the script goes on");
                continue;
            }
            bool found = false;
            for (std::size_t k = plots_.size(); k-- > 1;) {  // plots_[0], the constants, stays
                if (name != "all" && plots_[k].type_name != name) continue;
                found = true;
                plots_.erase(plots_.begin() + static_cast<std::ptrdiff_t>(k));
                if (paused_plot_ && paused_plot_->first == k) paused_plot_.reset();
                else if (paused_plot_ && paused_plot_->first > k) --paused_plot_->first;
                // The newest plot left becomes current when the current one goes.
                if (current_ == k) current_ = plots_.size() - 1;
                else if (current_ > k) --current_;
            }
            if (!found && name != "all") warn(loc, fmt::format("'destroy': no plot '{}'; the script goes on", name));
        }
    }

    /// `setplot name` and `set curplot = name`: makes plot `name` current; `new` makes an empty
    /// plot (unknown1, unknown2, …, as ngspice names them) for the script's own vectors.
    void set_plot(const std::string& which, const parser::SourceLoc& loc) {
        const std::string name = lower(which);
        if (name == "new") {
            ControlPlot p;
            p.type_name = unused_name("unknown");
            p.title = "anonymous";
            p.name = "unknown";
            p.date = raw_date();
            plots_.push_back(std::move(p));
            current_ = plots_.size() - 1;
            return;
        }
        for (std::size_t k = 0; k < plots_.size(); ++k)
            if (plots_[k].type_name == name) {
                current_ = k;
                return;
            }
        fail(loc, fmt::format("no plot '{}'", which));
    }

    void let(const std::string& args, const parser::SourceLoc& loc) {
        const std::size_t eq = args.find('=');
        if (eq == std::string::npos) fail(loc, "'let' needs name = expression");
        const std::string name = lower(trim(args.substr(0, eq)));
        if (name.empty()) fail(loc, "'let' needs a vector name before '='");
        if (const std::size_t open = name.find('['); open != std::string::npos) {
            // let v[k] = x: one element of a vector that exists (ngspice's indexed let).
            const std::size_t close = name.rfind(']');
            if (close == std::string::npos || close < open) fail(loc, "'[' without ']' in 'let'");
            const std::string base = trim(name.substr(0, open));
            const double k = scalar(name.substr(open + 1, close - open - 1), loc);
            Vec* target = current().find(base);
            if (!target) target = plots_.front().find(base);
            if (!target) fail(loc, fmt::format("no vector '{}' to set an element of (let it first)", base));
            if (!(k >= 0 && k == std::floor(k) && k < static_cast<double>(target->size())))
                fail(loc, fmt::format("index {:g} is outside vector '{}' of length {}", k, base, target->size()));
            const Vec v = eval(trim(args.substr(eq + 1)), loc);
            if (v.size() != 1) fail(loc, fmt::format("'let {}' needs one value, got {}", name, v.size()));
            target->data[static_cast<std::size_t>(k)] = v.data[0];
            target->real = target->real && v.real;
            return;
        }
        Vec v = eval(trim(args.substr(eq + 1)), loc);
        v.name = name;
        // As ngspice's let: a vector that exists is replaced where it is (the current plot, else
        // the constants plot, where vectors made before the first run live), a new one goes to
        // the current plot. A loop counter made before `run` thus keeps counting after it.
        ControlPlot& constants = plots_.front();
        if (!current().find(name) && &constants != &current() && constants.find(name))
            constants.set(std::move(v));
        else
            current().set(std::move(v));
    }

    /// The file of a trailing `> file` or `>> file` (true: append) outside quotes and brackets,
    /// cut from `line`.
    static std::optional<std::pair<std::string, bool>> redirection(std::string& line) {
        int depth = 0;
        bool quoted = false;
        for (std::size_t k = 0; k < line.size(); ++k) {
            const char c = line[k];
            if (c == '"') quoted = !quoted;
            if (quoted) continue;
            if (c == '(' || c == '[') ++depth;
            if (c == ')' || c == ']') --depth;
            if (c != '>' || depth != 0) continue;
            const bool append = k + 1 < line.size() && line[k + 1] == '>';
            std::string file = trim(std::string_view(line).substr(k + (append ? 2 : 1)));
            if (file.empty()) return std::nullopt;
            line = line.substr(0, k);
            return std::make_pair(file, append);
        }
        return std::nullopt;
    }

    /// compose name values v1 v2 …, or compose name with start/stop/step/lin/center/span and
    /// log/dec/oct, as ngspice's com_compose (its gauss and unif draws are not made here).
    void compose(const std::vector<std::string>& w, const parser::SourceLoc& loc) {
        if (w.size() < 3) fail(loc, "'compose' needs a vector name and its values");
        Vec out;
        out.name = lower(w[1]);
        if (lower(w[2]) == "values") {
            for (std::size_t k = 3; k < w.size(); ++k) {
                Vec v = eval(w[k], loc);
                out.real = out.real && v.real;
                out.data.insert(out.data.end(), v.data.begin(), v.data.end());
            }
            current().set(std::move(out));
            return;
        }
        // name=value pairs, written as a=1, a= 1, a =1 or a = 1.
        std::string joined;
        for (std::size_t k = 2; k < w.size(); ++k) joined += w[k] + " ";
        std::map<std::string, double> given;
        for (std::size_t p = 0; p < joined.size();) {
            const std::size_t eq = joined.find('=', p);
            if (eq == std::string::npos) {
                if (joined.find_first_not_of(' ', p) != std::string::npos)
                    fail(loc, "'compose' needs name=value pairs (start, stop, step, lin, center, span, log, dec, oct)");
                break;
            }
            const std::string key = lower(trim(joined.substr(p, eq - p)));
            std::size_t b = joined.find_first_not_of(' ', eq + 1);
            if (b == std::string::npos) fail(loc, fmt::format("'compose': missing value after '{}='", key));
            std::size_t e = joined.find(' ', b);
            static const char* const kKeys[] = {"start", "stop", "step", "lin", "center", "span", "log", "dec", "oct"};
            if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys))
                fail(loc, key == "gauss" || key == "unif" || key == "mean" || key == "sd"
                              ? fmt::format("'compose {}=': random vectors are not made here", key)
                              : fmt::format("'compose': unknown parameter '{}'", key));
            given[key] = scalar(joined.substr(b, e - b), loc);
            p = e == std::string::npos ? joined.size() : e;
        }
        auto has = [&](const char* k) { return given.count(k) != 0; };
        auto get = [&](const char* k) { return has(k) ? given.at(k) : 0.0; };
        double start = get("start"), stop = get("stop"), step = get("step");
        bool has_start = has("start"), has_stop = has("stop"), has_step = has("step");
        if (has("center") && has("span") && !has_start && !has_stop) {
            start = get("center") - get("span") / 2;
            stop = get("center") + get("span") / 2;
            has_start = has_stop = true;
        }
        if (has_step && step == 0) fail(loc, "'compose': step cannot be 0");
        const int kinds = has("lin") + has("log") + has("dec") + has("oct");
        if (kinds > 1) fail(loc, "'compose': at most one of lin, log, dec and oct");
        double lin = get("lin");
        bool linear = has("lin");
        if (kinds == 0) {
            if (!(has_start && has_stop && has_step))
                fail(loc, "'compose': give one of lin, log, dec and oct, or all of start, stop and step");
            if ((stop - start > 0) != (step > 0)) step = -step;
            lin = (stop - start) / step + 1;
            has_step = false;
            linear = true;
        }
        constexpr double kMaxPoints = 1e8;
        if (linear) {
            if (!(lin > 0) || lin > kMaxPoints) fail(loc, "'compose': lin must be a positive number of points");
            if (!has_start) start = has_stop ? (has_step ? stop - step * (lin - 1) : stop - lin + 1) : 0;
            if (!has_stop) stop = has_step ? start + step * (lin - 1) : start + lin - 1;
            if (!has_step) step = (stop - start) / (lin - 1);
            double t = start;
            for (int i = 0; i < static_cast<int>(lin); ++i, t += step) out.data.emplace_back(t, 0);
        } else {
            if (!(has_start && has_stop) || !(start > 0) || !(stop > 0))
                fail(loc, "'compose': a log, dec or oct vector needs positive start and stop (or center and span)");
            double n = has("log") ? std::trunc(get("log"))
                       : has("dec") ? std::round(std::trunc(get("dec")) * std::log10(stop / start)) + 1
                                    : std::round(std::trunc(get("oct")) * std::log10(stop / start) / std::log10(2.0)) + 1;
            if (!(n >= 1) || n > kMaxPoints) fail(loc, "'compose': the number of points must be positive");
            for (int i = 0; i < static_cast<int>(n); ++i)
                out.data.emplace_back(n == 1 ? start : start * std::pow(stop / start, i / (n - 1)), 0);
        }
        current().set(std::move(out));
    }

    std::vector<Vec> values(const std::string& args, const parser::SourceLoc& loc) {
        std::vector<Vec> out;
        for (const auto& e : expressions(args)) {
            if (lower(e) == "all") {
                for (const auto& v : current().vecs)
                    if (&v != current().scale()) out.push_back(v);
                continue;
            }
            out.push_back(eval(e, loc));
        }
        return out;
    }

    /// A scale as ngspice names it in print and wrdata: by its own name (v-sweep), not as the raw
    /// file wraps a voltage (v(v-sweep)).
    static std::string scale_name(const Vec& v) {
        const std::string& n = v.name;
        if (n.size() > 3 && n.back() == ')' && ((n[0] == 'v' && v.type == "voltage") || (n[0] == 'i' && v.type == "current")) &&
            n[1] == '(')
            return n.substr(2, n.size() - 3);
        return n;
    }

    /// A value as ngspice's print writes it: a complex one as "re,<tab>im" in a table, "re,im"
    /// after `name = `.
    static std::string value_text(const Vec& v, std::size_t k, bool table = true) {
        if (v.real) return control::format_number(v.data[k].real());
        return control::format_number(v.data[k].real()) + (table ? ",\t" : ",") + control::format_number(v.data[k].imag());
    }

    void print(const std::string& args, const parser::SourceLoc& loc) {
        std::string a = args;
        const auto first = words(a);
        if (!first.empty() && (lower(first[0]) == "col" || lower(first[0]) == "line")) a = a.substr(first[0].size());
        const std::vector<Vec> vs = values(a, loc);
        if (vs.empty()) fail(loc, "'print' needs vectors or expressions");
        bool scalars = true;
        for (const auto& v : vs) scalars = scalars && v.size() == 1;
        if (scalars) {
            for (const auto& v : vs) say(fmt::format("{} = {}\n", v.name, value_text(v, 0, false)));
            return;
        }
        const ControlPlot& p = current();
        const Vec* scale = p.scale();
        std::vector<const Vec*> cols;
        if (scale && vs.front().size() == scale->size()) cols.push_back(scale);
        for (const auto& v : vs) cols.push_back(&v);
        // The title centred on 80 columns (rounding up), the plot's name under it at the same indent.
        const std::string title = lower(p.title);  // ngspice keeps the title lower-cased
        const std::size_t indent = title.size() < 80 ? (81 - title.size()) / 2 : 0;
        std::string text = std::string(indent, ' ') + title + "\n";
        text += std::string(indent, ' ') + p.name + "  " + p.date + "\n";
        const std::string dashes(80, '-');
        text += dashes + "\nIndex   ";
        for (const Vec* c : cols) text += fmt::format("{:<16}", c == scale ? scale_name(*c) : c->name);
        text += "\n" + dashes + "\n";
        std::size_t rows = 0;
        for (const Vec* c : cols) rows = std::max(rows, c->size());
        for (std::size_t k = 0; k < rows; ++k) {
            text += fmt::format("{}\t", k);
            for (const Vec* c : cols) text += k < c->size() ? value_text(*c, k) + "\t" : std::string("\t");
            text += "\n";
        }
        say(text);
    }

    std::string file_and_rest(const std::string& args, std::string& rest, const parser::SourceLoc& loc,
                              const char* cmd) {
        const auto w = words(args);
        if (w.empty()) fail(loc, fmt::format("'{}' needs a file name", cmd));
        rest = trim(std::string_view(args).substr(std::min(args.size(), args.find(w[0]) + w[0].size())));
        return w[0];
    }

    void wrdata(const std::string& args, const parser::SourceLoc& loc) {
        std::string rest;
        const std::string file = file_and_rest(args, rest, loc, "wrdata");
        const std::vector<Vec> vs = values(rest, loc);
        if (vs.empty()) fail(loc, "'wrdata' needs vectors to write");
        int digits = 8;
        if (auto it = vars_.find("numdgt"); it != vars_.end())
            if (auto d = parser::parse_number(it->second); d && *d >= 1 && *d <= 17) digits = static_cast<int>(*d);
        const bool single = flag("wr_singlescale"), names = flag("wr_vecnames");
        const Vec* plot_scale = current().scale();
        // Each vector's scale: the plot's when the lengths agree, else its own index.
        std::vector<Vec> scales;
        for (const auto& v : vs) {
            if (plot_scale && plot_scale->size() == v.size()) {
                scales.push_back(*plot_scale);
            } else {
                Vec s;
                s.name = "index";
                for (std::size_t k = 0; k < v.size(); ++k) s.data.push_back(static_cast<double>(k));
                scales.push_back(std::move(s));
            }
        }
        std::size_t rows = 0;
        for (const auto& s : scales) rows = std::max(rows, s.size());
        if (single)
            for (const auto& s : scales)
                if (s.size() != scales.front().size())
                    fail(loc, "wr_singlescale: the vectors have different lengths");
        std::string text;
        const int width = digits + 7;
        if (names) {
            for (std::size_t i = 0; i < vs.size(); ++i) {
                if (i == 0 || !single) text += fmt::format(" {:<{}}", scale_name(scales[i]), width);
                text += fmt::format(" {:<{}}", vs[i].name, width);
                if (!vs[i].real) text += fmt::format(" {:<{}}", vs[i].name, width);
            }
            text += "\n";
        }
        for (std::size_t k = 0; k < rows; ++k) {
            for (std::size_t i = 0; i < vs.size(); ++i) {
                const bool with_scale = i == 0 || !single;
                if (k >= scales[i].size()) {
                    if (with_scale) text += std::string(static_cast<std::size_t>(digits + 8), ' ');
                    text += std::string(static_cast<std::size_t>((vs[i].real ? 1 : 2) * (digits + 8)), ' ');
                    continue;
                }
                if (with_scale) text += fmt::format("{: .{}e} ", scales[i].data[k].real(), digits);
                if (vs[i].real) text += fmt::format("{: .{}e} ", vs[i].data[k].real(), digits);
                else text += fmt::format("{: .{}e} {: .{}e} ", vs[i].data[k].real(), digits, vs[i].data[k].imag(), digits);
            }
            text += "\n";
        }
        std::string old;
        if (flag("appendwrite")) {
            std::ifstream in(file, std::ios::binary);
            old.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        write_atomically(file, [&](std::ostream& out) { out << old << text; });
    }

    void write(const std::string& args, const parser::SourceLoc& loc) {
        std::string rest;
        const std::string file = file_and_rest(args, rest, loc, "write");
        const ControlPlot& p = current();
        std::vector<Vec> picked;
        std::vector<const Vec*> cols;
        if (rest.empty()) {
            cols = whole_columns(p);
        } else {
            picked = values(rest, loc);
            if (p.scale() && !picked.empty() && picked.front().size() == p.scale()->size()) cols.push_back(p.scale());
            for (const auto& v : picked) cols.push_back(&v);
        }
        if (cols.empty()) fail(loc, "'write': nothing to write (run an analysis or name vectors)");
        Plot out;
        try {
            out = control::to_plot(p, cols);
        } catch (const std::invalid_argument& e) {
            fail(loc, e.what());
        }
        std::vector<Plot> all;
        if (flag("appendwrite") && std::filesystem::exists(file)) all = read_raw(file);
        all.push_back(std::move(out));
        if (flag("nopadding"))
            warn(loc, "'nopadding' is not honoured: shorter vectors are written padded with zeros");
        auto it = vars_.find("filetype");
        const bool ascii = it != vars_.end() && lower(it->second) == "ascii";
        write_atomically(file, [&](std::ostream& o) { write_raw(o, all, ascii); });
    }

    /// ngspice's `stop when time = t` (also `>`, `>=`, `eq`, `gt`, `ge`): the transients from
    /// here on stop at t, to be resumed. Other conditions are not run: a warning.
    void stop(const std::vector<std::string>& w, const parser::SourceLoc& loc) {
        // "time=1ms" and "time =1ms" as "time = 1ms".
        std::vector<std::string> t;
        for (auto x = w.begin() + 1; x != w.end(); ++x) {
            std::string rest = *x;
            for (const char* op : {">=", "=", ">"}) {
                const auto at = rest.find(op);
                if (at == std::string::npos || rest == op) continue;
                if (at > 0) t.push_back(rest.substr(0, at));
                t.push_back(op);
                rest = rest.substr(at + std::string_view(op).size());
                break;
            }
            if (!rest.empty()) t.push_back(rest);
        }
        static const std::set<std::string> kOps = {"=", ">", ">=", "eq", "gt", "ge"};
        if (t.size() == 4 && lower(t[0]) == "when" && lower(t[1]) == "time" && kOps.count(lower(t[2]))) {
            const auto time = parser::parse_number(t[3]);
            if (!time || !(*time > 0)) fail(loc, fmt::format("'stop when time = t' needs a positive time, got '{}'", t[3]));
            session().stop_at(*time);
            return;
        }
        warn(loc, "only 'stop when time = t' is run here (ionspice stops a transient at a time, not on a vector's "
                  "value or after a number of points); the script goes on without this stop");
    }

    /// ngspice's `resume`: the stopped transient goes on, on the circuit as altered since, and
    /// its points join the stopped run's plot.
    void resume(const parser::SourceLoc& loc) {
        Session& s = session();
        if (!s.paused() || !paused_plot_) fail(loc, "'resume': no transient was stopped ('stop when time = t', then tran)");
        SimulationResult r = s.resume();
        if (r.plots.empty()) return;
        const Plot& more = r.plots.front();
        Plot& whole = result_.plots[paused_plot_->second];
        whole.values.insert(whole.values.end(), more.values.begin(), more.values.end());
        ControlPlot& cp = plots_[paused_plot_->first];
        const ControlPlot extra = control::from_plot(more, cp.type_name);
        for (std::size_t k = 0; k < cp.vecs.size() && k < extra.vecs.size(); ++k)
            cp.vecs[k].data.insert(cp.vecs[k].data.end(), extra.vecs[k].data.begin(), extra.vecs[k].data.end());
        remeasure(paused_plot_->second);
        for (auto& l : r.log) result_.log.push_back(std::move(l));
        if (!s.paused()) paused_plot_.reset();
    }

    /// The netlist's `.meas tran` are the whole run's: once resumed, measured again on the whole
    /// plot, in place of those made at the stop, and printed.
    void remeasure(std::size_t plot) {
        const std::vector<MeasureResult> again = measure_plot(result_.plots[plot], plot, session().bound().netlist.measures);
        if (again.empty()) return;
        auto& all = result_.measures;
        auto at = std::find_if(all.begin(), all.end(), [&](const MeasureResult& m) { return m.plot >= plot; });
        at = all.erase(at, std::find_if(at, all.end(), [&](const MeasureResult& m) { return m.plot != plot; }));
        for (const auto& m : again) say(format_measure(m) + "\n");
        all.insert(at, again.begin(), again.end());
    }

    /// After a run: the plot of a transient that stopped, for resume.
    void note_pause() {
        paused_plot_.reset();
        if (!session_ || !session_->paused()) return;
        // The newest transient plot, in each list (the control plots hold the constants too).
        auto last_tran = [](const auto& plots) {
            std::size_t k = plots.size();
            while (k > 0 && plots[k - 1].analysis != "tran") --k;
            return k - 1;
        };
        paused_plot_ = std::pair{last_tran(plots_), last_tran(result_.plots)};
    }

    void analysis(const std::string& card, const parser::SourceLoc& loc) {
        SimulationResult r;
        // The netlist's own mistakes (found when the session first elaborates it) point at the
        // netlist; only those of the card itself are this command's.
        Session& s = session();
        try {
            r = s.run(card);
        } catch (const parser::NetlistError& e) {
            fail(loc, e.message());
        }
        append(std::move(r), true);
        note_pause();
    }

    void alter_param(const std::string& args, const parser::SourceLoc& loc) {
        // alterparam name = value: a top-level .param, effective at the next reset (as ngspice).
        std::string s = args;
        for (char& c : s)
            if (c == '=') c = ' ';
        const auto w = words(s);
        if (w.size() == 3)
            fail(loc, fmt::format("alterparam of subcircuit '{}': ionspice changes top-level .params only "
                                  "(alterparam name = value)", w[0]));
        if (w.size() != 2) fail(loc, "'alterparam' needs a .param name and a value: alterparam name = value");
        try {
            session().alter_param(lower(w[0]), scalar(w[1], loc));
        } catch (const SimulationError& e) {
            fail(loc, e.what());
        }
    }

    void alter(bool model, const std::string& args, const parser::SourceLoc& loc) {
        // alter r1 = 2k | alter r1 2k | alter r1 r = 2k | alter @r1[r] = 2k (altermod alike)
        std::string s = args;
        for (char& c : s)
            if (c == '=') c = ' ';
        auto w = words(s);
        std::string name, param;
        std::size_t value_at = 0;
        if (!w.empty() && w[0][0] == '@') {
            const auto open = w[0].find('['), close = w[0].find(']');
            if (open == std::string::npos || close == std::string::npos || close < open)
                fail(loc, fmt::format("expected @name[parameter], got '{}'", w[0]));
            name = lower(w[0].substr(1, open - 1));
            param = lower(w[0].substr(open + 1, close - open - 1));
            value_at = 1;
        } else if (w.size() == 2) {
            name = lower(w[0]);
            value_at = 1;
        } else if (w.size() >= 3) {
            name = lower(w[0]);
            param = lower(w[1]);
            value_at = 2;
        }
        if (name.empty() || value_at >= w.size())
            fail(loc, fmt::format("'{}' needs an element, optionally a parameter, and a value", model ? "altermod" : "alter"));
        std::string value_text;
        for (std::size_t k = value_at; k < w.size(); ++k) value_text += (k > value_at ? " " : "") + w[k];
        std::vector<double> vector;
        if (!value_text.empty() && value_text.front() == '[') {
            // alter @v1[pulse] = [ 2 5 11n … ]: a source's waveform, as ngspice's.
            const auto close = value_text.find(']');
            if (close == std::string::npos) fail(loc, "'[' without ']' in the alter value");
            if (model || param.empty()) fail(loc, "a vector value ([a b c]) alters a source's waveform: alter @v1[pulse] = [ … ]");
            for (const auto& item : words(value_text.substr(1, close - 1))) vector.push_back(scalar(item, loc));
            if (vector.empty()) fail(loc, "'[ ]' gives no values");
        }
        Session& sess = session();
        try {
            if (!vector.empty()) sess.alter_waveform(name, param, std::move(vector));
            else if (model) sess.altermod(name, param, scalar(value_text, loc));
            else sess.alter(name, param, scalar(value_text, loc));
        } catch (const SimulationError& e) {
            fail(loc, e.what());
        } catch (const parser::NetlistError& e) {
            fail(loc, e.message());
        }
    }

    /// The plot's vectors as long as its first (its scale): what a whole plot written or
    /// measured holds; `let` scalars of the plot are left out.
    static std::vector<const Vec*> whole_columns(const ControlPlot& p) {
        std::vector<const Vec*> cols;
        for (const auto& v : p.vecs)
            if (v.size() == p.vecs.front().size()) cols.push_back(&v);
        return cols;
    }

    void measure(const std::string& line, const parser::SourceLoc& loc) {
        // The command as the card it is, read and elaborated as in a netlist, then measured on
        // the current plot (which must be of its analysis).
        parser::Netlist n;
        try {
            n = parser::elaborate(parser::parse_deck(fmt::format("* meas\n.{}\n", line), "<meas>"));
        } catch (const parser::NetlistError& e) {
            fail(loc, e.message());
        }
        if (n.measures.size() != 1) fail(loc, "'meas' needs an analysis, a name and a measurement");
        const parser::Measure& m = n.measures.front();
        const ControlPlot& p = current();
        if (p.analysis != m.analysis)
            fail(loc, fmt::format("'meas {}' needs a {} plot; the current plot is {}", m.analysis, m.analysis,
                                  p.type_name));
        const Plot plot = control::to_plot(p, whole_columns(p));
        MeasureResult r = evaluate_measure(plot, m);
        say(format_measure(r) + "\n");
        if (r.value) {
            Vec v;
            v.name = m.name;
            v.data = {*r.value};
            current().set(std::move(v));
        }
        // The analysis matched above: a run's plot, or one linearized from it.
        r.plot = current().result.value_or(0);
        result_.measures.push_back(std::move(r));
    }

    /// A run's plots become the script's (tran1, op1, …) and the result's; the current plot is
    /// the last. With `print`, its .print tables and .meas lines are printed as ngspice does.
    void append(SimulationResult r, bool print_now) {
        const std::size_t offset = result_.plots.size();
        for (auto& p : r.plots) {
            plots_.push_back(control::from_plot(p, unused_name(p.analysis.empty() ? "plot" : p.analysis)));
            plots_.back().result = result_.plots.size();
            current_ = plots_.size() - 1;
            result_.plots.push_back(std::move(p));
        }
        for (auto& t : r.prints) {
            if (print_now && out_) print_table(*out_, result_.plots[offset + t.plot], t.columns);
            t.plot += offset;
            result_.prints.push_back(std::move(t));
        }
        for (auto& m : r.measures) {
            if (print_now) say(format_measure(m) + "\n");
            m.plot += offset;
            result_.measures.push_back(std::move(m));
        }
        for (auto& rep : r.reports) {
            if (print_now) say(rep.text);
            rep.plot += offset;
            result_.reports.push_back(std::move(rep));
        }
        for (auto& l : r.log) result_.log.push_back(std::move(l));
        for (auto& w : r.warnings) add_warning(std::move(w));
    }

    const parser::Deck& deck_;
    const SimulateSettings& settings_;
    std::ostream* out_;
    long script_turns_ = 0;
    std::unique_ptr<Session> session_;
    std::vector<ControlPlot> plots_;
    std::size_t current_ = 0;
    /// A stopped transient's plot: (index in plots_, index in result_.plots).
    std::optional<std::pair<std::size_t, std::size_t>> paused_plot_;
    std::map<std::string, std::string> vars_;
    struct Function {
        std::vector<std::string> params;
        std::string body;
    };
    std::map<std::string, Function> functions_;
    SimulationResult result_;
};

}  // namespace

SimulationResult run_control(const parser::Deck& deck, const SimulateSettings& settings) {
    return Interpreter(deck, settings).run();
}

}  // namespace ionspice::solver
