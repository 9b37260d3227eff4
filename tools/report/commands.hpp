// The subcommands of `report`, each parsing its own options. Every one returns the exit
// status and throws UsageError (exit 2) for a bad command line.
#pragma once

#include <string>
#include <vector>

namespace ablate::report {

// args: the words after the subcommand's name (for `list`, every word of the line).
int run_list(const std::vector<std::string>& args);     // also `report --compare A B`
int run_compare(const std::vector<std::string>& args);  // `report compare A B`
int run_table(const std::vector<std::string>& args);
int run_show(const std::vector<std::string>& args);
int run_merge(const std::vector<std::string>& args);
int run_curves(const std::vector<std::string>& args);
int run_confusion(const std::vector<std::string>& args);
int run_html(const std::vector<std::string>& args);
int run_power(const std::vector<std::string>& args);

// The overview printed by `report --help`.
extern const char* const kOverview;

}  // namespace ablate::report
