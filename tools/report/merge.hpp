// `report merge OUT.db IN.db...`: combines the stores of a grid's shards into one.
#pragma once

#include <string>
#include <vector>

namespace ablate::report {

// Creates OUT (through db::Store, so it gets the schema) if needed, then copies each input
// in one transaction: live runs matched by config hash (new ones inserted; an unfinished
// run in OUT replaced by a finished incoming one; otherwise OUT's kept), with their epochs,
// metrics, matrices and predictions under remapped ids; grids matched by name,
// experiment, spec and creation time; grid_runs remapped. A run matches the same run in
// OUT (config hash and start time, archived or not) first; an archived run is otherwise
// added, archived. Tags and notes are merged (OUT's win where both have one). The
// checkpoint of each run added or replaced comes along, from IN.db.artifacts/ into
// OUT.db.artifacts/ (same relative path; an archived run's under OUT's id), so that
// `runner --evaluate` works on OUT. Idempotent. Inputs must have OUT's schema version.
// Returns one summary line per input.
std::vector<std::string> merge_stores(const std::string& out, const std::vector<std::string>& inputs);

}  // namespace ablate::report
