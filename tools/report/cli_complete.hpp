// `report __complete -- WORD...`: what the shell completions (tools/completion/report.bash
// and _report) ask. The words are those after `report` up to the cursor, the last one the
// word being completed (maybe empty). The answer reads the command line's own declaration
// (cli.hpp), so a command or option added there completes without touching the scripts.
//
// It prints one candidate a line, "VALUE<TAB>DESCRIPTION" (the description may be empty),
// only those that start with the word being completed; or one line ":files" (complete
// any file name) or ":stores" (*.db files and folders): the shell does those itself.
// Arms, metrics, run ids and configuration keys come from the store --db names on the
// line (default runs.db); a store that cannot be read gives none. Never fails.
#pragma once

#include <string>
#include <vector>

#include "cli.hpp"

namespace ablate::report {

// Adds the hidden command `__complete` (not in --help, nor in the completions).
void add_completion(Cli& cli);

struct Completion {
  std::string value;
  std::string description;
};

// The candidates for the last of `words` (the words after `report`); a ":files" or
// ":stores" directive is a Completion with that value.
std::vector<Completion> complete(const Cli& cli, const std::vector<std::string>& words);

}  // namespace ablate::report
