// Reads one run for `report show`.
#include "run_detail.hpp"

#include <nlohmann/json.hpp>

namespace ablate::report {

RunDetail read_run_detail(const StoreReader& store, const std::string& spec) {
  RunDetail detail;
  detail.store_path = store.path();
  detail.id = store.resolve_run(spec);
  for (auto& field : store.run_fields(detail.id)) {
    if (field.name == kConfigColumn) {
      // Stored canonical and compact; indented here for reading. Kept as is if unparsable.
      const auto parsed = nlohmann::ordered_json::parse(field.value, nullptr, false);
      detail.config_json = parsed.is_discarded() ? field.value : parsed.dump(2);
    } else if (field.name != kLayerSummaryColumn) {
      detail.fields.push_back(std::move(field));
    }
  }
  detail.epochs = store.store().epochs(detail.id);
  detail.metrics = store.store().metrics(detail.id);
  detail.matrices = store.store().matrices(detail.id);
  return detail;
}

}  // namespace ablate::report
