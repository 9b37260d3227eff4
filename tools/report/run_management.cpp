// `report tag`, `note`, `archive`, `unarchive` and `rm`: RUNs named as `report show` names
// them, or chosen by the listing's filters; every change goes through db::Store.
#include "run_management.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>

#include "cli_options.hpp"
#include "listing.hpp"
#include "store.hpp"
#include "store_queries.hpp"
#include "usage_error.hpp"

namespace ablate::report {

namespace {

// The store, opened to be changed. It must exist already: a mistyped --db must not create
// a new, empty store. Opening it for writing migrates it to this binary's schema, as the
// runner would. `reader` resolves RUNs and filters by the rules every command uses.
struct WritableStore {
  explicit WritableStore(const std::string& path) : store(checked(path)), reader(path) {}
  db::Store store;
  StoreReader reader;

 private:
  static const std::string& checked(const std::string& path) {
    if (!std::filesystem::exists(path)) {
      throw UsageError(fmt::format("no store at {}: run `runner EXPERIMENT.yaml` first, or pass --db", path));
    }
    // SQLite writes its journal beside the store: the folder must be writable too.
    const std::filesystem::path folder = std::filesystem::absolute(path).parent_path();
    if (access(path.c_str(), W_OK) != 0 || access(folder.c_str(), W_OK) != 0) {
      throw UsageError(fmt::format("cannot change {}: it or its folder is read-only here (the reading commands "
                                   "work; copy the store somewhere writable to change it)",
                                   path));
    }
    return path;
  }
};

// "run 3 (baseline r16 s0, finished)": which run, as the runner's lines name its cell.
std::string describe_run(const db::RunRow& run) {
  return fmt::format("run {} ({} r{} s{}, {}{})", run.id, run.arm, run.resolution, run.seed, db::to_string(run.status),
                     run.archived() ? ", archived" : "");
}

// Whether a run counts as being trained now: `running`, with a runner that is not gone.
db::ClaimPolicy liveness() {
  db::ClaimPolicy policy;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) policy.host = host;
  return policy;
}

bool any_filter(const ListFilter& filter) {
  return filter.arm || filter.dataset || filter.resolution || filter.status || filter.grid || filter.where;
}

// The runs a command changes: each RUN named (an id or a config-hash prefix), then those
// the filters match among `among` (--archived or --all choose otherwise), each once.
std::vector<db::RunRow> select_runs(const Values& values, const StoreReader& reader,
                                    const std::vector<std::string>& references, ArchivedRuns among,
                                    const std::string& command) {
  std::vector<db::RunRow> runs;
  for (const auto& reference : references) runs.push_back(reader.resolve_run(reference));
  ListFilter filter = filter_from(values);
  const bool archived_chosen = values.has("--archived") || values.has("--all");
  if (any_filter(filter) || archived_chosen) {
    if (!archived_chosen) filter.archived = among;
    const RunListing listing = list_runs(reader, filter);
    if (listing.runs.empty() && references.empty()) {
      throw UsageError(listing.store_empty ? fmt::format("no runs in {} yet", reader.path())
                                           : fmt::format("no runs in {} match {}", reader.path(), describe(filter)));
    }
    runs.insert(runs.end(), listing.runs.begin(), listing.runs.end());
  } else if (references.empty()) {
    throw UsageError(fmt::format("{} needs RUNs (ids or config-hash prefixes, as `report` lists them) or filters "
                                 "that choose them (--where ..., see report {} --help)",
                                 command, command));
  }
  std::set<std::int64_t> seen;
  runs.erase(std::remove_if(runs.begin(), runs.end(),
                            [&](const db::RunRow& run) { return !seen.insert(run.id).second; }),
             runs.end());
  return runs;
}

// Refuses, before anything is changed, when one of `runs` is being trained.
void refuse_running(const std::vector<db::RunRow>& runs, const std::string& what_to_do) {
  const db::ClaimPolicy policy = liveness();
  for (const auto& run : runs) {
    if (run.status == db::RunStatus::running && !db::Store::is_stale(run, policy)) {
      throw UsageError(fmt::format("{} is running (heartbeat {:.0f} s ago, runner pid {} on {}): {}; nothing was "
                                   "changed",
                                   describe_run(run), run.heartbeat_age_seconds, run.pid, run.host, what_to_do));
    }
  }
}

std::vector<std::int64_t> ids_of(const std::vector<db::RunRow>& runs) {
  std::vector<std::int64_t> ids;
  for (const auto& run : runs) ids.push_back(run.id);
  return ids;
}

// The positional RUNs and the filters every changing command takes.
void add_run_selection(CLI::App& command, const char* description) {
  add_value<std::vector<std::string>>(command, "runs", description, kRunValue);
  add_db(command);
  add_filters(command, /*with_arm=*/true, /*with_status=*/true);
}

int run_tag(const Values& values) {
  std::vector<std::string> references;
  std::vector<std::pair<std::string, std::string>> tags;
  for (const auto& word : values.list("runs")) {
    const auto equals = word.find('=');
    if (equals == std::string::npos) {
      references.push_back(word);
    } else {
      tags.emplace_back(word.substr(0, equals), word.substr(equals + 1));
    }
  }
  for (const auto& key : values.list("--remove")) tags.emplace_back(key, "");
  if (tags.empty()) {
    throw UsageError("tag needs KEY=VALUE (KEY= or --remove KEY removes a tag), e.g. report tag 3 reviewed=yes");
  }
  WritableStore writable(values.get<std::string>("--db"));
  const auto runs = select_runs(values, writable.reader, references, ArchivedRuns::excluded, "tag");
  writable.store.set_tags(ids_of(runs), tags);
  for (const auto& run : runs) {
    const db::RunRow now = writable.reader.resolve_run(std::to_string(run.id));
    std::vector<std::string> shown;
    for (const auto& [key, value] : now.tags) shown.push_back(key + "=" + value);
    std::cout << fmt::format("{}: {}\n", describe_run(now),
                             shown.empty() ? std::string("no tags") : fmt::format("{}", fmt::join(shown, ", ")));
  }
  return kExitOk;
}

int run_note(const Values& values) {
  if (!values.has("run")) throw UsageError("note needs a RUN (an id or a config-hash prefix) and its TEXT");
  if (!values.has("text")) throw UsageError("note needs the TEXT after the RUN (\"\" clears the note)");
  WritableStore writable(values.get<std::string>("--db"));
  const db::RunRow run = writable.reader.resolve_run(values.get<std::string>("run"));
  const auto text = values.get<std::string>("text");
  writable.store.set_note(run.id, text);
  std::cout << fmt::format("{}: {}\n", describe_run(run), text.empty() ? "note cleared" : "note set");
  return kExitOk;
}

int unarchive(const Values& values) {
  WritableStore writable(values.get<std::string>("--db"));
  const auto runs = select_runs(values, writable.reader, values.list("runs"), ArchivedRuns::only, "unarchive");
  for (const auto& run : runs) {
    if (writable.store.unarchive_run(run.id)) {
      std::cout << fmt::format("restored {}\n", describe_run(writable.reader.resolve_run(std::to_string(run.id))));
    } else {
      std::cout << fmt::format("{} is not archived\n", describe_run(run));
    }
  }
  return kExitOk;
}

int run_archive(const Values& values) {
  if (values.has("--undo")) return unarchive(values);
  WritableStore writable(values.get<std::string>("--db"));
  const auto runs = select_runs(values, writable.reader, values.list("runs"), ArchivedRuns::excluded, "archive");
  refuse_running(runs, "archive it once it has ended");
  for (const auto& run : runs) {
    if (writable.store.archive_run(run.id, liveness())) {
      std::cout << fmt::format("archived {}\n", describe_run(run));
    } else {
      std::cout << fmt::format("{} was archived already\n", describe_run(run));
    }
  }
  std::cout << "report --archived lists archived runs; report unarchive RUN restores one\n";
  return kExitOk;
}

int run_rm(const Values& values) {
  const bool dry_run = values.has("--dry-run");
  const bool force = values.has("--force");
  WritableStore writable(values.get<std::string>("--db"));
  const auto runs = select_runs(values, writable.reader, values.list("runs"), ArchivedRuns::excluded, "rm");
  if (!force) refuse_running(runs, "--force removes it anyway (the cell of that runner then fails)");
  const char* verb = dry_run ? "would remove" : "removed";
  for (const auto& run : runs) {
    const db::RemovedRun removed = writable.store.remove_run(run.id, dry_run, force, liveness());
    std::vector<std::string> rows;
    for (const auto& [table, count] : removed.rows) rows.push_back(fmt::format("{} {}", table, count));
    std::cout << fmt::format("{} {}{}{}\n", verb, describe_run(removed.run), rows.empty() ? "" : ": ",
                             fmt::join(rows, ", "));
    for (const auto& file : removed.files) {
      std::cout << fmt::format("  and {}\n", (std::filesystem::path(writable.store.artifact_dir()) / file).string());
    }
  }
  if (dry_run) std::cout << "(a dry run: nothing was removed)\n";
  return kExitOk;
}

// What every changing command's --help says about choosing runs.
constexpr const char* kSelection =
    "RUN: a run id or the start of its config hash, as `report` lists them and `report\n"
    "show` takes them; several allowed. The filters (--arm ... --where EXPR, as the\n"
    "listing's) choose runs too, among live runs unless --archived or --all says otherwise.";

}  // namespace

void add_tag(Cli& cli) {
  CLI::App& tag =
      cli.add_command("tag", "set or remove key=value tags of runs",
                      fmt::format("usage: report tag RUN... KEY=VALUE... [--remove KEY ...] [FILTERS]\n\n"
                                  "Sets tags on the runs (replacing a key's value); KEY= or --remove KEY removes one.\n"
                                  "Keys: letters, digits and _ . - /; a value is one line. Tags are listed by every\n"
                                  "format and filtered on with --where \"tag.KEY = 'VALUE'\".\n\n{}",
                                  kSelection),
                      run_tag);
  add_run_selection(tag, "the runs, and the KEY=VALUE tags to set");
  add_value<std::vector<std::string>>(tag, "--remove", "remove the tag KEY; several allowed", kKeyValue);
}

void add_note(Cli& cli) {
  CLI::App& note = cli.add_command("note", "set a run's note (free text)",
                                   "usage: report note RUN TEXT\n\n"
                                   "Replaces the run's note with TEXT; \"\" clears it. The listing shows its first\n"
                                   "line, report show all of it; --where \"note like '%lr%'\" filters on it.",
                                   run_note);
  add_value<std::string>(note, "run", "run id or config-hash prefix", kRunValue);
  add_value<std::string>(note, "text", "the note", kTextValue);
  add_db(note);
}

void add_archive(Cli& cli) {
  CLI::App& archive = cli.add_command(
      "archive", "move runs out of the listings, kept",
      fmt::format("usage: report archive RUN... [FILTERS] [--undo]\n\n"
                  "Archived runs keep everything (rows, checkpoint: moved to STORE.artifacts/archive/ID/)\n"
                  "but are not listed, compared or tabled unless --archived or --all asks for them.\n"
                  "`runner --force` archives the finished run it replaces. A running run is refused.\n"
                  "--undo (or `report unarchive`) restores runs.\n\n{}",
                  kSelection),
      run_archive);
  add_run_selection(archive, "the runs to archive");
  archive.add_flag("--undo", "restore the runs instead (report unarchive)");
}

void add_unarchive(Cli& cli) {
  CLI::App& unarchive_command =
      cli.add_command("unarchive", "restore archived runs",
                      fmt::format("usage: report unarchive RUN... [FILTERS]\n\n"
                                  "Makes archived runs live again, their files back where the runner keeps them.\n"
                                  "Refused for a run whose configuration has a live run: one live run per\n"
                                  "configuration (archive or remove that one first). The filters choose among\n"
                                  "archived runs.\n\n{}",
                                  kSelection),
                      unarchive);
  add_run_selection(unarchive_command, "the archived runs to restore");
}

void add_rm(Cli& cli) {
  CLI::App& rm =
      cli.add_command("rm", "delete runs with everything they own",
                      fmt::format("usage: report rm RUN... [FILTERS] [--dry-run] [--force]\n\n"
                                  "Deletes the runs, every row that belongs to them (epochs, metrics, matrices,\n"
                                  "predictions, tags ...) and their files in STORE.artifacts/, and prints what it\n"
                                  "removed. A running run is refused unless --force. `report archive` keeps runs\n"
                                  "out of sight instead.\n\n{}",
                                  kSelection),
                      run_rm);
  add_run_selection(rm, "the runs to delete");
  rm.add_flag("--dry-run", "print what would be removed, and remove nothing");
  rm.add_flag("--force", "remove running runs too (their runner's cell then fails)");
}

}  // namespace ablate::report
