// `runner --list-plugins`: a table of kind, name, version, description and file.
#include "list_plugins.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace ablate {

void print_plugins(const PluginRegistry& registry, std::ostream& out) {
  std::vector<const LoadedPlugin*> plugins;
  for (const auto& plugin : registry.plugins()) plugins.push_back(&plugin);
  std::sort(plugins.begin(), plugins.end(), [](const LoadedPlugin* a, const LoadedPlugin* b) {
    return std::tie(a->kind, a->name) < std::tie(b->kind, b->name);
  });
  std::size_t name_width = 4;
  std::size_t version_width = 7;
  for (const auto* plugin : plugins) {
    name_width = std::max(name_width, plugin->name.size());
    version_width = std::max(version_width, plugin->version.size());
  }
  fmt::print(out, "{:<8} {:<{}} {:<{}} {}\n", "KIND", "NAME", name_width, "VERSION", version_width, "DESCRIPTION");
  for (const auto* plugin : plugins) {
    fmt::print(out, "{:<8} {:<{}} {:<{}} {}\n", to_string(plugin->kind), plugin->name, name_width, plugin->version,
               version_width, plugin->description);
    fmt::print(out, "{:<8} {:<{}} {:<{}} {}\n", "", "", name_width, "", version_width, plugin->file.string());
  }
  if (plugins.empty()) fmt::print(out, "no plugins found\n");
}

}  // namespace ablate
