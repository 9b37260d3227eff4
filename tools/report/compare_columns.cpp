// The named compare columns and the one-table document --columns builds from them.
#include "compare_columns.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "api/did_you_mean.hpp"
#include "text.hpp"
#include "usage_error.hpp"

namespace ablate::report {

namespace {

// How the cells of one table are written: the standard four decimals, or three (compact).
struct Style {
  const Comparison& comparison;
  int decimals = 4;
  bool family = false;  // Holm-adjusted p beside each p
};

struct ColumnDefinition {
  CompareColumnInfo info;
  Align align;
  std::function<std::string(const Comparison&)> title;
  std::function<std::string(const ComparisonRow&, const Style&)> cell;
};

std::string mean_sd(const Summary& summary, int decimals) {
  if (summary.n == 0) return kUndefined;
  return fixed(summary.mean, decimals) + " \u00b1 " + fixed(summary.sd, decimals);
}

std::string interval(const Interval& ci, int decimals, bool sign) {
  if (std::isnan(ci.low)) return kUndefined;
  const auto bound = [&](double value) { return sign ? signed_fixed(value, decimals) : fixed(value, decimals); };
  return "[" + bound(ci.low) + ", " + bound(ci.high) + "]";
}

std::string p_with_holm(double p, double adjusted, bool family) {
  if (std::isnan(p)) return kUndefined;
  return family ? p_value(p) + " (" + p_value(adjusted) + ")" : p_value(p);
}

std::string configuration(const ComparisonRow& row, const Comparison& comparison) {
  if (row.group_a == row.group_b) return row.group_a;
  return fmt::format("{}: {}; {}: {}", comparison.arm_a, row.group_a.empty() ? "-" : row.group_a, comparison.arm_b,
                     row.group_b.empty() ? "-" : row.group_b);
}

std::function<std::string(const Comparison&)> fixed_title(const char* title) {
  return [title](const Comparison&) { return std::string(title); };
}

const std::vector<ColumnDefinition>& definitions() {
  static const std::vector<ColumnDefinition> columns = {
      {{"metric", "SPLIT.NAME of the row"},
       Align::left,
       fixed_title("metric"),
       [](const ComparisonRow& row, const Style&) { return row.metric; }},
      {{"resolution", "the input resolution"},
       Align::right,
       fixed_title("resolution"),
       [](const ComparisonRow& row, const Style&) { return std::to_string(row.resolution); }},
      {{"configuration", "the settings that tell the arms' configurations apart"},
       Align::left,
       fixed_title("configuration"),
       [](const ComparisonRow& row, const Style& style) { return configuration(row, style.comparison); }},
      {{"n_a", "finished seeds of A"},
       Align::right,
       fixed_title("n"),
       [](const ComparisonRow& row, const Style&) { return std::to_string(row.a.n); }},
      {{"a", "A: mean \u00b1 sd over seeds"},
       Align::right,
       [](const Comparison& c) { return c.arm_a; },
       [](const ComparisonRow& row, const Style& style) { return mean_sd(row.a, style.decimals); }},
      {{"n_b", "finished seeds of B"},
       Align::right,
       fixed_title("n"),
       [](const ComparisonRow& row, const Style&) { return std::to_string(row.b.n); }},
      {{"b", "B: mean \u00b1 sd over seeds"},
       Align::right,
       [](const Comparison& c) { return c.arm_b; },
       [](const ComparisonRow& row, const Style& style) { return mean_sd(row.b, style.decimals); }},
      {{"difference", "\u0394 = B \u2212 A, the difference of the means"},
       Align::right,
       fixed_title("\u0394"),
       [](const ComparisonRow& row, const Style& style) { return signed_fixed(row.welch.difference, style.decimals); }},
      {{"ci", "95% CI of \u0394, Welch (seeds only)"},
       Align::right,
       fixed_title("Welch 95% CI"),
       [](const ComparisonRow& row, const Style& style) { return interval(row.welch.ci, style.decimals, true); }},
      {{"welch_p", "Welch's t test p (Holm-adjusted in parentheses)"},
       Align::right,
       fixed_title("Welch p"),
       [](const ComparisonRow& row, const Style& style) {
         return p_with_holm(row.welch.p, row.holm.welch, style.family);
       }},
      {{"u_test_p", "Mann-Whitney U test p, exact or normal"},
       Align::right,
       fixed_title("U test p"),
       [](const ComparisonRow& row, const Style& style) {
         if (std::isnan(row.mann_whitney.p)) return std::string(kUndefined);
         return p_value(row.mann_whitney.p) + (row.mann_whitney.exact ? " exact" : " normal") +
                (style.family ? " (" + p_value(row.holm.mann_whitney) + ")" : "");
       }},
      {{"paired_p", "paired t test p over seed pairs"},
       Align::right,
       fixed_title("paired p"),
       [](const ComparisonRow& row, const Style& style) {
         return row.paired ? p_with_holm(row.paired->p, row.holm.paired, style.family) : std::string(kUndefined);
       }},
      {{"resampled", "what the bootstrap resampled: seeds, items or seeds"},
       Align::left,
       fixed_title("resampled"),
       [](const ComparisonRow& row, const Style&) {
         if (std::isnan(row.bootstrap.difference.low)) return std::string(kUndefined);
         return std::string(row.bootstrap.items ? "seeds, items" : "seeds");
       }},
      {{"bootstrap_ci", "95% CI of \u0394, two-level bootstrap (the headline)"},
       Align::right,
       fixed_title("\u0394 95% CI"),
       [](const ComparisonRow& row, const Style& style) {
         return interval(row.bootstrap.difference, style.decimals, true);
       }},
      {{"p_better", "P(B better) over seed pairs"},
       Align::right,
       [](const Comparison& c) { return "P(" + c.arm_b + " better)"; },
       [](const ComparisonRow& row, const Style& style) {
         return fixed(row.bootstrap.probability, style.decimals - 1);
       }},
      {{"p_better_ci", "95% CI of P(B better)"},
       Align::right,
       fixed_title("P 95% CI"),
       [](const ComparisonRow& row, const Style& style) {
         return interval(row.bootstrap.probability_interval, style.decimals - 1, false);
       }},
  };
  return columns;
}

const ColumnDefinition& definition(const std::string& name) {
  for (const auto& column : definitions()) {
    if (name == column.info.name) return column;
  }
  throw UsageError(fmt::format("unknown compare column '{}'", name));  // parse_compare_columns checked the names
}

std::vector<std::string> column_names() {
  std::vector<std::string> names;
  for (const auto& column : definitions()) names.emplace_back(column.info.name);
  return names;
}

bool contains(const std::vector<std::string>& columns, const char* name) {
  return std::find(columns.begin(), columns.end(), name) != columns.end();
}

// The columns of the compact preset for this comparison: a lead column only where rows
// differ in it (the caption names a value all rows share).
std::vector<std::string> compact_columns(const Comparison& comparison) {
  std::set<std::string> metrics, configurations;
  std::set<std::int64_t> resolutions;
  for (const auto& row : comparison.rows) {
    metrics.insert(row.metric);
    resolutions.insert(row.resolution);
    configurations.insert(configuration(row, comparison));
  }
  std::vector<std::string> columns;
  if (metrics.size() > 1) columns.emplace_back("metric");
  if (resolutions.size() > 1) columns.emplace_back("resolution");
  if (configurations.size() > 1) columns.emplace_back("configuration");
  columns.insert(columns.end(), {"a", "b", "bootstrap_ci"});
  return columns;
}

// What every row shares and the columns do not show, and what the columns mean.
std::string caption(const Comparison& comparison, const std::vector<std::string>& columns) {
  std::set<std::string> metrics, configurations;
  std::set<std::int64_t> resolutions;
  std::set<std::size_t> seeds;
  for (const auto& row : comparison.rows) {
    metrics.insert(row.metric);
    resolutions.insert(row.resolution);
    configurations.insert(configuration(row, comparison));
    seeds.insert(row.a.n);
    seeds.insert(row.b.n);
  }
  std::string text = fmt::format("{} vs {}", comparison.arm_b, comparison.arm_a);
  if (!contains(columns, "metric")) text += fmt::format(", {}", fmt::join(metrics, ", "));
  if (!contains(columns, "resolution") && resolutions.size() == 1) {
    text += fmt::format(" at resolution {}", *resolutions.begin());
  }
  if (!contains(columns, "configuration") && configurations.size() == 1 && !configurations.begin()->empty()) {
    text += fmt::format(" ({})", *configurations.begin());
  }
  text += seeds.size() == 1 ? fmt::format(": mean \u00b1 sd over {} seeds", *seeds.begin())
                            : std::string(": mean \u00b1 sd over the finished seeds");
  const bool delta = contains(columns, "difference") || contains(columns, "ci") || contains(columns, "bootstrap_ci");
  if (delta) text += fmt::format("; \u0394 = {} \u2212 {}", comparison.arm_b, comparison.arm_a);
  if (contains(columns, "bootstrap_ci")) {
    text += fmt::format("; \u0394 95% CI: two-level bootstrap over seeds and test items, {} replicates",
                        comparison.options.bootstrap_replicates);
  }
  if (contains(columns, "ci")) text += "; Welch 95% CI: over seeds only";
  if (contains(columns, "p_better")) {
    text += fmt::format("; P({} better): share of seed pairs in which {} scores better", comparison.arm_b,
                        comparison.arm_b);
  }
  if (comparison.holm_family > 1 &&
      (contains(columns, "welch_p") || contains(columns, "u_test_p") || contains(columns, "paired_p"))) {
    text += fmt::format("; in parentheses: Holm-adjusted p over {} comparisons", comparison.holm_family);
  }
  return text;
}

}  // namespace

const std::vector<CompareColumnInfo>& compare_column_infos() {
  static const std::vector<CompareColumnInfo> infos = [] {
    std::vector<CompareColumnInfo> list;
    for (const auto& column : definitions()) list.push_back(column.info);
    return list;
  }();
  return infos;
}

std::vector<std::string> parse_compare_columns(const std::string& list) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t end = std::min(list.find(',', start), list.size());
    std::string name = list.substr(start, end - start);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    const std::vector<std::string> known = column_names();
    if (name.empty()) {
      throw UsageError(fmt::format("--columns '{}': an empty column name; expected {} or a comma-separated list of "
                                   "{}",
                                   list, kCompactColumns, fmt::join(known, ", ")));
    }
    if (name == kCompactColumns) {
      if (list.find(',') != std::string::npos) {
        throw UsageError(fmt::format("--columns '{}': {} is a preset, use it alone", list, kCompactColumns));
      }
    } else if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::vector<std::string> candidates = known;
      candidates.emplace_back(kCompactColumns);
      throw UsageError(fmt::format("--columns: unknown column '{}'{}; expected {} or a comma-separated list of {}",
                                   name, did_you_mean(name, candidates), kCompactColumns, fmt::join(known, ", ")));
    }
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      throw UsageError(fmt::format("--columns '{}': column '{}' is named twice", list, name));
    }
    names.push_back(name);
    start = end + 1;
  }
  return names;
}

Document compare_columns_document(const Comparison& comparison, const std::vector<std::string>& requested,
                                  const std::string& label) {
  const bool compact = requested.size() == 1 && requested[0] == kCompactColumns;
  const std::vector<std::string> columns = compact ? compact_columns(comparison) : requested;
  const Style style{comparison, compact ? 3 : 4, comparison.holm_family > 1};
  Table table;
  table.compact = compact;
  for (const auto& name : columns) {
    const ColumnDefinition& column = definition(name);
    // A compact table is as narrow as its cells: "res." instead of "resolution".
    const std::string title = compact && name == "resolution" ? "res." : column.title(comparison);
    table.columns.push_back({title, column.align});
  }
  std::vector<std::string> notes;
  for (const auto& row : comparison.rows) {
    std::vector<Cell> cells;
    for (const auto& name : columns) cells.emplace_back(definition(name).cell(row, style));
    table.rows.push_back(std::move(cells));
    notes.insert(notes.end(), row.notes.begin(), row.notes.end());
  }
  Document document;
  document.push_back(heading(caption(comparison, columns)));
  document.push_back(table_block(std::move(table), label.empty() ? "tab:compare-" + label_part(comparison.arm_a) + "-" +
                                                                       label_part(comparison.arm_b)
                                                                 : label));
  for (const auto& text : notes) document.push_back(note("warning: " + text));
  return document;
}

}  // namespace ablate::report
