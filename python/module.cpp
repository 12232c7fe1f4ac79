// ionspice._core: the simulator as a Python extension (pybind11). Thin on purpose: netlists in,
// plots out as numpy views of the solver's own arrays (no copy), C++ errors turned into the
// package's exceptions (python/ionspice/_errors.py). The Pythonic surface — keyword arguments,
// Results, Circuit, warnings — is python/ionspice/*.py on top of this.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <complex>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "parser/Netlist.hpp"
#include "parser/SourceLoc.hpp"
#include "solver/RawReader.hpp"
#include "solver/Session.hpp"
#include "solver/SimulationError.hpp"
#include "solver/Simulator.hpp"
#include "solver/StepSummary.hpp"
#include "tools/GenCommand.hpp"
#include "tools/Table.hpp"
#include "tools/TransferFit.hpp"

namespace py = pybind11;
using namespace ionspice;

namespace {

using PlotPtr = std::shared_ptr<solver::Plot>;  // read-only for Python: no setter is bound

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

/// Vector `name` of the plot as a numpy view into the plot's values (kept alive by `owner`):
/// float64 for a real plot, complex128 for a complex one.
py::array vector_view(const PlotPtr& p, const std::string& name, py::handle owner) {
    const int v = p->find(lower(name));
    if (v < 0) throw py::key_error(name);
    const std::size_t n = p->points(), stride = p->variables.size() * p->stride() * sizeof(double);
    const double* first = p->values.data() + static_cast<std::size_t>(v) * p->stride();
    py::array out;
    if (p->is_complex())
        out = py::array_t<std::complex<double>>({n}, {stride}, reinterpret_cast<const std::complex<double>*>(first),
                                                owner);
    else
        out = py::array_t<double>({n}, {stride}, first, owner);
    // The plot is shared by every view: none may write into it.
    out.attr("setflags")(py::arg("write") = false);
    return out;
}

std::vector<PlotPtr> share(std::vector<solver::Plot> plots) {
    std::vector<PlotPtr> out;
    out.reserve(plots.size());
    for (auto& p : plots) out.push_back(std::make_shared<solver::Plot>(std::move(p)));
    return out;
}

/// What one run gives Python: the plots and what goes with them.
struct RunOutput {
    std::vector<PlotPtr> plots;
    std::size_t steps = 0;
    std::vector<std::string> log;       ///< one line per analysis
    std::string warnings;               ///< what the run printed as warnings
    py::list measures;                  ///< (plot, name, value or None, failure)
    py::list reports;                   ///< (plot, text)
    py::list prints;                    ///< (plot, [headers])
    std::size_t monte_carlo_runs = 0;   ///< `.step mc N`: N
    /// Per measurement and combination of the other stepped variables: (group {name: value},
    /// name, values, missing, mean, sigma, min, max, [quantiles at 5/25/50/75/95 %]).
    py::list statistics;
};

RunOutput to_output(solver::SimulationResult r, std::string warnings) {
    RunOutput o;
    o.steps = r.steps;
    o.log = std::move(r.log);
    o.warnings = std::move(warnings);
    for (const auto& m : r.measures)
        o.measures.append(py::make_tuple(m.plot, m.name, m.value ? py::cast(*m.value) : py::none(), m.failure));
    for (const auto& rep : r.reports) o.reports.append(py::make_tuple(rep.plot, rep.text));
    for (const auto& pt : r.prints) {
        py::list headers;
        for (const auto& c : pt.columns) headers.append(c.header);
        o.prints.append(py::make_tuple(pt.plot, headers));
    }
    o.monte_carlo_runs = r.monte_carlo_runs;
    for (const auto& st : solver::monte_carlo_statistics(r)) {
        py::dict group;
        for (const auto& [name, value] : st.group) group[py::str(name)] = value;
        py::list q;
        for (double x : st.quantiles) q.append(x);
        o.statistics.append(
            py::make_tuple(group, st.name, st.values, st.missing, st.mean, st.sigma, st.min, st.max, q));
    }
    o.plots = share(std::move(r.plots));
    return o;
}

parser::Deck load_deck(const std::string& netlist, bool is_text, const std::map<std::string, double>& params,
                       const std::string& options) {
    parser::Deck deck = is_text ? parser::parse_deck(netlist, "<netlist>") : parser::read_deck(netlist);
    if (params.empty() && options.empty()) return deck;
    std::map<std::string, double> lowered;
    for (const auto& [k, v] : params) lowered[lower(k)] = v;
    return parser::with_settings(deck, lowered, options);
}

/// A Session with its warnings captured for Python.
class PySession {
public:
    PySession(const std::string& netlist, bool is_text, const std::map<std::string, double>& params,
              const std::string& options) {
        settings_.log = &log_;
        session_ = std::make_unique<solver::Session>(load_deck(netlist, is_text, params, options), settings_);
    }
    RunOutput run(const std::string& card) {
        solver::SimulationResult r;
        {
            py::gil_scoped_release release;
            r = card.empty() ? session_->run() : session_->run(card);
        }
        return to_output(std::move(r), take_log());
    }
    void set_param(const std::string& name, double v) {
        py::gil_scoped_release release;
        session_->set_param(lower(name), v);
    }
    void set_state(const std::string& device, double s) { session_->set_state(lower(device), s); }
    void set_states(const std::map<std::string, double>& states) {
        for (const auto& [d, s] : states) session_->set_state(lower(d), s);
    }
    double state(const std::string& device) const { return session_->state(lower(device)); }
    std::size_t hold_states() { return session_->hold_states(); }

private:
    std::string take_log() {
        std::string s = log_.str();
        log_.str({});
        return s;
    }
    std::ostringstream log_;
    solver::SimulateSettings settings_;
    std::unique_ptr<solver::Session> session_;
};

void raise_located(const char* cls_name, const parser::NetlistError& e) {
    py::object cls = py::module_::import("ionspice._errors").attr(cls_name);
    const parser::SourceLoc& loc = e.loc();
    py::object file = loc.source ? py::cast(std::string(loc.file())) : py::none();
    py::object err = cls(std::string(e.what()), file, loc.known() ? py::cast(loc.line) : py::none(),
                         loc.known() ? py::cast(loc.col) : py::none(), e.message());
    PyErr_SetObject(cls.ptr(), err.ptr());
}

void raise_plain(const char* cls_name, const std::string& what) {
    py::object cls = py::module_::import("ionspice._errors").attr(cls_name);
    py::object err = cls(what);
    PyErr_SetObject(cls.ptr(), err.ptr());
}

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "ionspice's compiled core; use the `ionspice` package.";

    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const parser::NetlistError& e) {
            raise_located("NetlistError", e);
        } catch (const solver::SimulationError& e) {
            raise_plain("ConvergenceError", e.what());
        } catch (const models::DeviceError& e) {
            raise_plain("Error", e.what());
        } catch (const py::builtin_exception&) {
            throw;  // KeyError and the like: pybind11's own translator raises them
        } catch (const py::error_already_set&) {
            throw;
        } catch (const std::runtime_error& e) {
            // An unreadable raw or CSV file, and whatever else the simulator reports as text.
            raise_plain("Error", e.what());
        }
    });

    py::class_<solver::Plot, PlotPtr>(m, "Plot")
        .def_property_readonly("name", [](const solver::Plot& p) { return p.name; })
        .def_property_readonly("title", [](const solver::Plot& p) { return p.title; })
        .def_property_readonly("analysis", [](const solver::Plot& p) { return p.analysis; })
        .def_property_readonly("kind", [](const solver::Plot& p) { return p.is_complex() ? "complex" : "real"; })
        .def_property_readonly("scalar", [](const solver::Plot& p) { return p.scalar; })
        .def_property_readonly("date", [](const solver::Plot& p) { return p.date; })
        .def_property_readonly("points", &solver::Plot::points)
        .def_property_readonly("names",
                               [](const solver::Plot& p) {
                                   std::vector<std::string> n;
                                   for (const auto& v : p.variables) n.push_back(v.name);
                                   return n;
                               })
        .def_property_readonly("types",
                               [](const solver::Plot& p) {
                                   std::map<std::string, std::string> t;
                                   for (const auto& v : p.variables) t[v.name] = v.type;
                                   return t;
                               })
        .def_property_readonly("step",
                               [](const solver::Plot& p) {
                                   py::dict d;
                                   for (const auto& [k, v] : p.step) d[py::str(k)] = v;
                                   return d;
                               })
        .def("__getitem__",
             [](py::object self, const std::string& name) {
                 return vector_view(self.cast<PlotPtr>(), name, self);
             })
        .def("__contains__", [](const solver::Plot& p, const std::string& name) { return p.find(lower(name)) >= 0; })
        .def("__len__", [](const solver::Plot& p) { return p.variables.size(); });

    py::class_<RunOutput>(m, "RunOutput")
        .def_readonly("plots", &RunOutput::plots)
        .def_readonly("steps", &RunOutput::steps)
        .def_readonly("log", &RunOutput::log)
        .def_readonly("warnings", &RunOutput::warnings)
        .def_readonly("measures", &RunOutput::measures)
        .def_readonly("reports", &RunOutput::reports)
        .def_readonly("prints", &RunOutput::prints)
        .def_readonly("monte_carlo_runs", &RunOutput::monte_carlo_runs)
        .def_readonly("statistics", &RunOutput::statistics);

    m.def(
        "run",
        [](const std::string& netlist, bool is_text, const std::map<std::string, double>& params,
           const std::string& options, int jobs) {
            parser::Deck deck = load_deck(netlist, is_text, params, options);
            std::ostringstream log;
            solver::SimulateSettings settings;
            settings.log = &log;
            settings.threads = jobs;
            solver::SimulationResult r;
            {
                py::gil_scoped_release release;
                r = solver::simulate(deck, settings);
            }
            return to_output(std::move(r), log.str());
        },
        py::arg("netlist"), py::arg("is_text"), py::arg("params"), py::arg("options"), py::arg("jobs"));

    m.def(
        "read_raw",
        [](const std::string& path) {
            std::vector<solver::Plot> plots;
            {
                py::gil_scoped_release release;
                plots = solver::read_raw(path);
            }
            return share(std::move(plots));
        },
        py::arg("path"));
    m.def(
        "read_table",
        [](const std::string& path) {
            std::vector<solver::Plot> plots;
            {
                py::gil_scoped_release release;
                plots = tools::read_table(path);
            }
            return share(std::move(plots));
        },
        py::arg("path"));

    // `ionspice gen` (tools/GenCommand.hpp): its usage errors are std::invalid_argument, so
    // ValueError in Python, with the message the command line prints.
    m.def(
        "gen",
        [](const std::vector<std::string>& args, std::optional<std::vector<double>> g,
           std::optional<std::vector<double>> program, std::optional<std::vector<double>> inputs,
           std::optional<std::vector<std::vector<double>>> samples) {
            tools::GenTables t{std::move(g), std::move(program), std::move(inputs), std::move(samples)};
            py::gil_scoped_release release;
            return tools::gen_netlist(args, t);
        },
        py::arg("args"), py::arg("g") = py::none(), py::arg("program") = py::none(), py::arg("inputs") = py::none(),
        py::arg("samples") = py::none());

    // `ionspice fit`'s fitter (tools/TransferFit.hpp) on normalised data; a FitError is a ValueError.
    m.def(
        "fit_transfer",
        [](const std::vector<double>& w_h, const std::vector<double>& w_b, const std::string& form) {
            const std::optional<tools::TransferForm> f = tools::transfer_form(form);
            if (!f) throw py::value_error("form must be 'rational' or 'ternary', got '" + form + "'");
            tools::TransferFit fit;
            try {
                py::gil_scoped_release release;
                fit = tools::fit_transfer(w_h, w_b, *f);
            } catch (const tools::FitError& e) {
                throw py::value_error(e.what());
            }
            auto estimate = [](const tools::Estimate& e) { return py::make_tuple(e.value, e.error); };
            auto branch = [&](const std::optional<tools::BranchFit>& b) -> py::object {
                if (!b) return py::none();
                py::dict d;
                d["a"] = estimate(b->a);
                d["b"] = estimate(b->b);
                d["r"] = estimate(b->r);
                d["r2"] = b->r2;
                d["sse"] = b->sse;
                d["points"] = b->points;
                d["evaluations"] = b->evaluations;
                return d;
            };
            py::dict out;
            out["form"] = form;
            out["positive"] = branch(fit.positive);
            out["negative"] = branch(fit.negative);
            out["r2"] = fit.r2;
            out["points"] = fit.points;
            return out;
        },
        py::arg("w_h"), py::arg("w_b"), py::arg("form"));

    py::class_<PySession>(m, "Session")
        .def(py::init<const std::string&, bool, const std::map<std::string, double>&, const std::string&>(),
             py::arg("netlist"), py::arg("is_text"), py::arg("params"), py::arg("options"))
        .def("run", &PySession::run, py::arg("card"))
        .def("set_param", &PySession::set_param)
        .def("set_state", &PySession::set_state)
        .def("set_states", &PySession::set_states)
        .def("state", &PySession::state)
        .def("hold_states", &PySession::hold_states);
}
