// `report __complete`: the candidates for the word at the cursor, from the command line's
// declaration (commands, options, the type_name of each value) and the store.
#include "cli_complete.hpp"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>

#include "cli_options.hpp"
#include "config_groups.hpp"
#include "store_queries.hpp"

namespace ablate::report {

namespace {

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

bool is_option(const std::string& word) { return word.size() > 1 && word[0] == '-' && word != "--"; }

const CLI::App* find_command(const Cli& cli, const std::string& name) {
  for (const CLI::App* command : cli.commands()) {
    if (command->get_name() == name) return command;
  }
  return nullptr;
}

// The option `name` of `command`; before the command word, of any command (list first),
// as put_command_first reads the line.
const CLI::Option* find_option(const Cli& cli, const CLI::App* command, const std::string& name) {
  if (command != nullptr) return command->get_option_no_throw(name);
  if (const CLI::App* list = find_command(cli, "list")) {
    if (const CLI::Option* option = list->get_option_no_throw(name)) return option;
  }
  for (const CLI::App* other : cli.commands()) {
    if (const CLI::Option* option = other->get_option_no_throw(name)) return option;
  }
  return nullptr;
}

// What the words before the cursor say: the command, the option whose value may stand at
// the cursor, how many positional words the command has, and the store.
struct LineState {
  const CLI::App* command = nullptr;  // none named yet: `list`, or a command to name
  const CLI::Option* open = nullptr;  // an option still taking values
  int values_left = 0;                // how many more it takes (a list: many)
  std::size_t positionals = 0;
  std::string store = "runs.db";
};

LineState read_line(const Cli& cli, const std::vector<std::string>& before) {
  LineState line;
  for (const std::string& word : before) {
    if (is_option(word)) {
      const auto equals = word.find('=');
      const std::string name = word.substr(0, equals);
      const CLI::Option* option = find_option(cli, line.command, name);
      line.open = nullptr;
      line.values_left = 0;
      if (equals != std::string::npos) {
        if (name == "--db") line.store = word.substr(equals + 1);
      } else if (option != nullptr && option->get_items_expected_max() > 0) {
        line.open = option;
        line.values_left = option->get_items_expected_max();
      }
      continue;
    }
    if (line.open != nullptr && line.values_left > 0) {
      if (line.open->check_name("--db")) line.store = word;
      if (--line.values_left == 0) line.open = nullptr;
      continue;
    }
    if (line.command == nullptr) {
      line.command = find_command(cli, word);
      if (line.command != nullptr) continue;
    }
    ++line.positionals;
  }
  return line;
}

// The store's names, read once and only when asked for; none if it cannot be read.
class StoreNames {
 public:
  explicit StoreNames(std::string path) : path_(std::move(path)) {
    const char* home = std::getenv("HOME");
    if (starts_with(path_, "~/") && home != nullptr) path_ = home + path_.substr(1);
  }

  std::vector<Completion> arms() { return names_of(&StoreReader::arms); }
  std::vector<Completion> datasets() { return names_of(&StoreReader::datasets); }
  std::vector<Completion> grids() { return names_of(&StoreReader::grids); }
  std::vector<Completion> metrics() {
    return read([](const StoreReader& store) {
      std::vector<Completion> names;
      for (const auto& metric : store.metrics()) names.push_back({metric.label(), ""});
      return names;
    });
  }
  std::vector<Completion> runs() {
    return read([](const StoreReader& store) {
      std::vector<Completion> names;
      for (const auto& run : store.list_runs(RunQuery{})) {
        names.push_back({std::to_string(run.id), run.arm + ", resolution " + std::to_string(run.resolution) +
                                                     ", seed " + std::to_string(run.seed) + ", " +
                                                     db::to_string(run.status)});
      }
      return names;
    });
  }
  std::vector<Completion> config_keys() {
    return read([](const StoreReader& store) {
      std::vector<Completion> names;
      for (const auto& key : report::config_keys(store.config_jsons())) {
        if (key != "seed" && key != "arm") names.push_back({key, "configuration key"});
      }
      return names;
    });
  }

 private:
  std::vector<Completion> names_of(std::vector<std::string> (StoreReader::*list)() const) {
    return read([list](const StoreReader& store) {
      std::vector<Completion> names;
      for (const auto& name : (store.*list)()) names.push_back({name, ""});
      return names;
    });
  }

  std::vector<Completion> read(const std::function<std::vector<Completion>(const StoreReader&)>& names) {
    try {
      if (!store_) store_.emplace(path_);
      return names(*store_);
    } catch (const std::exception&) {
      return {};  // no store, or not one: nothing to offer, and nothing to say mid-line
    }
  }

  std::string path_;
  std::optional<StoreReader> store_;
};

// What may stand where `option` takes its value: its type_name read as "a|b|KIND".
std::vector<Completion> values_of(const CLI::Option& option, StoreNames& store) {
  std::vector<Completion> values;
  const auto add = [&values](const std::vector<Completion>& more) {
    values.insert(values.end(), more.begin(), more.end());
  };
  std::string kinds = option.get_type_name();
  for (std::size_t start = 0; start <= kinds.size();) {
    const auto bar = kinds.find('|', start);
    const std::string kind = kinds.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    start = bar == std::string::npos ? kinds.size() + 1 : bar + 1;
    if (kind == kStoreValue) return {{":stores", ""}};
    if (kind == kFileValue) return {{":files", ""}};
    if (kind == kArmValue) {
      add(store.arms());
    } else if (kind == kMetricValue) {
      add(store.metrics());
    } else if (kind == kRunValue) {
      add(store.runs());
    } else if (kind == kDatasetValue) {
      add(store.datasets());
    } else if (kind == kGridValue) {
      add(store.grids());
    } else if (kind == kKeyValue) {
      add(store.config_keys());
    } else if (!kind.empty() && kind.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos) {
      values.push_back({kind, ""});  // a literal choice: "csv"
    }
  }
  // A configuration key may repeat a named axis (--by resolution): once is enough.
  std::vector<Completion> unique;
  for (auto& value : values) {
    const auto same = [&value](const Completion& seen) { return seen.value == value.value; };
    if (std::find_if(unique.begin(), unique.end(), same) == unique.end()) unique.push_back(std::move(value));
  }
  return unique;
}

std::vector<Completion> options_of(const CLI::App& command) {
  std::vector<Completion> options;
  for (const CLI::Option* option : command.get_options()) {
    for (const auto& name : option->get_lnames()) options.push_back({"--" + name, option->get_description()});
    for (const auto& name : option->get_snames()) options.push_back({"-" + name, option->get_description()});
  }
  return options;
}

// The positional of `command` that the `index`-th positional word fills, if any.
const CLI::Option* positional_at(const CLI::App& command, std::size_t index) {
  for (const CLI::Option* option : command.get_options([](const CLI::Option* o) { return o->get_positional(); })) {
    const auto takes = static_cast<std::size_t>(option->get_items_expected_max());
    if (index < takes) return option;
    index -= takes;
  }
  return nullptr;
}

std::vector<Completion> candidates(const Cli& cli, const std::vector<std::string>& before, const std::string& word) {
  const LineState line = read_line(cli, before);
  StoreNames store(line.store);
  const CLI::App* command = line.command != nullptr ? line.command : find_command(cli, "list");
  if (command == nullptr) return {};
  if (starts_with(word, "--") && word.find('=') != std::string::npos) {  // --format=c
    const std::string name = word.substr(0, word.find('='));
    const CLI::Option* option = find_option(cli, line.command, name);
    if (option == nullptr || option->get_items_expected_max() == 0) return {};
    std::vector<Completion> values = values_of(*option, store);
    for (auto& value : values) {
      if (value.value[0] != ':') value.value = name + "=" + value.value;
    }
    return values;
  }
  if (line.open != nullptr && line.values_left > 0) {
    const bool list = line.open->get_items_expected_max() > 1;
    if (!(list && is_option(word))) return values_of(*line.open, store);
  }
  if (starts_with(word, "-")) return options_of(*command);
  if (line.command == nullptr) {
    std::vector<Completion> commands;
    for (const CLI::App* each : cli.commands()) commands.push_back({each->get_name(), each->get_description()});
    return commands;
  }
  const CLI::Option* positional = positional_at(*command, line.positionals);
  return positional == nullptr ? std::vector<Completion>{} : values_of(*positional, store);
}

}  // namespace

std::vector<Completion> complete(const Cli& cli, const std::vector<std::string>& words) {
  const std::string word = words.empty() ? std::string() : words.back();
  const std::vector<std::string> before(words.begin(), words.empty() ? words.end() : words.end() - 1);
  std::vector<Completion> matching;
  for (auto& candidate : candidates(cli, before, word)) {
    if (candidate.value[0] == ':' || starts_with(candidate.value, word)) matching.push_back(std::move(candidate));
  }
  return matching;
}

void add_completion(Cli& cli) {
  CLI::App& command =
      cli.add_command("__complete", "",
                      "usage: report __complete -- WORD...\n\nWhat the shell completions ask (cli_complete.hpp).",
                      [&cli](const Values& values) {
                        for (const auto& candidate : complete(cli, values.list("words"))) {
                          std::cout << candidate.value << '\t' << candidate.description << '\n';
                        }
                        return kExitOk;
                      });
  command.group("");  // hidden
  add_value<std::vector<std::string>>(command, "words", "the words after `report`, the last one at the cursor",
                                      kTextValue);
}

}  // namespace ablate::report
