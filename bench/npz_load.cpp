// Benchmark driver: loads one MedMNIST file through the medmnist plugin, as the runner
// would, and prints the seconds load() took. Usage: npz_load ROOT FLAG RESOLUTION [PLUGIN_DIR]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>

#include <yaml-cpp/yaml.h>

#include "ablate/dataset.hpp"
#include "config/plugin_registry.hpp"

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) {
    std::fprintf(stderr, "usage: %s ROOT FLAG RESOLUTION [PLUGIN_DIR]\n", argv[0]);
    return 2;
  }
  try {
    ablate::PluginRegistry registry;
    registry.load_directories({argc == 5 ? argv[4] : ABLATE_PLUGIN_DIR});
    YAML::Node options;
    options["root"] = argv[1];
    options["flag"] = argv[2];
    const auto dataset = registry.create_dataset("medmnist", options);
    const auto start = std::chrono::steady_clock::now();
    const ablate::DatasetSplits splits = dataset->load(std::stoll(argv[3]));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::uint64_t bytes = 0;
    for (const ablate::ImageSet* set : {&splits.train, &splits.val, &splits.test}) {
      bytes += set->pixels.size();
    }
    std::printf("plugin load: %.3f s for %lld/%lld/%lld images, %llu image bytes\n", seconds,
                static_cast<long long>(splits.train.count), static_cast<long long>(splits.val.count),
                static_cast<long long>(splits.test.count), static_cast<unsigned long long>(bytes));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "npz_load: %s\n", e.what());
    return 1;
  }
}
