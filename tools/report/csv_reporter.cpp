// CSV for spreadsheets and pandas: raw values at full precision, one header row.
#include <fmt/format.h>

#include <cmath>

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

std::string number(const std::optional<std::int64_t>& value) {
  return value ? std::to_string(*value) : "";
}

void print_row(std::ostream& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out << ',';
    out << field(fields[i]);
  }
  // CRLF would be RFC-exact, but every reader accepts LF and diffs stay clean.
  out << '\n';
}

}  // namespace

void CsvReporter::report_runs(std::ostream& out, const RunListing& listing) const {
  print_row(out, {"id", "config_hash", "arm", "model", "dataset", "resolution", "seed",
                  "status", "params_trainable", "epochs", "train_seconds", "test_accuracy",
                  "error"});
  for (const auto& run : listing.runs) {
    print_row(out, {std::to_string(run.id), run.config_hash, run.arm, run.model, run.dataset,
                    std::to_string(run.resolution), std::to_string(run.seed),
                    db::to_string(run.status), number(run.params_trainable),
                    number(run.epochs), number(run.train_seconds), number(run.test_accuracy),
                    run.error});
  }
}

void CsvReporter::report_comparison(std::ostream& out, const Comparison& comparison) const {
  print_row(out, {"metric", "resolution", "arm_a", "n_a", "mean_a", "sd_a", "arm_b", "n_b",
                  "mean_b", "sd_b", "difference"});
  for (const auto& row : comparison.rows) {
    print_row(out, {comparison.metric, std::to_string(row.resolution), comparison.arm_a,
                    std::to_string(row.a.n), number(row.a.mean), number(row.a.sd),
                    comparison.arm_b, std::to_string(row.b.n), number(row.b.mean),
                    number(row.b.sd), number(row.difference)});
  }
}

}  // namespace ablate::report
