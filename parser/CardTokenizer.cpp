#include "parser/CardTokenizer.hpp"

#include <boost/spirit/home/x3.hpp>

namespace ionspice::parser {

namespace x3 = boost::spirit::x3;

namespace {

struct Sink {
    const char* base;
    std::vector<Token>& out;

    void add(Token::Kind kind, const char* pos, const char* b, const char* e) {
        out.push_back(Token{kind, static_cast<std::uint32_t>(pos - base),
                            static_cast<std::uint32_t>(b - base), static_cast<std::uint32_t>(e - base)});
    }
};

struct sink_tag;

template <Token::Kind K>
struct Whole {
    template <typename Ctx>
    void operator()(Ctx& ctx) const {
        const auto& r = x3::_attr(ctx);
        x3::get<sink_tag>(ctx).add(K, r.begin(), r.begin(), r.end());
    }
};

/// For a delimited token, the content is the range without its first and last character.
template <Token::Kind K>
struct Inner {
    template <typename Ctx>
    void operator()(Ctx& ctx) const {
        const auto& r = x3::_attr(ctx);
        x3::get<sink_tag>(ctx).add(K, r.begin(), r.begin() + 1, r.end() - 1);
    }
};

const auto delimiter = x3::char_(" \t=(),{}'\"");

const x3::rule<class BracedId> braced = "braced expression";
const auto braced_def = '{' >> *(braced | (x3::char_ - x3::char_("{}"))) >> '}';
BOOST_SPIRIT_DEFINE(braced)

const auto word = x3::raw[x3::lexeme[+(x3::char_ - delimiter)]][Whole<Token::Kind::Word>{}];
const auto brace = x3::raw[x3::lexeme[braced]][Inner<Token::Kind::Expr>{}];
const auto quoted = x3::raw[x3::lexeme['\'' >> *(x3::char_ - '\'') >> '\'']][Inner<Token::Kind::Expr>{}];
const auto string = x3::raw[x3::lexeme['"' >> *(x3::char_ - '"') >> '"']][Inner<Token::Kind::String>{}];
const auto punct = x3::raw[x3::lit('=')][Whole<Token::Kind::Equals>{}] |
                   x3::raw[x3::lit('(')][Whole<Token::Kind::LParen>{}] |
                   x3::raw[x3::lit(')')][Whole<Token::Kind::RParen>{}] |
                   x3::raw[x3::lit(',')][Whole<Token::Kind::Comma>{}];
const auto tokens = *(word | punct | brace | quoted | string);

}  // namespace

void tokenize(const LogicalLine& line, std::size_t from, const SourceFiles& files, std::vector<Token>& out) {
    out.clear();
    Sink sink{line.text.data(), out};
    const char* first = line.text.data() + from;
    const char* last = line.text.data() + line.text.size();
    x3::phrase_parse(first, last, x3::with<sink_tag>(sink)[tokens], x3::blank);
    if (first == last) return;
    switch (*first) {
    case '{': files.fail(line.loc_at(first), "unclosed '{'");
    case '}': files.fail(line.loc_at(first), "unexpected '}'");
    case '\'': files.fail(line.loc_at(first), "unclosed quote (')");
    case '"': files.fail(line.loc_at(first), "unclosed quote (\")");
    default: files.fail(line.loc_at(first), std::string("unexpected character '") + *first + "'");
    }
}

}  // namespace ionspice::parser
