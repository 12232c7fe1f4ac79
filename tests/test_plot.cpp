// `ionspice plot` end to end: figures from raw and CSV files through gnuplot, and its errors.

#include <cmath>
#include <fstream>
#include <string>

#include <doctest/doctest.h>

#include "tests/CommandRun.hpp"
#include "tools/GnuplotFigure.hpp"

namespace fs = std::filesystem;
using namespace ionspice;

namespace {

const fs::path& dir() {
    static fs::path d = test::scratch_dir("plot_cli");
    return d;
}

test::CommandRun run(const std::string& args, const std::string& env = "") {
    return test::run_ionspice(dir(), args, env);
}

/// A stepped RC charging transient written by the simulator itself: one plot per step.
const fs::path& stepped_raw() {
    static fs::path raw = [] {
        fs::path net = dir() / "rc.cir", out = dir() / "rc.raw";
        std::ofstream(net) << "rc charging\n.param r=1k\nV1 in 0 PULSE(0 1 0 1n 1n 1 2)\nR1 in out {r}\n"
                              "C1 out 0 1u\n.tran 10u 5m\n.step param r list 1k 2k\n.end\n";
        auto r = run("-q -r " + out.string() + " " + net.string());
        INFO(r.err);
        REQUIRE(r.status == 0);
        return out;
    }();
    return raw;
}

bool is_png(const std::string& bytes) { return bytes.size() > 1000 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0; }

}  // namespace

TEST_CASE("plot: waveforms of a stepped raw file become a PNG, one curve per step and vector") {
    if (!test::gnuplot_installed()) {
        MESSAGE("gnuplot is not installed: figures not checked (apt-get install gnuplot-nox)");
        return;
    }
    fs::path png = dir() / "rc.png";
    auto r = run("plot " + stepped_raw().string() + " 'v(out)' 'i(v1)' --logy -o " + png.string());
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(is_png(test::slurp(png)));
}

TEST_CASE("plot: an SVG from a CSV file, grouped by a column, with a chosen x and log axes") {
    if (!test::gnuplot_installed()) {
        MESSAGE("gnuplot is not installed: figures not checked (apt-get install gnuplot-nox)");
        return;
    }
    fs::path csv = dir() / "iv.csv", svg = dir() / "iv.svg";
    {
        std::ofstream out(csv);
        out << "vg,vd,i(vd)\n";
        for (double vg : {0.5, 0.7})
            for (int k = 1; k <= 20; ++k) out << vg << ',' << k * 0.05 << ',' << -1e-6 * vg * k << '\n';
    }
    auto r = run("plot " + csv.string() + " 'i(vd)' --group vg --x vd --logx --logy --title 'I-V' -o " + svg.string());
    INFO(r.err);
    REQUIRE(r.status == 0);
    std::string text = test::slurp(svg);
    CHECK(text.find("<svg") != std::string::npos);
    CHECK(text.find("vg=0.7") != std::string::npos);
}

TEST_CASE("plot: unknown vectors, unknown formats and a missing gnuplot are clear errors") {
    auto unknown = run("plot " + stepped_raw().string() + " 'v(nowhere)' -o " + (dir() / "x.png").string());
    CHECK(unknown.status == 1);
    CHECK(unknown.err.find("ionspice plot: error: unknown column 'v(nowhere)'; available: time, v(in), v(out)") !=
          std::string::npos);

    auto format = run("plot " + stepped_raw().string() + " 'v(out)' -o " + (dir() / "x.bmp").string());
    CHECK(format.status == 1);
    CHECK(format.err.find(".png or .svg") != std::string::npos);

    auto no_output = run("plot " + stepped_raw().string() + " 'v(out)'");
    CHECK(no_output.status == 2);
    CHECK(no_output.err.find("-o FILE.png") != std::string::npos);

    fs::path png = dir() / "never.png";
    auto missing = run("plot " + stepped_raw().string() + " 'v(out)' -o " + png.string(), "PATH=/nonexistent");
    CHECK(missing.status == 1);
    CHECK(missing.err.find("gnuplot is not installed; install it (Debian: apt-get install gnuplot-nox)") !=
          std::string::npos);
    CHECK_FALSE(fs::exists(png));
}

TEST_CASE("plot: linear axes are labelled in engineering notation, each tick distinct") {
    // The reported axis: 1e-5…4e-5 A, once labelled 0.00002, 0.00002, 0.00003, 0.00003.
    CHECK(tools::engineering_axis('y', 1e-5, 4e-5) ==
          "set ytics ('10µ' 1e-05, '15µ' 1.5e-05, '20µ' 2e-05, '25µ' 2.5e-05, '30µ' 3e-05, '35µ' 3.5e-05, '40µ' 4e-05)\n"
          "set yrange [1e-05:4e-05]\n");
    // A transient's time axis, widened to whole ticks; a step of 2.5 needs its decimal.
    CHECK(tools::engineering_axis('x', 0, 1.9e-7).find("('0' 0, '25n' 2.5e-08, '50n' 5e-08, '75n' 7.5e-08, '100n'") !=
          std::string::npos);
    CHECK(tools::engineering_axis('x', 0, 1.9e-7).find("set xrange [0:2e-07]") != std::string::npos);
    CHECK(tools::engineering_axis('y', 0, 1.9e-5).find("'2.5µ' 2.5e-06, '5.0µ' 5e-06") != std::string::npos);
    CHECK(tools::engineering_axis('y', -1.2, 1.2).find("('-1.5' -1.5, '-1.0' -1, '-0.5' -0.5, '0' 0, '0.5' 0.5") != std::string::npos);
    CHECK(tools::engineering_axis('y', 1.0, 1.6).find("'1.0' 1, '1.1' 1.1") != std::string::npos);
    CHECK(tools::engineering_axis('y', 2e3, 9e3).find("'2k' 2000") != std::string::npos);
    // A constant gets a band around it; non-finite data leaves the ticks to gnuplot.
    CHECK(tools::engineering_axis('y', 5e-3, 5e-3).find("'5.0m' 0.005") != std::string::npos);
    CHECK(tools::engineering_axis('y', NAN, 1).empty());
    CHECK(tools::engineering_axis('y', -1e308, 1e308).empty());  // the span overflows
    CHECK(tools::engineering_axis('y', 0, 1e-320).empty());      // and underflows
}
