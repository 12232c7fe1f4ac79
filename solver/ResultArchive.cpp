#include "solver/ResultArchive.hpp"

#include <cstring>
#include <stdexcept>
#include <type_traits>

namespace ionspice::solver {

namespace {

/// Every field of a result, in one order for both directions: `io` is a Writer or a Reader.
template <typename Io, typename Result>
void fields(Io& io, Result& r) {
    io.seq(r.plots, [&](auto& p) {
        io.text(p.title), io.text(p.name), io.text(p.date), io.text(p.analysis);
        io.flag(p.kind), io.flag(p.scalar);
        io.seq(p.variables, [&](auto& v) { io.text(v.name), io.text(v.type); });
        io.numbers(p.values);
        io.seq(p.step, [&](auto& s) { io.text(s.first), io.number(s.second); });
    });
    io.count(r.steps);
    io.seq(r.step_points, [&](auto& s) {
        io.seq(s.values, [&](auto& v) { io.text(v.first), io.number(v.second); });
        io.text(s.failure), io.flag(s.located);
    });
    io.count(r.monte_carlo_runs);
    io.flag(r.holds_results);
    io.seq(r.warnings, [&](auto& w) { io.text(w); });
    io.seq(r.prints, [&](auto& t) {
        io.count(t.plot);
        io.seq(t.columns, [&](auto& c) { io.flag(c.var), io.text(c.fn), io.text(c.header); });
    });
    io.seq(r.log, [&](auto& l) { io.text(l); });
    io.seq(r.measures, [&](auto& m) {
        io.count(m.plot), io.text(m.name), io.optional_number(m.value), io.text(m.failure);
    });
    io.seq(r.reports, [&](auto& t) { io.count(t.plot), io.text(t.text); });
    io.count(r.printed);
    io.flag(r.exit_status);
}

struct Writer {
    std::string& out;
    void raw(const void* p, std::size_t n) { out.append(static_cast<const char*>(p), n); }
    void count(std::uint64_t n) { raw(&n, sizeof n); }
    template <typename T>
    void flag(const T& v) {  // a bool, an enum or an int, as a signed 64-bit number
        const auto n = static_cast<std::int64_t>(v);
        raw(&n, sizeof n);
    }
    void number(double v) { raw(&v, sizeof v); }
    void optional_number(const std::optional<double>& v) {
        flag(v.has_value());
        if (v) number(*v);
    }
    void text(std::string_view s) {
        count(s.size());
        raw(s.data(), s.size());
    }
    void numbers(const std::vector<double>& v) {
        count(v.size());
        raw(v.data(), v.size() * sizeof(double));
    }
    template <typename T, typename F>
    void seq(const std::vector<T>& v, F each) {
        count(v.size());
        for (auto& x : v) each(x);
    }
};

struct Reader {
    std::string_view& in;
    void raw(void* p, std::size_t n) {
        if (in.size() < n) throw std::runtime_error("a step result's bytes end early");
        std::memcpy(p, in.data(), n);
        in.remove_prefix(n);
    }
    std::uint64_t size_in(std::size_t item) {  // a count of items that must fit in what is left
        std::uint64_t n = 0;
        raw(&n, sizeof n);
        if (item && n > in.size() / item) throw std::runtime_error("a step result's bytes end early");
        return n;
    }
    void count(std::size_t& n) {
        std::uint64_t v = 0;
        raw(&v, sizeof v);
        n = static_cast<std::size_t>(v);
    }
    template <typename T>
    void flag(T& v) {
        std::int64_t n = 0;
        raw(&n, sizeof n);
        v = static_cast<T>(n);
    }
    void number(double& v) { raw(&v, sizeof v); }
    void optional_number(std::optional<double>& v) {
        bool has = false;
        flag(has);
        v.reset();
        if (has) number(v.emplace());
    }
    void text(std::string& s) {
        s.resize(size_in(1));
        raw(s.data(), s.size());
    }
    void numbers(std::vector<double>& v) {
        v.resize(size_in(sizeof(double)));
        raw(v.data(), v.size() * sizeof(double));
    }
    template <typename T, typename F>
    void seq(std::vector<T>& v, F each) {
        v.resize(size_in(sizeof(std::uint64_t)));  // every item holds at least one count
        for (auto& x : v) each(x);
    }
};

}  // namespace

void pack(std::string& out, const SimulationResult& r) {
    Writer w{out};
    fields(w, r);
}

SimulationResult unpack(std::string_view& in) {
    SimulationResult r;
    Reader rd{in};
    fields(rd, r);
    return r;
}

void pack_count(std::string& out, std::uint64_t n) { Writer{out}.count(n); }

std::uint64_t unpack_count(std::string_view& in) {
    std::size_t n = 0;
    Reader{in}.count(n);
    return n;
}

void pack_text(std::string& out, std::string_view s) { Writer{out}.text(s); }

std::string unpack_text(std::string_view& in) {
    std::string s;
    Reader{in}.text(s);
    return s;
}

}  // namespace ionspice::solver
