// runner's command line: its subcommands, their options and help, parsed with CLI11.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run_cell.hpp"
#include "run_grid.hpp"
#include "slurm.hpp"

namespace ablate {

// What the command line asks for. `runner EXPERIMENT.yaml ...` (no subcommand) is `run`,
// as are the older spellings of each subcommand (--list-plugins, --describe ...).
enum class Command { run, plugins, describe, evaluate, copy_store };

struct CommandLine {
  Command command = Command::run;
  RunnerOptions run;  // run: the experiment, its overrides, --db, --jobs ... (and --plugins for all)
  std::string shard = "0/1";
  SlurmOptions slurm;
  bool slurm_loop = false;  // --slurm
  std::string emit_slurm;   // --emit-slurm FILE
  double poll_seconds = 5;  // --slurm: between two squeue calls (hidden; tests shorten it)
  CellOptions cell;         // a cell process started by the grid loop: --cell HASH --run-id N ...
  // describe
  std::string model;
  std::string model_options = "{}";
  std::int64_t resolution = 64;
  std::int64_t channels = 3;
  std::int64_t classes = 8;
  // evaluate
  std::string run_reference;
  // copy-store
  std::vector<std::string> stores;  // FROM TO
};

// Parses argv into `line`. Returns an exit status when the command is done already: --help
// and --version (0), `__complete -- WORD...` (0: cli_complete.hpp), or bad usage (2, with a
// message on stderr). Returns nothing when `line` says what to do.
std::optional<int> parse_command_line(int argc, char** argv, CommandLine& line);

}  // namespace ablate
