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
#include "solver/AmgEngine.hpp"
#include "solver/AtomicFile.hpp"
#include "solver/OutputWriters.hpp"
#include "solver/Simulator.hpp"
#include "solver/StepSummary.hpp"
#include "tools/Commands.hpp"
#include "tools/MpiRanks.hpp"

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

/// "out.csv" → "out.summary.csv".
std::string summary_name(const std::string& path) {
    std::filesystem::path p(path);
    return (p.parent_path() / (p.stem().string() + ".summary" + (p.has_extension() ? p.extension().string() : ".csv")))
        .string();
}

int run(int argc, char** argv, tools::MpiRanks& mpi) {
    CLI::App app{"ionspice: a SPICE-style circuit simulator for emerging memories (ECRAM, memristors, MOSFETs)"};
    app.footer("Sub-commands: ionspice fit (transfer-function fits), ionspice plot (figures from raw/CSV files),\n"
               "ionspice gen (array netlists); each takes --help.");
    std::string netlist, raw, csv, meas;
    bool ascii = false, quiet = false, version = false, stats = false, distributed = false;
    // Ranks sharing this machine share its cores.
    int jobs = std::max(1, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) / mpi.local_size());
    app.add_option("netlist", netlist, "netlist file (.cir)");
    app.add_option("-r,--raw", raw, "write results to a raw file (ngspice layout, binary unless --ascii)");
    app.add_flag("--ascii", ascii, "write the raw file in ASCII");
    app.add_option("--csv", csv, "write results as CSV (one file per analysis when there are several)");
    app.add_option("--meas", meas,
                   "write the .meas results as CSV, a row per .step point with its status; with .step mc also "
                   "FILE's stem + .summary.csv, each measurement's statistics over the runs");
    app.add_flag("-q,--quiet", quiet, "print nothing but errors");
    app.add_flag("-v,--version", version, "print the version and exit");
    app.add_flag("--stats", stats, "print where the time went (reading, binding, solving, writing)");
    app.add_flag("--distributed", distributed,
                 "under mpirun: solve the circuit's linear systems across the ranks (conjugate gradients with "
                 "hypre's BoomerAMG, each rank a block of the nodal unknowns, on -j threads) instead of sharing .step "
                 "points");
    app.add_option("-j,--jobs", jobs,
                   "run .step points on N threads (default: all cores, shared by the MPI ranks on this machine); "
                   "results do not depend on N")
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
    if (distributed) {
        // Every rank runs the whole netlist in step with the others (the same analysis, one
        // thread each), and every solve of the nodal matrix is one solve across all of them.
        // hypre's threads per rank: -j, whose default divides the machine's cores among its ranks.
        if (!solver::AmgEngine::share_over_ranks(jobs))
            throw std::runtime_error(tools::MpiRanks::launched_without_mpi() || mpi.size() < 2
                                         ? "--distributed needs at least 2 ranks under mpirun (mpirun -np N ionspice "
                                           "--distributed …) and an ionspice built with MPI and hypre"
                                         : "--distributed needs hypre (the AMG solver), which this build lacks");
        *deck = parser::with_settings(*deck, {}, "solver=amg", "--distributed");
        jobs = 1;
    }
    double read_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    solver::SimulateSettings settings;
    // Distributed, the ranks compute the same results: the first one reports and writes them.
    const bool reporter = !distributed || mpi.rank() == 0;
    settings.log = quiet || !reporter ? nullptr : &std::cerr;
    settings.out = quiet || !reporter ? nullptr : &std::cout;
    settings.stats = stats;
    settings.threads = jobs;
    settings.keep_at_exit = true;
    settings.keep_going = true;  // a failed .step point is reported; the others still run and are written
    settings.ranks = distributed ? nullptr : mpi.steps();
    // The cards go once the netlist is built from them, unless the run reads them again; their
    // pages are then reused by the circuit instead of faulted in anew.
    settings.deck_done = [] { *deck = parser::Deck(nullptr); };
    if (tools::MpiRanks::launched_without_mpi())
        fmt::print(std::cerr, "ionspice: warning: started by an MPI launcher, but this ionspice was built without "
                              "MPI: every process runs the whole netlist\n");
    kept = new solver::SimulationResult(solver::simulate(*deck, settings));
    auto& result = *kept;
    if (distributed && stats) {
        rusage usage{};
        ::getrusage(RUSAGE_SELF, &usage);
        fmt::print(std::cerr, "rank {} of {}: peak memory {:.0f} MB\n", mpi.rank(), mpi.size(),
                   static_cast<double>(usage.ru_maxrss) / 1024);
    }
    if (!result.holds_results || !reporter) return 0;  // another rank writes and reports
    if (distributed && solver::AmgEngine::distributed_solves() == 0)
        fmt::print(std::cerr, "ionspice: warning: --distributed: no system was solved across the ranks (only a "
                              "conductance network with grounded sources has the nodal form the distributed solver "
                              "takes; see --stats): every rank solved the whole circuit\n");

    std::size_t failed = 0;
    for (const auto& s : result.step_points) failed += !s.failure.empty();
    const bool nothing_ran = !result.step_points.empty() && failed == result.step_points.size();
    const auto statistics = solver::monte_carlo_statistics(result);

    auto t1 = std::chrono::steady_clock::now();
    if (!raw.empty() && !nothing_ran)
        solver::write_atomically(raw, [&](std::ostream& out) { solver::write_raw(out, result.plots, ascii); });
    if (!meas.empty()) {
        solver::write_atomically(meas, [&](std::ostream& out) { solver::write_measure_table(out, result); });
        if (result.monte_carlo_runs)
            solver::write_atomically(summary_name(meas),
                                     [&](std::ostream& out) { solver::write_statistics_csv(out, statistics); });
    }
    if (!csv.empty() && !nothing_ran) {
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
    const int status = failed ? 1 : result.exit_status;
    if (!quiet)
        for (const auto& line : result.log) fmt::print(std::cerr, "{}\n", line);
    // Each failed .step point, as an error of its own, after the points that ran were written.
    for (const auto& s : result.step_points) {
        if (s.failure.empty()) continue;
        if (s.located)
            fmt::print(std::cerr, "{}\n", s.failure);
        else
            fmt::print(std::cerr, "ionspice: error: {}\n", s.failure);
    }
    if (failed)
        fmt::print(std::cerr, "ionspice: error: {} of {} .step points failed{}\n", failed, result.step_points.size(),
                   raw.empty() && csv.empty() ? "" : "; the files hold the others");
    if (quiet) return status;

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
    if (!statistics.empty()) solver::print_statistics(std::cout, statistics, result.monte_carlo_runs);
    return status;  // a .control script's quit N, or 1 when a .step point failed
}

}  // namespace

int main(int argc, char** argv) {
    // glibc reads its tunables only at start-up. Transparent huge pages for the heap make the
    // first touch of a large circuit's memory several times cheaper (a 4 KiB page fault costs
    // ~10 µs on a VM, and a 512×512 crossbar touches over a gigabyte), so unless the user set
    // tunables of their own, set this one and start again. If exec fails, carry on as we are.
    if (!std::getenv("GLIBC_TUNABLES")) {
        ::setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1);
        // OpenBLAS, also read at start-up: its idle worker threads spin 2^28 cycles (~0.1 s)
        // after each call before they sleep, a core taken from our own -j threads and from
        // other processes (a 256² crossbar's .op used 1.2–1.4 cores for 0.3 s). 2^20 cycles
        // still spans the gaps between the calls of one factorisation (a 512² CHOLMOD
        // factorisation took as long). A value of the user's own wins.
        ::setenv("OPENBLAS_THREAD_TIMEOUT", "20", 0);
        ::execv("/proc/self/exe", argv);
    }
    // Declared before the try: MPI (started only under mpirun) is finalised after an error is
    // reported, not before.
    tools::MpiRanks mpi;
    // Every rank reads the same netlist, so a mistake in it is every rank's: the first reports
    // it. Other errors may be one rank's alone: each reports its own (a rank that exits non-zero
    // makes mpirun end the others, so none is left waiting for it).
    auto fail = [&](const std::string& message, bool everyones) {
        if (mpi.rank() == 0 || !everyones) fmt::print(std::cerr, "{}\n", message);
        return 1;
    };
    try {
        if (argc > 1) {
            std::string_view cmd = argv[1];
            if (cmd == "fit") return tools::fit_main(argc - 1, argv + 1);
            if (cmd == "plot") return tools::plot_main(argc - 1, argv + 1);
            if (cmd == "gen") return tools::gen_main(argc - 1, argv + 1);
        }
        return run(argc, argv, mpi);
    } catch (const parser::NetlistError& e) {
        return fail(e.what(), true);
    } catch (const std::bad_alloc&) {
        return fail("ionspice: error: out of memory (the circuit, its matrix or its results need more memory than this "
                    "machine can give)",
                    false);
    } catch (const std::exception& e) {  // SimulationError among them
        return fail(fmt::format("ionspice: error: {}", e.what()), false);
    }
}
