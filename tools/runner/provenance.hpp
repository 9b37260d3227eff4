// Where a run happened: host and the git state of the experiment's repository.
#pragma once

#include <filesystem>
#include <string>

namespace ablate {

struct Provenance {
  std::string host;
  std::string git_commit;  // "" outside a git work tree
  bool git_dirty = false;
};

// `directory`: the experiment file's folder, whose repository is the one that matters.
Provenance collect_provenance(const std::filesystem::path& directory);

}  // namespace ablate
