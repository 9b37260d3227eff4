// Builds plugin Options from a YAML mapping (host side only: plugins never see YAML).
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "ablate/options.hpp"

namespace ablate {

// `node` must be a mapping or null. `owner` names the plugin in messages
// ("model plugin 'baseline_cnn'"); `source` is the experiment file, or "" if unknown.
ABLATE_API Options make_options(const YAML::Node& node, const std::string& owner, const std::string& source);

// Where a value came from, as messages name it: the origin noted for it (below), else
// "file.yaml:7:5" for a node that came from a file, `source` when it has no position.
ABLATE_API std::string describe_location(const YAML::Node& node, const std::string& source);

// Notes that `value` and every node in it came from `origin`, not from the experiment file's
// text: "override 2 'train.max_epochs=one'" for the second KEY=VALUE of a command line.
// yaml-cpp gives such a value the marks of its own little text (line 1), which would blame
// the file's first line. Nodes keep their origin wherever they are put, until replaced
// (a node is its value: assignment shares it, YAML::Clone makes a new one without).
ABLATE_API void note_origin(const YAML::Node& value, const std::string& origin);

}  // namespace ablate
