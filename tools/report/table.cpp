// Builds the human-readable cells for the run listing and the comparison.
#include "table.hpp"

#include <fmt/format.h>

#include <cmath>

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

}  // namespace

Table runs_table(const RunListing& listing, std::size_t max_error_width) {
  Table table;
  table.columns = {{"id", Align::right},       {"arm", Align::left},
                   {"dataset", Align::left},   {"resolution", Align::right},
                   {"seed", Align::right},     {"status", Align::left},
                   {"params", Align::right},   {"epochs", Align::right},
                   {"train s", Align::right},  {"test acc", Align::right},
                   {"error", Align::left}};
  for (const auto& run : listing.runs) {
    const bool stopped =
        run.status == db::RunStatus::failed || run.status == db::RunStatus::killed;
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
  }
  return table;
}

Table comparison_table(const Comparison& comparison) {
  Table table;
  table.columns = {{"resolution", Align::right},
                   {"n", Align::right},
                   {comparison.arm_a, Align::right},
                   {"n", Align::right},
                   {comparison.arm_b, Align::right},
                   {comparison.arm_b + " \u2212 " + comparison.arm_a, Align::right}};
  for (const auto& row : comparison.rows) {
    table.rows.push_back({std::to_string(row.resolution), std::to_string(row.a.n),
                          mean_sd(row.a), std::to_string(row.b.n), mean_sd(row.b),
                          signed_fixed(row.difference, 4)});
  }
  return table;
}

std::string comparison_title(const Comparison& comparison) {
  return fmt::format("{} of finished runs, mean \u00b1 sd over seeds: {} \u2212 {}",
                     comparison.metric, comparison.arm_b, comparison.arm_a);
}

bool has_undefined_sd(const Comparison& comparison) {
  for (const auto& row : comparison.rows) {
    if ((row.a.n > 0 && std::isnan(row.a.sd)) || (row.b.n > 0 && std::isnan(row.b.sd))) {
      return true;
    }
  }
  return false;
}

std::string empty_message(const RunListing& listing) {
  if (listing.store_empty) return fmt::format("no runs in {} yet", listing.store_path);
  return fmt::format("no runs in {} match {}", listing.store_path, describe(listing.filter));
}

}  // namespace ablate::report
