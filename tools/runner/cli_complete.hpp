// `runner __complete -- WORD...`: what the shell completions (tools/completion/runner.bash
// and _runner) ask, and the note that points at runs.db's earlier runs.
//
// The words are those after `runner` up to the cursor, the last one the word being
// completed (maybe empty). The answer reads the CLI11 app that parses the command line
// (cli.cpp), so a subcommand or option added there completes without touching the scripts.
// It prints one candidate a line, "VALUE<TAB>DESCRIPTION", only those that start with the
// word; and directives the shell answers itself: ":experiments" (*.yaml, *.yml files and
// folders), ":stores" (*.db files and folders), ":files", ":dirs". Model names come from
// the plugins found (with the --plugins on the line), run ids from the store --db names.
// Never fails: a completion has no one to tell.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "run_grid.hpp"

namespace ablate {

struct Completion {
  std::string value;
  std::string description;
};

// The candidates for the last of `words` (the words after `runner`).
std::vector<Completion> complete(const CLI::App& app, const std::vector<std::string>& words);

// With the default store (EXPERIMENT.db) not there yet, but runs of the experiment's grid in
// runs.db next to it (the default store before each experiment had its own): a note that
// says where they are and how to go on with them.
std::optional<std::string> earlier_store_note(const RunnerOptions& options);

}  // namespace ablate
