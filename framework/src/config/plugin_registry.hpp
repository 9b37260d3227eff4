// Finds plugin libraries, checks their descriptors and creates plugin objects that keep
// their library loaded for as long as they live.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "ablate/dataset.hpp"
#include "ablate/metric.hpp"
#include "ablate/plugin.hpp"

namespace boost::dll {
class shared_library;
}

namespace ablate {

struct LoadedPlugin {
  PluginKind kind = PluginKind::model;
  std::string name;
  std::string version;
  std::string description;
  std::string torch_version;
  std::filesystem::path file;
  const PluginDescriptor* descriptor = nullptr;
  std::shared_ptr<boost::dll::shared_library> library;
};

// Hands `object` to a shared_ptr whose deleter also holds the plugin's library, so the
// code of the object cannot be unmapped before the object is destroyed.
template <typename T>
std::shared_ptr<T> adopt_plugin_object(const LoadedPlugin& plugin, T* object) {
  std::shared_ptr<boost::dll::shared_library> library = plugin.library;
  return std::shared_ptr<T>(object, [library](T* p) { delete p; });
}

// The directories to scan: `extra` (from --plugins) first, then each entry of
// ABLATE_PLUGIN_PATH (colon-separated), then the build's plugin folder.
std::vector<std::filesystem::path> plugin_search_path(const std::vector<std::filesystem::path>& extra);

class PluginRegistry {
 public:
  // Loads every lib*.so in each directory. A file that cannot be used is reported in
  // problems() and skipped: one bad plugin never stops the others. Each file new since
  // the last run, or changed, is first loaded in a child process (plugin_probe.hpp): a
  // file that crashes or exits while loading is reported and never loaded here.
  void load_directories(const std::vector<std::filesystem::path>& dirs);
  // Loads one file (without the probe); returns false and records the reason when it
  // cannot be used.
  bool load_file(const std::filesystem::path& file);

  const std::vector<LoadedPlugin>& plugins() const { return plugins_; }
  // One sentence per rejected file, each naming the file.
  const std::vector<std::string>& problems() const { return problems_; }

  // The plugin of this kind and name. Throws PluginError listing the available ones.
  const LoadedPlugin& find(PluginKind kind, const std::string& name) const;
  std::vector<std::string> names(PluginKind kind) const;

  // Create plugin objects. `options` is the YAML mapping from the experiment and
  // `source` the file it came from (for messages). Unknown options are rejected.
  std::shared_ptr<Dataset> create_dataset(const std::string& name, const YAML::Node& options,
                                          const std::string& source = "") const;
  std::shared_ptr<Metric> create_metric(const std::string& name, const YAML::Node& options,
                                        const std::string& source = "") const;
  // create_model lives in model_factory.hpp: it is the only part that needs LibTorch.

 private:
  std::vector<LoadedPlugin> plugins_;
  std::vector<std::string> problems_;
};

}  // namespace ablate
