// Option parsing and the body of each `report` subcommand.
#include "commands.hpp"

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>

#include "ablate/error.hpp"
#include "ablate_version.hpp"
#include "aggregate.hpp"
#include "charts.hpp"
#include "comparison.hpp"
#include "html.hpp"
#include "listing.hpp"
#include "merge.hpp"
#include "power.hpp"
#include "reporter.hpp"
#include "run_detail.hpp"
#include "store_queries.hpp"
#include "usage_error.hpp"
#include "where.hpp"

namespace po = boost::program_options;

namespace ablate::report {

const char* const kOverview = R"(usage: report [list] [--db FILE] [FILTERS] [--format FORMAT]
       report --compare A B [--metric M ...] [--resolution R] [--format FORMAT]
       report table [--metric M ...] [--by resolution|dataset|model|KEY] [--format FORMAT]
       report power A B [--metric M ...] [--delta D ...] [--power 0.8] [--alpha 0.05]
       report show RUN [--format FORMAT]
       report curves [--series val_accuracy] [FILTERS] [--format table|csv|json]
       report confusion [RUN] [FILTERS] [--format table|csv|json]
       report html -o report.html [--compare A B] [FILTERS]
       report merge OUT.db IN.db...
       report --version

Reads an Ablate run store (only `merge` writes, and only to OUT.db).

  list       every run: id, arm, dataset, resolution, seed, status, trainable
             parameters, epochs, training seconds, test accuracy, error (default)
  --compare  per metric, configuration and resolution: mean ± sd of A and B over
             seeds, B − A with its 95% CI (Welch), Welch's t test, the Mann-Whitney U
             test, a paired t test when both arms ran the same seeds (Holm-adjusted p
             beside each when several rows are compared); a two-level bootstrap CI of
             B − A and P(B better) over seed pairs (--bootstrap N, --bootstrap-seed S);
             McNemar's test per seed pair on the stored predictions (accuracy)
  table      configurations × resolutions (or --by dataset, model or any
             configuration key), mean ± sd (n), best marked
  power      seeds per arm needed for 80% power, and the smallest difference the
             current seeds detect, from the observed per-seed spread
  show       one run completely: fields, provenance, metrics, learning curve,
             confusion matrix, configuration (RUN: an id or a config-hash prefix)
  curves     learning curves per configuration, mean over seeds, as sparklines
  confusion  confusion matrices summed over the seeds of a configuration (or of one RUN)
  html       one self-contained page with charts and the compare tables
  merge      combines stores (shards of a grid) into OUT.db; idempotent

Runs are grouped by configuration (the stored identity without the seed), never by arm
name alone; a group is labelled by the settings that differ: baseline [train.max_epochs=1].

FILTERS: --arm ARM --dataset D --resolution R --status S --grid NAME --where EXPR
  --where takes comparisons of columns, metrics or configuration keys with values,
  in (...) and like, joined by and, or, not and parentheses:
  "test.accuracy > 0.9 and train.max_epochs in (5, 10) and arm like 'se%'".
  Columns: )";

namespace {

constexpr int kExitOk = 0;

struct Parsed {
  po::variables_map values;
  bool done = false;  // --help or --version was answered: the command has nothing to do
};

Parsed parse(const std::vector<std::string>& args, const std::string& usage, po::options_description& options,
             const po::positional_options_description& positional, const char* command) {
  options.add_options()("help,h", "print this help and exit")(
      "version", "print report's version and the store schema it reads, and exit");
  Parsed parsed;
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), parsed.values);
    po::notify(parsed.values);
  } catch (const po::error& e) {
    throw UsageError(fmt::format("{} (see report {}--help)", e.what(), command));
  }
  if (parsed.values.count("help") != 0) {
    std::cout << usage << "\n\n" << options << '\n';
    parsed.done = true;
  } else if (parsed.values.count("version") != 0) {
    // A store of another schema is refused (db::Store), so this says which stores it reads.
    std::cout << fmt::format("report {} (store schema {})\n", ablate_version(), db::current_schema_version());
    parsed.done = true;
  }
  return parsed;
}

void add_db(po::options_description& options) {
  options.add_options()("db", po::value<std::string>()->default_value("runs.db"), "the store to read");
}

void add_format(po::options_description& options) {
  options.add_options()("format", po::value<std::string>()->default_value("table"),
                        "table, markdown, csv, json or latex");
}

// Curves and confusion matrices are pictures: no markdown or latex (reporter.hpp).
void add_chart_format(po::options_description& options) {
  options.add_options()("format", po::value<std::string>()->default_value("table"),
                        "table (sparklines or aligned counts), csv or json");
}

void add_filters(po::options_description& options, bool with_arm, bool with_status) {
  if (with_arm) {
    options.add_options()("arm", po::value<std::string>(), "only the runs of this arm");
  }
  options.add_options()("dataset", po::value<std::string>(), "only the runs on this dataset")(
      "resolution", po::value<std::int64_t>(), "only the runs at this resolution")(
      "grid", po::value<std::string>(), "only the runs this grid (experiment name) asked for")(
      "where", po::value<std::string>(), "only the runs for which EXPR holds (see above)");
  if (with_status) {
    options.add_options()("status", po::value<std::string>(),
                          "only runs with this status: pending, running, finished, failed, killed");
  }
}

ListFilter filter_from(const po::variables_map& values) {
  ListFilter filter;
  if (values.count("arm") != 0) filter.arm = values["arm"].as<std::string>();
  if (values.count("dataset") != 0) filter.dataset = values["dataset"].as<std::string>();
  if (values.count("resolution") != 0) filter.resolution = values["resolution"].as<std::int64_t>();
  if (values.count("grid") != 0) filter.grid = values["grid"].as<std::string>();
  if (values.count("where") != 0) filter.where = values["where"].as<std::string>();
  if (values.count("status") != 0) {
    const std::string text = values["status"].as<std::string>();
    try {
      filter.status = db::parse_run_status(text);
    } catch (const StoreError&) {
      throw UsageError(fmt::format("unknown --status '{}': expected one of pending, running, finished, failed, killed",
                                   text));
    }
  }
  return filter;
}

std::vector<MetricKey> metrics_from(const po::variables_map& values) {
  std::vector<MetricKey> metrics;
  if (values.count("metric") != 0) {
    for (const auto& text : values["metric"].as<std::vector<std::string>>()) {
      metrics.push_back(parse_metric(text));
    }
  }
  if (metrics.empty()) metrics.push_back({"test", "accuracy"});
  return metrics;
}

// Colour only for a person at a terminal who has not opted out (https://no-color.org).
bool use_colour() {
  const char* no_colour = std::getenv("NO_COLOR");
  return isatty(STDOUT_FILENO) == 1 && (no_colour == nullptr || *no_colour == '\0');
}

// Before opening the store, so that a typo in --format is reported first.
std::unique_ptr<Reporter> reporter_from(const po::variables_map& values) {
  return make_reporter(values["format"].as<std::string>(), use_colour());
}

std::unique_ptr<Reporter> chart_reporter_from(const po::variables_map& values, const char* command) {
  const std::string format = values["format"].as<std::string>();
  const auto& formats = chart_formats();
  if (std::find(formats.begin(), formats.end(), format) == formats.end()) {
    throw UsageError(fmt::format("unknown --format '{}' for {}: expected one of {}", format, command,
                                 fmt::join(formats, ", ")));
  }
  return reporter_from(values);
}

std::string usage_with_columns() {
  return std::string(kOverview) + fmt::format("{}", fmt::join(where_columns(), ", ")) +
         ";\n  metrics: SPLIT.NAME as stored, e.g. test.accuracy, val.f1_macro;\n"
         "  configuration keys: dotted, as stored, e.g. train.max_epochs, model.options.se_reduction\n"
         "  (dataset.X and model.X stand for dataset.options.X and model.options.X).\n\n"
         "Exit status: 0 ok, 2 bad usage or a store that cannot be read, 1 anything else.";
}

// More replicates than this take minutes per row and add nothing a reader can see.
constexpr std::size_t kMaxBootstrapReplicates = 1000000;

CompareOptions compare_options_from(const po::variables_map& values) {
  CompareOptions options;
  if (values.count("bootstrap") != 0) options.bootstrap_replicates = values["bootstrap"].as<std::size_t>();
  if (values.count("bootstrap-seed") != 0) options.bootstrap_seed = values["bootstrap-seed"].as<std::uint64_t>();
  if (options.bootstrap_replicates > kMaxBootstrapReplicates) {
    throw UsageError(fmt::format("--bootstrap {}: at most {} replicates", options.bootstrap_replicates,
                                 kMaxBootstrapReplicates));
  }
  return options;
}

int compare(const po::variables_map& values, const std::vector<std::string>& arms) {
  if (arms.size() != 2) {
    throw UsageError(fmt::format("--compare takes two arm names, A and B; got {}", arms.size()));
  }
  if (values.count("arm") != 0 || values.count("status") != 0) {
    throw UsageError("--arm and --status filter the run listing; --compare already picks its arms and "
                     "uses finished runs");
  }
  const auto reporter = reporter_from(values);
  const StoreReader store(values["db"].as<std::string>());
  const RunQuery query = make_query(store, filter_from(values));
  const Comparison comparison =
      compare_arms(store, arms[0], arms[1], metrics_from(values), query, compare_options_from(values));
  reporter->report_comparison(std::cout, comparison);
  std::cout.flush();
  return kExitOk;
}

void add_bootstrap(po::options_description& options) {
  options.add_options()("bootstrap", po::value<std::size_t>()->default_value(kDefaultBootstrapReplicates),
                        "bootstrap replicates of the two-level interval (0: none)")(
      "bootstrap-seed", po::value<std::uint64_t>()->default_value(kDefaultBootstrapSeed),
      "the bootstrap's random seed: the same seed, the same interval");
}

void add_metric(po::options_description& options) {
  options.add_options()("metric", po::value<std::vector<std::string>>()->multitoken(),
                        "SPLIT.NAME, e.g. test.accuracy (the default) or val.f1_macro; "
                        "several allowed");
}

}  // namespace

int run_list(const std::vector<std::string>& args) {
  po::options_description options("Options");
  add_db(options);
  options.add_options()("compare", po::value<std::vector<std::string>>()->multitoken(),
                        "compare arm A with arm B (two arm names)");
  add_metric(options);
  add_bootstrap(options);
  add_filters(options, /*with_arm=*/true, /*with_status=*/true);
  add_format(options);
  // No positional arguments: a stray word (a forgotten --db) must not be ignored.
  const Parsed parsed = parse(args, usage_with_columns(), options, {}, "");
  if (parsed.done) return kExitOk;
  const auto& values = parsed.values;
  if (values.count("compare") != 0) {
    return compare(values, values["compare"].as<std::vector<std::string>>());
  }
  if (values.count("metric") != 0) {
    throw UsageError("--metric chooses what --compare compares; the listing shows every run");
  }
  if (!values["bootstrap"].defaulted() || !values["bootstrap-seed"].defaulted()) {
    throw UsageError("--bootstrap and --bootstrap-seed belong to --compare; the listing has no statistics");
  }
  const auto reporter = reporter_from(values);
  const StoreReader store(values["db"].as<std::string>());
  reporter->report_runs(std::cout, list_runs(store, filter_from(values)));
  std::cout.flush();
  return kExitOk;
}

int run_compare(const std::vector<std::string>& args) {
  po::options_description options("Options");
  add_db(options);
  options.add_options()("arms", po::value<std::vector<std::string>>(), "A and B");
  add_metric(options);
  add_bootstrap(options);
  add_filters(options, /*with_arm=*/false, /*with_status=*/false);
  add_format(options);
  po::positional_options_description positional;
  positional.add("arms", 2);
  const Parsed parsed =
      parse(args, "usage: report compare A B [--metric M ...] [options]", options, positional, "compare ");
  if (parsed.done) return kExitOk;
  std::vector<std::string> arms;
  if (parsed.values.count("arms") != 0) arms = parsed.values["arms"].as<std::vector<std::string>>();
  return compare(parsed.values, arms);
}

int run_table(const std::vector<std::string>& args) {
  po::options_description options("Options");
  add_db(options);
  add_metric(options);
  options.add_options()("by", po::value<std::string>()->default_value("resolution"),
                        "the columns: resolution, dataset, model or a configuration key");
  add_filters(options, /*with_arm=*/true, /*with_status=*/false);
  add_format(options);
  const Parsed parsed = parse(args,
                              "usage: report table [--metric M ...] [--by resolution|dataset|model|KEY] [options]\n\n"
                              "Rows are configurations (an arm's stored configuration without the seed and\n"
                              "the --by key), columns the values of --by (a named axis or any configuration\n"
                              "key, e.g. train.max_epochs or se_reduction); each cell is the mean ± sd over\n"
                              "the finished seeds, with their number n. The settings that tell rows of an arm\n"
                              "apart are columns too. The best cell of each column is marked.",
                              options, {}, "table ");
  if (parsed.done) return kExitOk;
  const auto reporter = reporter_from(parsed.values);
  const StoreReader store(parsed.values["db"].as<std::string>());
  const RunQuery query = make_query(store, filter_from(parsed.values));
  reporter->report_tables(std::cout, aggregate_tables(store, metrics_from(parsed.values),
                                                      parsed.values["by"].as<std::string>(), query));
  std::cout.flush();
  return kExitOk;
}

int run_show(const std::vector<std::string>& args) {
  po::options_description options("Options");
  add_db(options);
  options.add_options()("run", po::value<std::string>(), "run id or config-hash prefix");
  add_format(options);
  po::positional_options_description positional;
  positional.add("run", 1);
  const Parsed parsed =
      parse(args, "usage: report show RUN [--db FILE] [--format FORMAT]", options, positional, "show ");
  if (parsed.done) return kExitOk;
  if (parsed.values.count("run") == 0) {
    throw UsageError("show needs a RUN: a run id or the start of its config hash (see `report`)");
  }
  const auto reporter = reporter_from(parsed.values);
  const StoreReader store(parsed.values["db"].as<std::string>());
  reporter->report_run(std::cout, read_run_detail(store, parsed.values["run"].as<std::string>()));
  std::cout.flush();
  return kExitOk;
}

int run_curves(const std::vector<std::string>& args) {
  po::options_description options("Options");
  add_db(options);
  options.add_options()("series", po::value<std::string>()->default_value("val_accuracy"),
                        "train_loss, train_accuracy, val_loss or val_accuracy");
  add_filters(options, /*with_arm=*/true, /*with_status=*/false);
  add_chart_format(options);
  const Parsed parsed = parse(args,
                              "usage: report curves [--series S] [FILTERS] [--format FORMAT]\n\n"
                              "One sparkline per configuration and resolution: the mean over the\n"
                              "finished seeds at each epoch, on one shared scale.",
                              options, {}, "curves ");
  if (parsed.done) return kExitOk;
  const auto reporter = chart_reporter_from(parsed.values, "curves");
  const StoreReader store(parsed.values["db"].as<std::string>());
  const RunQuery query = make_query(store, filter_from(parsed.values));
  reporter->report_curves(std::cout, read_curves(store, query, parsed.values["series"].as<std::string>()));
  std::cout.flush();
  return kExitOk;
}

int run_confusion(const std::vector<std::string>& args) {
  po::options_description options("Options");
  add_db(options);
  options.add_options()("run", po::value<std::string>(), "run id or config-hash prefix")(
      "split", po::value<std::string>()->default_value("test"), "test or val");
  add_filters(options, /*with_arm=*/true, /*with_status=*/false);
  add_chart_format(options);
  po::positional_options_description positional;
  positional.add("run", 1);
  const Parsed parsed = parse(args,
                              "usage: report confusion [RUN] [--split test] [FILTERS] [--format FORMAT]\n\n"
                              "The confusion matrix of RUN, or summed over the finished\n"
                              "seeds of each arm and resolution.",
                              options, positional, "confusion ");
  if (parsed.done) return kExitOk;
  const auto reporter = chart_reporter_from(parsed.values, "confusion");
  const StoreReader store(parsed.values["db"].as<std::string>());
  const RunQuery query = make_query(store, filter_from(parsed.values));
  std::optional<std::string> run;
  if (parsed.values.count("run") != 0) run = parsed.values["run"].as<std::string>();
  reporter->report_confusion(std::cout, read_confusion(store, query, parsed.values["split"].as<std::string>(), run));
  std::cout.flush();
  return kExitOk;
}

int run_html(const std::vector<std::string>& args) {
  po::options_description options("Options");
  add_db(options);
  options.add_options()("output,o", po::value<std::string>(), "the page to write")(
      "compare", po::value<std::vector<std::string>>()->multitoken(),
      "arms A and B for the compare tables (default: the first arm against each other)");
  add_metric(options);
  add_filters(options, /*with_arm=*/false, /*with_status=*/false);
  const Parsed parsed =
      parse(args, "usage: report html -o report.html [--compare A B] [FILTERS]", options, {}, "html ");
  if (parsed.done) return kExitOk;
  if (parsed.values.count("output") == 0) {
    throw UsageError("html needs -o FILE: where to write the page");
  }
  std::vector<std::string> arms;
  if (parsed.values.count("compare") != 0) {
    arms = parsed.values["compare"].as<std::vector<std::string>>();
    if (arms.size() != 2) {
      throw UsageError(fmt::format("--compare takes two arm names, A and B; got {}", arms.size()));
    }
  }
  const StoreReader store(parsed.values["db"].as<std::string>());
  const RunQuery query = make_query(store, filter_from(parsed.values));
  const std::string output = parsed.values["output"].as<std::string>();
  write_html(read_html_report(store, query, metrics_from(parsed.values), arms), output);
  std::cerr << "report: wrote " << output << '\n';
  return kExitOk;
}

int run_power(const std::vector<std::string>& args) {
  po::options_description options("Options");
  add_db(options);
  options.add_options()("arms", po::value<std::vector<std::string>>(),
                        "A and B")("delta", po::value<std::vector<double>>()->multitoken(),
                                   "differences to detect (in the metric's units, e.g. 0.01); several allowed")(
      "power", po::value<double>()->default_value(0.8), "the power to reach, between 0 and 1")(
      "alpha", po::value<double>()->default_value(0.05), "the significance level, between 0 and 1");
  add_metric(options);
  add_filters(options, /*with_arm=*/false, /*with_status=*/false);
  add_format(options);
  po::positional_options_description positional;
  positional.add("arms", 2);
  const Parsed parsed =
      parse(args,
            "usage: report power A B [--metric M ...] [--delta D ...] [--power 0.8] [--alpha 0.05]\n\n"
            "From the per-seed spread of A and B (pooled sd): the power the current seeds\n"
            "have against the observed difference, the seeds per arm that reach --power for\n"
            "it and for each --delta, and the smallest difference the current seeds detect.\n"
            "Two-sided two-sample t test; groups by configuration as --compare does.",
            options, positional, "power ");
  if (parsed.done) return kExitOk;
  const auto& values = parsed.values;
  std::vector<std::string> arms;
  if (values.count("arms") != 0) arms = values["arms"].as<std::vector<std::string>>();
  if (arms.size() != 2) throw UsageError(fmt::format("power takes two arm names, A and B; got {}", arms.size()));
  const double power = values["power"].as<double>();
  const double alpha = values["alpha"].as<double>();
  if (!(power > 0 && power < 1)) throw UsageError(fmt::format("--power {}: expected a number between 0 and 1", power));
  if (!(alpha > 0 && alpha < 1)) throw UsageError(fmt::format("--alpha {}: expected a number between 0 and 1", alpha));
  std::vector<double> deltas;
  if (values.count("delta") != 0) deltas = values["delta"].as<std::vector<double>>();
  for (const double delta : deltas) {
    if (!(delta > 0) || !std::isfinite(delta)) {
      throw UsageError(fmt::format("--delta {}: expected a positive difference, e.g. 0.01", delta));
    }
  }
  const auto reporter = reporter_from(values);
  const StoreReader store(values["db"].as<std::string>());
  const RunQuery query = make_query(store, filter_from(values));
  CompareOptions no_bootstrap;
  no_bootstrap.bootstrap_replicates = 0;  // power needs only the summaries
  const Comparison comparison = compare_arms(store, arms[0], arms[1], metrics_from(values), query, no_bootstrap);
  reporter->report_power(std::cout, power_analysis(comparison, deltas, alpha, power));
  std::cout.flush();
  return kExitOk;
}

int run_merge(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()("stores", po::value<std::vector<std::string>>(), "OUT.db IN.db...");
  po::positional_options_description positional;
  positional.add("stores", -1);
  const Parsed parsed = parse(args,
                              "usage: report merge OUT.db IN.db...\n\n"
                              "Copies every run of each IN.db into OUT.db (created if missing), with its epochs,\n"
                              "metrics, matrices, predictions and grids. Runs are matched by config hash: a run\n"
                              "already in OUT.db is kept, unless it did not finish and the incoming one did.\n"
                              "Merging the same store twice changes nothing. One transaction per input.",
                              options, positional, "merge ");
  if (parsed.done) return kExitOk;
  std::vector<std::string> stores;
  if (parsed.values.count("stores") != 0) {
    stores = parsed.values["stores"].as<std::vector<std::string>>();
  }
  if (stores.size() < 2) {
    throw UsageError("merge needs OUT.db and at least one IN.db");
  }
  const std::vector<std::string> inputs(stores.begin() + 1, stores.end());
  for (const auto& summary : merge_stores(stores[0], inputs)) {
    std::cout << summary << '\n';
  }
  return kExitOk;
}

}  // namespace ablate::report
