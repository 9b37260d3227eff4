// Creating model plugin objects (the part of plugin loading that needs LibTorch).
#pragma once

#include <memory>
#include <string>

#include <yaml-cpp/yaml.h>

#include "ablate/model.hpp"
#include "config/plugin_registry.hpp"

namespace ablate {

// Creates the named model; unknown options are rejected, exceptions from the plugin are
// reported with its name. The model keeps the plugin's library loaded.
std::shared_ptr<Model> create_model(const PluginRegistry& registry, const std::string& name,
                                    const YAML::Node& options, const ModelInput& input,
                                    const std::string& source = "");

}  // namespace ablate
