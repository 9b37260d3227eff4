// Creating model plugin objects and getting one ready for a cell (model_factory.hpp).
#include "engine/model_factory.hpp"

#include <fmt/format.h>

#include "ablate/error.hpp"
#include "api/options_yaml.hpp"
#include "config/crash_report.hpp"
#include "config/invoke_plugin.hpp"
#include "engine/in_place_activations.hpp"
#include "engine/model_summary.hpp"
#include "engine/trainer.hpp"

namespace ablate {

std::shared_ptr<Model> create_model(const PluginRegistry& registry, const std::string& name, const YAML::Node& options,
                                    const ModelInput& input, const std::string& source) {
  const LoadedPlugin& plugin = registry.find(PluginKind::model, name);
  const std::string owner = fmt::format("model plugin '{}'", plugin.name);
  const Options parsed = make_options(options, owner, source);
  const PluginCallNote note(fmt::format("{} ({}), building its network", owner, plugin.file.string()));
  Model* model =
      invoke_plugin([&] { return plugin.descriptor->create_model(parsed, input); },
                    [&] {
                      return fmt::format("{} failed to build its network for {} channel(s), {}x{}, {} classes", owner,
                                         input.channels, input.resolution, input.resolution, input.num_classes);
                    });
  if (model == nullptr) throw PluginError(fmt::format("{} returned no model", owner));
  auto adopted = adopt_plugin_object(plugin, model);
  parsed.reject_unknown();
  return adopted;
}

ModelInput model_input(const Cell& cell, const DatasetInfo& info) {
  return ModelInput{info.channels, cell.resolution, info.num_classes};
}

void to_channels_last(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  for (auto& parameter : model.parameters()) {
    if (parameter.dim() == 4) parameter.set_data(parameter.contiguous(torch::MemoryFormat::ChannelsLast));
  }
}

std::shared_ptr<Model> build_cell_model(const Cell& cell, const PluginRegistry& registry, const DatasetInfo& info,
                                        const torch::Device& device, RunResult& result) {
  auto model = create_model(registry, cell.model, cell.model_options, model_input(cell, info), cell.source);
  const ModelSummary summary =
      invoke_plugin([&] { return summarize_model(*model, info.channels, cell.resolution); },
                    [&] {
                      return fmt::format("model plugin '{}' failed in forward (on one {}x{} image, before "
                                         "training)",
                                         cell.model, cell.resolution, cell.resolution);
                    });
  result.params_trainable = summary.params_trainable;
  result.params_total = summary.params_total;
  result.params_bytes = summary.params_bytes;
  result.flops_per_image = summary.flops_per_image;
  result.layer_summary_json = summary.layers_json().dump();
  model->to(device);
  if (cell.train.channels_last) to_channels_last(*model);
  if (cell.train.fast_paths) run_relus_in_place(*model);
  return model;
}

std::int64_t validate_model(const Cell& cell, const PluginRegistry& registry, const DatasetInfo& info) {
  auto model = create_model(registry, cell.model, cell.model_options, model_input(cell, info), cell.source);
  std::int64_t trainable = 0;
  for (const auto& parameter : model->parameters()) trainable += parameter.requires_grad() ? parameter.numel() : 0;
  return trainable;
}

std::string describe_model(const PluginRegistry& registry, const std::string& name, const YAML::Node& options,
                           const ModelInput& input) {
  auto model = create_model(registry, name, options, input);
  const ModelSummary summary = summarize_model(*model, input.channels, input.resolution);
  return summary.to_text(fmt::format("Model: {} ({} channel(s), {}x{}, {} classes)", name, input.channels,
                                     input.resolution, input.resolution, input.num_classes));
}

}  // namespace ablate
