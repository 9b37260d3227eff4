// report: reads a run store; dispatches to the subcommands in commands.cpp.
#include <fmt/format.h>

#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "ablate/error.hpp"
#include "commands.hpp"
#include "usage_error.hpp"

namespace {

constexpr int kExitFailure = 1;  // a bug or an unexpected failure
constexpr int kExitUsage = 2;    // a bad command line, or a store we cannot read

using Command = int (*)(const std::vector<std::string>&);

const std::vector<std::pair<std::string, Command>>& commands() {
  static const std::vector<std::pair<std::string, Command>> table = {
      {"list", ablate::report::run_list},     {"compare", ablate::report::run_compare},
      {"table", ablate::report::run_table},   {"show", ablate::report::run_show},
      {"curves", ablate::report::run_curves}, {"confusion", ablate::report::run_confusion},
      {"html", ablate::report::run_html},     {"merge", ablate::report::run_merge},
      {"power", ablate::report::run_power}};
  return table;
}

// Options that take one value: their value is never a subcommand's name.
bool takes_value(const std::string& option) {
  static const char* const kOptions[] = {
      "--db",     "--format", "--arm",    "--dataset", "--resolution", "--status",         "--grid",  "--where", "--by",
      "--series", "--split",  "--output", "-o",        "--bootstrap",  "--bootstrap-seed", "--power", "--alpha"};
  for (const char* name : kOptions) {
    if (option == name) return true;
  }
  return false;
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // The first word that is neither an option nor an option's value names the subcommand
  // (`report table --db x` and `report --db x table` alike); none means `list`. Words
  // after --compare or --metric are arms and metrics, so the search stops there.
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--compare" || word == "--metric") break;
    if (!word.empty() && word[0] == '-') {
      if (takes_value(word)) ++i;
      continue;
    }
    for (const auto& [name, command] : commands()) {
      if (word == name) {
        std::vector<std::string> rest = args;
        rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(i));
        return command(rest);
      }
    }
    if (i == 0) {
      std::vector<std::string> names;
      for (const auto& entry : commands()) names.push_back(entry.first);
      throw ablate::report::UsageError(fmt::format("unknown command '{}': expected one of {}", word,
                                                   fmt::join(names, ", ")));
    }
    break;
  }
  return ablate::report::run_list(args);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const ablate::report::UsageError& e) {
    std::cerr << "report: error: " << e.what() << '\n';
    return kExitUsage;
  } catch (const ablate::Error& e) {
    std::cerr << "report: error: " << e.what() << '\n';
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "report: error: " << e.what() << '\n';
    return kExitFailure;
  }
}
