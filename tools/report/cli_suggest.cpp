// Suggestions for a mistyped name or store file.
#include "cli_suggest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "api/did_you_mean.hpp"
#include "usage_error.hpp"

namespace ablate::report {

namespace {

// More names than this are not listed in an error: the nearest few are.
constexpr std::size_t kMaxListed = 12;
constexpr std::size_t kNearestShown = 3;

}  // namespace

std::vector<std::string> nearest_first(const std::string& word, std::vector<std::string> names) {
  std::stable_sort(names.begin(), names.end(), [&word](const std::string& a, const std::string& b) {
    return edit_distance(word, a) < edit_distance(word, b);
  });
  return names;
}

std::string nearest_hint(const std::string& word, const std::vector<std::string>& names) {
  // did_you_mean names the last candidate within two edits: with the nearest last, the nearest.
  const std::vector<std::string> nearest = nearest_first(word, names);
  return did_you_mean(word, std::vector<std::string>(nearest.rbegin(), nearest.rend()));
}

std::string unknown_name(const std::string& what, const std::string& word, const std::vector<std::string>& names,
                         const std::string& store_path, const std::string& list_command) {
  const std::vector<std::string> nearest = nearest_first(word, names);
  const std::string head = fmt::format("unknown {} '{}' in {}{}", what, word, store_path, nearest_hint(word, names));
  if (names.size() <= kMaxListed) return fmt::format("{}: the {}s are {}", head, what, fmt::join(names, ", "));
  const std::vector<std::string> few(nearest.begin(), nearest.begin() + kNearestShown);
  std::string text =
      fmt::format("{}: the nearest of its {} {}s are {}", head, names.size(), what, fmt::join(few, ", "));
  if (!list_command.empty()) text += fmt::format("; `report {} --db {}` lists them all", list_command, store_path);
  return text;
}

std::string unknown_choice(const std::string& option, const std::string& value,
                           const std::vector<std::string>& choices) {
  return fmt::format("unknown {} '{}'{}: expected one of {}", option, value, nearest_hint(value, choices),
                     fmt::join(choices, ", "));
}

const std::string& existing_store(const std::string& path) {
  std::error_code error;
  if (std::filesystem::exists(path, error) || error) return path;
  const std::filesystem::path typed(path);
  const std::filesystem::path folder = typed.has_parent_path() ? typed.parent_path() : std::filesystem::path(".");
  std::vector<std::string> stores;  // as they would be typed: in the folder typed
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    if (entry.path().extension() == ".db") stores.push_back((typed.parent_path() / entry.path().filename()).string());
  }
  std::sort(stores.begin(), stores.end());
  const std::string suggestion = nearest_hint(path, stores);
  if (suggestion.empty()) return path;
  throw UsageError(fmt::format("no store at {}{}", path, suggestion));
}

}  // namespace ablate::report
