// `runner --list-plugins`: what the loader found, and what it refused.
#pragma once

#include <ostream>

#include "config/plugin_registry.hpp"

namespace ablate {

void print_plugins(const PluginRegistry& registry, std::ostream& out);

}  // namespace ablate
