// Creating model plugin objects (the part of plugin loading that needs LibTorch), getting
// one ready for a cell, and calling its forward pass.
#pragma once

#include <memory>
#include <string>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "ablate/model.hpp"
#include "config/grid.hpp"
#include "config/invoke_plugin.hpp"
#include "config/plugin_registry.hpp"

namespace ablate {

// Creates the named model; unknown options are rejected, exceptions from the plugin are
// reported with its name. The model keeps the plugin's library loaded.
std::shared_ptr<Model> create_model(const PluginRegistry& registry, const std::string& name, const YAML::Node& options,
                                    const ModelInput& input, const std::string& source = "");

struct RunResult;

// The cell's model on its device and in its memory format, with the in-place ReLUs of
// train.fast_paths; its parameter counts, FLOPs and layer summary go into `result`. One
// forward pass on one image checks the plugin before any training.
std::shared_ptr<Model> build_cell_model(const Cell& cell, const PluginRegistry& registry, const DatasetInfo& info,
                                        const torch::Device& device, RunResult& result);

// The input a cell's model is built for.
ModelInput model_input(const Cell& cell, const DatasetInfo& info);

// LibTorch's C++ Module has no .to(memory_format): converts each 4-d parameter.
void to_channels_last(torch::nn::Module& model);

// model.forward(images) through invoke_plugin: what the plugin throws becomes a
// PluginError "model plugin 'NAME' failed in forward (WHEN): ...", with WHEN from
// `describe_when()`, called only on failure.
template <typename DescribeWhen>
torch::Tensor plugin_forward(Model& model, const std::string& name, const torch::Tensor& images,
                             DescribeWhen describe_when) {
  return invoke_plugin([&] { return model.forward(images); },
                       [&] { return fmt::format("model plugin '{}' failed in forward ({})", name, describe_when()); });
}

}  // namespace ablate
