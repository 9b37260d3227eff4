// Submit, follow, merge: the `--slurm` loop (slurm_submit.hpp).
#include "slurm_submit.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "ablate/error.hpp"
#include "merge.hpp"
#include "run_grid.hpp"
#include "store.hpp"

extern char** environ;

namespace ablate {

namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int status = -1;     // exit code; -1 when it could not start or died of a signal
  std::string output;  // standard output and error together
};

// Runs a command found on PATH (no shell: arguments go through as they are).
CommandResult run_command(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe(fds) != 0) throw Error(fmt::format("cannot run {}: no pipe", argv[0]));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  CommandResult result;
  if (spawned != 0) {
    close(fds[0]);
    result.output = fmt::format("cannot run {}: {}", argv[0], std::strerror(spawned));
    return result;
  }
  char buffer[4096];
  ssize_t n = 0;
  while ((n = read(fds[0], buffer, sizeof buffer)) != 0) {
    if (n > 0) result.output.append(buffer, static_cast<std::size_t>(n));
    else if (errno != EINTR) break;
  }
  close(fds[0]);
  int wait_status = 0;
  while (waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(wait_status)) result.status = WEXITSTATUS(wait_status);
  return result;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// squeue failures in a row before following gives up (slurmctld restarting, say).
constexpr int kSqueueAttempts = 5;

// Ctrl-C while following: stop following, leave the job alone.
std::atomic<bool> g_stop_following{false};
extern "C" void on_interrupt(int) { g_stop_following.store(true); }

// What a task's output says of its cells (the runner's own lines, see run_grid.cpp and
// run_cell.cpp: "[i/N] label started (run ...", "label finished: ...", "label killed: ...",
// "[i/N] label finished, skipped"). For the progress display only: the summary at the end
// counts the merged store.
struct TaskCells {
  int finished = 0;
  int failed = 0;
  int killed = 0;
  int started = 0;
  int running() const { return std::max(0, started - finished - failed - killed); }
  bool operator!=(const TaskCells& o) const {
    return finished != o.finished || failed != o.failed || killed != o.killed || started != o.started;
  }
};

TaskCells read_task_log(const fs::path& log) {
  TaskCells cells;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    if (line.find(" started (run ") != std::string::npos) {
      ++cells.started;
    } else if (line.find(" finished: ") != std::string::npos) {
      ++cells.finished;
    } else if (line.find(" finished, skipped") != std::string::npos) {
      ++cells.finished;
      ++cells.started;
    } else if (line.find(" failed: ") != std::string::npos) {
      ++cells.failed;
    } else if (line.find(" killed: ") != std::string::npos) {
      ++cells.killed;
    }
  }
  return cells;
}

// sbatch's output file names treat '%' as a pattern: a literal one is "%%".
std::string escape_percent(const std::string& path) {
  std::string escaped;
  for (const char c : path) escaped += c == '%' ? std::string("%%") : std::string(1, c);
  return escaped;
}

// Task index -> state ("PENDING", "RUNNING"...) of the array's tasks still in the queue;
// nullopt once the job is gone from it.
std::optional<std::map<std::int64_t, std::string>> queued_tasks(const std::string& job_id, std::int64_t tasks) {
  const CommandResult squeue = run_command({"squeue", "--noheader", "--array", "--jobs", job_id, "--format", "%i %T"});
  if (squeue.status != 0) {
    // A finished job is purged from squeue's memory after a while (MinJobAge).
    if (squeue.output.find("Invalid job id") != std::string::npos) return std::nullopt;
    throw Error(fmt::format("squeue failed while following job {}: {}", job_id, squeue.output));
  }
  std::map<std::int64_t, std::string> states;
  for (const auto& line : lines_of(squeue.output)) {
    std::istringstream fields(line);
    std::string id, state;
    fields >> id >> state;
    const auto underscore = id.find('_');
    if (underscore == std::string::npos) continue;
    const std::string index = id.substr(underscore + 1);
    if (!index.empty() && index[0] == '[') {
      // Tasks not started yet are shown as one line: 12_[3-7%2] or 12_[3,5].
      std::string range = index.substr(1, index.find_first_of("%]") - 1);
      std::istringstream parts(range);
      for (std::string part; std::getline(parts, part, ',');) {
        const auto dash = part.find('-');
        const std::int64_t first = std::stoll(part.substr(0, dash));
        const std::int64_t last = dash == std::string::npos ? first : std::stoll(part.substr(dash + 1));
        for (std::int64_t i = first; i <= last && i < tasks; ++i) states[i] = state;
      }
    } else {
      states[std::stoll(index)] = state;
    }
  }
  if (states.empty()) return std::nullopt;
  return states;
}

std::string task_line(std::int64_t task, const std::string& state, const TaskCells& cells) {
  return fmt::format("  task {:<3} {:<10} cells: {} finished, {} failed, {} killed, {} running", task, state,
                     cells.finished, cells.failed, cells.killed, cells.running());
}

}  // namespace

int submit_and_follow(const SlurmOptions& slurm, const SlurmFollowOptions& follow) {
  const fs::path results = slurm.results_dir;
  const fs::path logs = results / "logs";
  fs::create_directories(logs);
  const fs::path script = results / "ablate-array.sbatch";
  {
    std::ofstream out(script);
    out << slurm_script(slurm);
    if (!out) throw ConfigError(fmt::format("cannot write {}", script.string()));
  }
  const std::string output_pattern = escape_percent(logs.string()) + "/slurm-%A_%a.out";
  const CommandResult sbatch = run_command({"sbatch", "--parsable", "--output=" + output_pattern, script.string()});
  std::string job_id;
  for (const auto& line : lines_of(sbatch.output)) {
    const std::string id = line.substr(0, line.find(';'));  // "12" or "12;cluster"
    if (!id.empty() && id.find_first_not_of("0123456789") == std::string::npos) job_id = id;
  }
  if (sbatch.status == -1 && sbatch.output.rfind("cannot run", 0) == 0) {
    throw ConfigError(fmt::format("{} (is this a Slurm login node? `runner --emit-slurm FILE` writes the script "
                                  "without submitting it)",
                                  sbatch.output));
  }
  if (sbatch.status != 0 || job_id.empty()) {
    throw ConfigError(fmt::format("sbatch refused {}: {}", script.string(), sbatch.output));
  }
  std::cerr << fmt::format("submitted job {}: {} array tasks; script {}, task output in {}\n", job_id, slurm.tasks,
                           script.string(), logs.string());
  std::cerr << fmt::format("following it (Ctrl-C stops following; the job goes on: cancel it with `scancel {}`)\n",
                           job_id);

  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  struct sigaction previous {};
  sigaction(SIGINT, &action, &previous);

  std::map<std::int64_t, std::string> shown_state;
  std::map<std::int64_t, TaskCells> shown_cells;
  const auto log_of = [&](std::int64_t task) { return logs / fmt::format("slurm-{}_{}.out", job_id, task); };
  bool done = false;
  int squeue_failures = 0;
  while (!g_stop_following.load()) {
    std::optional<std::map<std::int64_t, std::string>> queued;
    try {
      queued = queued_tasks(job_id, slurm.tasks);
      squeue_failures = 0;
    } catch (const Error& e) {
      // Ctrl-C reaches squeue too; and a busy slurmctld times out now and then.
      if (g_stop_following.load()) break;
      if (++squeue_failures >= kSqueueAttempts) throw;
      std::cerr << "runner: warning: " << e.what() << " (trying again)\n";
      std::this_thread::sleep_for(std::chrono::duration<double>(follow.poll_seconds));
      continue;
    }
    done = !queued;
    for (std::int64_t task = 0; task < slurm.tasks; ++task) {
      std::string state = "done";
      if (queued) {
        const auto it = queued->find(task);
        if (it != queued->end()) state = it->second;
      }
      const TaskCells cells = read_task_log(log_of(task));
      if (shown_state[task] != state || shown_cells[task] != cells) {
        std::cerr << task_line(task, state, cells) << "\n";
        shown_state[task] = state;
        shown_cells[task] = cells;
      }
    }
    if (done) break;
    for (int tick = 0; tick < static_cast<int>(follow.poll_seconds * 10) && !g_stop_following.load(); ++tick) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  sigaction(SIGINT, &previous, nullptr);
  const std::string merge_hint =
      fmt::format("report merge {} {}/shard-*.db", shell_quote(follow.store), shell_quote(results.string()));
  if (!done) {
    std::cerr << fmt::format("stopped following job {}; it goes on. Cancel it with `scancel {}`; when it is done, "
                             "merge its shards with `{}`\n",
                             job_id, job_id, merge_hint);
    return kExitInterrupted;
  }

  std::vector<std::string> shards;
  for (std::int64_t task = 0; task < slurm.tasks; ++task) {
    const fs::path shard = results / fmt::format("shard-{}.db", task);
    if (fs::exists(shard)) {
      shards.push_back(shard.string());
    } else {
      std::cerr << fmt::format("runner: warning: task {} left no shard; see {}\n", task, log_of(task).string());
    }
  }
  if (!shards.empty()) {
    for (const auto& summary : report::merge_stores(follow.store, shards)) std::cerr << summary << "\n";
  }

  // What the experiment's store now holds for this grid's cells.
  std::map<std::string, db::RunStatus> status_of;
  {
    const db::Store store(follow.store, db::OpenMode::read_write);
    for (const auto& run : store.list_runs()) status_of[run.config_hash] = run.status;
  }
  std::size_t finished = 0, failed = 0, missing = 0;
  for (const auto& hash : follow.hashes) {
    const auto it = status_of.find(hash);
    if (it == status_of.end() || (it->second != db::RunStatus::finished && it->second != db::RunStatus::failed)) {
      ++missing;
    } else if (it->second == db::RunStatus::finished) {
      ++finished;
    } else {
      ++failed;
    }
  }
  std::cerr << fmt::format("job {} done: {} cells: {} finished, {} failed, {} not finished (store {})\n", job_id,
                           follow.hashes.size(), finished, failed, missing, follow.store);
  if (missing > 0) {
    std::cerr << "runner: some cells did not finish (cancelled, timed out or preempted); run the same command again "
                 "to resume them\n";
    return kExitInterrupted;
  }
  return failed > 0 ? kExitRunFailed : kExitOk;
}

}  // namespace ablate
