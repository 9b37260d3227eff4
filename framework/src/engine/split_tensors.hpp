// A data set split as LibTorch tensors, without copying what is in memory, and the checks
// a split from a dataset plugin must pass before it is used.
#pragma once

#include <cstdint>

#include <torch/torch.h>

#include "ablate/dataset.hpp"
#include "engine/input_pipeline.hpp"
#include "engine/split_pixels.hpp"

namespace ablate {

// Throws DataError unless `set` is consistent (sizes, square images, the dataset's
// channels, labels in 0..classes-1); `split` names it in the message.
void check_split(const ImageSet& set, const char* split, const DatasetInfo& info);

// The split's labels, int64 (N), viewed without copying.
torch::Tensor labels_of(const ImageSet& set);

// Images `indices` of a split, uint8 (n, H, W, C): from memory already on the device (for
// a GPU through pinned memory), from disk on the host (the pipeline moves them).
torch::Tensor gather_images(const InputPipeline& pipeline, const SplitPixels& pixels, const ImageSet& set,
                            const torch::Tensor& indices);

// Images start..end of a split, uint8 (n, H, W, C), on the host.
torch::Tensor range_of_images(const SplitPixels& pixels, const ImageSet& set, std::int64_t start, std::int64_t end);

}  // namespace ablate
