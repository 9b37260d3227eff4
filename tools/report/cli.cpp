// report's command line on CLI11: commands, their help, and the errors of a bad line.
#include "cli.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <optional>
#include <utility>

#include "ablate_version.hpp"
#include "cli_suggest.hpp"
#include "store.hpp"
#include "usage_error.hpp"

namespace ablate::report {

namespace {

// `report NAME --help`: the command's own text (usage, then what it does), then its
// arguments and options, as `report` has always printed them.
class CommandHelp : public CLI::Formatter {
 public:
  explicit CommandHelp(std::string text) : text_(std::move(text)) {}

  std::string make_help(const CLI::App* app, std::string /*name*/, CLI::AppFormatMode mode) const override {
    // CLI11 starts each section with a blank line of its own.
    return text_ + "\n" + make_positionals(app) + make_groups(app, mode) + "\n";
  }

  // "--db STORE (=runs.db)", "--metric METRIC ...": what the value is, and its default.
  std::string make_option_opts(const CLI::Option* option) const override {
    if (option->get_items_expected_max() == 0) return "";  // a flag
    std::string text = " " + option->get_type_name();
    if (!option->get_default_str().empty()) text += " (=" + option->get_default_str() + ")";
    if (option->get_expected_max() > 1) text += " ...";
    return text;
  }

 private:
  std::string text_;
};

std::string version_text() {
  // A store of another schema is refused (db::Store), so this says which stores it reads.
  return fmt::format("report {} (store schema {})", ablate_version(), db::current_schema_version());
}

// `report table` for table, `report` for the default command: what --help is asked of.
std::string spelled(const CLI::App& command) {
  return command.get_name() == "list" ? "report" : "report " + command.get_name();
}

// How many words after `word` are its values: 0 for a flag, an unknown option or
// --name=value; 2 or more for an option that takes a list (--compare A B). An option may
// be abbreviated (expand_abbreviations): --comp takes what --compare takes.
int values_after(const CLI::App& app, const std::string& word) {
  if (word.find('=') != std::string::npos) return 0;
  std::optional<int> values;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (const CLI::Option* option = command->get_option_no_throw(word)) return option->get_items_expected_max();
    for (const CLI::Option* option : command->get_options()) {
      for (const auto& long_name : option->get_lnames()) {
        if (word.size() < 3 || ("--" + long_name).compare(0, word.size(), word) != 0) continue;
        if (values && *values != option->get_items_expected_max()) return 0;  // ambiguous
        values = option->get_items_expected_max();
      }
    }
  }
  return values.value_or(0);
}

// Boost.Program_options, which read report's line before CLI11, took any unambiguous
// start of a long option (--comp for --compare): such lines keep working. args[0] is the
// command; an option's value is left alone, whatever it looks like.
void expand_abbreviations(const CLI::App& command, std::vector<std::string>& args) {
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string& word = args[i];
    if (word == "--") return;
    if (word.size() < 3 || word.compare(0, 2, "--") != 0) continue;
    const auto equals = word.find('=');
    const std::string name = word.substr(0, equals);
    const CLI::Option* option = command.get_option_no_throw(name);
    if (option == nullptr) {
      std::vector<const CLI::Option*> longer;
      std::string full_name;
      for (const CLI::Option* candidate : command.get_options()) {
        for (const auto& long_name : candidate->get_lnames()) {
          if (("--" + long_name).compare(0, name.size(), name) != 0) continue;
          longer.push_back(candidate);
          full_name = "--" + long_name;
        }
      }
      if (longer.size() != 1) continue;  // unknown or ambiguous: refuse_extras says which
      option = longer.front();
      word = full_name + (equals == std::string::npos ? "" : word.substr(equals));
    }
    if (equals == std::string::npos && option->get_items_expected_max() == 1) ++i;  // its value
  }
}

}  // namespace

Cli::Cli() : app_("report: reads an Ablate run store", "report") {
  app_.require_subcommand(1);  // put_command_first makes sure there is one
  app_.allow_extras();         // refuse_extras words the error
}

CLI::App& Cli::add_command(const std::string& name, const std::string& summary, const std::string& help,
                           Action action) {
  CLI::App* command = app_.add_subcommand(name, summary);
  command->formatter(std::make_shared<CommandHelp>(help));
  command->set_help_flag("-h,--help", "print this help and exit");
  command->set_version_flag("--version", version_text(),
                            "print report's version and the store schema it reads, and exit");
  command->allow_extras();
  actions_.emplace(command, std::move(action));
  return *command;
}

std::vector<const CLI::App*> Cli::commands() const {
  return app_.get_subcommands([](const CLI::App* command) { return !command->get_group().empty(); });
}

void Cli::put_command_first(std::vector<std::string>& args) const {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--") break;
    if (word.size() > 1 && word[0] == '-') {
      const int values = values_after(app_, word);
      if (values > 1) break;  // a list's words (--compare A B) name no command
      i += static_cast<std::size_t>(values);
      continue;
    }
    const auto named = app_.get_subcommands([&word](const CLI::App* command) { return command->check_name(word); });
    if (!named.empty()) {
      std::rotate(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(i),
                  args.begin() + static_cast<std::ptrdiff_t>(i) + 1);
      return;
    }
    std::vector<std::string> names;
    for (const CLI::App* command : commands()) names.push_back(command->get_name());
    throw UsageError(fmt::format("unknown command '{}'{}: expected one of {} (see report --help)", word,
                                 nearest_hint(word, names), fmt::join(names, ", ")));
  }
  args.insert(args.begin(), "list");
}

void Cli::refuse_extras(const CLI::App& command) const {
  // Recursively: a word after "--" that the command has no place for lands on report itself.
  std::vector<std::string> extras = app_.remaining(/*recurse=*/true);
  // CLI11 hands back the "--" that ends the options (`report __complete -- --db`).
  extras.erase(std::remove(extras.begin(), extras.end(), "--"), extras.end());
  if (extras.empty()) return;
  const std::string& word = extras.front();
  if (word.size() > 1 && word[0] == '-') {
    const std::string name = word.substr(0, word.find('='));
    std::vector<std::string> names;
    for (const CLI::Option* option : command.get_options()) {
      for (const auto& long_name : option->get_lnames()) names.push_back("--" + long_name);
      for (const auto& short_name : option->get_snames()) names.push_back("-" + short_name);
    }
    std::vector<std::string> longer;  // what an abbreviation could stand for
    for (const auto& each : names) {
      if (name.size() > 2 && each.compare(0, name.size(), name) == 0) longer.push_back(each);
    }
    if (longer.size() > 1) {
      throw UsageError(fmt::format("ambiguous option '{}' for {}: {} (see {} --help)", name, spelled(command),
                                   fmt::join(longer, " or "), spelled(command)));
    }
    throw UsageError(fmt::format("unknown option '{}' for {}{} (see {} --help)", name, spelled(command),
                                 nearest_hint(name, names), spelled(command)));
  }
  throw UsageError(fmt::format("unexpected argument '{}' (see {} --help)", word, spelled(command)));
}

int Cli::run(int argc, const char* const* argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  put_command_first(args);
  for (const CLI::App* command : app_.get_subcommands([&args](const CLI::App* c) { return c->check_name(args[0]); })) {
    expand_abbreviations(*command, args);
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes the words last first
  try {
    app_.parse(args);
  } catch (const CLI::Success& e) {  // --help or --version, answered
    return app_.exit(e);
  } catch (const CLI::ParseError& e) {
    const auto parsed = app_.get_subcommands();
    throw UsageError(fmt::format("{} (see {} --help)", e.what(), parsed.empty() ? "report" : spelled(*parsed.front())));
  }
  const CLI::App& command = *app_.get_subcommands().front();
  refuse_extras(command);
  try {
    return actions_.at(&command)(Values(command));
  } catch (const CLI::Error& e) {
    throw UsageError(fmt::format("{} (see {} --help)", e.what(), spelled(command)));
  }
}

}  // namespace ablate::report
