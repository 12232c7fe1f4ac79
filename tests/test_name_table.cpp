// The compact structures a large array's front end is built from: NameTable (names to values,
// keys viewed where their owner keeps them), BoxedVector (a pointer while empty) and FileText
// (a file's text as one block with its line starts).

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <string>
#include <vector>

#include "parser/Boxed.hpp"
#include "parser/SourceLoc.hpp"
#include "solver/NameTable.hpp"

using ionspice::parser::BoxedVector;
using ionspice::parser::FileText;
using ionspice::solver::NameTable;

TEST_CASE("NameTable: every name found after growing through many rehashes, none invented") {
    std::vector<std::string> names;
    for (int k = 0; k < 100000; ++k) names.push_back(fmt::format("r{}_{}", k % 317, k));
    NameTable<int> t;  // no reserve: grows from 16 slots
    for (std::size_t k = 0; k < names.size(); ++k) {
        auto [at, added] = t.try_emplace(names[k], static_cast<int>(k));
        CHECK(added);
        CHECK(*at == static_cast<int>(k));
    }
    CHECK(t.size() == names.size());
    for (std::size_t k = 0; k < names.size(); k += 97) {
        const int* v = t.find(names[k]);
        REQUIRE(v);
        CHECK(*v == static_cast<int>(k));
    }
    CHECK(t.find("r0_1") == nullptr);  // r1_1 exists; r0_1 does not
    CHECK(t.find("") == nullptr);
}

TEST_CASE("NameTable: a name added twice keeps its first value, with or without its hash given") {
    const std::string a = "vin", b = "vin", c = "vout";
    NameTable<int> t;
    t.reserve(4);
    CHECK(t.try_emplace(a, 1).second);
    auto [at, added] = t.try_emplace(b, 2);  // equal text, another string
    CHECK_FALSE(added);
    CHECK(*at == 1);
    CHECK(t.try_emplace(c, NameTable<int>::hash(c), 3).second);
    CHECK_FALSE(t.try_emplace(c, NameTable<int>::hash(c), 4).second);
    t.prefetch(NameTable<int>::hash("anything"));  // a hint only
    CHECK(t.size() == 2);
    CHECK(*t.find("vout") == 3);
    CHECK(NameTable<int>{}.find("x") == nullptr);
}

TEST_CASE("BoxedVector: empty costs a pointer, and behaves as the vector it holds") {
    static_assert(sizeof(BoxedVector<std::string>) == sizeof(void*));
    BoxedVector<std::string> v;
    CHECK(v.empty());
    CHECK(v.begin() == v.end());
    v.push_back("off");
    v.emplace_back("on");
    CHECK(v == std::vector<std::string>{"off", "on"});
    CHECK(v.at(1) == "on");
    CHECK_THROWS(v.at(2));
    BoxedVector<std::string> copy = v;
    copy.push_back("x");
    CHECK(v.size() == 2);  // a deep copy
    CHECK(copy.size() == 3);
    v.clear();
    CHECK(v.empty());
    CHECK(v == std::vector<std::string>{});
}

TEST_CASE("FileText: lines without their ends, a byte-order mark dropped, a last line without one") {
    const FileText f("x.cir", "\xEF\xBB\xBFtitle\r\nR1 a b 1k\n\n+ tc1=1\nlast");
    REQUIRE(f.line_count() == 5);
    CHECK(f.line(0) == "title");
    CHECK(f.line(1) == "R1 a b 1k");
    CHECK(f.line(2).empty());
    CHECK(f.line(3) == "+ tc1=1");
    CHECK(f.line(4) == "last");
    const FileText ended("y.cir", "a\nb\n");
    CHECK(ended.line_count() == 2);
    CHECK(ended.line(1) == "b");
    CHECK(FileText("z.cir", "").line_count() == 0);
}
