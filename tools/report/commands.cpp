// The `report` commands: one add_NAME function each, declaring the command's options
// (cli_options.hpp has the shared ones) and the action that runs it.
#include "commands.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <optional>

#include "aggregate.hpp"
#include "charts.hpp"
#include "cli_options.hpp"
#include "cli_suggest.hpp"
#include "comparison.hpp"
#include "config_diff.hpp"
#include "html.hpp"
#include "listing.hpp"
#include "merge.hpp"
#include "power.hpp"
#include "reporter.hpp"
#include "run_detail.hpp"
#include "run_management.hpp"
#include "store_queries.hpp"
#include "usage_error.hpp"
#include "where.hpp"

namespace ablate::report {

const char* const kOverview = R"(usage: report [list] [--db FILE] [FILTERS] [--format FORMAT]
       report --compare A B [--metric M ...] [--resolution R] [--format FORMAT]
              [--columns compact|LIST] [--label NAME] [--per-seed]
       report table [--metric M ...] [--by resolution|dataset|model|KEY] [--format FORMAT]
       report power A B [--metric M ...] [--delta D ...] [--power 0.8] [--alpha 0.05]
       report show RUN [--format FORMAT]
       report diff RUN RUN [--metrics] [--format FORMAT]
       report curves [--series val_accuracy] [FILTERS] [--format table|csv|json]
       report confusion [RUN] [FILTERS] [--format table|csv|json]
       report html -o report.html [--compare A B] [FILTERS]
       report merge OUT.db IN.db...
       report arms | metrics
       report tag RUN... KEY=VALUE... [--remove KEY ...]
       report note RUN TEXT
       report archive RUN... [--undo]
       report unarchive RUN...
       report rm RUN... [--dry-run] [--force]
       report --version

Reads an Ablate run store (only merge, tag, note, archive, unarchive and rm write).

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
  diff       two runs side by side: the configuration keys that differ (--metrics:
             and the metrics that differ)
  curves     learning curves per configuration, mean over seeds, as sparklines
  confusion  confusion matrices summed over the seeds of a configuration (or of one RUN)
  html       one self-contained page: charts, the compare tables, and every run
             (sortable, each run's details, a diff of any two)
  merge      combines stores (shards of a grid) into OUT.db; idempotent
  arms, metrics  the names the store has, one a line
  tag        sets or removes KEY=VALUE tags of runs
  note       sets a run's free-text note
  archive    moves runs out of every listing, comparison and table, kept
             (--archived or --all shows them; unarchive restores them)
  rm         deletes runs with all their rows and files (--dry-run first)

Runs are grouped by configuration (the stored identity without the seed), never by arm
name alone; a group is labelled by the settings that differ: baseline [train.max_epochs=1].

FILTERS: --arm ARM --dataset D --resolution R --status S --grid NAME --where EXPR,
  --archived (archived runs only) or --all (live and archived runs)
  --where takes comparisons of columns, tags, metrics or configuration keys with values,
  in (...) and like, joined by and, or, not and parentheses:
  "test.accuracy > 0.9 and train.max_epochs in (5, 10) and arm like 'se%'".
  Columns: )";

namespace {

std::string usage_with_columns() {
  return std::string(kOverview) + fmt::format("{}", fmt::join(where_columns(), ", ")) +
         ";\n  tags: tag.KEY, e.g. tag.reviewed = 'yes' (NULL where a run lacks the tag);\n"
         "  metrics: SPLIT.NAME as stored, e.g. test.accuracy, val.f1_macro;\n"
         "  configuration keys: dotted, as stored, e.g. train.max_epochs, model.options.se_reduction\n"
         "  (dataset.X and model.X stand for dataset.options.X and model.options.X).\n\n"
         "Exit status: 0 ok, 2 bad usage or a store that cannot be read, 1 anything else.";
}

// `report --compare A B` (`spelled` "--compare") and `report compare A B` ("compare").
int compare(const Values& values, const std::vector<std::string>& arms, const char* spelled) {
  if (arms.size() != 2) {
    throw UsageError(fmt::format("{} takes two arm names, A and B; got {}", spelled, arms.size()));
  }
  const auto reporter = reporter_from(values);
  const StoreReader store(values.get<std::string>("--db"));
  const RunQuery query = make_query(store, filter_from(values));
  const Comparison comparison =
      compare_arms(store, arms[0], arms[1], metrics_from(values), query, compare_options_from(values));
  reporter->report_comparison(std::cout, comparison);
  std::cout.flush();
  return kExitOk;
}

int run_list(const Values& values) {
  if (values.has("--compare")) {
    if (values.has("--arm") || values.has("--status")) {
      throw UsageError("--arm and --status filter the run listing; --compare already picks its arms and "
                       "uses finished runs");
    }
    return compare(values, values.list("--compare"), "--compare");
  }
  if (values.has("--metric")) {
    // `report --metric M compare A B`: --metric takes a list, so it took the command too.
    for (const auto& word : values.list("--metric")) {
      const CLI::App* report = values.command().get_parent();
      if (!report->get_subcommands([&word](const CLI::App* command) { return command->check_name(word); }).empty()) {
        throw UsageError(fmt::format("'{}' was read as a --metric (it takes a list): put --metric after the "
                                     "command, e.g. report {} ... --metric {}",
                                     word, word, values.list("--metric").front()));
      }
    }
    throw UsageError("--metric chooses what --compare compares; the listing shows every run");
  }
  if (values.has("--bootstrap") || values.has("--bootstrap-seed")) {
    throw UsageError("--bootstrap and --bootstrap-seed belong to --compare; the listing has no statistics");
  }
  if (has_export(values)) {
    throw UsageError("--columns, --label and --per-seed belong to --compare (--label and --per-seed also to table)");
  }
  const auto reporter = reporter_from(values);
  const StoreReader store(values.get<std::string>("--db"));
  reporter->report_runs(std::cout, list_runs(store, filter_from(values)));
  std::cout.flush();
  return kExitOk;
}

int run_table(const Values& values) {
  const auto reporter = reporter_from(values);
  const StoreReader store(values.get<std::string>("--db"));
  const RunQuery query = make_query(store, filter_from(values));
  reporter->report_tables(std::cout,
                          aggregate_tables(store, metrics_from(values), values.get<std::string>("--by"), query));
  std::cout.flush();
  return kExitOk;
}

int run_show(const Values& values) {
  if (!values.has("run")) {
    throw UsageError("show needs a RUN: a run id or the start of its config hash (see `report`)");
  }
  const auto reporter = reporter_from(values);
  const StoreReader store(values.get<std::string>("--db"));
  reporter->report_run(std::cout, read_run_detail(store, values.get<std::string>("run")));
  std::cout.flush();
  return kExitOk;
}

int run_diff(const Values& values) {
  const std::vector<std::string> runs = values.list("runs");
  if (runs.size() != 2) {
    throw UsageError(fmt::format("diff takes two runs (ids or config-hash prefixes, as `report show`); got {}",
                                 runs.size()));
  }
  const auto reporter = reporter_from(values);
  const StoreReader store(values.get<std::string>("--db"));
  reporter->report_diff(std::cout, read_config_diff(store, runs[0], runs[1], values.has("--metrics")));
  std::cout.flush();
  return kExitOk;
}

int run_curves(const Values& values) {
  const auto reporter = chart_reporter_from(values, "curves");
  const StoreReader store(values.get<std::string>("--db"));
  const RunQuery query = make_query(store, filter_from(values));
  reporter->report_curves(std::cout, read_curves(store, query, values.get<std::string>("--series")));
  std::cout.flush();
  return kExitOk;
}

int run_confusion(const Values& values) {
  // A split no matrix is stored under would print nothing at all.
  const auto split = values.get<std::string>("--split");
  if (split != "test" && split != "val") throw UsageError(unknown_choice("--split", split, {"test", "val"}));
  const auto reporter = chart_reporter_from(values, "confusion");
  const StoreReader store(values.get<std::string>("--db"));
  const RunQuery query = make_query(store, filter_from(values));
  std::optional<std::string> run;
  if (values.has("run")) run = values.get<std::string>("run");
  reporter->report_confusion(std::cout, read_confusion(store, query, split, run));
  std::cout.flush();
  return kExitOk;
}

int run_html(const Values& values) {
  if (!values.has("--output")) {
    throw UsageError("html needs -o FILE: where to write the page");
  }
  const std::vector<std::string> arms = values.list("--compare");
  if (values.has("--compare") && arms.size() != 2) {
    throw UsageError(fmt::format("--compare takes two arm names, A and B; got {}", arms.size()));
  }
  const StoreReader store(values.get<std::string>("--db"));
  const RunQuery query = make_query(store, filter_from(values));
  const std::vector<MetricKey> metrics = metrics_from(values);
  // The page leaves out a default metric the store lacks, but not one asked for by name.
  if (values.has("--metric")) check_metrics(store, metrics);
  const auto output = values.get<std::string>("--output");
  write_html(read_html_report(store, query, metrics, arms), output);
  std::cerr << "report: wrote " << output << '\n';
  return kExitOk;
}

int run_power(const Values& values) {
  const std::vector<std::string> arms = values.list("arms");
  if (arms.size() != 2) throw UsageError(fmt::format("power takes two arm names, A and B; got {}", arms.size()));
  const auto power = values.get<double>("--power");
  const auto alpha = values.get<double>("--alpha");
  if (!(power > 0 && power < 1)) throw UsageError(fmt::format("--power {}: expected a number between 0 and 1", power));
  if (!(alpha > 0 && alpha < 1)) throw UsageError(fmt::format("--alpha {}: expected a number between 0 and 1", alpha));
  std::vector<double> deltas;
  if (values.has("--delta")) deltas = values.get<std::vector<double>>("--delta");
  for (const double delta : deltas) {
    if (!(delta > 0) || !std::isfinite(delta)) {
      throw UsageError(fmt::format("--delta {}: expected a positive difference, e.g. 0.01", delta));
    }
  }
  const auto reporter = reporter_from(values);
  const StoreReader store(values.get<std::string>("--db"));
  const RunQuery query = make_query(store, filter_from(values));
  CompareOptions no_bootstrap;
  no_bootstrap.bootstrap_replicates = 0;  // power needs only the summaries
  const Comparison comparison = compare_arms(store, arms[0], arms[1], metrics_from(values), query, no_bootstrap);
  reporter->report_power(std::cout, power_analysis(comparison, deltas, alpha, power));
  std::cout.flush();
  return kExitOk;
}

int run_merge(const Values& values) {
  const std::vector<std::string> stores = values.list("stores");
  if (stores.size() < 2) {
    throw UsageError("merge needs OUT.db and at least one IN.db");
  }
  const std::vector<std::string> inputs(stores.begin() + 1, stores.end());
  for (const auto& input : inputs) existing_store(input);  // shard-1.bd: the nearest *.db
  for (const auto& summary : merge_stores(stores[0], inputs)) {
    std::cout << summary << '\n';
  }
  return kExitOk;
}

// `report arms`, `report metrics`: the names an error about a mistyped one points to.
int print_lines(const std::vector<std::string>& lines) {
  for (const auto& line : lines) std::cout << line << '\n';
  return kExitOk;
}

int run_arms(const Values& values) { return print_lines(StoreReader(values.get<std::string>("--db")).arms()); }

int run_metrics(const Values& values) {
  std::vector<std::string> labels;
  for (const auto& metric : StoreReader(values.get<std::string>("--db")).metrics()) labels.push_back(metric.label());
  return print_lines(labels);
}

}  // namespace

void add_list(Cli& cli) {
  // No positional arguments: a stray word (a forgotten --db) must not be ignored.
  CLI::App& list = cli.add_command("list", "every run, filtered (the default command)", usage_with_columns(), run_list);
  add_db(list);
  add_value<std::vector<std::string>>(list, "--compare", "compare arm A with arm B (two arm names)", kArmValue);
  add_metric(list);
  add_bootstrap(list);
  add_filters(list, /*with_arm=*/true, /*with_status=*/true);
  add_format(list);
  add_export(list, /*with_columns=*/true);
}

void add_compare(Cli& cli) {
  CLI::App& compare_command =
      cli.add_command("compare", "statistics of B - A over seeds",
                      "usage: report compare A B [--metric M ...] [options]",
                      [](const Values& values) { return compare(values, values.list("arms"), "compare"); });
  // Any number, so that a stray word is counted, not taken for an option's value.
  add_value<std::vector<std::string>>(compare_command, "arms", "A and B", kArmValue);
  add_db(compare_command);
  add_metric(compare_command);
  add_bootstrap(compare_command);
  add_filters(compare_command, /*with_arm=*/false, /*with_status=*/false);
  add_format(compare_command);
  add_export(compare_command, /*with_columns=*/true);
}

void add_table(Cli& cli) {
  CLI::App& table =
      cli.add_command("table", "configurations x resolutions (or --by KEY), mean ± sd (n)",
                      "usage: report table [--metric M ...] [--by resolution|dataset|model|KEY] [options]\n\n"
                      "Rows are configurations (an arm's stored configuration without the seed and\n"
                      "the --by key), columns the values of --by (a named axis or any configuration\n"
                      "key, e.g. train.max_epochs or se_reduction); each cell is the mean ± sd over\n"
                      "the finished seeds, with their number n. The settings that tell rows of an arm\n"
                      "apart are columns too. The best cell of each column is marked.",
                      run_table);
  add_db(table);
  add_metric(table);
  std::vector<std::string> axes = table_axes();
  axes.emplace_back(kKeyValue);
  add_value<std::string>(table, "--by", "the columns: resolution, dataset, model or a configuration key", choices(axes))
      ->default_str("resolution");
  add_filters(table, /*with_arm=*/true, /*with_status=*/false);
  add_format(table);
  add_export(table, /*with_columns=*/false);
}

void add_power(Cli& cli) {
  CLI::App& power =
      cli.add_command("power", "seeds per arm needed for 80% power",
                      "usage: report power A B [--metric M ...] [--delta D ...] [--power 0.8] [--alpha 0.05]\n\n"
                      "From the per-seed spread of A and B (pooled sd): the power the current seeds\n"
                      "have against the observed difference, the seeds per arm that reach --power for\n"
                      "it and for each --delta, and the smallest difference the current seeds detect.\n"
                      "Two-sided two-sample t test; groups by configuration as --compare does.",
                      run_power);
  add_value<std::vector<std::string>>(power, "arms", "A and B", kArmValue);
  add_db(power);
  add_value<std::vector<double>>(
      power, "--delta", "differences to detect (in the metric's units, e.g. 0.01); several allowed", kNumberValue);
  add_value<double>(power, "--power", "the power to reach, between 0 and 1", kNumberValue)->default_str("0.8");
  add_value<double>(power, "--alpha", "the significance level, between 0 and 1", kNumberValue)->default_str("0.05");
  add_metric(power);
  add_filters(power, /*with_arm=*/false, /*with_status=*/false);
  add_format(power);
}

void add_show(Cli& cli) {
  CLI::App& show =
      cli.add_command("show", "one run completely", "usage: report show RUN [--db FILE] [--format FORMAT]", run_show);
  add_value<std::string>(show, "run", "run id or config-hash prefix", kRunValue);
  add_db(show);
  add_format(show);
}

void add_diff(Cli& cli) {
  CLI::App& diff = cli.add_command("diff", "two runs side by side: what differs",
                                   "usage: report diff RUN RUN [--metrics] [--db FILE] [--format FORMAT]\n\n"
                                   "The configuration keys whose values differ between the two runs (RUN: a run\n"
                                   "id or the start of its config hash, as `report show` takes), side by side;\n"
                                   "`default` where a run does not store the key (a train setting left at its\n"
                                   "default). --metrics adds the metrics that differ, with their difference.",
                                   run_diff);
  // Any number, so that a stray word is counted, not taken for an option's value.
  add_value<std::vector<std::string>>(diff, "runs", "two runs: ids or config-hash prefixes", kRunValue);
  add_db(diff);
  diff.add_flag("--metrics", "also the metrics whose values differ");
  add_format(diff);
}

void add_curves(Cli& cli) {
  CLI::App& curves = cli.add_command("curves", "learning curves per configuration, as sparklines",
                                     "usage: report curves [--series S] [FILTERS] [--format FORMAT]\n\n"
                                     "One sparkline per configuration and resolution: the mean over the\n"
                                     "finished seeds at each epoch, on one shared scale.",
                                     run_curves);
  add_db(curves);
  add_value<std::string>(curves, "--series", "the epoch series to draw", choices(curve_series()))
      ->default_str("val_accuracy");
  add_filters(curves, /*with_arm=*/true, /*with_status=*/false);
  add_chart_format(curves);
}

void add_confusion(Cli& cli) {
  CLI::App& confusion = cli.add_command("confusion", "confusion matrices summed over seeds, or one run's",
                                        "usage: report confusion [RUN] [--split test] [FILTERS] [--format FORMAT]\n\n"
                                        "The confusion matrix of RUN, or summed over the finished\n"
                                        "seeds of each arm and resolution.",
                                        run_confusion);
  add_value<std::string>(confusion, "run", "run id or config-hash prefix", kRunValue);
  add_db(confusion);
  add_value<std::string>(confusion, "--split", "test or val", choices({"test", "val"}))->default_str("test");
  add_filters(confusion, /*with_arm=*/true, /*with_status=*/false);
  add_chart_format(confusion);
}

void add_html(Cli& cli) {
  CLI::App& html = cli.add_command("html", "one self-contained page: charts, compare tables, a run browser",
                                   "usage: report html -o report.html [--compare A B] [FILTERS]\n\n"
                                   "One page that works offline: the aggregate and compare tables, learning\n"
                                   "curves, accuracy against cost, per-class F1, confusion matrices, and every\n"
                                   "run in a table: sort by any column, open a run's configuration, curves and\n"
                                   "matrix from its id, tick two runs for a diff of their configurations.",
                                   run_html);
  add_db(html);
  add_value<std::string>(html, "-o,--output", "the page to write", kFileValue);
  add_value<std::vector<std::string>>(
      html, "--compare", "arms A and B for the compare tables (default: the first arm against each other)", kArmValue);
  add_metric(html);
  add_filters(html, /*with_arm=*/false, /*with_status=*/false);
}

void add_merge(Cli& cli) {
  CLI::App& merge =
      cli.add_command("merge", "combine stores (shards of a grid) into OUT.db",
                      "usage: report merge OUT.db IN.db...\n\n"
                      "Copies every run of each IN.db into OUT.db (created if missing), with its epochs,\n"
                      "metrics, matrices, predictions, tags, note and grids. Runs are matched by config\n"
                      "hash: a run already in OUT.db is kept, unless it did not finish and the incoming\n"
                      "one did. Archived runs stay archived; tags and notes are merged, OUT.db's first.\n"
                      "Merging the same store twice changes nothing. One transaction per input.",
                      run_merge);
  add_value<std::vector<std::string>>(merge, "stores", "OUT.db IN.db...", kStoreValue);
}

void add_arms(Cli& cli) {
  add_db(cli.add_command("arms", "the arm names in the store, one a line",
                         "usage: report arms [--db FILE]\n\n"
                         "The arms the store has runs of, sorted, one a line: the names compare, power,\n"
                         "--arm and --compare take.",
                         run_arms));
}

void add_metrics(Cli& cli) {
  add_db(cli.add_command("metrics", "the metric names in the store, one a line",
                         "usage: report metrics [--db FILE]\n\n"
                         "The metrics the store holds, as SPLIT.NAME, sorted, one a line: the names\n"
                         "--metric and --where take.",
                         run_metrics));
}

void add_commands(Cli& cli) {
  add_list(cli);
  add_compare(cli);
  add_table(cli);
  add_power(cli);
  add_show(cli);
  add_diff(cli);
  add_curves(cli);
  add_confusion(cli);
  add_html(cli);
  add_merge(cli);
  add_arms(cli);
  add_metrics(cli);
  add_tag(cli);
  add_note(cli);
  add_archive(cli);
  add_unarchive(cli);
  add_rm(cli);
}

}  // namespace ablate::report
