// runner: runs an experiment grid (see `runner --help`).
#include <malloc.h>

#include <iostream>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "ablate/error.hpp"
#include "list_plugins.hpp"
#include "plugin_registry.hpp"
#include "run_grid.hpp"

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage = R"(usage: runner EXPERIMENT.yaml [KEY=VALUE ...] [options]
       runner --list-plugins [--plugins DIR]

Runs every cell of an experiment grid (arms x resolutions x grid axes x seeds) that is
not finished yet, and records each run in an SQLite store. Running the same command again
resumes: finished cells are skipped.

  KEY=VALUE          override any key of the experiment file with a YAML value, e.g.
                     train.max_epochs=3  seeds=[0,1]  dataset.val_size=1000
)";

constexpr const char* kExitCodes = R"(
exit status: 0 every cell finished; 1 some cell failed (the others ran);
             2 bad input (experiment, plugin, data or store); 130 interrupted.
environment: ABLATE_PLUGIN_PATH  colon-separated folders searched for plugins after --plugins.
)";

// glibc malloc returns large activation buffers to the OS after every step and maps them
// again on the next: millions of page faults. Keeping them mapped nearly doubles training
// speed (DESIGN §11), so the runner sets this itself.
void tune_malloc() {
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
}

}  // namespace

int main(int argc, char** argv) {
  ablate::RunnerOptions options;
  std::vector<std::string> positional;
  std::vector<std::string> plugin_dirs;
  po::options_description named("options");
  named.add_options()
      ("help,h", "show this help")
      ("db", po::value(&options.db), "the run store (default: runs.db next to the experiment file)")
      ("dry-run,n", po::bool_switch(&options.dry_run), "list the cells, their config hashes and which are done; train nothing")
      ("list-plugins", "list the model, dataset and metric plugins found, and any that were refused")
      ("plugins", po::value(&plugin_dirs)->composing(), "also load plugins from DIR (repeatable; searched first)")
      ("quiet,q", po::bool_switch(&options.quiet), "print only warnings, errors and the summary");
  po::options_description hidden;
  hidden.add_options()("args", po::value(&positional)->composing());
  po::options_description all;
  all.add(named).add(hidden);
  po::positional_options_description positions;
  positions.add("args", -1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positions).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "runner: error: " << e.what() << "\n" << kUsage << "run `runner --help` for all options\n";
    return ablate::kExitBadInput;
  }
  if (vm.count("help")) {
    std::cout << kUsage << "\n" << named << kExitCodes;
    return ablate::kExitOk;
  }
  for (const auto& dir : plugin_dirs) options.plugin_dirs.emplace_back(dir);

  try {
    if (vm.count("list-plugins")) {
      ablate::PluginRegistry registry;
      registry.load_directories(ablate::plugin_search_path(options.plugin_dirs));
      ablate::print_plugins(registry, std::cout);
      for (const auto& problem : registry.problems()) std::cerr << "runner: warning: " << problem << "\n";
      return ablate::kExitOk;
    }
    if (positional.empty()) {
      std::cerr << "runner: error: no experiment file given\n" << kUsage;
      return ablate::kExitBadInput;
    }
    options.experiment = positional.front();
    options.overrides.assign(positional.begin() + 1, positional.end());
    for (const auto& override_text : options.overrides) {
      if (override_text.find('=') == std::string::npos) {
        std::cerr << fmt::format("runner: error: '{}' is neither an option nor a KEY=VALUE override "
                                 "(only one experiment file can be given)\n", override_text);
        return ablate::kExitBadInput;
      }
    }
    tune_malloc();
    return ablate::run_grid(options);
  } catch (const ablate::Error& e) {
    std::cerr << "runner: error: " << e.what() << "\n";
    return ablate::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "runner: error: " << e.what() << "\n";
    return ablate::kExitBadInput;
  }
}
