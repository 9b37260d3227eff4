// What `report` says about a name the store does not have (an arm, a metric, a dataset)
// or a store file that does not exist: the nearest name (ablate::did_you_mean) and either
// every name, when there are few, or the nearest few and the command that lists them all.
#pragma once

#include <string>
#include <vector>

namespace ablate::report {

// "unknown arm 'basline' in runs.db (did you mean 'baseline'?): the arms are baseline, wide";
// with more than a dozen names: "... the nearest of its 152 metrics are test.accuracy,
// val.accuracy, test.auc; `report metrics --db runs.db` lists them all". `what`: "arm";
// `list_command`: the report command that lists every name ("metrics"), or "" for none.
std::string unknown_name(const std::string& what, const std::string& word, const std::vector<std::string>& names,
                         const std::string& store_path, const std::string& list_command = "");

// "unknown --format 'jsn' (did you mean 'json'?): expected one of table, markdown, ...":
// a value outside an option's fixed `choices`.
std::string unknown_choice(const std::string& option, const std::string& value,
                           const std::vector<std::string>& choices);

// `names` ordered from the nearest to `word` (edit distance) to the farthest; ties keep
// their order.
std::vector<std::string> nearest_first(const std::string& word, std::vector<std::string> names);

// " (did you mean 'NAME'?)" for the name of `names` nearest to `word`, if within two
// edits (ablate::did_you_mean), else "".
std::string nearest_hint(const std::string& word, const std::vector<std::string>& names);

// Returns `path` if it exists. If not, and a *.db in its folder is within two edits of
// it, UsageError "no store at runs.bd (did you mean 'runs.db'?)"; else `path`, for the
// store to say what it says about a missing file.
const std::string& existing_store(const std::string& path);

}  // namespace ablate::report
