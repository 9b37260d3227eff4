// The dataset plugin interface: labelled uint8 images, split into train, val and test.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ablate/api.hpp"
#include "ablate/options.hpp"
#include "ablate/plugin.hpp"

namespace ablate {

// Images stay uint8 in memory, row-major (count, height, width, channels); the host
// converts, normalises, resizes and augments one batch at a time.
struct ABLATE_API ImageSet {
  std::vector<std::uint8_t> pixels;
  std::vector<std::int64_t> labels;  // one per image, 0 <= label < num_classes
  std::int64_t count = 0;
  std::int64_t height = 0;
  std::int64_t width = 0;
  std::int64_t channels = 0;
};

struct ABLATE_API DatasetSplits {
  ImageSet train;
  ImageSet val;
  ImageSet test;
};

struct ABLATE_API DatasetInfo {
  std::string name;  // e.g. "fashion_mnist" or "medmnist/bloodmnist"
  std::int64_t channels = 0;
  std::int64_t num_classes = 0;
  std::vector<std::string> class_names;  // num_classes entries
  std::int64_t native_resolution = 0;    // the side of the images as stored
};

class ABLATE_API Dataset {
 public:
  virtual ~Dataset() = default;
  virtual DatasetInfo info() const = 0;
  // Loads all three splits. `resolution` is the grid cell's; a dataset may return images
  // at that size or at its native size, and the host resizes per batch.
  virtual DatasetSplits load(std::int64_t resolution) = 0;
};

}  // namespace ablate

// Exports a dataset plugin. FACTORY: ablate::Dataset* (const Options&).
#define ABLATE_DATASET_PLUGIN(NAME, VERSION, DESCRIPTION, FACTORY) \
  ABLATE_DEFINE_PLUGIN(dataset, NAME, VERSION, DESCRIPTION, "", nullptr, FACTORY, nullptr)
