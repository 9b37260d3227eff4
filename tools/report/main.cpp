// report: lists the runs in a store, or compares two arms across seeds.
#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "ablate/error.hpp"
#include "comparison.hpp"
#include "listing.hpp"
#include "reporter.hpp"
#include "store.hpp"
#include "usage_error.hpp"

namespace po = boost::program_options;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // a bug or an unexpected failure
constexpr int kExitUsage = 2;    // a bad command line, or a store we cannot read

constexpr const char* kUsage = R"(usage: report [--db FILE] [--arm ARM] [--status STATUS] [--format FORMAT]
       report --compare A B [--db FILE] [--format FORMAT]

Reads an Ablate run store (it never writes to it).

Without --compare, lists the runs: id, arm, dataset, resolution, seed, status,
trainable parameters, epochs, training seconds, test accuracy, and the first line
of the error of failed and killed runs.

With --compare A B, for every resolution either arm has: the number of finished
seeds, mean ± sample sd of the test accuracy for A and for B, and B − A (the mean
of B minus the mean of A). "–" marks an undefined value, such as the sd of one seed.

Examples:
  report
  report --db results/runs.db --status failed
  report --compare baseline wide --format markdown

Exit status: 0 ok, 2 bad usage or a store that cannot be read, 1 anything else.

Options)";

struct Arguments {
  std::string db_path;
  std::string format;
  std::optional<std::string> arm;
  std::optional<ablate::db::RunStatus> status;
  std::vector<std::string> compare;  // empty, or the two arms
};

// Returns nullopt when --help was printed.
std::optional<Arguments> parse_arguments(int argc, char** argv) {
  po::options_description options(kUsage);
  options.add_options()
      ("help,h", "print this help and exit")
      ("db", po::value<std::string>()->default_value("runs.db"), "the store to read")
      ("compare", po::value<std::vector<std::string>>()->multitoken(),
       "compare arm A with arm B (two arm names)")
      ("arm", po::value<std::string>(), "list only the runs of this arm")
      ("status", po::value<std::string>(),
       "list only runs with this status: pending, running, finished, failed, killed")
      ("format", po::value<std::string>()->default_value("table"),
       "table, markdown, csv or json");

  // No positional arguments: a stray word (a forgotten --db) must not be ignored.
  const po::positional_options_description no_positional;
  po::variables_map values;
  try {
    po::store(
        po::command_line_parser(argc, argv).options(options).positional(no_positional).run(),
        values);
    po::notify(values);
  } catch (const po::error& e) {
    throw ablate::report::UsageError(fmt::format("{} (see report --help)", e.what()));
  }
  if (values.count("help") != 0) {
    std::cout << options << '\n';
    return std::nullopt;
  }

  Arguments arguments;
  arguments.db_path = values["db"].as<std::string>();
  arguments.format = values["format"].as<std::string>();
  if (values.count("arm") != 0) arguments.arm = values["arm"].as<std::string>();
  if (values.count("status") != 0) {
    const std::string text = values["status"].as<std::string>();
    try {
      arguments.status = ablate::db::parse_run_status(text);
    } catch (const ablate::StoreError&) {
      throw ablate::report::UsageError(fmt::format(
          "unknown --status '{}': expected one of pending, running, finished, failed, killed",
          text));
    }
  }
  if (values.count("compare") != 0) {
    arguments.compare = values["compare"].as<std::vector<std::string>>();
    if (arguments.compare.size() != 2) {
      throw ablate::report::UsageError(fmt::format(
          "--compare takes two arm names, A and B; got {}", arguments.compare.size()));
    }
    if (arguments.arm || arguments.status) {
      throw ablate::report::UsageError(
          "--arm and --status filter the run listing; --compare already picks its arms and "
          "uses finished runs");
    }
  }
  return arguments;
}

int run(int argc, char** argv) {
  const std::optional<Arguments> arguments = parse_arguments(argc, argv);
  if (!arguments) return kExitOk;
  // Before opening the store, so that a typo in --format is reported first.
  const auto reporter = ablate::report::make_reporter(arguments->format);
  const ablate::db::Store store(arguments->db_path, ablate::db::OpenMode::read_only);

  if (!arguments->compare.empty()) {
    const auto comparison = ablate::report::compare_arms(
        store.path(), store.list_runs(), arguments->compare[0], arguments->compare[1]);
    reporter->report_comparison(std::cout, comparison);
  } else {
    ablate::db::RunFilter filter;
    filter.arm = arguments->arm;
    filter.status = arguments->status;
    reporter->report_runs(std::cout, ablate::report::list_runs(store, filter));
  }
  std::cout.flush();
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const ablate::report::UsageError& e) {
    std::cerr << "report: error: " << e.what() << '\n';
    return kExitUsage;
  } catch (const ablate::Error& e) {
    std::cerr << "report: error: " << e.what() << '\n';
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "report: error: " << e.what() << '\n';
    return kExitFailure;
  }
}
