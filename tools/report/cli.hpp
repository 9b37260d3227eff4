// report's command line: one CLI11 subcommand per command, each added by one function
// (commands.cpp) that declares its options and the action that runs it.
//
// Adding a command: write `void add_NAME(Cli& cli)` that calls cli.add_command(...) and
// declares options on the CLI::App it returns (the helpers in cli_options.hpp add the
// shared ones), and call it from add_commands() in commands.cpp. Its --help, --version,
// "did you mean" for a misspelt option and shell completion follow from the declaration:
// an option's type_name says what completes its value (cli_options.hpp: kStore, kArm ...).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ablate::report {

// What the command line gave one subcommand, by option name ("--db", or a positional's
// name such as "run"): the option's value if given, else its declared default.
class Values {
 public:
  explicit Values(const CLI::App& command) : command_(&command) {}
  const CLI::App& command() const { return *command_; }
  bool has(const std::string& name) const { return command_->get_option(name)->count() != 0; }
  template <typename T>
  T get(const std::string& name) const {
    return command_->get_option(name)->as<T>();
  }
  // The words given to a positional or a repeatable option; empty when none.
  std::vector<std::string> list(const std::string& name) const {
    return has(name) ? get<std::vector<std::string>>(name) : std::vector<std::string>{};
  }

 private:
  const CLI::App* command_;
};

// Runs a command once its line is parsed; returns the exit status. Throws UsageError
// (exit 2) for a bad request.
using Action = std::function<int(const Values&)>;

class Cli {
 public:
  Cli();

  // Adds `report NAME`. `summary`: its line in the shell's completion menu; `help`: what
  // `report NAME --help` prints above the options (usage, then what it does). Every
  // command gets -h/--help and --version.
  CLI::App& add_command(const std::string& name, const std::string& summary, const std::string& help, Action action);

  // Parses argv and runs the command it names (`list` when it names none). The command
  // word may stand anywhere: `report --db x table` is `report table --db x`.
  int run(int argc, const char* const* argv);

  const CLI::App& app() const { return app_; }
  // The commands in the order they were added, without hidden ones (`__complete`).
  std::vector<const CLI::App*> commands() const;

 private:
  // Moves the command word to the front (or puts `list` there); UsageError, with the
  // nearest command, for a word that names none.
  void put_command_first(std::vector<std::string>& args) const;
  // CLI11 leaves unknown options and stray words to us (allow_extras), so that the error
  // names the nearest option.
  void refuse_extras(const CLI::App& command) const;

  CLI::App app_;
  std::map<const CLI::App*, Action> actions_;
};

// The exit statuses: 2 is also that of a store that cannot be read.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

}  // namespace ablate::report
