// The terminal format: columns padded to their widest cell, two spaces apart; blocks one
// blank line apart.
#include <algorithm>

#include "chart_text.hpp"
#include "reporter.hpp"
#include "text.hpp"

namespace ablate::report {

namespace {

constexpr const char* kBoldGreen = "\x1b[1;32m";
constexpr const char* kReset = "\x1b[0m";
constexpr const char* kStar = " *";

std::string pad(const std::string& text, std::size_t width, Align align) {
  const std::string fill(width - display_width(text), ' ');
  return align == Align::right ? fill + text : text + fill;
}

std::string shown(const Cell& cell, bool colour) { return cell.best && !colour ? cell.text + kStar : cell.text; }

void print_line(std::ostream& out, const std::vector<Cell>& cells, const std::vector<std::size_t>& widths,
                const std::vector<Column>& columns, bool colour) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += "  ";
    std::string cell = pad(shown(cells[i], colour), widths[i], columns[i].align);
    // Escapes go around the padded text so that they take no width.
    if (cells[i].best && colour) cell = kBoldGreen + cell + kReset;
    line += cell;
  }
  // The last column is often left-aligned and short: no trailing blanks.
  line.erase(line.find_last_not_of(' ') + 1);
  out << line << '\n';
}

void print_table(std::ostream& out, const Table& table, bool colour) {
  std::vector<std::size_t> widths;
  std::vector<Cell> titles;
  for (const auto& column : table.columns) {
    widths.push_back(display_width(column.title));
    titles.emplace_back(column.title);
  }
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(shown(row[i], colour)));
    }
  }
  std::vector<Cell> rules;
  for (std::size_t width : widths) rules.emplace_back(std::string(width, '-'));
  print_line(out, titles, widths, table.columns, false);
  print_line(out, rules, widths, table.columns, false);
  for (const auto& row : table.rows) print_line(out, row, widths, table.columns, colour);
}

}  // namespace

void ConsoleReporter::render(std::ostream& out, const Document& document) const {
  const Block* previous = nullptr;
  for (const auto& block : document) {
    // Blocks one blank line apart; consecutive notes together.
    if (previous != nullptr && !(previous->kind == Block::Kind::note && block.kind == Block::Kind::note)) {
      out << '\n';
    }
    previous = &block;
    switch (block.kind) {
      case Block::Kind::table:
        print_table(out, block.table, colour_);
        break;
      case Block::Kind::heading:
      case Block::Kind::note:
      case Block::Kind::code:
        out << block.text << '\n';
        break;
    }
  }
  if (!colour_ && has_best(document)) out << "\n*: best in its column\n";
}

void ConsoleReporter::report_curves(std::ostream& out, const CurveReport& curves) const { out << curves_text(curves); }

void ConsoleReporter::report_confusion(std::ostream& out, const ConfusionReport& confusion) const {
  out << confusion_text(confusion);
}

}  // namespace ablate::report
