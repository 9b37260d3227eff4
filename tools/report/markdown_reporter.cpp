// GitHub-flavoured Markdown: a pipe table, numbers right-aligned.
#include "reporter.hpp"
#include "table.hpp"
#include "text.hpp"

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

void print_row(std::ostream& out, const std::vector<std::string>& cells) {
  out << '|';
  for (const auto& cell : cells) out << ' ' << escape(cell) << " |";
  out << '\n';
}

void print_table(std::ostream& out, const Table& table) {
  std::vector<std::string> titles;
  for (const auto& column : table.columns) titles.push_back(column.title);
  print_row(out, titles);
  out << '|';
  for (const auto& column : table.columns) {
    out << (column.align == Align::right ? " ---: |" : " --- |");
  }
  out << '\n';
  for (const auto& row : table.rows) print_row(out, row);
}

}  // namespace

void MarkdownReporter::report_runs(std::ostream& out, const RunListing& listing) const {
  if (listing.runs.empty()) {
    out << empty_message(listing) << '\n';
    return;
  }
  print_table(out, runs_table(listing, /*max_error_width=*/0));
}

void MarkdownReporter::report_comparison(std::ostream& out,
                                         const Comparison& comparison) const {
  out << "**" << escape(comparison_title(comparison)) << "**\n\n";
  print_table(out, comparison_table(comparison));
  if (has_undefined_sd(comparison)) {
    out << "\n" << kUndefined << ": undefined (fewer than two finished seeds)\n";
  }
}

}  // namespace ablate::report
