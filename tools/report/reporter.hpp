// One reporter per output format, as google/benchmark does: each turns the plain results
// (a run listing, a comparison) into text on a stream, and knows nothing else.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "comparison.hpp"
#include "listing.hpp"

namespace ablate::report {

class Reporter {
 public:
  virtual ~Reporter();
  virtual void report_runs(std::ostream& out, const RunListing& listing) const = 0;
  virtual void report_comparison(std::ostream& out, const Comparison& comparison) const = 0;
};

// Aligned columns for a terminal.
class ConsoleReporter final : public Reporter {
 public:
  void report_runs(std::ostream& out, const RunListing& listing) const override;
  void report_comparison(std::ostream& out, const Comparison& comparison) const override;
};

// GitHub-flavoured Markdown tables, to paste into notes and pull requests.
class MarkdownReporter final : public Reporter {
 public:
  void report_runs(std::ostream& out, const RunListing& listing) const override;
  void report_comparison(std::ostream& out, const Comparison& comparison) const override;
};

// RFC 4180 CSV with a header row; full-precision numbers, empty cells for missing values.
class CsvReporter final : public Reporter {
 public:
  void report_runs(std::ostream& out, const RunListing& listing) const override;
  void report_comparison(std::ostream& out, const Comparison& comparison) const override;
};

// One JSON document; full-precision numbers, null for missing or undefined values.
class JsonReporter final : public Reporter {
 public:
  void report_runs(std::ostream& out, const RunListing& listing) const override;
  void report_comparison(std::ostream& out, const Comparison& comparison) const override;
};

// The --format names, in the order --help lists them.
const std::vector<std::string>& reporter_formats();

// The reporter for a --format name; UsageError naming the valid ones otherwise.
std::unique_ptr<Reporter> make_reporter(const std::string& format);

}  // namespace ablate::report
