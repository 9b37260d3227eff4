// "(did you mean 'x'?)" for a misspelt key, option or value: experiment keys and choices
// (config/yaml_reading.cpp) and plugin options (api/options.cpp) suggest alike.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace ablate {

// Levenshtein distance: insertions, deletions and substitutions.
inline std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// " (did you mean 'CANDIDATE'?)" for the candidate nearest to `word` within two edits (of
// equally near ones, the last), or "" when none is that close.
template <typename Candidates>
std::string did_you_mean(const std::string& word, const Candidates& candidates) {
  std::string hint;
  std::size_t nearest = 3;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance <= nearest) {
      nearest = distance;
      hint = fmt::format(" (did you mean '{}'?)", candidate);
    }
  }
  return hint;
}

}  // namespace ablate
