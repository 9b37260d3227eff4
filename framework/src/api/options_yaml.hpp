// Builds plugin Options from a YAML mapping (host side only: plugins never see YAML).
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "ablate/options.hpp"

namespace ablate {

// `node` must be a mapping or null. `owner` names the plugin in messages
// ("model plugin 'baseline_cnn'"); `source` is the experiment file, or "" if unknown.
ABLATE_API Options make_options(const YAML::Node& node, const std::string& owner, const std::string& source);

// "file.yaml:7:5" for a node that came from a file, "" when it has no position.
ABLATE_API std::string describe_location(const YAML::Node& node, const std::string& source);

}  // namespace ablate
