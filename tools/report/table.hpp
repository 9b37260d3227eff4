// The cells of the human-readable tables, shared by the console and Markdown reporters so
// that both show the same columns with the same formatting.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "comparison.hpp"
#include "listing.hpp"

namespace ablate::report {

enum class Align { left, right };

struct Column {
  std::string title;
  Align align = Align::left;
};

struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<std::string>> rows;  // each as many cells as columns
};

// id, arm, dataset, resolution, seed, status, params, epochs, train s, test acc, error.
// The error column (first line of the message, failed and killed runs only) is cut to
// `max_error_width` code points; 0: no limit.
Table runs_table(const RunListing& listing, std::size_t max_error_width);

// resolution, n and mean ± sd of each arm, and B − A.
Table comparison_table(const Comparison& comparison);

// "test accuracy of finished runs, mean ± sd over seeds: wide − baseline".
std::string comparison_title(const Comparison& comparison);

// Whether some sd is undefined (fewer than two finished seeds), worth a footnote.
bool has_undefined_sd(const Comparison& comparison);

// What to print instead of an empty table: "no runs in FILE yet", or which filter
// matched nothing.
std::string empty_message(const RunListing& listing);

}  // namespace ablate::report
