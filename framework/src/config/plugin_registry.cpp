// Plugin discovery and loading with Boost.DLL (see DESIGN §3 and Boost.DLL's "missuses").
#include "config/plugin_registry.hpp"

#include <algorithm>
#include <cstdlib>

#include <boost/dll/shared_library.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/version.h>  // macros only: the LibTorch version this host was built with

#include "ablate/error.hpp"
#include "api/did_you_mean.hpp"
#include "api/options_yaml.hpp"
#include "config/crash_report.hpp"
#include "config/invoke_plugin.hpp"
#include "config/plugin_probe.hpp"

#ifndef ABLATE_BUILD_PLUGIN_DIR
#define ABLATE_BUILD_PLUGIN_DIR ""
#endif

namespace ablate {

namespace fs = std::filesystem;

std::vector<fs::path> plugin_search_path(const std::vector<fs::path>& extra) {
  std::vector<fs::path> dirs = extra;
  if (const char* env = std::getenv("ABLATE_PLUGIN_PATH")) {
    std::string value = env;
    std::size_t start = 0;
    while (start <= value.size()) {
      const std::size_t end = std::min(value.find(':', start), value.size());
      if (end > start) dirs.emplace_back(value.substr(start, end - start));
      start = end + 1;
    }
  }
  // The default folder: an installed runner's own <prefix>/lib/ablate/plugins, found next
  // to its executable, else the build tree's. Never both: the build tree may still be
  // there, and every plugin would then be reported twice as a duplicate.
#ifdef ABLATE_INSTALL_PLUGIN_RELDIR
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    const fs::path installed = (exe.parent_path() / ABLATE_INSTALL_PLUGIN_RELDIR).lexically_normal();
    if (fs::is_directory(installed, error)) {
      dirs.push_back(installed);
      return dirs;
    }
  }
#endif
  const fs::path build_dir = ABLATE_BUILD_PLUGIN_DIR;
  if (!build_dir.empty()) dirs.push_back(build_dir);
  return dirs;
}

void PluginRegistry::load_directories(const std::vector<fs::path>& dirs) {
  PluginProbeCache probed;
  for (const auto& dir : dirs) {
    std::error_code error;
    if (!fs::is_directory(dir, error)) {
      problems_.push_back(fmt::format("plugin folder {} does not exist; skipped", dir.string()));
      continue;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, error)) {
      const std::string file_name = entry.path().filename().string();
      if (file_name.rfind("lib", 0) == 0 && entry.path().extension() == ".so") {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());  // a stable order makes "first wins" predictable
    for (const auto& file : files) {
      if (!probed.known_safe(file)) {
        if (const auto problem = probe_plugin_file(file)) {
          problems_.push_back(*problem);
          continue;
        }
        probed.remember_safe(file);
      }
      load_file(file);
    }
  }
  probed.save();
}

bool PluginRegistry::load_file(const fs::path& file) {
  auto library = std::make_shared<boost::dll::shared_library>();
  try {
    library->load(file.string(), boost::dll::load_mode::rtld_lazy | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    problems_.push_back(fmt::format("{} is not a loadable shared library ({}); skipped", file.string(), e.what()));
    return false;
  }
  if (!library->has(kPluginEntryPoint)) {
    problems_.push_back(fmt::format("{} has no entry point '{}': it is not an Ablate plugin (define one with "
                                    "ABLATE_MODEL_PLUGIN, ABLATE_DATASET_PLUGIN or ABLATE_METRIC_PLUGIN); skipped",
                                    file.string(), kPluginEntryPoint));
    return false;
  }
  const auto entry = library->get<const PluginDescriptor*()>(kPluginEntryPoint);
  const PluginDescriptor* descriptor = nullptr;
  try {
    descriptor = entry();
  } catch (const std::exception& e) {
    problems_.push_back(fmt::format("{}: its entry point '{}' threw: {}; skipped", file.string(), kPluginEntryPoint,
                                    e.what()));
    return false;
  } catch (...) {
    problems_.push_back(fmt::format("{}: its entry point '{}' threw something that is not a std::exception; skipped",
                                    file.string(), kPluginEntryPoint));
    return false;
  }
  if (descriptor == nullptr) {
    problems_.push_back(fmt::format("{} returned no plugin descriptor; skipped", file.string()));
    return false;
  }
  // Read nothing but the version until it is known to match: the rest of the layout
  // belongs to that version.
  if (descriptor->abi_version != kPluginAbiVersion) {
    problems_.push_back(fmt::format("{} was built for Ablate plugin ABI version {}, but this host supports version {}: "
                                    "rebuild the plugin against this Ablate; skipped",
                                    file.string(), descriptor->abi_version, kPluginAbiVersion));
    return false;
  }
  const std::string torch_version = descriptor->torch_version ? descriptor->torch_version : "";
  if (!torch_version.empty() && torch_version != TORCH_VERSION) {
    problems_.push_back(fmt::format("{} was built against LibTorch {}, but this host uses LibTorch {}: rebuild the "
                                    "plugin against the same LibTorch; skipped",
                                    file.string(), torch_version, TORCH_VERSION));
    return false;
  }
  const bool factory_matches = (descriptor->kind == PluginKind::model && descriptor->create_model) ||
                               (descriptor->kind == PluginKind::dataset && descriptor->create_dataset) ||
                               (descriptor->kind == PluginKind::metric && descriptor->create_metric);
  if (!factory_matches || descriptor->name == nullptr || *descriptor->name == '\0') {
    problems_.push_back(fmt::format("{} has a malformed descriptor (no name, or no factory for its kind); skipped",
                                    file.string()));
    return false;
  }
  LoadedPlugin plugin;
  plugin.kind = descriptor->kind;
  plugin.name = descriptor->name;
  plugin.version = descriptor->version ? descriptor->version : "";
  plugin.description = descriptor->description ? descriptor->description : "";
  plugin.torch_version = torch_version;
  plugin.file = file;
  plugin.descriptor = descriptor;
  plugin.library = std::move(library);
  for (const auto& existing : plugins_) {
    if (existing.name != plugin.name) continue;
    // Names are unique across kinds too: a metric named like a model would make `runner
    // --describe NAME`, the store's plugin versions and every message ambiguous.
    const std::string what =
        existing.kind == plugin.kind
            ? std::string("a plugin of that name")
            : fmt::format("a {} plugin of that name (names are unique across kinds)", to_string(existing.kind));
    problems_.push_back(fmt::format("{} plugin '{}' in {} is ignored: {} was already loaded from {} (earlier folders "
                                    "in the search path win)",
                                    to_string(plugin.kind), plugin.name, file.string(), what, existing.file.string()));
    return false;
  }
  plugins_.push_back(std::move(plugin));
  return true;
}

std::vector<std::string> PluginRegistry::names(PluginKind kind) const {
  std::vector<std::string> result;
  for (const auto& plugin : plugins_) {
    if (plugin.kind == kind) result.push_back(plugin.name);
  }
  std::sort(result.begin(), result.end());
  return result;
}

const LoadedPlugin& PluginRegistry::find(PluginKind kind, const std::string& name) const {
  for (const auto& plugin : plugins_) {
    if (plugin.kind == kind && plugin.name == name) return plugin;
  }
  const auto available = names(kind);
  throw PluginError(fmt::format("unknown {} plugin '{}'{}; available: {} (see `runner plugins`)", to_string(kind), name,
                                did_you_mean(name, available),
                                available.empty() ? std::string("none")
                                                  : fmt::format("{}", fmt::join(available, ", "))));
}

namespace {

std::string owner_of(const LoadedPlugin& plugin) {
  return fmt::format("{} plugin '{}'", to_string(plugin.kind), plugin.name);
}

// Runs a plugin factory through invoke_plugin; a factory must return an object.
template <typename Create>
auto call_factory(const LoadedPlugin& plugin, Create create) {
  const PluginCallNote note(fmt::format("{} ({}), creating its object", owner_of(plugin), plugin.file.string()));
  auto* object = invoke_plugin(create, [&] { return fmt::format("{} failed to create its object", owner_of(plugin)); });
  if (object == nullptr) {
    throw PluginError(fmt::format("{} ({}) returned no object", owner_of(plugin), plugin.file.string()));
  }
  return object;
}

}  // namespace

std::shared_ptr<Dataset> PluginRegistry::create_dataset(const std::string& name, const YAML::Node& options,
                                                        const std::string& source) const {
  const LoadedPlugin& plugin = find(PluginKind::dataset, name);
  const Options parsed = make_options(options, owner_of(plugin), source);
  auto dataset =
      adopt_plugin_object(plugin, call_factory(plugin, [&] { return plugin.descriptor->create_dataset(parsed); }));
  parsed.reject_unknown();
  return dataset;
}

std::shared_ptr<Metric> PluginRegistry::create_metric(const std::string& name, const YAML::Node& options,
                                                      const std::string& source) const {
  const LoadedPlugin& plugin = find(PluginKind::metric, name);
  const Options parsed = make_options(options, owner_of(plugin), source);
  auto metric =
      adopt_plugin_object(plugin, call_factory(plugin, [&] { return plugin.descriptor->create_metric(parsed); }));
  parsed.reject_unknown();
  return metric;
}

}  // namespace ablate
