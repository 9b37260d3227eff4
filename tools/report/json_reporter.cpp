// JSON for scripts: one document, keys in a fixed order, null for missing values.
#include <cmath>
#include <nlohmann/json.hpp>

#include "reporter.hpp"

namespace ablate::report {

namespace {

using Json = nlohmann::ordered_json;

// nlohmann writes NaN as null already; being explicit keeps the intent visible.
Json number(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

template <typename T>
Json optional(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json summary(const std::string& arm, const Summary& values) {
  return Json{{"arm", arm}, {"n", values.n}, {"mean", number(values.mean)},
              {"sd", number(values.sd)}};
}

}  // namespace

void JsonReporter::report_runs(std::ostream& out, const RunListing& listing) const {
  Json runs = Json::array();
  for (const auto& run : listing.runs) {
    const bool stopped =
        run.status == db::RunStatus::failed || run.status == db::RunStatus::killed;
    runs.push_back(Json{{"id", run.id},
                        {"config_hash", run.config_hash},
                        {"arm", run.arm},
                        {"model", run.model},
                        {"dataset", run.dataset},
                        {"resolution", run.resolution},
                        {"seed", run.seed},
                        {"status", db::to_string(run.status)},
                        {"params_trainable", optional(run.params_trainable)},
                        {"epochs", optional(run.epochs)},
                        {"train_seconds", optional(run.train_seconds)},
                        {"test_accuracy", optional(run.test_accuracy)},
                        {"error", stopped ? Json(run.error) : Json(nullptr)}});
  }
  const Json document{{"store", listing.store_path}, {"runs", runs}};
  out << document.dump(2) << '\n';
}

void JsonReporter::report_comparison(std::ostream& out, const Comparison& comparison) const {
  Json rows = Json::array();
  for (const auto& row : comparison.rows) {
    rows.push_back(Json{{"resolution", row.resolution},
                        {"a", summary(comparison.arm_a, row.a)},
                        {"b", summary(comparison.arm_b, row.b)},
                        {"difference", number(row.difference)}});
  }
  const Json document{{"store", comparison.store_path},
                      {"metric", comparison.metric},
                      {"a", comparison.arm_a},
                      {"b", comparison.arm_b},
                      {"rows", rows}};
  out << document.dump(2) << '\n';
}

}  // namespace ablate::report
