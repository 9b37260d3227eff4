// A run's identity: the canonical JSON of its resolved configuration and its SHA-256.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "config/grid.hpp"

namespace ablate {

// Plugin name -> version, for every plugin a cell uses.
using PluginVersions = std::map<std::string, std::string>;

// Dataset options that say where data lives, not what it is: left out of a run's
// identity so that moving the files does not re-run the grid.
inline const char* const kDatasetLocationKeys[] = {"path", "root", "download", "mirror"};

// The train settings that decide what a cell computes, as JSON: each row of the table
// (train_settings.cpp) by its identity rule, under its dotted key.
nlohmann::json train_identity(const TrainSettings& train);

// The resolved configuration of a cell: arm, plugins with their versions and options,
// resolution, seed and every training setting with its default filled in. Object keys
// are sorted (nlohmann::json's default), so the text is canonical.
nlohmann::json cell_identity(const Cell& cell, const PluginVersions& versions);

// Lower-case hex SHA-256 of identity.dump().
std::string config_hash(const nlohmann::json& identity);

}  // namespace ablate
