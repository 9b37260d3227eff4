// GitHub-flavoured Markdown: headings in bold, pipe tables with numbers right-aligned,
// the best cells in bold, configuration in a fenced block.
#include "reporter.hpp"

namespace ablate::report {

namespace {

// A '|' inside a cell would end it; arm names and error messages may hold one.
std::string escape(const std::string& cell) {
  std::string escaped;
  for (char c : cell) {
    if (c == '|') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

void print_row(std::ostream& out, const std::vector<Cell>& cells) {
  out << '|';
  for (const auto& cell : cells) {
    const std::string text = escape(cell.text);
    out << ' ' << (cell.best && !text.empty() ? "**" + text + "**" : text) << " |";
  }
  out << '\n';
}

void print_table(std::ostream& out, const Table& table) {
  std::vector<Cell> titles;
  for (const auto& column : table.columns) titles.emplace_back(column.title);
  print_row(out, titles);
  out << '|';
  for (const auto& column : table.columns) {
    out << (column.align == Align::right ? " ---: |" : " --- |");
  }
  out << '\n';
  for (const auto& row : table.rows) print_row(out, row);
}

}  // namespace

void MarkdownReporter::render(std::ostream& out, const Document& document) const {
  const Block* previous = nullptr;
  for (const auto& block : document) {
    // Blocks one blank line apart; consecutive notes as one list.
    const bool in_list = previous != nullptr && previous->kind == Block::Kind::note && block.kind == Block::Kind::note;
    if (previous != nullptr && !in_list) out << '\n';
    const bool list_item =
        block.kind == Block::Kind::note &&
        (in_list || (&block + 1 != document.data() + document.size() && (&block + 1)->kind == Block::Kind::note));
    previous = &block;
    switch (block.kind) {
      case Block::Kind::table:
        print_table(out, block.table);
        break;
      case Block::Kind::heading:
        out << "**" << escape(block.text) << "**\n";
        break;
      case Block::Kind::note:
        out << (list_item ? "- " : "") << escape(block.text) << '\n';
        break;
      case Block::Kind::code:
        out << "```json\n" << block.text << "\n```\n";
        break;
    }
  }
}

}  // namespace ablate::report
