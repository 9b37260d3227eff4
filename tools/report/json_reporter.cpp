// JSON for scripts: one document per command, keys in a fixed order, null for missing
// values, "schema_version" and "kind" first.
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

Json document(const char* kind, const std::string& store) {
  return Json{{"schema_version", kJsonSchemaVersion}, {"kind", kind}, {"store", store}};
}

Json summary(const std::string& arm, const Summary& values) {
  return Json{{"arm", arm}, {"n", values.n}, {"mean", number(values.mean)}, {"sd", number(values.sd)}};
}

// --per-seed: the runs behind a summary, one per seed.
template <typename Run>
Json runs_json(const std::vector<Run>& runs) {
  Json list = Json::array();
  for (const auto& run : runs)
    list.push_back(Json{{"seed", run.seed}, {"run_id", run.run_id}, {"value", number(run.value)}});
  return list;
}

Json interval(const Interval& ci) { return std::isnan(ci.low) ? Json(nullptr) : Json::array({ci.low, ci.high}); }

Json mcnemar(const McNemarResult& result) {
  return Json{{"b", result.b},
              {"c", result.c},
              {"statistic", number(result.statistic)},
              {"p", number(result.p)},
              {"method", result.exact ? "exact binomial" : "chi-square, continuity corrected"}};
}

void print(std::ostream& out, const Json& json) { out << json.dump(2) << '\n'; }

// A run's tags as {"key": "value"}, by key; {} for none.
Json tags_json(const std::vector<std::pair<std::string, std::string>>& tags) {
  Json object = Json::object();
  for (const auto& [key, value] : tags) object[key] = value;
  return object;
}

}  // namespace

void JsonReporter::report_runs(std::ostream& out, const RunListing& listing) const {
  Json runs = Json::array();
  for (const auto& run : listing.runs) {
    const bool stopped = run.status == db::RunStatus::failed || run.status == db::RunStatus::killed;
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
                        {"error", stopped ? Json(run.error) : Json(nullptr)},
                        {"tags", tags_json(run.tags)},
                        {"note", run.note.empty() ? Json(nullptr) : Json(run.note)},
                        {"archived_at", run.archived() ? Json(run.archived_at) : Json(nullptr)}});
  }
  Json json = document("runs", listing.store_path);
  json["runs"] = runs;
  json["archived_not_listed"] = listing.archived_not_listed;
  print(out, json);
}

void JsonReporter::report_comparison(std::ostream& out, const Comparison& comparison) const {
  Json rows = Json::array();
  for (const auto& row : comparison.rows) {
    Json seeds = Json::array();
    for (const auto& seed : row.mcnemar_seeds) {
      Json entry = Json{{"seed", seed.seed}};
      entry.update(mcnemar(seed.result));
      seeds.push_back(entry);
    }
    const auto holm = [&](double adjusted) { return comparison.holm_family > 1 ? number(adjusted) : Json(nullptr); };
    Json side_a = summary(comparison.arm_a, row.a);
    Json side_b = summary(comparison.arm_b, row.b);
    if (per_seed_) {
      side_a["runs"] = runs_json(row.values_a);
      side_b["runs"] = runs_json(row.values_b);
    }
    Json pooled = row.mcnemar ? mcnemar(*row.mcnemar) : Json(nullptr);
    if (row.mcnemar) pooled["directions_disagree"] = row.mcnemar_directions_disagree;
    rows.push_back(Json{
        {"metric", row.metric},
        {"resolution", row.resolution},
        {"group_a", row.group_a},
        {"group_b", row.group_b},
        {"a", side_a},
        {"b", side_b},
        {"difference", number(row.welch.difference)},
        {"ci95", interval(row.welch.ci)},
        {"welch", Json{{"t", number(row.welch.t)},
                       {"df", number(row.welch.df)},
                       {"p", number(row.welch.p)},
                       {"p_holm", holm(row.holm.welch)}}},
        {"mann_whitney",
         Json{{"u", number(row.mann_whitney.u)},
              {"p", number(row.mann_whitney.p)},
              {"p_holm", holm(row.holm.mann_whitney)},
              {"method", std::isnan(row.mann_whitney.p)
                             ? Json(nullptr)
                             : Json(row.mann_whitney.exact ? "exact" : "normal, tie and continuity corrected")}}},
        {"paired", row.paired ? Json{{"n", row.paired->n},
                                     {"mean_difference", number(row.paired->mean_difference)},
                                     {"ci95", interval(row.paired->ci)},
                                     {"t", number(row.paired->t)},
                                     {"df", number(row.paired->df)},
                                     {"p", number(row.paired->p)},
                                     {"p_holm", holm(row.holm.paired)}}
                              : Json(nullptr)},
        {"bootstrap", Json{{"replicates", row.bootstrap.replicates},
                           {"seed", row.bootstrap.seed},
                           {"resampled", row.bootstrap.items ? "seeds, items" : "seeds"},
                           {"level", row.bootstrap.level},
                           {"difference_ci", interval(row.bootstrap.difference)},
                           {"probability_b_better", number(row.bootstrap.probability)},
                           {"probability_ci", interval(row.bootstrap.probability_interval)}}},
        {"mcnemar_per_seed", seeds},
        {"mcnemar_pooled", pooled},
        {"notes", row.notes}});
  }
  Json json = document("comparison", comparison.store_path);
  json["a"] = comparison.arm_a;
  json["b"] = comparison.arm_b;
  json["metrics"] = comparison.metrics;
  json["holm_family"] = comparison.holm_family;
  json["rows"] = rows;
  print(out, json);
}

void JsonReporter::report_tables(std::ostream& out, const std::vector<AggregateTable>& tables) const {
  Json list = Json::array();
  std::string store;
  for (const auto& table : tables) {
    store = table.store_path;
    Json rows = Json::array();
    for (std::size_t r = 0; r < table.arms.size(); ++r) {
      Json cells = Json::array();
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        const Summary& cell = table.cells[r][c];
        cells.push_back(Json{{table.axis, table.columns[c]},
                             {"n", cell.n},
                             {"mean", number(cell.mean)},
                             {"sd", number(cell.sd)},
                             {"best", table.best[c] && *table.best[c] == r}});
        if (per_seed_) cells.back()["runs"] = runs_json(table.runs[r][c]);
      }
      Json config = Json::object();
      for (std::size_t k = 0; k < table.keys.size(); ++k) config[table.keys[k]] = table.key_values[r][k];
      rows.push_back(Json{{"arm", table.arms[r]}, {"label", table.labels[r]}, {"config", config}, {"cells", cells}});
    }
    list.push_back(Json{{"metric", table.metric},
                        {"by", table.axis},
                        {"higher_is_better", table.higher_is_better},
                        {"keys", table.keys},
                        {"columns", table.columns},
                        {"rows", rows},
                        {"notes", table.notes}});
  }
  Json json = document("table", store);
  json["tables"] = list;
  print(out, json);
}

void JsonReporter::report_run(std::ostream& out, const RunDetail& detail) const {
  Json fields = Json::object();
  for (const auto& f : detail.fields) {
    if (f.is_null) {
      fields[f.name] = nullptr;
    } else if (f.is_number) {
      fields[f.name] = Json::parse(f.value, nullptr, false);
    } else {
      fields[f.name] = f.value;
    }
  }
  Json metrics = Json::array();
  for (const auto& metric : detail.metrics) {
    metrics.push_back(Json{{"split", metric.split}, {"name", metric.name}, {"value", number(metric.value)}});
  }
  Json epochs = Json::array();
  for (const auto& epoch : detail.epochs) {
    epochs.push_back(Json{{"epoch", epoch.epoch},
                          {"train_loss", number(epoch.train_loss)},
                          {"train_accuracy", number(epoch.train_accuracy)},
                          {"val_loss", number(epoch.val_loss)},
                          {"val_accuracy", number(epoch.val_accuracy)},
                          {"learning_rate", number(epoch.learning_rate)},
                          {"seconds", number(epoch.seconds)},
                          {"images_per_second", number(epoch.images_per_second)},
                          {"is_best", epoch.is_best}});
  }
  Json matrices = Json::array();
  for (const auto& matrix : detail.matrices) {
    matrices.push_back(Json{{"split", matrix.split},
                            {"name", matrix.name},
                            {"rows", matrix.rows},
                            {"cols", matrix.cols},
                            {"values", matrix.values}});
  }
  Json json = document("run", detail.store_path);
  json["run"] = fields;
  json["tags"] = tags_json(detail.tags);
  const Json config = Json::parse(detail.config_json, nullptr, false);
  json["config"] = config.is_discarded() ? Json(detail.config_json) : config;
  json["metrics"] = metrics;
  json["epochs"] = epochs;
  json["matrices"] = matrices;
  print(out, json);
}

void JsonReporter::report_curves(std::ostream& out, const CurveReport& curves) const {
  Json list = Json::array();
  for (const auto& curve : curves.curves) {
    Json epochs = Json::array();
    for (std::size_t i = 0; i < curve.epochs.size(); ++i) {
      const Summary& value = curve.values[i];
      epochs.push_back(Json{
          {"epoch", curve.epochs[i]}, {"n", value.n}, {"mean", number(value.mean)}, {"sd", number(value.sd)}});
    }
    list.push_back(Json{{"arm", curve.arm},
                        {"label", curve.label},
                        {"resolution", curve.resolution},
                        {"runs", curve.runs},
                        {"epochs", epochs}});
  }
  Json json = document("curves", curves.store_path);
  json["series"] = curves.series;
  json["curves"] = list;
  print(out, json);
}

void JsonReporter::report_confusion(std::ostream& out, const ConfusionReport& confusion) const {
  Json list = Json::array();
  for (const auto& group : confusion.groups) {
    Json counts = Json::array();
    Json recalls = Json::array();
    for (std::int64_t r = 0; r < group.rows; ++r) {
      const auto first = group.values.begin() + static_cast<std::ptrdiff_t>(r * group.cols);
      counts.push_back(std::vector<double>(first, first + static_cast<std::ptrdiff_t>(group.cols)));
      recalls.push_back(number(recall(group, r)));
    }
    list.push_back(Json{{"arm", group.arm},
                        {"label", group.label},
                        {"resolution", group.resolution},
                        {"run_id", optional(group.run_id)},
                        {"runs", group.runs},
                        {"rows", group.rows},
                        {"cols", group.cols},
                        {"counts", counts},
                        {"recall", recalls},
                        {"classes", group.classes.empty() ? Json(nullptr) : Json(group.classes)}});
  }
  Json json = document("confusion", confusion.store_path);
  json["split"] = confusion.split;
  json["matrices"] = list;
  print(out, json);
}

void JsonReporter::report_power(std::ostream& out, const PowerReport& power) const {
  const auto seeds = [](std::size_t n) { return n == 0 ? Json(nullptr) : Json(n); };
  Json rows = Json::array();
  for (const auto& row : power.rows) {
    Json for_delta = Json::array();
    for (std::size_t i = 0; i < power.deltas.size(); ++i) {
      for_delta.push_back(Json{{"delta", power.deltas[i]}, {"seeds_per_arm", seeds(row.seeds_for_delta[i])}});
    }
    rows.push_back(Json{{"metric", row.metric},
                        {"resolution", row.resolution},
                        {"group_a", row.group_a},
                        {"group_b", row.group_b},
                        {"n_a", row.n_a},
                        {"n_b", row.n_b},
                        {"sd", number(row.sd)},
                        {"difference", number(row.difference)},
                        {"power_observed", number(row.power_observed)},
                        {"seeds_for_observed", seeds(row.seeds_for_observed)},
                        {"minimum_detectable_difference", number(row.minimum_detectable)},
                        {"seeds_for_delta", for_delta}});
  }
  Json json = document("power", power.store_path);
  json["a"] = power.arm_a;
  json["b"] = power.arm_b;
  json["alpha"] = power.alpha;
  json["power"] = power.power;
  json["rows"] = rows;
  print(out, json);
}

void JsonReporter::report_diff(std::ostream& out, const ConfigDiff& diff) const {
  const auto side = [](const DiffSide& run) {
    return Json{{"id", run.id}, {"config_hash", run.config_hash}, {"arm", run.arm}, {"status", run.status}};
  };
  Json keys = Json::array();
  for (const auto& key : diff.keys)
    keys.push_back(Json{{"key", key.key}, {"a", optional(key.a)}, {"b", optional(key.b)}});
  Json json = document("diff", diff.store_path);
  json["a"] = side(diff.a);
  json["b"] = side(diff.b);
  json["keys"] = keys;
  json["same_keys"] = diff.same_keys;
  if (diff.with_metrics) {
    Json metrics = Json::array();
    for (const auto& metric : diff.metrics) {
      const bool both = metric.a && metric.b;
      metrics.push_back(Json{{"metric", metric.metric},
                             {"class", metric.class_name.empty() ? Json(nullptr) : Json(metric.class_name)},
                             {"a", metric.a ? number(*metric.a) : Json(nullptr)},
                             {"b", metric.b ? number(*metric.b) : Json(nullptr)},
                             {"difference", both ? number(*metric.b - *metric.a) : Json(nullptr)}});
    }
    json["metrics"] = metrics;
  } else {
    json["metrics"] = nullptr;
  }
  print(out, json);
}

}  // namespace ablate::report
