// The human-readable documents (headings, tables, notes) that the terminal, Markdown and
// LaTeX reporters render, built once here so that all three show the same cells with the
// same formatting. CSV and JSON write raw values instead and do not use these.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "aggregate.hpp"
#include "comparison.hpp"
#include "listing.hpp"
#include "power.hpp"
#include "run_detail.hpp"

namespace ablate::report {

enum class Align { left, right };

struct Column {
  std::string title;
  Align align = Align::left;
};

struct Cell {
  Cell(std::string text_ = {}, bool best_ = false) : text(std::move(text_)), best(best_) {}
  Cell(const char* text_) : text(text_) {}
  std::string text;
  bool best = false;  // the best value of its column: bold, coloured or starred
};

struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;  // each as many cells as columns
  bool compact = false;                 // made to fit one column of a paper: LaTeX sets it \small
};

struct Block {
  enum class Kind { heading, table, note, code };
  Kind kind = Kind::note;
  std::string text;  // heading, note or code text
  Table table;
  std::string label;  // a table's name for cross-references (LaTeX's \label); "" for none
};

using Document = std::vector<Block>;

Block heading(std::string text);
Block note(std::string text);
Block code(std::string text);
Block table_block(Table table, std::string label = {});

// id, arm, dataset, resolution, seed, status, params, epochs, train s, test acc, error.
// The error column (first line of the message, failed and killed runs only) is cut to
// `max_error_width` code points; 0: no limit.
Table runs_table(const RunListing& listing, std::size_t max_error_width);
// A run's tags for a cell: "lr=high, reviewed=yes".
std::string tags_text(const std::vector<std::pair<std::string, std::string>>& tags);
Document runs_document(const RunListing& listing, std::size_t max_error_width);

// What a reader chose for the document formats: `report --columns`, `--label`.
struct DocumentOptions {
  std::vector<std::string> columns;  // compare columns (compare_columns.hpp); empty: the standard tables
  std::string label;                 // the tables' label; empty: one made of the arms or the metric
};

// The tables of a comparison, labelled LABEL, LABEL-bootstrap and LABEL-mcnemar (default
// label tab:compare-A-B); with options.columns, one table of those columns instead.
Document comparison_document(const Comparison& comparison, const DocumentOptions& options = {});
// One table per metric, labelled LABEL (default tab:METRIC-by-AXIS; LABEL-METRIC when
// several metrics share a given label).
Document aggregate_document(const std::vector<AggregateTable>& tables, const DocumentOptions& options = {});
Document run_document(const RunDetail& detail);
Document power_document(const PowerReport& power, const DocumentOptions& options = {});

// `text` (an arm, a metric) as part of a LaTeX label: each character other than letters,
// digits and ". : _ -" (those a \label holds safely) becomes '-'.
std::string label_part(const std::string& text);

// "0.9110 ± 0.0050 (3)"; kUndefined for n = 0.
std::string mean_sd_n(const Summary& summary);

// A p-value: four decimals, "<0.0001" below that, kUndefined for NaN.
std::string p_value(double p);

// What to print instead of an empty table: "no runs in FILE yet", or which filter
// matched nothing.
std::string empty_message(const RunListing& listing);

// Whether some cell of the document is marked best.
bool has_best(const Document& document);

}  // namespace ablate::report
