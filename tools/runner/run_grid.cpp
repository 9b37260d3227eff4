// The runner's grid loop: one child process per cell, a heartbeat for each, progress on
// the terminal, and a store left consistent whatever happens to the children.
#include "run_grid.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "ablate_version.hpp"
#include "child_process.hpp"
#include "config/crash_report.hpp"
#include "config/interrupt.hpp"
#include "engine/process_tuning.hpp"
#include "engine/trainer.hpp"
#include "grid_plan.hpp"
#include "progress.hpp"
#include "provenance.hpp"
#include "run_cell.hpp"
#include "store.hpp"

namespace ablate {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr double kHeartbeatEverySeconds = 10;  // at most; see RunnerOptions::stale_after_seconds
constexpr double kStopGraceSeconds = 20;       // after Ctrl-C, children get this long to record `killed`

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::string describe_state(const std::optional<db::RunRow>& run, const db::ClaimPolicy& policy) {
  if (!run) return "new";
  if (run->status == db::RunStatus::running) {
    return db::Store::is_stale(*run, policy) ? "stale (its runner died)" : "running elsewhere";
  }
  if (run->status == db::RunStatus::finished && policy.force) return "finished (--force archives it, runs it again)";
  return db::to_string(run->status);
}

struct RunningCell {
  const PlannedCell* planned = nullptr;
  db::RunLease lease;
  std::unique_ptr<ChildProcess> child;
  Clock::time_point started;
  std::string progress;  // "epoch 3 batch 120/187", from the child's @progress lines
  double fraction = 0;   // of its batches done (cell_fraction), for the ETA
};

// Progress: child lines pass through; on a terminal a status line stays at the bottom,
// elsewhere (a log) it is printed as a line every `log_every` seconds (0: never).
class Progress {
 public:
  Progress(std::size_t total, bool quiet, double log_every)
      : total_(total), quiet_(quiet), terminal_(isatty(STDERR_FILENO) != 0), log_every_(log_every) {}

  void line(const std::string& text) {
    clear();
    std::cerr << text << "\n";
    draw();
  }
  void child_line(const std::string& text) {
    if (!quiet_) line(text);
  }
  void cell_done() { ++done_; }
  void status(const std::vector<RunningCell>& running, double eta_seconds) {
    if (quiet_) return;
    std::string text = fmt::format("[{}/{} done]", done_, total_);
    for (const auto& cell : running) text += fmt::format("  {}: {}", cell.planned->cell.label(), cell.progress);
    if (eta_seconds > 0) text += fmt::format("  ETA {}", format_duration(eta_seconds));
    if (!terminal_) {
      const auto now = Clock::now();
      if (log_every_ <= 0 || running.empty() || seconds_between(logged_, now) < log_every_) return;
      logged_ = now;
      std::cerr << text << "\n";
      return;
    }
    status_ = text.substr(0, 200);
    clear();
    draw();
  }
  void finish() { clear(); }

 private:
  void clear() {
    if (terminal_ && !status_.empty()) std::cerr << "\r\033[K";
  }
  void draw() {
    if (terminal_ && !status_.empty()) std::cerr << status_ << std::flush;
  }
  std::size_t total_;
  std::size_t done_ = 0;
  bool quiet_;
  bool terminal_;
  double log_every_;
  Clock::time_point logged_ = Clock::now();  // the last progress line logged: none in a short grid
  std::string status_;
};

std::vector<std::string> child_command(const RunnerOptions& options, const std::string& db, const std::string& hash,
                                       const db::RunLease& lease, std::int64_t threads) {
  std::vector<std::string> argv = {fs::read_symlink("/proc/self/exe").string(), options.experiment};
  argv.insert(argv.end(), options.overrides.begin(), options.overrides.end());
  for (const auto& dir : options.plugin_dirs) {
    argv.push_back("--plugins");
    argv.push_back(dir.string());
  }
  argv.insert(argv.end(), {"--db", db, "--cell", hash, "--run-id", std::to_string(lease.run_id), "--attempt",
                           std::to_string(lease.attempt), "--threads", std::to_string(threads), "--progress-protocol"});
  if (options.quiet) argv.push_back("--quiet");
  if (options.verbose) argv.push_back("--verbose");
  return argv;
}

// A cell runs in a fork of this process, which has LibTorch, the plugins and the plan
// loaded already (LibTorch's start-up alone is ~0.3 s a process). A fresh process
// (`runner ... --cell HASH`) is started instead with --fresh-process, on busy cores (its
// libgomp then reads OMP_WAIT_POLICY=PASSIVE: wait_passively_if_cores_busy), and for a
// GPU: CUDA cannot be used in a fork of a process that has initialised it.
std::unique_ptr<ChildProcess> start_cell(const RunnerOptions& options, bool fresh_process, const GridPlan& plan,
                                         const PlannedCell& planned, const db::RunLease& lease, std::int64_t threads,
                                         const std::string& device, const std::string& db_path,
                                         std::optional<db::Store>& store) {
  if (fresh_process || device != "cpu") {
    return ChildProcess::exec(child_command(options, db_path, planned.hash, lease, threads));
  }
  CellOptions cell;
  cell.db = db_path;
  cell.hash = planned.hash;
  cell.run_id = lease.run_id;
  cell.attempt = lease.attempt;
  cell.threads = threads;
  cell.progress_protocol = true;
  cell.quiet = options.quiet;
  cell.verbose = options.verbose;
  // An SQLite connection must never cross fork(): its locks belong to this process, while
  // its bookkeeping would be copied into the child. Closed here, opened again below.
  store.reset();
  std::unique_ptr<ChildProcess> child;
  try {
    child = ChildProcess::fork([&plan, &cell] { return run_cell(plan, cell); });
  } catch (...) {
    store.emplace(db_path);
    throw;
  }
  store.emplace(db_path);
  return child;
}

db::RunClaim make_claim(const GridPlan& plan, const PlannedCell& planned, std::int64_t grid_id,
                        const Provenance& provenance, std::int64_t threads) {
  db::RunClaim claim;
  claim.config_hash = planned.hash;
  claim.config_json = planned.identity.dump();
  claim.arm = planned.cell.arm_label();
  claim.model = planned.cell.model;
  claim.dataset = planned.data->info.name;
  claim.resolution = planned.cell.resolution;
  claim.seed = planned.cell.seed;
  claim.grid_id = grid_id;
  claim.pid = getpid();
  claim.host = provenance.host;
  claim.device = resolve_device(planned.cell.train.device);
  claim.threads = threads;
  claim.torch_version = torch_version();
  claim.ablate_version = ablate_version();
  claim.git_commit = provenance.git_commit;
  claim.git_dirty = provenance.git_dirty;
  claim.plugin_versions_json = nlohmann::json(plan.versions).dump();
  return claim;
}

// Reads a child's "@progress RUN EPOCH BATCH BATCHES" line into the cell's progress text
// ("epoch 3 batch 120/187") and the share of its batches done.
void read_progress(const std::string& line, RunningCell* cell) {
  std::istringstream fields(line.substr(std::string("@progress ").size()));
  std::int64_t run_id = 0, epoch = 0, batch = 0, batches = 0;
  fields >> run_id >> epoch >> batch >> batches;
  cell->progress = fmt::format("epoch {} batch {}/{}", epoch, batch, batches);
  cell->fraction = cell_fraction(epoch, batch, batches, cell->planned->cell.train.max_epochs);
}

bool is_progress(const std::string& line) { return line.rfind("@progress ", 0) == 0; }

// How a cell's process ended, as the grid counts it. taken_over: another runner took the
// run while this one was suspended past the stale limit; the run is that runner's now.
enum class CellEnd { finished, killed, failed, bad_input, taken_over };

// Signals that stop a process from outside rather than report a fault in it: a user's
// `kill`, Slurm's scancel or preemption, the out-of-memory killer. The cell did nothing
// wrong, so it is recorded `killed` and the next run of the grid retries it.
bool stopped_from_outside(int wait_status) {
  if (!WIFSIGNALED(wait_status)) return false;
  const int number = WTERMSIG(wait_status);
  return number == SIGKILL || number == SIGTERM || number == SIGINT || number == SIGHUP;
}

// Reads the store (where the child recorded its own end if it could) and records what
// the child could not: a crash, an out-of-memory kill, a stop.
CellEnd record_cell_end(db::Store& store, const RunningCell& cell, int wait_status, bool stopping, Progress& progress,
                        const std::string& prefix) {
  const auto run = store.find_run(cell.planned->hash);
  if (!run || run->attempt != cell.lease.attempt) {
    progress.line(fmt::format("{} was taken over by another runner while this one was stopped for longer than the "
                              "stale limit; its result is that runner's",
                              prefix));
    return CellEnd::taken_over;
  }
  const bool recorded = run->status != db::RunStatus::running;
  const int exit_code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
  if (exit_code == kExitOk && recorded && run->status == db::RunStatus::finished) return CellEnd::finished;
  if (stopping || exit_code == kExitInterrupted || stopped_from_outside(wait_status)) {
    if (!recorded) {
      const std::string message = "stopped by a signal (" + describe_wait_status(wait_status) + ")";
      store.end_run(cell.lease, db::RunStatus::killed, message, cell.child->tail());
      if (!stopping)
        progress.line(fmt::format("{} killed: {}; it runs again when the grid is resumed", prefix, message));
    }
    return CellEnd::killed;
  }
  if (!recorded) {
    // The child died without a word: a crash in a plugin, an abort.
    const std::string message = fmt::format("the cell's process ended with {}", describe_wait_status(wait_status));
    store.end_run(cell.lease, db::RunStatus::failed, message, cell.child->tail());
    progress.line(fmt::format("{} failed: {}", prefix, message));
  }
  return exit_code == kExitBadInput ? CellEnd::bad_input : CellEnd::failed;
}

// The parent beats for its children: a hung cell still counts as alive, a dead runner
// (and with it, its children) stops beating. A store locked for longer than its busy
// timeout (another program holding it) does not end the grid: the beat is tried again at
// the next interval, and only a run that stays unbeaten past the stale limit is lost.
void beat_for(std::vector<RunningCell>& running, db::Store& store, Progress& progress) {
  for (auto& cell : running) {
    try {
      store.heartbeat(cell.lease);
    } catch (const db::LostClaimError& e) {
      // Another runner owns the run now: this cell's work can never be recorded.
      progress.line(fmt::format("runner: warning: {}; stopping this runner's cell", e.what()));
      cell.child->signal(SIGTERM);
    } catch (const StoreError& e) {
      progress.line(fmt::format("runner: warning: {}; trying again", e.what()));
    }
  }
}

// More LibTorch threads than cores only make a cell's threads wait for each other: 4097
// threads turned a 1-second cell into minutes. At most the cores, or 16x them with
// --oversubscribe (which also keeps a mistyped 2^32 + k from wrapping to k).
void check_threads(const std::vector<const PlannedCell*>& cells, const RunnerOptions& options,
                   std::int64_t threads_per_cell, std::int64_t cores) {
  const std::int64_t limit = options.oversubscribe ? 16 * cores : cores;
  const auto refuse = [&](const std::string& what, std::int64_t threads) {
    throw ConfigError(fmt::format("{}: {} threads is more than {}{} ({} core(s) on this machine); {}", what, threads,
                                  limit, options.oversubscribe ? " (16x the cores)" : " (the cores)", cores,
                                  options.oversubscribe ? "lower it" : "lower it, or pass --oversubscribe"));
  };
  if (options.threads > limit) refuse("--threads", options.threads);
  for (const auto* planned : cells) {
    const std::int64_t threads = planned->cell.train.threads > 0 ? planned->cell.train.threads : threads_per_cell;
    if (threads > limit) refuse(fmt::format("{}, train.threads", planned->cell.label()), threads);
  }
}

}  // namespace

std::string store_path(const RunnerOptions& options) {
  if (!options.db.empty()) return options.db;
  const fs::path experiment(options.experiment);
  return (experiment.parent_path() / (experiment.stem().string() + ".db")).string();
}

int run_grid(const RunnerOptions& options) {
  if (options.wait_policy != "auto" && options.wait_policy != "spin" && options.wait_policy != "passive") {
    throw ConfigError(fmt::format("--wait-policy '{}': expected auto, spin or passive", options.wait_policy));
  }
  if (!(options.stale_after_seconds >= 1) || !std::isfinite(options.stale_after_seconds)) {
    throw ConfigError(fmt::format("--stale-after {}: must be at least 1 second (default 120)",
                                  options.stale_after_seconds));
  }
  keep_torch_single_threaded();  // cells are forked from this process (start_cell)
  // A plugin that crashes while the grid is planned is named, and nothing runs.
  report_plugin_crashes(CrashExit::bad_input);
  Experiment experiment = load_experiment(options.experiment, options.overrides);
  experiment.max_cells = options.max_cells;
  auto plan = plan_grid(std::move(experiment), options.plugin_dirs, /*validate_models=*/true);
  for (const auto& problem : plan->registry.problems()) std::cerr << "runner: warning: " << problem << "\n";
  const std::string db_path = store_path(options);
  // Optional because it is closed around every fork(): see start_cell.
  std::optional<db::Store> store(std::in_place, db_path);

  const Provenance provenance = collect_provenance(fs::path(options.experiment).parent_path());
  db::ClaimPolicy policy;
  policy.retry_failed = options.retry_failed;
  policy.force = options.force;
  policy.host = provenance.host;
  policy.stale_after_seconds = options.stale_after_seconds;
  const double heartbeat_every = std::min(kHeartbeatEverySeconds, options.stale_after_seconds / 4);
  const std::vector<const PlannedCell*> cells = shard_of(*plan, options.shard_index, options.shard_count);
  // Threads are split between the cells that run at once, unless the file fixes them.
  const auto cores = static_cast<std::int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  const std::int64_t jobs = std::max<std::int64_t>(1, options.jobs);
  const std::int64_t threads_per_cell = options.threads > 0 ? options.threads : std::max<std::int64_t>(1, cores / jobs);
  check_threads(cells, options, threads_per_cell, cores);
  const double log_every = progress_log_interval();  // a bad ABLATE_PROGRESS_EVERY stops the grid before it runs
  const std::string shard_text =
      options.shard_count > 1 ? fmt::format(", shard {}/{}", options.shard_index, options.shard_count) : "";

  if (options.dry_run) {
    std::size_t to_run = 0;
    std::cout << fmt::format("grid '{}' from {}: {} cells{}, store {}\n", plan->experiment.name,
                             plan->experiment.source, cells.size(), shard_text, db_path);
    for (const auto* planned : cells) {
      const auto existing = store->find_run(planned->hash);
      // The store's own claim policy: the dry run counts exactly the cells the grid would take.
      to_run += store->preview_claim(planned->hash, policy).outcome == db::ClaimOutcome::claimed;
      std::cout << fmt::format("  {:>4}  {}  {:<44}  {}\n", planned->cell.index + 1, planned->hash.substr(0, 12),
                               planned->cell.label(), describe_state(existing, policy));
    }
    std::cout << fmt::format("{} done, {} to run\n", cells.size() - to_run, to_run);
    return kExitOk;
  }

  const std::int64_t grid_id = store->add_grid(plan->experiment.name, plan->experiment.source, plan->experiment.text);
  install_stop_handlers();
  // From here plugin code runs in the cells' processes: a crash there is the cell's, and
  // the parent records it (record_cell_end).
  report_plugin_crashes(CrashExit::by_signal);

  Progress progress(cells.size(), options.quiet, log_every);
  // Decided once, before any cell of this grid adds to the load. libgomp reads the policy
  // when a process starts: cells that wait passively are fresh processes.
  bool fresh_processes = options.fresh_processes;
  if (options.wait_policy == "passive") {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    fresh_processes = true;
  } else if (options.wait_policy == "auto") {
    if (const auto note = wait_passively_if_cores_busy(cores)) {
      fresh_processes = true;
      if (!options.quiet) std::cerr << "runner: note: " << *note << "\n";
    }
  }
  std::deque<const PlannedCell*> pending(cells.begin(), cells.end());
  std::vector<RunningCell> running;
  std::size_t finished = 0, skipped = 0, failed = 0, killed = 0;
  std::size_t failed_before = 0;  // skipped because they failed in an earlier run
  bool bad_input = false;
  double finished_seconds = 0;
  auto last_heartbeat = Clock::now();
  std::optional<Clock::time_point> stop_since;

  while (!pending.empty() || !running.empty()) {
    const bool stopping = stop_requested().load() || bad_input;
    // Start cells while there is room.
    while (!stopping && !pending.empty() && static_cast<std::int64_t>(running.size()) < jobs) {
      const PlannedCell* planned = pending.front();
      pending.pop_front();
      const std::string prefix =
          fmt::format("[{}/{}] {}", planned->cell.index + 1, plan->cells.size(), planned->cell.label());
      const std::int64_t threads = planned->cell.train.threads > 0 ? planned->cell.train.threads : threads_per_cell;
      const db::RunClaim claim = make_claim(*plan, *planned, grid_id, provenance, threads);
      const db::ClaimResult claimed = store->claim_run(claim, policy);
      if (claimed.outcome != db::ClaimOutcome::claimed) {
        ++skipped;
        failed_before += claimed.outcome == db::ClaimOutcome::failed;
        progress.cell_done();
        const char* why = claimed.outcome == db::ClaimOutcome::finished ? "finished"
                          : claimed.outcome == db::ClaimOutcome::failed ? "failed before (--retry-failed runs it again)"
                                                                        : "running elsewhere";
        if (options.verbose || !options.quiet) progress.line(fmt::format("{} {}, skipped", prefix, why));
        continue;
      }
      if (!options.quiet)
        progress.line(fmt::format("{} started (run {}, {}, {} thread(s))", prefix, claimed.run_id,
                                  planned->hash.substr(0, 12), threads) +
                      (claimed.archived_run_id == 0
                           ? ""
                           : fmt::format("; its finished run {} is kept, archived", claimed.archived_run_id)));
      RunningCell cell;
      cell.planned = planned;
      cell.lease = claimed.lease();
      cell.started = Clock::now();
      cell.progress = "starting";
      try {
        cell.child =
            start_cell(options, fresh_processes, *plan, *planned, cell.lease, threads, claim.device, db_path, store);
      } catch (const std::exception& e) {
        store->end_run(cell.lease, db::RunStatus::failed, e.what());
        ++failed;
        progress.cell_done();
        progress.line(fmt::format("{} failed: {}", prefix, e.what()));
        continue;
      }
      running.push_back(std::move(cell));
    }
    if (running.empty()) break;

    // Wait for output from any child, at most a second.
    std::vector<pollfd> fds;
    for (const auto& cell : running) fds.push_back({cell.child->output_fd(), POLLIN, 0});
    poll(fds.data(), fds.size(), 1000);

    const auto now = Clock::now();
    for (auto& cell : running) {
      for (const auto& line : cell.child->read_lines()) {
        if (is_progress(line)) {
          read_progress(line, &cell);
        } else {
          progress.child_line(line);
        }
      }
    }
    if (seconds_between(last_heartbeat, now) >= heartbeat_every) {
      beat_for(running, *store, progress);
      last_heartbeat = now;
    }

    // Ctrl-C or SIGTERM: ask children to stop (they mark their runs killed), then insist.
    if (stop_requested().load() && !stop_since) {
      stop_since = now;
      for (const auto& cell : running) cell.child->signal(SIGTERM);
    } else if (stop_since && seconds_between(*stop_since, now) > kStopGraceSeconds) {
      for (const auto& cell : running) cell.child->signal(SIGKILL);
    }

    for (auto it = running.begin(); it != running.end();) {
      const auto status = it->child->try_wait();
      if (!status) {
        ++it;
        continue;
      }
      for (const auto& line : it->child->read_lines()) {
        if (!is_progress(line)) progress.child_line(line);
      }
      const std::string prefix =
          fmt::format("[{}/{}] {}", it->planned->cell.index + 1, plan->cells.size(), it->planned->cell.label());
      switch (record_cell_end(*store, *it, *status, stop_requested().load(), progress, prefix)) {
        case CellEnd::finished:
          ++finished;
          finished_seconds += seconds_between(it->started, now);
          break;
        case CellEnd::killed:
          ++killed;
          break;
        case CellEnd::bad_input:
          bad_input = true;
          ++failed;
          break;
        case CellEnd::failed:
          ++failed;
          break;
        case CellEnd::taken_over:
          ++skipped;
          break;
      }
      progress.cell_done();
      it = running.erase(it);
    }

    // ETA: from the mean time of the finished cells and the running cells' batches done.
    std::vector<CellProgress> cells_now;
    for (const auto& cell : running) cells_now.push_back({seconds_between(cell.started, now), cell.fraction});
    progress.status(running, grid_eta(finished, finished_seconds, cells_now, pending.size(), jobs));
  }
  progress.finish();

  std::cerr << fmt::format("grid '{}'{}: {} cells: {} finished now, {} skipped (done, failed before or running "
                           "elsewhere), {} failed, {} killed (store {})\n",
                           plan->experiment.name, shard_text, cells.size(), finished, skipped, failed, killed, db_path);
  if (killed > 0 || stop_requested().load()) {
    std::cerr << "runner: interrupted; run the same command again to resume\n";
    return kExitInterrupted;
  }
  if (bad_input) {
    std::cerr << "runner: error: a cell failed on its input data (see above); the remaining cells were not started\n";
    return kExitBadInput;
  }
  if (failed_before > 0) {
    std::cerr << fmt::format("runner: {} cell(s) failed in an earlier run and were skipped; run again with "
                             "--retry-failed to retry them (`report show RUN` shows why each failed)\n",
                             failed_before);
  }
  return failed > 0 || failed_before > 0 ? kExitRunFailed : kExitOk;
}

}  // namespace ablate
