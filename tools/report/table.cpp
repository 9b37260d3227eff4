// Builds the human-readable cells of the listing, the comparison, the aggregate table and
// the single-run view.
#include "table.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>

#include "charts.hpp"
#include "compare_columns.hpp"
#include "text.hpp"

namespace ablate::report {

namespace {

std::string optional_count(const std::optional<std::int64_t>& value, bool thousands) {
  if (!value) return kUndefined;
  return thousands ? with_thousands(*value) : std::to_string(*value);
}

std::string mean_sd(const Summary& summary) {
  if (summary.n == 0) return kUndefined;
  return fixed(summary.mean, 4) + " \u00b1 " + fixed(summary.sd, 4);
}

std::string interval(const Interval& ci) {
  if (std::isnan(ci.low)) return kUndefined;
  return "[" + signed_fixed(ci.low, 4) + ", " + signed_fixed(ci.high, 4) + "]";
}

std::string with_method(double p, bool exact, const char* approximate) {
  if (std::isnan(p)) return kUndefined;
  return p_value(p) + (exact ? " exact" : std::string(" ") + approximate);
}

std::string number(double value) {
  if (!std::isfinite(value)) return kUndefined;
  return with_minus_sign(fmt::format("{:.4g}", value));
}

}  // namespace

Block heading(std::string text) { return {Block::Kind::heading, std::move(text), {}, {}}; }
Block note(std::string text) { return {Block::Kind::note, std::move(text), {}, {}}; }
Block code(std::string text) { return {Block::Kind::code, std::move(text), {}, {}}; }
Block table_block(Table table, std::string label) {
  return {Block::Kind::table, {}, std::move(table), std::move(label)};
}

std::string label_part(const std::string& text) {
  std::string part;
  for (const char c : text) {
    const bool safe = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == ':' || c == '_' || c == '-';
    part += safe ? c : '-';
  }
  return part;
}

std::string mean_sd_n(const Summary& summary) {
  if (summary.n == 0) return kUndefined;
  return fmt::format("{} \u00b1 {} ({})", fixed(summary.mean, 4), fixed(summary.sd, 4), summary.n);
}

std::string p_value(double p) {
  if (std::isnan(p)) return kUndefined;
  if (p < 0.0001) return "<0.0001";
  return fixed(p, 4);
}

std::string tags_text(const std::vector<std::pair<std::string, std::string>>& tags) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : tags) parts.push_back(key + "=" + value);
  return fmt::format("{}", fmt::join(parts, ", "));
}

Table runs_table(const RunListing& listing, std::size_t max_error_width) {
  Table table;
  table.columns = {{"id", Align::right},         {"arm", Align::left},     {"dataset", Align::left},
                   {"resolution", Align::right}, {"seed", Align::right},   {"status", Align::left},
                   {"params", Align::right},     {"epochs", Align::right}, {"train s", Align::right},
                   {"test acc", Align::right},   {"error", Align::left}};
  // People's labels and the archive get columns only where a listed run has them, so
  // that a store nobody labelled lists as it always did.
  bool tags = false;
  bool notes = false;
  bool archived = false;
  for (const auto& run : listing.runs) {
    tags = tags || !run.tags.empty();
    notes = notes || !run.note.empty();
    archived = archived || run.archived();
  }
  if (tags) table.columns.push_back({"tags", Align::left});
  if (notes) table.columns.push_back({"note", Align::left});
  if (archived) table.columns.push_back({"archived", Align::left});
  for (const auto& run : listing.runs) {
    const bool stopped = run.status == db::RunStatus::failed || run.status == db::RunStatus::killed;
    std::vector<Cell> labels;
    if (tags) labels.emplace_back(tags_text(run.tags));
    if (notes) labels.emplace_back(truncate(first_line(run.note), max_error_width));
    if (archived) labels.emplace_back(run.archived_at.substr(0, 16));  // to the minute
    table.rows.push_back({
        std::to_string(run.id),
        run.arm,
        run.dataset,
        std::to_string(run.resolution),
        std::to_string(run.seed),
        db::to_string(run.status),
        optional_count(run.params_trainable, /*thousands=*/true),
        optional_count(run.epochs, /*thousands=*/false),
        fixed(run.train_seconds, 1),
        fixed(run.test_accuracy, 4),
        stopped ? truncate(first_line(run.error), max_error_width) : std::string(),
    });
    table.rows.back().insert(table.rows.back().end(), labels.begin(), labels.end());
  }
  return table;
}

Document runs_document(const RunListing& listing, std::size_t max_error_width) {
  Document document;
  if (listing.runs.empty()) {
    document.push_back(note(empty_message(listing)));
  } else {
    document.push_back(table_block(runs_table(listing, max_error_width)));
  }
  if (listing.archived_not_listed > 0) {
    document.push_back(note(fmt::format("{} archived run{} not listed: --archived lists {}",
                                        listing.archived_not_listed, listing.archived_not_listed == 1 ? "" : "s",
                                        listing.archived_not_listed == 1 ? "it" : "them")));
  }
  return document;
}

namespace {

// "0.0096", or "0.0096 (0.0192)" with the Holm-adjusted value when there is a family.
std::string p_with_holm(double p, double adjusted, bool family) {
  if (std::isnan(p)) return kUndefined;
  return family ? p_value(p) + " (" + p_value(adjusted) + ")" : p_value(p);
}

// The configuration a row compares: "" for plain arms, "k=v" when both sides agree,
// "A: k=v; B: k=w" otherwise.
std::string configuration_of(const ComparisonRow& row, const std::string& a, const std::string& b) {
  if (row.group_a == row.group_b) return row.group_a;
  return fmt::format("{}: {}; {}: {}", a, row.group_a.empty() ? "-" : row.group_a, b,
                     row.group_b.empty() ? "-" : row.group_b);
}

std::string probability(double value) {
  if (std::isnan(value)) return kUndefined;
  return fixed(value, 3);
}

}  // namespace

Document comparison_document(const Comparison& comparison, const DocumentOptions& options) {
  if (!options.columns.empty()) return compare_columns_document(comparison, options.columns, options.label);
  const std::string label = options.label.empty()
                                ? "tab:compare-" + label_part(comparison.arm_a) + "-" + label_part(comparison.arm_b)
                                : options.label;
  Document document;
  const std::string& a = comparison.arm_a;
  const std::string& b = comparison.arm_b;
  const bool family = comparison.holm_family > 1;
  bool grouped = false;
  for (const auto& row : comparison.rows) grouped = grouped || !row.group_a.empty() || !row.group_b.empty();
  document.push_back(heading(fmt::format("{} \u2212 {}: finished runs, mean \u00b1 sd over seeds; difference with its "
                                         "95% CI{}",
                                         b, a, family ? "; p (Holm-adjusted p)" : "")));
  const auto lead_columns = [&](Table* table) {
    table->columns.push_back({"metric", Align::left});
    table->columns.push_back({"resolution", Align::right});
    if (grouped) table->columns.push_back({"configuration", Align::left});
  };
  const auto lead_cells = [&](const ComparisonRow& row) {
    std::vector<Cell> cells = {Cell(row.metric), Cell(std::to_string(row.resolution))};
    if (grouped) cells.emplace_back(configuration_of(row, a, b));
    return cells;
  };
  Table table;
  lead_columns(&table);
  table.columns.insert(table.columns.end(), {{"n", Align::right},
                                             {a, Align::right},
                                             {"n", Align::right},
                                             {b, Align::right},
                                             {b + " \u2212 " + a, Align::right},
                                             {"95% CI", Align::right},
                                             {"Welch p", Align::right},
                                             {"U test p", Align::right},
                                             {"paired p", Align::right}});
  Table bootstrap;
  lead_columns(&bootstrap);
  bootstrap.columns.insert(bootstrap.columns.end(), {{"resampled", Align::left},
                                                     {b + " \u2212 " + a + " 95% CI", Align::right},
                                                     {"P(" + b + " better)", Align::right},
                                                     {"95% CI", Align::right}});
  bool undefined_sd = false;
  Table seeds;
  lead_columns(&seeds);
  seeds.columns.insert(seeds.columns.end(), {{"seed", Align::left},
                                             {a + " right, " + b + " wrong", Align::right},
                                             {b + " right, " + a + " wrong", Align::right},
                                             {"p", Align::right}});
  std::vector<std::string> notes;
  for (const auto& row : comparison.rows) {
    if ((row.a.n > 0 && std::isnan(row.a.sd)) || (row.b.n > 0 && std::isnan(row.b.sd))) {
      undefined_sd = true;
    }
    std::vector<Cell> cells = lead_cells(row);
    cells.insert(cells.end(),
                 {std::to_string(row.a.n), mean_sd(row.a), std::to_string(row.b.n), mean_sd(row.b),
                  signed_fixed(row.welch.difference, 4), interval(row.welch.ci),
                  p_with_holm(row.welch.p, row.holm.welch, family),
                  std::isnan(row.mann_whitney.p) ? std::string(kUndefined)
                                                 : with_method(row.mann_whitney.p, row.mann_whitney.exact, "normal") +
                                                       (family ? " (" + p_value(row.holm.mann_whitney) + ")" : ""),
                  row.paired ? p_with_holm(row.paired->p, row.holm.paired, family) : std::string(kUndefined)});
    table.rows.push_back(std::move(cells));

    std::vector<Cell> boot = lead_cells(row);
    const bool defined = !std::isnan(row.bootstrap.difference.low);
    boot.insert(boot.end(), {defined ? (row.bootstrap.items ? "seeds, items" : "seeds") : kUndefined,
                             interval(row.bootstrap.difference), probability(row.bootstrap.probability),
                             std::isnan(row.bootstrap.probability_interval.low)
                                 ? std::string(kUndefined)
                                 : "[" + probability(row.bootstrap.probability_interval.low) + ", " +
                                       probability(row.bootstrap.probability_interval.high) + "]"});
    bootstrap.rows.push_back(std::move(boot));

    // A few seeds per row are worth reading; thousands (a bench store) are not.
    constexpr std::size_t kMaxSeedRows = 10;
    for (std::size_t i = 0; i < row.mcnemar_seeds.size() && i < kMaxSeedRows; ++i) {
      const McNemarSeed& seed = row.mcnemar_seeds[i];
      std::vector<Cell> seed_cells = lead_cells(row);
      seed_cells.insert(seed_cells.end(),
                        {std::to_string(seed.seed), std::to_string(seed.result.b), std::to_string(seed.result.c),
                         with_method(seed.result.p, seed.result.exact, "chi2")});
      seeds.rows.push_back(std::move(seed_cells));
    }
    if (row.mcnemar) {
      std::vector<Cell> pooled = lead_cells(row);
      pooled.insert(pooled.end(), {row.mcnemar_directions_disagree ? "pooled (seeds disagree!)" : "pooled",
                                   std::to_string(row.mcnemar->b), std::to_string(row.mcnemar->c),
                                   with_method(row.mcnemar->p, row.mcnemar->exact, "chi2")});
      seeds.rows.push_back(std::move(pooled));
    }
    if (row.mcnemar_seeds.size() > kMaxSeedRows) {
      notes.push_back(fmt::format("{} at {}: McNemar per seed shows {} of {} seed pairs; "
                                  "--format json has them all",
                                  row.metric, row.resolution, kMaxSeedRows, row.mcnemar_seeds.size()));
    }
    notes.insert(notes.end(), row.notes.begin(), row.notes.end());
  }
  document.push_back(table_block(std::move(table), label));
  document.push_back(heading(fmt::format("Both sources of variance: two-level bootstrap, {} replicates, bootstrap "
                                         "seed {} (seeds, and test items where stored predictions allow)",
                                         comparison.options.bootstrap_replicates, comparison.options.bootstrap_seed)));
  document.push_back(table_block(std::move(bootstrap), label + "-bootstrap"));
  if (!seeds.rows.empty()) {
    document.push_back(heading("McNemar's test on the stored predictions, per seed pair (test-set noise only; "
                               "pooled: discordant items summed over seeds)"));
    document.push_back(table_block(std::move(seeds), label + "-mcnemar"));
  }
  document.push_back(note(
      "Welch: unequal-variance t test, Welch\u2013Satterthwaite df; U test: Mann-Whitney, two-sided, exact (no "
      "ties, small n) or normal approximation with tie and continuity correction; paired: t test over seed pairs, "
      "when both arms ran the same seeds" +
      std::string(family ? fmt::format("; in parentheses: Holm-adjusted over the {} comparisons shown",
                                       comparison.holm_family)
                         : "") +
      ". Bootstrap: percentile intervals; P(" + b + " better): the share of seed pairs in which " + b + " beats " + a +
      " (ties half), 0.5 = no difference. McNemar: exact binomial below 25 discordant items, else "
      "chi-square with continuity correction; it ignores training randomness, so it is never the headline."));
  if (undefined_sd) {
    document.push_back(note(std::string(kUndefined) + ": undefined (fewer than two finished "
                                                      "seeds, or no test possible)"));
  }
  for (const auto& text : notes) document.push_back(note("warning: " + text));
  return document;
}

Document aggregate_document(const std::vector<AggregateTable>& tables, const DocumentOptions& options) {
  Document document;
  for (const auto& aggregate : tables) {
    document.push_back(
        heading(fmt::format("{} of finished runs by {}: mean \u00b1 sd (n) over seeds; best per column marked "
                            "({} is better)",
                            aggregate.metric, aggregate.axis, aggregate.higher_is_better ? "higher" : "lower")));
    if (aggregate.arms.empty()) {
      document.push_back(note(fmt::format("no finished run has {}", aggregate.metric)));
      continue;
    }
    Table table;
    table.columns.push_back({"arm", Align::left});
    // The settings that tell rows of one arm apart, one column each (grid axes among them).
    for (const auto& key : aggregate.keys) table.columns.push_back({key, Align::left});
    for (const auto& column : aggregate.columns) table.columns.push_back({column, Align::right});
    for (std::size_t r = 0; r < aggregate.arms.size(); ++r) {
      std::vector<Cell> cells = {Cell(aggregate.arms[r])};
      for (const auto& value : aggregate.key_values[r]) cells.emplace_back(value);
      for (std::size_t c = 0; c < aggregate.columns.size(); ++c) {
        const bool best = aggregate.best[c] && *aggregate.best[c] == r;
        cells.emplace_back(mean_sd_n(aggregate.cells[r][c]), best);
      }
      table.rows.push_back(std::move(cells));
    }
    std::string label = "tab:" + label_part(aggregate.metric) + "-by-" + label_part(aggregate.axis);
    if (!options.label.empty()) {
      label = tables.size() == 1 ? options.label : options.label + "-" + label_part(aggregate.metric);
    }
    document.push_back(table_block(std::move(table), label));
    for (const auto& text : aggregate.notes) document.push_back(note("warning: " + text));
  }
  return document;
}

Document run_document(const RunDetail& detail) {
  Document document;
  std::string hash;
  for (const auto& field : detail.fields) {
    if (field.name == "config_hash") hash = field.value;
  }
  document.push_back(heading(fmt::format("run {} ({}) in {}", detail.id, hash, detail.store_path)));
  Table fields;
  fields.columns = {{"field", Align::left}, {"value", Align::left}};
  std::string run_note;
  for (const auto& field : detail.fields) {
    if (field.is_null) continue;
    // A note may run to paragraphs: it gets a section of its own below.
    if (field.name == "note") {
      run_note = field.value;
      continue;
    }
    fields.rows.push_back({field.name, field.value});
    if (field.name == "status" && !detail.tags.empty()) fields.rows.push_back({"tags", tags_text(detail.tags)});
  }
  document.push_back(table_block(std::move(fields)));
  if (!run_note.empty()) {
    document.push_back(heading("note"));
    document.push_back(note(run_note));
  }

  document.push_back(heading("metrics"));
  if (detail.metrics.empty()) {
    document.push_back(note("none recorded"));
  } else {
    Table metrics;
    metrics.columns = {{"split", Align::left}, {"metric", Align::left}, {"value", Align::right}};
    for (const auto& metric : detail.metrics) {
      metrics.rows.push_back({metric.split, metric_with_class(metric.name, detail.class_names),
                              fixed(metric.value, 4)});
    }
    document.push_back(table_block(std::move(metrics)));
  }

  document.push_back(heading("learning curve"));
  if (detail.epochs.empty()) {
    document.push_back(note("no epochs recorded"));
  } else {
    Table epochs;
    epochs.columns = {{"epoch", Align::right},    {"train loss", Align::right}, {"train acc", Align::right},
                      {"val loss", Align::right}, {"val acc", Align::right},    {"lr", Align::right},
                      {"seconds", Align::right},  {"images/s", Align::right},   {"best", Align::left}};
    for (const auto& epoch : detail.epochs) {
      epochs.rows.push_back({std::to_string(epoch.epoch), fixed(epoch.train_loss, 4), fixed(epoch.train_accuracy, 4),
                             fixed(epoch.val_loss, 4), fixed(epoch.val_accuracy, 4), number(epoch.learning_rate),
                             fixed(epoch.seconds, 2), fixed(epoch.images_per_second, 0), epoch.is_best ? "best" : ""});
    }
    document.push_back(table_block(std::move(epochs)));
  }

  for (const auto& matrix : detail.matrices) {
    document.push_back(heading(fmt::format("{} {} (rows: true class, columns: predicted)", matrix.split, matrix.name)));
    Table cells;
    cells.columns.push_back({"", Align::right});
    for (std::int64_t c = 0; c < matrix.cols; ++c) {
      cells.columns.push_back({std::to_string(c), Align::right});
    }
    for (std::int64_t r = 0; r < matrix.rows; ++r) {
      const bool named = static_cast<std::size_t>(r) < detail.class_names.size();
      std::vector<Cell> row = {
          Cell(named ? fmt::format("{} {}", r, class_label(detail.class_names, r)) : std::to_string(r))};
      for (std::int64_t c = 0; c < matrix.cols; ++c) {
        row.emplace_back(number(matrix.values[static_cast<std::size_t>(r * matrix.cols + c)]));
      }
      cells.rows.push_back(std::move(row));
    }
    document.push_back(table_block(std::move(cells)));
  }

  document.push_back(heading("configuration"));
  document.push_back(code(detail.config_json));
  return document;
}

namespace {

std::string seeds_text(std::size_t seeds) {
  return seeds == 0 ? fmt::format("> {}", kMaxSeedsSearched) : std::to_string(seeds);
}

}  // namespace

Document power_document(const PowerReport& power, const DocumentOptions& options) {
  Document document;
  document.push_back(heading(fmt::format("{} \u2212 {}: seeds per arm for {:.0f}% power at alpha = {} (two-sided "
                                         "two-sample t test, pooled per-seed sd)",
                                         power.arm_b, power.arm_a, power.power * 100, power.alpha)));
  bool grouped = false;
  for (const auto& row : power.rows) grouped = grouped || !row.group_a.empty() || !row.group_b.empty();
  Table table;
  table.columns = {{"metric", Align::left}, {"resolution", Align::right}};
  if (grouped) table.columns.push_back({"configuration", Align::left});
  table.columns.insert(table.columns.end(), {{"n", Align::right},
                                             {"n", Align::right},
                                             {"sd", Align::right},
                                             {power.arm_b + " \u2212 " + power.arm_a, Align::right},
                                             {"power now", Align::right},
                                             {"seeds for it", Align::right},
                                             {"detectable now", Align::right}});
  for (const double delta : power.deltas) {
    table.columns.push_back({fmt::format("seeds for {}", delta), Align::right});
  }
  for (const auto& row : power.rows) {
    std::vector<Cell> cells = {Cell(row.metric), Cell(std::to_string(row.resolution))};
    if (grouped) {
      cells.emplace_back(row.group_a == row.group_b
                             ? row.group_a
                             : fmt::format("{}: {}; {}: {}", power.arm_a, row.group_a, power.arm_b, row.group_b));
    }
    const bool defined = !std::isnan(row.sd);
    cells.insert(cells.end(),
                 {std::to_string(row.n_a), std::to_string(row.n_b), fixed(row.sd, 4), signed_fixed(row.difference, 4),
                  std::isnan(row.power_observed) ? kUndefined : fixed(row.power_observed, 3),
                  defined ? seeds_text(row.seeds_for_observed) : kUndefined,
                  std::isnan(row.minimum_detectable) ? kUndefined : fixed(row.minimum_detectable, 4)});
    for (const std::size_t seeds : row.seeds_for_delta) cells.emplace_back(defined ? seeds_text(seeds) : kUndefined);
    table.rows.push_back(std::move(cells));
  }
  document.push_back(table_block(std::move(table), options.label.empty() ? "tab:power-" + label_part(power.arm_a) +
                                                                               "-" + label_part(power.arm_b)
                                                                         : options.label));
  document.push_back(note("power now: the chance the current seeds detect the observed difference if it is real; "
                          "seeds for it: per arm, to detect the observed difference; detectable now: the smallest "
                          "difference the current seeds detect. The sd comes from few seeds: treat the answers as "
                          "estimates. " +
                          std::string(kUndefined) + ": fewer than two seeds in an arm, or no spread."));
  return document;
}

std::string empty_message(const RunListing& listing) {
  if (listing.store_empty) return fmt::format("no runs in {} yet", listing.store_path);
  const std::string filter = describe(listing.filter);
  if (filter.empty()) return fmt::format("no live runs in {}", listing.store_path);  // all archived
  return fmt::format("no runs in {} match {}", listing.store_path, filter);
}

bool has_best(const Document& document) {
  for (const auto& block : document) {
    for (const auto& row : block.table.rows) {
      for (const auto& cell : row) {
        if (cell.best) return true;
      }
    }
  }
  return false;
}

}  // namespace ablate::report
