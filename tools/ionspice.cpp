// The ionspice command line: `ionspice [options] NETLIST`.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <span>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <sys/resource.h>
#include <unistd.h>

#include "parser/Netlist.hpp"
#include "solver/AtomicFile.hpp"
#include "solver/OutputWriters.hpp"
#include "solver/SimulationError.hpp"
#include "solver/Simulator.hpp"
#include "tools/Commands.hpp"

namespace {

using namespace ionspice;

/// CSV files for the analyses (the plots of one step): FILE itself for one analysis; FILE's stem
/// plus the analysis for several ("out.csv" → "out.op.csv", "out.dc.csv", "out.dc2.csv").
std::vector<std::string> csv_names(const std::string& path, std::span<const solver::Plot> plots) {
    if (plots.size() <= 1) return {path};
    namespace fs = std::filesystem;
    fs::path p(path);
    std::string ext = p.has_extension() ? p.extension().string() : ".csv";
    std::map<std::string, int> seen;
    std::vector<std::string> names;
    for (const auto& plot : plots) {
        std::string kind = plot.analysis.empty() ? "plot" : plot.analysis;
        int n = ++seen[kind];
        if (n > 1) kind += std::to_string(n);
        fs::path out = p.parent_path() / (p.stem().string() + "." + kind + ext);
        names.push_back(out.string());
    }
    return names;
}

int run(int argc, char** argv) {
    CLI::App app{"ionspice: a SPICE-style circuit simulator for emerging memories (ECRAM, memristors, MOSFETs)"};
    app.footer("Sub-commands: ionspice fit (transfer-function fits), ionspice plot (figures from raw/CSV files),\n"
               "ionspice gen (array netlists); each takes --help.");
    std::string netlist, raw, csv;
    bool ascii = false, quiet = false, version = false, stats = false;
    int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    app.add_option("netlist", netlist, "netlist file (.cir)");
    app.add_option("-r,--raw", raw, "write results to a raw file (ngspice layout, binary unless --ascii)");
    app.add_flag("--ascii", ascii, "write the raw file in ASCII");
    app.add_option("--csv", csv, "write results as CSV (one file per analysis when there are several)");
    app.add_flag("-q,--quiet", quiet, "print nothing but errors");
    app.add_flag("-v,--version", version, "print the version and exit");
    app.add_flag("--stats", stats, "print where the time went (reading, binding, solving, writing)");
    app.add_option("-j,--jobs", jobs, "run .step points on N threads (default: all cores); results do not depend on N")
        ->check(CLI::PositiveNumber);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (version) {
        fmt::print("ionspice {}\n", IONSPICE_VERSION);
        return 0;
    }
    if (netlist.empty()) {
        fmt::print(std::cerr, "ionspice: error: no netlist given (try --help)\n");
        return 2;
    }

    auto t0 = std::chrono::steady_clock::now();
    // Deliberately never freed: the process ends right after, and tearing down a 512×512
    // crossbar's netlist and results one allocation at a time would cost a noticeable part
    // of the run. Static pointers keep both reachable, so leak checkers (ASan) stay quiet.
    static parser::Deck* deck = nullptr;
    static solver::SimulationResult* kept = nullptr;
    deck = new parser::Deck(parser::read_deck(netlist));
    double read_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    solver::SimulateSettings settings;
    settings.log = quiet ? nullptr : &std::cerr;
    settings.out = quiet ? nullptr : &std::cout;
    settings.stats = stats;
    settings.threads = jobs;
    settings.keep_at_exit = true;
    kept = new solver::SimulationResult(solver::simulate(*deck, settings));
    auto& result = *kept;

    auto t1 = std::chrono::steady_clock::now();
    if (!raw.empty())
        solver::write_atomically(raw, [&](std::ostream& out) { solver::write_raw(out, result.plots, ascii); });
    if (!csv.empty()) {
        // A stepped run writes one file per analysis, holding that analysis of every step.
        const std::size_t steps = std::max<std::size_t>(result.steps, 1);
        const std::size_t analyses = result.plots.size() / steps;
        auto names = csv_names(csv, std::span(result.plots).first(analyses));
        for (std::size_t a = 0; a < analyses; ++a) {
            std::vector<const solver::Plot*> plots;
            for (std::size_t s = 0; s < steps; ++s) plots.push_back(&result.plots[s * analyses + a]);
            solver::write_atomically(names[a], [&](std::ostream& out) { solver::write_csv(out, plots); });
        }
    }
    if (stats) {
        rusage usage{};
        ::getrusage(RUSAGE_SELF, &usage);
        fmt::print(std::cerr, "read {:.3f} s, write {:.3f} s, peak memory {:.0f} MB\n", read_seconds,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count(),
                   static_cast<double>(usage.ru_maxrss) / 1024);
    }
    if (quiet) return result.exit_status;

    for (const auto& line : result.log) fmt::print(std::cerr, "{}\n", line);
    // In the order the analyses ran (step by step): each plot's .print tables; without a file to
    // write, an operating point nobody printed goes to the terminal as in ngspice's batch mode.
    const bool to_terminal = raw.empty() && csv.empty();
    std::set<std::string> told;  // a stepped run says it once per analysis, not once per step
    std::size_t next_print = 0;  // tables come in plot order
    for (std::size_t k = 0; k < result.plots.size(); ++k) {
        const auto& p = result.plots[k];
        if (k < result.printed) {  // a .control script's run: printed as the script went
            while (next_print < result.prints.size() && result.prints[next_print].plot == k) ++next_print;
            continue;
        }
        bool printed = false;
        for (; next_print < result.prints.size() && result.prints[next_print].plot == k; ++next_print) {
            solver::print_table(std::cout, p, result.prints[next_print].columns);
            printed = true;
        }
        // .meas results, as ngspice prints them (a stepped run names its step first).
        bool measured = false;
        for (const auto& m : result.measures) {
            if (m.plot != k) continue;
            if (!measured && !p.step.empty()) fmt::print(std::cout, "{}\n", p.title);
            fmt::print(std::cout, "{}\n", solver::format_measure(m));
            measured = true;
        }
        // What an analysis prints of its own (.four's harmonics).
        for (const auto& r : result.reports)
            if (r.plot == k) {
                if (!p.step.empty()) fmt::print(std::cout, "{}\n", p.title);
                fmt::print(std::cout, "{}", r.text);
            }
        printed = printed || measured;
        if (printed || !to_terminal) continue;
        if (p.scalar) {
            std::vector<int> all(p.variables.size());
            for (std::size_t v = 0; v < all.size(); ++v) all[v] = static_cast<int>(v);
            solver::print_table(std::cout, p, all);
        } else if (result.steps == 0) {
            fmt::print(std::cerr, "{}: {} points computed; add .print, -r FILE or --csv FILE to see them\n", p.name,
                       p.points());
        } else if (told.insert(p.name).second) {
            fmt::print(std::cerr, "{}: computed for {} steps; add .print, -r FILE or --csv FILE to see them\n",
                       p.name, result.steps);
        }
    }
    return result.exit_status;  // a .control script's quit N
}

}  // namespace

int main(int argc, char** argv) {
    // glibc reads its tunables only at start-up. Transparent huge pages for the heap make the
    // first touch of a large circuit's memory several times cheaper (a 4 KiB page fault costs
    // ~10 µs on a VM, and a 512×512 crossbar touches over a gigabyte), so unless the user set
    // tunables of their own, set this one and start again. If exec fails, carry on as we are.
    if (!std::getenv("GLIBC_TUNABLES")) {
        ::setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1);
        ::execv("/proc/self/exe", argv);
    }
    try {
        if (argc > 1) {
            std::string_view cmd = argv[1];
            if (cmd == "fit") return tools::fit_main(argc - 1, argv + 1);
            if (cmd == "plot") return tools::plot_main(argc - 1, argv + 1);
            if (cmd == "gen") return tools::gen_main(argc - 1, argv + 1);
        }
        return run(argc, argv);
    } catch (const parser::NetlistError& e) {
        fmt::print(std::cerr, "{}\n", e.what());
        return 1;
    } catch (const std::bad_alloc&) {
        fmt::print(std::cerr, "ionspice: error: out of memory (the circuit, its matrix or its results need more "
                              "memory than this machine can give)\n");
        return 1;
    } catch (const solver::SimulationError& e) {
        fmt::print(std::cerr, "ionspice: error: {}\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        fmt::print(std::cerr, "ionspice: error: {}\n", e.what());
        return 1;
    }
}
