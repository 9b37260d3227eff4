// Canonical run configurations and their SHA-256 (OpenSSL).
#include "config/config_hash.hpp"

#include <algorithm>

#include <openssl/evp.h>

#include <fmt/format.h>

#include "ablate/error.hpp"

namespace ablate {

namespace {

std::string version_of(const PluginVersions& versions, const std::string& name) {
  const auto found = versions.find(name);
  return found == versions.end() ? std::string() : found->second;
}

bool in_identity(const TrainSetting& setting, const TrainSettings& train) {
  switch (setting.identity) {
    case Identity::kNever:
      return false;
    case Identity::kUnlessDefault:
      return !setting.value->is_default(train);
    case Identity::kAlways:
      break;
  }
  return setting.applies == nullptr || setting.applies(train);
}

}  // namespace

nlohmann::json train_identity(const TrainSettings& train) {
  nlohmann::json identity = nlohmann::json::object();
  for (const auto& setting : train_settings()) {
    if (!in_identity(setting, train)) continue;
    std::string pointer = "/" + setting.key;  // "optimizer.lr" -> /optimizer/lr: nested as in the file
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    identity[nlohmann::json::json_pointer(pointer)] = setting.value->to_json(train);
  }
  return identity;
}

nlohmann::json cell_identity(const Cell& cell, const PluginVersions& versions) {
  nlohmann::json dataset_options = yaml_to_json(cell.dataset_options);
  if (dataset_options.is_null()) dataset_options = nlohmann::json::object();
  for (const char* key : kDatasetLocationKeys) dataset_options.erase(key);
  nlohmann::json model_options = yaml_to_json(cell.model_options);
  if (model_options.is_null()) model_options = nlohmann::json::object();

  nlohmann::json metrics = nlohmann::json::array();
  for (const auto& metric : cell.metrics) {
    metrics.push_back({{"plugin", metric}, {"version", version_of(versions, metric)}});
  }
  return {
      {"arm", cell.arm},
      {"model", {{"plugin", cell.model}, {"version", version_of(versions, cell.model)}, {"options", model_options}}},
      {"dataset",
       {{"plugin", cell.dataset_plugin},
        {"version", version_of(versions, cell.dataset_plugin)},
        {"options", dataset_options}}},
      {"resolution", cell.resolution},
      {"seed", cell.seed},
      {"train", train_identity(cell.train)},
      {"metrics", metrics},
  };
}

std::string config_hash(const nlohmann::json& identity) {
  const std::string text = identity.dump();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw Error("SHA-256 failed (OpenSSL EVP_Digest)");
  }
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

}  // namespace ablate
