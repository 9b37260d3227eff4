// Reads one run for `report show`.
#include "run_detail.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace ablate::report {

namespace {

std::vector<Field>::iterator find_field(std::vector<Field>& fields, const std::string& name) {
  return std::find_if(fields.begin(), fields.end(), [&name](const Field& field) { return field.name == name; });
}

// Moves field `name` to just after field `anchor` (to the end without it). Columns come
// in table order, and a migration can only append: this shows a later column beside the
// ones it belongs with.
void place_after(std::vector<Field>& fields, const std::string& name, const std::string& anchor) {
  const auto moved = find_field(fields, name);
  if (moved == fields.end()) return;
  Field field = std::move(*moved);
  fields.erase(moved);
  const auto after = find_field(fields, anchor);
  fields.insert(after == fields.end() ? after : after + 1, std::move(field));
}

}  // namespace

RunDetail read_run_detail(const StoreReader& store, const std::string& spec) {
  RunDetail detail;
  detail.store_path = store.path();
  const db::RunRow run = store.resolve_run(spec);
  detail.id = run.id;
  detail.tags = run.tags;
  for (auto& field : store.run_fields(detail.id)) {
    if (field.name == kConfigColumn) {
      // Stored canonical and compact; indented here for reading. Kept as is if unparsable.
      const auto parsed = nlohmann::ordered_json::parse(field.value, nullptr, false);
      detail.config_json = parsed.is_discarded() ? field.value : parsed.dump(2);
    } else if (field.name != kLayerSummaryColumn) {
      detail.fields.push_back(std::move(field));
    }
  }
  // Which Ablate recorded the run (migration 0003) reads best beside which LibTorch.
  place_after(detail.fields, "ablate_version", "torch_version");
  // What people said about the run (migration 0006) reads best beside its status.
  place_after(detail.fields, "note", "status");
  place_after(detail.fields, "archived_at", "note");
  detail.epochs = store.store().epochs(detail.id);
  detail.metrics = store.store().metrics(detail.id);
  detail.matrices = store.store().matrices(detail.id);
  detail.class_names = store.store().class_names(detail.id);
  return detail;
}

std::string metric_with_class(const std::string& metric, const std::vector<std::string>& class_names) {
  const std::size_t slash = metric.rfind('/');
  if (slash == std::string::npos || slash + 1 == metric.size()) return metric;
  const std::string index = metric.substr(slash + 1);
  if (index.size() > 9 || index.find_first_not_of("0123456789") != std::string::npos) return metric;
  const std::size_t k = std::stoul(index);
  return k < class_names.size() ? metric + " (" + class_names[k] + ")" : metric;
}

}  // namespace ablate::report
