// From uint8 images to model input, one batch at a time: scaling, resizing, augmentation
// and normalisation. Whole splits stay uint8 (DESIGN §4).
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "ablate/dataset.hpp"
#include "config/config.hpp"

namespace ablate {

class InputPipeline {
 public:
  // `train` supplies the per-channel statistics when train.normalize is "dataset".
  InputPipeline(const TrainSettings& settings, const ImageSet& train, std::int64_t resolution, torch::Device device);

  // Rows `indices` of a host tensor (uint8 pixels or int64 labels) on the pipeline's
  // device. For a GPU they are gathered into pinned memory and copied without blocking,
  // so the copy overlaps the previous step's kernels; on the CPU this is index_select.
  torch::Tensor gather(const torch::Tensor& host, const torch::Tensor& indices) const;
  // A host tensor on the pipeline's device (through pinned memory for a GPU).
  torch::Tensor to_device(const torch::Tensor& host) const;

  // Validation and test: scale, resize, normalise.
  torch::Tensor eval_batch(const torch::Tensor& images_uint8_nhwc) const;
  // Training: the same plus the configured augmentation, drawn from `generator`.
  torch::Tensor train_batch(const torch::Tensor& images_uint8_nhwc, at::Generator& generator) const;

  const std::vector<double>& mean() const { return mean_; }  // empty when not normalising
  const std::vector<double>& std() const { return std_; }

 private:
  torch::Tensor to_float(const torch::Tensor& images_uint8_nhwc) const;
  torch::Tensor finish(torch::Tensor images) const;
  torch::Tensor augment(torch::Tensor images, at::Generator& generator) const;

  AugmentSettings augment_;
  std::int64_t resolution_;
  bool channels_last_;
  torch::Device device_;
  std::vector<double> mean_;
  std::vector<double> std_;
  torch::Tensor mean_tensor_;  // (1, C, 1, 1)
  torch::Tensor inv_std_tensor_;
};

// Per-channel mean and standard deviation of uint8 NHWC pixels, scaled to [0, 1].
std::pair<std::vector<double>, std::vector<double>> channel_statistics(const ImageSet& set);

}  // namespace ablate
