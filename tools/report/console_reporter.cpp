// The terminal table: columns padded to their widest cell, two spaces apart.
#include <algorithm>

#include "reporter.hpp"
#include "table.hpp"
#include "text.hpp"

namespace ablate::report {

namespace {

// Errors can be long stack-like messages; the listing shows only their start.
constexpr std::size_t kMaxErrorWidth = 60;

std::string pad(const std::string& cell, std::size_t width, Align align) {
  const std::string fill(width - display_width(cell), ' ');
  return align == Align::right ? fill + cell : cell + fill;
}

void print_line(std::ostream& out, const std::vector<std::string>& cells,
                const std::vector<std::size_t>& widths, const std::vector<Column>& columns) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += "  ";
    line += pad(cells[i], widths[i], columns[i].align);
  }
  // The last column is often left-aligned and short: no trailing blanks.
  line.erase(line.find_last_not_of(' ') + 1);
  out << line << '\n';
}

void print_table(std::ostream& out, const Table& table) {
  std::vector<std::size_t> widths;
  std::vector<std::string> titles;
  for (const auto& column : table.columns) {
    widths.push_back(display_width(column.title));
    titles.push_back(column.title);
  }
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  }
  std::vector<std::string> rules;
  for (std::size_t width : widths) rules.emplace_back(width, '-');
  print_line(out, titles, widths, table.columns);
  print_line(out, rules, widths, table.columns);
  for (const auto& row : table.rows) print_line(out, row, widths, table.columns);
}

}  // namespace

void ConsoleReporter::report_runs(std::ostream& out, const RunListing& listing) const {
  if (listing.runs.empty()) {
    out << empty_message(listing) << '\n';
    return;
  }
  print_table(out, runs_table(listing, kMaxErrorWidth));
}

void ConsoleReporter::report_comparison(std::ostream& out,
                                        const Comparison& comparison) const {
  out << comparison_title(comparison) << "\n\n";
  print_table(out, comparison_table(comparison));
  if (has_undefined_sd(comparison)) {
    out << "\n" << kUndefined << ": undefined (fewer than two finished seeds)\n";
  }
}

}  // namespace ablate::report
