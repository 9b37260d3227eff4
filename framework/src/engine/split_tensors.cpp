// A data set split as LibTorch tensors, and its checks (split_tensors.hpp).
#include "engine/split_tensors.hpp"

#include <fmt/format.h>

#include "ablate/error.hpp"

namespace ablate {

namespace {

// An in-memory split as uint8 (N, H, W, C), viewed without copying its pixels.
torch::Tensor view_of(const SplitPixels& pixels, const ImageSet& set) {
  return torch::from_blob(const_cast<std::uint8_t*>(pixels.memory()), {set.count, set.height, set.width, set.channels},
                          torch::kUInt8);
}

}  // namespace

void check_split(const ImageSet& set, const char* split, const DatasetInfo& info) {
  const auto expected = set.count * set.height * set.width * set.channels;
  if (set.count <= 0 || static_cast<std::int64_t>(set.pixels.size()) != expected ||
      static_cast<std::int64_t>(set.labels.size()) != set.count || set.channels != info.channels ||
      set.height != set.width) {
    throw DataError(fmt::format("dataset '{}' returned an inconsistent {} split: {} images of {}x{}x{} ({} bytes, {} "
                                "labels; the dataset declares {} channel(s) and images must be square)",
                                info.name, split, set.count, set.height, set.width, set.channels, set.pixels.size(),
                                set.labels.size(), info.channels));
  }
  for (std::int64_t i = 0; i < set.count; ++i) {
    if (set.labels[i] < 0 || set.labels[i] >= info.num_classes) {
      throw DataError(fmt::format("dataset '{}': label {} of {} image {} is outside 0..{}", info.name, set.labels[i],
                                  split, i, info.num_classes - 1));
    }
  }
}

torch::Tensor labels_of(const ImageSet& set) {
  return torch::from_blob(const_cast<std::int64_t*>(set.labels.data()), {set.count}, torch::kInt64);
}

torch::Tensor gather_images(const InputPipeline& pipeline, const SplitPixels& pixels, const ImageSet& set,
                            const torch::Tensor& indices) {
  if (pixels.memory() != nullptr) return pipeline.gather(view_of(pixels, set), indices);
  torch::Tensor images = torch::empty({indices.size(0), set.height, set.width, set.channels}, torch::kUInt8);
  const torch::Tensor order = indices.contiguous();
  pixels.read(order.data_ptr<std::int64_t>(), order.size(0), images.data_ptr<std::uint8_t>());
  return images;
}

torch::Tensor range_of_images(const SplitPixels& pixels, const ImageSet& set, std::int64_t start, std::int64_t end) {
  if (pixels.memory() != nullptr) return view_of(pixels, set).slice(0, start, end);
  torch::Tensor images = torch::empty({end - start, set.height, set.width, set.channels}, torch::kUInt8);
  pixels.read_range(start, end, images.data_ptr<std::uint8_t>());
  return images;
}

}  // namespace ablate
