// CSV for spreadsheets and pandas: raw values at full precision, one header row, one
// record per line (long format where a table has a variable number of columns).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "reporter.hpp"

namespace ablate::report {

namespace {

// RFC 4180: quote a field holding a comma, quote or line break; double inner quotes.
std::string field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

// Shortest text that reads back as the same double; empty when missing or undefined.
std::string number(double value) { return std::isfinite(value) ? fmt::format("{}", value) : ""; }

std::string number(const std::optional<double>& value) { return value ? number(*value) : ""; }

std::string number(const std::optional<std::int64_t>& value) { return value ? std::to_string(*value) : ""; }

void print_row(std::ostream& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out << ',';
    out << field(fields[i]);
  }
  // CRLF would be RFC-exact, but every reader accepts LF and diffs stay clean.
  out << '\n';
}

std::string method(bool defined, bool exact, const char* approximate) {
  if (!defined) return "";
  return exact ? "exact" : approximate;
}

}  // namespace

void CsvReporter::report_runs(std::ostream& out, const RunListing& listing) const {
  print_row(out, {"id", "config_hash", "arm", "model", "dataset", "resolution", "seed", "status", "params_trainable",
                  "epochs", "train_seconds", "test_accuracy", "error", "tags", "note", "archived_at"});
  for (const auto& run : listing.runs) {
    // Tags as a JSON object: keys and values may hold any separator a flat list would use.
    nlohmann::ordered_json tags = nlohmann::ordered_json::object();
    for (const auto& [key, value] : run.tags) tags[key] = value;
    print_row(out,
              {std::to_string(run.id), run.config_hash, run.arm, run.model, run.dataset, std::to_string(run.resolution),
               std::to_string(run.seed), db::to_string(run.status), number(run.params_trainable), number(run.epochs),
               number(run.train_seconds), number(run.test_accuracy), run.error, run.tags.empty() ? "" : tags.dump(),
               run.note, run.archived_at});
  }
}

namespace {

// --per-seed: one record per run of each side of each comparison row, for statistics of
// one's own. group_a and group_b name the row (as in the standard layout); configuration
// is the run's own group.
void report_comparison_runs(std::ostream& out, const Comparison& comparison) {
  print_row(out,
            {"metric", "resolution", "group_a", "group_b", "side", "arm", "configuration", "seed", "run_id", "value"});
  for (const auto& row : comparison.rows) {
    const auto side = [&](const char* name, const std::string& arm, const std::string& group,
                          const std::vector<SeedValue>& values) {
      for (const auto& value : values) {
        print_row(out, {row.metric, std::to_string(row.resolution), row.group_a, row.group_b, name, arm, group,
                        std::to_string(value.seed), std::to_string(value.run_id), number(value.value)});
      }
    };
    side("a", comparison.arm_a, row.group_a, row.values_a);
    side("b", comparison.arm_b, row.group_b, row.values_b);
  }
}

// --per-seed: one record per run of each cell (the runs its mean and sd summarise).
void report_table_runs(std::ostream& out, const std::vector<AggregateTable>& tables,
                       const std::vector<std::string>& keys) {
  std::vector<std::string> header = {"metric", "axis", "axis_value", "arm", "label"};
  header.insert(header.end(), keys.begin(), keys.end());
  header.insert(header.end(), {"seed", "run_id", "value"});
  print_row(out, header);
  for (const auto& table : tables) {
    for (std::size_t r = 0; r < table.arms.size(); ++r) {
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        for (const auto& run : table.runs[r][c]) {
          std::vector<std::string> fields = {table.metric, table.axis, table.columns[c], table.arms[r],
                                             table.labels[r]};
          for (const auto& key : keys) {
            const auto found = std::find(table.keys.begin(), table.keys.end(), key);
            fields.push_back(found == table.keys.end()
                                 ? std::string()
                                 : table.key_values[r][static_cast<std::size_t>(found - table.keys.begin())]);
          }
          fields.insert(fields.end(), {std::to_string(run.seed), std::to_string(run.run_id), number(run.value)});
          print_row(out, fields);
        }
      }
    }
  }
}

}  // namespace

void CsvReporter::report_comparison(std::ostream& out, const Comparison& comparison) const {
  if (per_seed_) {
    report_comparison_runs(out, comparison);
    return;
  }
  print_row(out, {"metric",
                  "resolution",
                  "group_a",
                  "group_b",
                  "arm_a",
                  "n_a",
                  "mean_a",
                  "sd_a",
                  "arm_b",
                  "n_b",
                  "mean_b",
                  "sd_b",
                  "difference",
                  "ci_low",
                  "ci_high",
                  "welch_t",
                  "welch_df",
                  "welch_p",
                  "welch_p_holm",
                  "mann_whitney_u",
                  "mann_whitney_p",
                  "mann_whitney_p_holm",
                  "mann_whitney_method",
                  "paired_n",
                  "paired_t",
                  "paired_p",
                  "paired_p_holm",
                  "bootstrap_replicates",
                  "bootstrap_seed",
                  "bootstrap_resampled",
                  "bootstrap_ci_low",
                  "bootstrap_ci_high",
                  "probability_b_better",
                  "probability_ci_low",
                  "probability_ci_high",
                  "mcnemar_pooled_b",
                  "mcnemar_pooled_c",
                  "mcnemar_pooled_p",
                  "mcnemar_pooled_method",
                  "mcnemar_directions_disagree"});
  for (const auto& row : comparison.rows) {
    const bool paired = row.paired.has_value();
    const bool mcnemar = row.mcnemar.has_value();
    const bool family = comparison.holm_family > 1;
    print_row(out, {row.metric,
                    std::to_string(row.resolution),
                    row.group_a,
                    row.group_b,
                    comparison.arm_a,
                    std::to_string(row.a.n),
                    number(row.a.mean),
                    number(row.a.sd),
                    comparison.arm_b,
                    std::to_string(row.b.n),
                    number(row.b.mean),
                    number(row.b.sd),
                    number(row.welch.difference),
                    number(row.welch.ci.low),
                    number(row.welch.ci.high),
                    number(row.welch.t),
                    number(row.welch.df),
                    number(row.welch.p),
                    family ? number(row.holm.welch) : "",
                    number(row.mann_whitney.u),
                    number(row.mann_whitney.p),
                    family ? number(row.holm.mann_whitney) : "",
                    method(!std::isnan(row.mann_whitney.p), row.mann_whitney.exact, "normal"),
                    paired ? std::to_string(row.paired->n) : "",
                    paired ? number(row.paired->t) : "",
                    paired ? number(row.paired->p) : "",
                    paired && family ? number(row.holm.paired) : "",
                    std::to_string(row.bootstrap.replicates),
                    std::to_string(row.bootstrap.seed),
                    row.bootstrap.items ? "seeds, items" : "seeds",
                    number(row.bootstrap.difference.low),
                    number(row.bootstrap.difference.high),
                    number(row.bootstrap.probability),
                    number(row.bootstrap.probability_interval.low),
                    number(row.bootstrap.probability_interval.high),
                    mcnemar ? std::to_string(row.mcnemar->b) : "",
                    mcnemar ? std::to_string(row.mcnemar->c) : "",
                    mcnemar ? number(row.mcnemar->p) : "",
                    method(mcnemar, mcnemar && row.mcnemar->exact, "chi2"),
                    mcnemar ? (row.mcnemar_directions_disagree ? "1" : "0") : ""});
  }
}

void CsvReporter::report_tables(std::ostream& out, const std::vector<AggregateTable>& tables) const {
  // One column per configuration key that tells rows of an arm apart, in any table.
  std::set<std::string> key_set;
  for (const auto& table : tables) key_set.insert(table.keys.begin(), table.keys.end());
  const std::vector<std::string> keys(key_set.begin(), key_set.end());
  if (per_seed_) {
    report_table_runs(out, tables, keys);
    return;
  }
  std::vector<std::string> header = {"metric", "axis", "value", "arm", "label"};
  header.insert(header.end(), keys.begin(), keys.end());
  header.insert(header.end(), {"n", "mean", "sd", "best"});
  print_row(out, header);
  for (const auto& table : tables) {
    for (std::size_t r = 0; r < table.arms.size(); ++r) {
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        const Summary& cell = table.cells[r][c];
        if (cell.n == 0) continue;
        const bool best = table.best[c] && *table.best[c] == r;
        std::vector<std::string> fields = {table.metric, table.axis, table.columns[c], table.arms[r], table.labels[r]};
        for (const auto& key : keys) {
          const auto found = std::find(table.keys.begin(), table.keys.end(), key);
          fields.push_back(found == table.keys.end()
                               ? std::string()
                               : table.key_values[r][static_cast<std::size_t>(found - table.keys.begin())]);
        }
        fields.insert(fields.end(), {std::to_string(cell.n), number(cell.mean), number(cell.sd), best ? "1" : "0"});
        print_row(out, fields);
      }
    }
  }
}

void CsvReporter::report_run(std::ostream& out, const RunDetail& detail) const {
  print_row(out, {"section", "key", "value"});
  for (const auto& f : detail.fields) {
    if (!f.is_null) print_row(out, {"field", f.name, f.value});
  }
  for (const auto& [key, value] : detail.tags) print_row(out, {"tag", key, value});
  for (const auto& metric : detail.metrics) {
    print_row(out, {"metric", metric.split + "." + metric.name, number(metric.value)});
  }
  for (const auto& epoch : detail.epochs) {
    const std::string section = fmt::format("epoch {}", epoch.epoch);
    print_row(out, {section, "train_loss", number(epoch.train_loss)});
    print_row(out, {section, "train_accuracy", number(epoch.train_accuracy)});
    print_row(out, {section, "val_loss", number(epoch.val_loss)});
    print_row(out, {section, "val_accuracy", number(epoch.val_accuracy)});
    print_row(out, {section, "learning_rate", number(epoch.learning_rate)});
    print_row(out, {section, "seconds", number(epoch.seconds)});
    print_row(out, {section, "images_per_second", number(epoch.images_per_second)});
    print_row(out, {section, "is_best", epoch.is_best ? "1" : "0"});
  }
  for (const auto& matrix : detail.matrices) {
    for (std::int64_t r = 0; r < matrix.rows; ++r) {
      for (std::int64_t c = 0; c < matrix.cols; ++c) {
        print_row(out, {matrix.split + "." + matrix.name, fmt::format("{},{}", r, c),
                        number(matrix.values[static_cast<std::size_t>(r * matrix.cols + c)])});
      }
    }
  }
  print_row(out, {"config", "json", detail.config_json});
}

void CsvReporter::report_curves(std::ostream& out, const CurveReport& curves) const {
  print_row(out, {"arm", "label", "resolution", "series", "runs", "epoch", "n", "mean", "sd"});
  for (const auto& curve : curves.curves) {
    for (std::size_t i = 0; i < curve.epochs.size(); ++i) {
      const Summary& value = curve.values[i];
      print_row(out,
                {curve.arm, curve.label, std::to_string(curve.resolution), curves.series, std::to_string(curve.runs),
                 std::to_string(curve.epochs[i]), std::to_string(value.n), number(value.mean), number(value.sd)});
    }
  }
}

// Long format: one record per cell of each matrix, which pandas pivots back.
void CsvReporter::report_confusion(std::ostream& out, const ConfusionReport& confusion) const {
  print_row(out, {"arm", "label", "resolution", "run_id", "runs", "split", "true_class", "predicted_class", "count"});
  for (const auto& group : confusion.groups) {
    for (std::int64_t r = 0; r < group.rows; ++r) {
      for (std::int64_t c = 0; c < group.cols; ++c) {
        print_row(out, {group.arm, group.label, std::to_string(group.resolution), number(group.run_id),
                        std::to_string(group.runs), confusion.split, std::to_string(r), std::to_string(c),
                        number(group.values[static_cast<std::size_t>(r * group.cols + c)])});
      }
    }
  }
}

void CsvReporter::report_power(std::ostream& out, const PowerReport& power) const {
  const auto seeds = [](std::size_t n) { return n == 0 ? std::string() : std::to_string(n); };
  std::vector<std::string> header = {"metric",
                                     "resolution",
                                     "group_a",
                                     "group_b",
                                     "arm_a",
                                     "arm_b",
                                     "n_a",
                                     "n_b",
                                     "sd",
                                     "difference",
                                     "alpha",
                                     "power",
                                     "power_observed",
                                     "seeds_for_observed",
                                     "minimum_detectable_difference"};
  for (const double delta : power.deltas) header.push_back(fmt::format("seeds_for_delta_{}", delta));
  print_row(out, header);
  for (const auto& row : power.rows) {
    std::vector<std::string> fields = {row.metric,
                                       std::to_string(row.resolution),
                                       row.group_a,
                                       row.group_b,
                                       power.arm_a,
                                       power.arm_b,
                                       std::to_string(row.n_a),
                                       std::to_string(row.n_b),
                                       number(row.sd),
                                       number(row.difference),
                                       number(power.alpha),
                                       number(power.power),
                                       number(row.power_observed),
                                       seeds(row.seeds_for_observed),
                                       number(row.minimum_detectable)};
    for (const std::size_t n : row.seeds_for_delta) fields.push_back(seeds(n));
    print_row(out, fields);
  }
}

// One record per differing key, then per differing metric: kind,name,a,b (a missing
// key or metric empty).
void CsvReporter::report_diff(std::ostream& out, const ConfigDiff& diff) const {
  print_row(out, {"kind", "name", "run_a", "run_b", "a", "b"});
  const std::string a = std::to_string(diff.a.id), b = std::to_string(diff.b.id);
  for (const auto& key : diff.keys) print_row(out, {"config", key.key, a, b, key.a.value_or(""), key.b.value_or("")});
  for (const auto& metric : diff.metrics) {
    print_row(out, {"metric", metric.metric, a, b, number(metric.a), number(metric.b)});
  }
}

}  // namespace ablate::report
