// What the shell completion and the first run of an experiment need from plugins and stores.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "run_grid.hpp"

namespace ablate {

// `runner __complete models|runs ...`: prints "NAME\tHELP" lines for the shell completion
// (tools/completion/): the model plugins found, or the runs of --db. Prints nothing for a
// store that cannot be read: a completion has no one to tell.
int print_plugin_and_run_completions(const std::vector<std::string>& words, const RunnerOptions& options);

// With the default store (EXPERIMENT.db) not there yet, but runs of the experiment's grid in
// runs.db next to it (the default store before each experiment had its own): a note that
// says where they are and how to go on with them.
std::optional<std::string> earlier_store_note(const RunnerOptions& options);

}  // namespace ablate
