// `report html`: one self-contained page of charts and tables that works offline.
#pragma once

#include <string>
#include <vector>

#include "store_queries.hpp"

namespace ablate::report {

// Writes the page for the runs matching `query` to `path`. `compare`: two arms for the
// compare tables, or empty for the first arm against each other arm.
void write_html(const StoreReader& store, const RunQuery& query,
                const std::vector<MetricKey>& metrics, const std::vector<std::string>& compare,
                const std::string& path);

}  // namespace ablate::report
