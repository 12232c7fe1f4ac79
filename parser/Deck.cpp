#include "parser/CardParser.hpp"
#include "parser/DeckData.hpp"
#include "parser/LineReader.hpp"
#include "parser/Netlist.hpp"

namespace ionspice::parser {

Deck read_deck(const std::string& path) {
    auto data = std::make_shared<DeckData>();
    CardParser cards(*data);
    LineReader reader(data->files, cards);
    reader.read_file(path);
    cards.finish(reader.title());
    return Deck(std::move(data));
}

Deck parse_deck(std::string_view text, const std::string& name) {
    auto data = std::make_shared<DeckData>();
    CardParser cards(*data);
    LineReader reader(data->files, cards);
    reader.read_text(text, name);
    cards.finish(reader.title());
    return Deck(std::move(data));
}

std::vector<ControlLine> control_script(const Deck& deck) {
    std::vector<ControlLine> out;
    out.reserve(deck.data().control.size());
    for (const auto& c : deck.data().control) out.push_back({c.text, deck.data().files.at(c.loc)});
    return out;
}

}  // namespace ionspice::parser
