// Creating model plugin objects.
#include "engine/model_factory.hpp"

#include <fmt/format.h>

#include "ablate/error.hpp"
#include "api/options_yaml.hpp"

namespace ablate {

std::shared_ptr<Model> create_model(const PluginRegistry& registry, const std::string& name,
                                    const YAML::Node& options, const ModelInput& input,
                                    const std::string& source) {
  const LoadedPlugin& plugin = registry.find(PluginKind::model, name);
  const std::string owner = fmt::format("model plugin '{}'", plugin.name);
  const Options parsed = make_options(options, owner, source);
  Model* model = nullptr;
  try {
    model = plugin.descriptor->create_model(parsed, input);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw PluginError(fmt::format("{} failed to build its network for {} channel(s), {}x{}, {} "
                                  "classes: {}", owner, input.channels, input.resolution,
                                  input.resolution, input.num_classes, e.what()));
  } catch (...) {
    throw PluginError(fmt::format("{} failed to build its network: it threw something that is not a "
                                  "std::exception", owner));
  }
  if (model == nullptr) throw PluginError(fmt::format("{} returned no model", owner));
  auto adopted = adopt_plugin_object(plugin, model);
  parsed.reject_unknown();
  return adopted;
}

}  // namespace ablate
