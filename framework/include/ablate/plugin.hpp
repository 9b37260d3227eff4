// The plugin ABI: the plain descriptor that every plugin library returns from its one
// C entry point, `ablate_plugin_descriptor`.
#pragma once

#include <cstdint>

#include "ablate/api.hpp"

namespace ablate {

class Dataset;
class Metric;
class Model;
class Options;

// What the host tells a model factory about the data it will see.
struct ABLATE_API ModelInput {
  std::int64_t channels = 3;     // 1 (grayscale) or 3 (RGB)
  std::int64_t resolution = 64;  // images are resolution x resolution
  std::int64_t num_classes = 2;
};

// Bumped whenever a type reachable from this header changes layout or meaning
// (see docs/plugins.md). The loader refuses a plugin built for another version.
inline constexpr std::uint32_t kPluginAbiVersion = 1;

// The symbol every plugin library exports, read with boost::dll.
inline constexpr const char* kPluginEntryPoint = "ablate_plugin_descriptor";

enum class PluginKind : std::uint32_t { model = 1, dataset = 2, metric = 3 };

inline const char* to_string(PluginKind kind) {
  switch (kind) {
    case PluginKind::model:
      return "model";
    case PluginKind::dataset:
      return "dataset";
    case PluginKind::metric:
      return "metric";
  }
  return "unknown";
}

// Factories return objects allocated with `new`; the host owns them and keeps the
// plugin's library loaded for as long as they live. Options a factory does not read are
// rejected by the host after the factory returns, so read every option up front.
using ModelFactory = Model* (*)(const Options& options, const ModelInput& input);
using DatasetFactory = Dataset* (*)(const Options& options);
using MetricFactory = Metric* (*)(const Options& options);

struct ABLATE_API PluginDescriptor {
  std::uint32_t abi_version;  // first and never moved, so any host can read it
  PluginKind kind;
  const char* name;               // snake_case, the same word as the folder and the target
  const char* version;            // the plugin's own version; part of every run's identity
  const char* description;        // one line
  const char* torch_version;      // LibTorch the plugin was built against; "" if none used
  ModelFactory create_model;      // set for kind == model, else null
  DatasetFactory create_dataset;  // set for kind == dataset, else null
  MetricFactory create_metric;    // set for kind == metric, else null
};

}  // namespace ablate

#define ABLATE_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))

// Defines the entry point. Use the kind-specific macros in model.hpp, dataset.hpp and
// metric.hpp rather than this one.
// clang-format off
#define ABLATE_DEFINE_PLUGIN(KIND, NAME, VERSION, DESCRIPTION, TORCH, MODEL_F, DATASET_F, \
                             METRIC_F)                                                    \
  ABLATE_PLUGIN_EXPORT const ::ablate::PluginDescriptor* ablate_plugin_descriptor() {     \
    static const ::ablate::PluginDescriptor descriptor{                                   \
        ::ablate::kPluginAbiVersion, ::ablate::PluginKind::KIND, NAME, VERSION,           \
        DESCRIPTION, TORCH, MODEL_F, DATASET_F, METRIC_F};                                \
    return &descriptor;                                                                   \
  }
// clang-format on
