// The sbatch script of `runner --emit-slurm`/`--slurm` (tools/runner/slurm.cpp): what goes
// into it is checked, and paths with spaces, quotes, '$', backticks and line breaks reach
// the runner exactly as given when bash runs the script (with a stand-in runner that
// records its arguments).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ablate/error.hpp"
#include "slurm.hpp"

namespace fs = std::filesystem;

namespace {

ablate::SlurmOptions valid_options() {
  ablate::SlurmOptions options;
  options.experiment = "/data/exp.yaml";
  options.results_dir = "/data/shards";
  options.runner_path = "/usr/bin/runner";
  return options;
}

void expect_refused(ablate::SlurmOptions options, const std::string& message_part) {
  try {
    ablate::validate_slurm_options(options, 10);
    FAIL() << "accepted; expected an error containing: " << message_part;
  } catch (const ablate::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos) << e.what();
  }
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The NUL-separated argument lists the stand-in runner recorded, one per call.
std::vector<std::vector<std::string>> recorded_calls(const fs::path& log) {
  std::vector<std::vector<std::string>> calls;
  std::istringstream in(read(log));
  std::vector<std::string> call;
  for (std::string arg; std::getline(in, arg, '\0');) {
    if (arg == "--end-of-call--") {
      calls.push_back(call);
      call.clear();
    } else {
      call.push_back(arg);
    }
  }
  return calls;
}

}  // namespace

TEST(SlurmOptions, ArraySizeFromCells) {
  auto options = valid_options();
  ablate::validate_slurm_options(options, 10);
  EXPECT_EQ(options.tasks, 10);  // one task a cell by default

  options = valid_options();
  options.cells_per_task = 3;
  ablate::validate_slurm_options(options, 10);
  EXPECT_EQ(options.tasks, 4);  // 3 + 3 + 3 + 1

  options = valid_options();
  options.tasks = 50;
  ablate::validate_slurm_options(options, 10);
  EXPECT_EQ(options.tasks, 10);  // never more tasks than cells
}

TEST(SlurmOptions, TimeLimits) {
  for (const char* time : {"30", "30:00", "04:00:00", "2-00", "2-12:00", "2-12:00:00", "UNLIMITED"}) {
    auto options = valid_options();
    options.time = time;
    EXPECT_NO_THROW(ablate::validate_slurm_options(options, 2)) << time;
  }
  for (const char* time : {"", "1 hour", "1h", "10\n#SBATCH --x", "1:00:00;id", "-1"}) {
    auto options = valid_options();
    options.time = time;
    expect_refused(options, "is not a Slurm time limit");
  }
}

TEST(SlurmOptions, RefusesWhatWouldBreakTheScript) {
  auto options = valid_options();
  options.partition = "gpu\nrm -rf ~";
  expect_refused(options, "--partition 'gpu\nrm -rf ~' is not a Slurm partition name");
  options.partition = "gpu a100";
  expect_refused(options, "is not a Slurm partition name");
  options.partition = "gpu,a100_long";
  EXPECT_NO_THROW(ablate::validate_slurm_options(options, 2));

  options = valid_options();
  options.cpus_per_task = -1;
  expect_refused(options, "--cpus-per-task -1 must be at least 1");
  options = valid_options();
  options.cpus_per_task = 0;
  expect_refused(options, "--cpus-per-task 0 must be at least 1");
  options = valid_options();
  options.gpus_per_task = -2;
  expect_refused(options, "--gpus-per-task -2 must be at least 0");
  options = valid_options();
  options.throttle = -1;
  expect_refused(options, "--throttle -1 must be at least 0");
  options = valid_options();
  options.tasks = 2;
  options.cells_per_task = 2;
  expect_refused(options, "give --tasks or --cells-per-task, not both");
  for (const char* arg : {"--account=a\n#!", "--account=a b", "account=a", "--", "-A x"}) {
    options = valid_options();
    options.sbatch_args = {arg};
    expect_refused(options, "must be one sbatch option without spaces");
  }
}

TEST(SlurmScript, HeaderLines) {
  auto options = valid_options();
  options.throttle = 3;
  options.partition = "long";
  options.time = "1-00:00:00";
  options.gpus_per_task = 1;
  options.requeue = true;
  options.grace_seconds = 90;
  options.sbatch_args = {"--account=proj42", "--qos=high", "--constraint=a100&ib"};
  ablate::validate_slurm_options(options, 7);
  const std::string script = ablate::slurm_script(options);
  for (const char* line : {"#SBATCH --array=0-6%3\n", "#SBATCH --partition=long\n", "#SBATCH --time=1-00:00:00\n",
                           "#SBATCH --gpus-per-task=1\n", "#SBATCH --requeue\n", "#SBATCH --signal=B:TERM@90\n",
                           "#SBATCH --account=proj42\n", "#SBATCH --qos=high\n", "#SBATCH --constraint=a100&ib\n"}) {
    EXPECT_NE(script.find(line), std::string::npos) << line << "not in:\n" << script;
  }
  options.grace_seconds = 0;
  EXPECT_EQ(ablate::slurm_script(options).find("--signal"), std::string::npos);
}

// Runs the script under bash as Slurm would start task 1 of 2, with a stand-in runner.
TEST(SlurmScript, OddPathsReachTheRunnerUnchanged) {
  const fs::path root = fs::temp_directory_path() / ("slurm_script_test-" + std::to_string(getpid()));
  fs::remove_all(root);
  const std::string odd = "odd 'quote' \"double\" $HOME `id` $(id) %x ;|&\n\tend";
  const fs::path folder = root / odd;
  fs::create_directories(folder);
  const fs::path log = root / "calls.log";
  const fs::path runner = folder / "runner";
  {
    std::ofstream stand_in(runner);
    // Records its arguments; creates the store it is given with --db, as the runner does.
    stand_in << "#!/usr/bin/env bash\nprintf '%s\\0' \"$@\" --end-of-call-- >> \"$CALLS_LOG\"\n"
                "previous=\nfor arg in \"$@\"; do [[ $previous == --db ]] && : > \"$arg\"; previous=$arg; done\n";
  }
  fs::permissions(runner, fs::perms::owner_all);

  ablate::SlurmOptions options;
  options.experiment = (folder / "exp.yaml").string();
  options.overrides = {"train.note=it's $HOME"};
  options.plugin_dirs = {(folder / "plugins").string()};
  options.runner_args = {"--retry-failed"};
  options.results_dir = (folder / "results").string();
  options.runner_path = runner.string();
  options.tasks = 2;
  options.jobs = 2;  // two cells at once share the task's 5 CPUs: 2 threads each
  ablate::validate_slurm_options(options, 4);
  const fs::path script = root / "job.sh";
  {
    std::ofstream out(script);
    out << ablate::slurm_script(options);
  }
  const fs::path node_tmp = root / "node tmp";
  fs::create_directories(node_tmp);
  const std::string command = "cd '" + root.string() + "' && CALLS_LOG='" + log.string() +
                              "' SLURM_ARRAY_TASK_ID=1 SLURM_CPUS_PER_TASK=5 TMPDIR='" + node_tmp.string() +
                              "' bash job.sh > job.out 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << read(root / "job.out");

  const auto calls = recorded_calls(log);
  ASSERT_EQ(calls.size(), 2u) << read(root / "job.out");  // the grid, then saving the shard
  const auto& run = calls[0];
  ASSERT_EQ(run.size(), 13u);
  EXPECT_EQ(run[0], options.experiment);
  EXPECT_EQ(run[1], options.overrides[0]);
  EXPECT_EQ(run[2], "--plugins");
  EXPECT_EQ(run[3], options.plugin_dirs[0]);
  EXPECT_EQ(run[4], "--retry-failed");
  EXPECT_EQ(run[5], "--shard");
  EXPECT_EQ(run[6], "1/2");
  EXPECT_EQ(run[7], "--db");
  const std::string local_store = run[8];
  EXPECT_EQ(local_store.rfind(node_tmp.string() + "/ablate-shard-1.", 0), 0u) << local_store;
  EXPECT_EQ(run[9], "--jobs");
  EXPECT_EQ(run[10], "2");
  EXPECT_EQ(run[11], "--threads");
  EXPECT_EQ(run[12], "2");
  const auto& save = calls[1];
  ASSERT_EQ(save.size(), 3u);
  EXPECT_EQ(save[0], "--copy-store");
  EXPECT_EQ(save[1], local_store);
  EXPECT_EQ(save[2], options.results_dir + "/shard-1.db");
  EXPECT_TRUE(fs::is_directory(options.results_dir));
  fs::remove_all(root);
}
