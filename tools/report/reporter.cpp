// Chooses the reporter for a --format name.
#include "reporter.hpp"

#include <fmt/format.h>

#include "usage_error.hpp"

namespace ablate::report {

Reporter::~Reporter() = default;

const std::vector<std::string>& reporter_formats() {
  static const std::vector<std::string> formats = {"table", "markdown", "csv", "json"};
  return formats;
}

std::unique_ptr<Reporter> make_reporter(const std::string& format) {
  if (format == "table") return std::make_unique<ConsoleReporter>();
  if (format == "markdown") return std::make_unique<MarkdownReporter>();
  if (format == "csv") return std::make_unique<CsvReporter>();
  if (format == "json") return std::make_unique<JsonReporter>();
  throw UsageError(fmt::format("unknown --format '{}': expected one of {}", format,
                               fmt::join(reporter_formats(), ", ")));
}

}  // namespace ablate::report
