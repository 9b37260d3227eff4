// The `report` commands, one add_NAME function each: it adds the command to the command
// line with its options and the action that runs it (cli.hpp says how to add one).
#pragma once

#include "cli.hpp"

namespace ablate::report {

void add_list(Cli& cli);     // the default: every run; also `report --compare A B`
void add_compare(Cli& cli);  // `report compare A B`
void add_table(Cli& cli);
void add_power(Cli& cli);
void add_show(Cli& cli);
void add_diff(Cli& cli);  // `report diff RUN RUN`
void add_curves(Cli& cli);
void add_confusion(Cli& cli);
void add_html(Cli& cli);
void add_merge(Cli& cli);
void add_arms(Cli& cli);     // the names --arm, compare and power take
void add_metrics(Cli& cli);  // the names --metric and --where take

// All of the above, in the order the completion menu lists them.
void add_commands(Cli& cli);

// The overview printed by `report --help` (and `report list --help`).
extern const char* const kOverview;

}  // namespace ablate::report
