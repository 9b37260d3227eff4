// The per-batch input pipeline: uint8 NHWC -> float NCHW at the cell's resolution.
#include "engine/input_pipeline.hpp"

#include <cmath>

#include <fmt/format.h>

#include "ablate/error.hpp"

namespace ablate {

namespace F = torch::nn::functional;

std::pair<std::vector<double>, std::vector<double>> channel_statistics(const ImageSet& set) {
  const std::int64_t channels = set.channels;
  std::vector<double> sum(channels, 0.0);
  std::vector<double> sum_squares(channels, 0.0);
  // Integer histograms per channel are exact and fast; moments come from them.
  std::vector<std::vector<std::int64_t>> histogram(channels, std::vector<std::int64_t>(256, 0));
  const std::uint8_t* pixel = set.pixels.data();
  const std::size_t total = set.pixels.size();
  for (std::size_t i = 0; i < total; ++i) ++histogram[i % channels][pixel[i]];
  const double count = static_cast<double>(total / channels);
  std::vector<double> mean(channels), std(channels);
  for (std::int64_t c = 0; c < channels; ++c) {
    for (int v = 0; v < 256; ++v) {
      const double x = v / 255.0;
      sum[c] += histogram[c][v] * x;
      sum_squares[c] += histogram[c][v] * x * x;
    }
    mean[c] = sum[c] / count;
    std[c] = std::sqrt(std::max(sum_squares[c] / count - mean[c] * mean[c], 1e-12));
  }
  return {mean, std};
}

InputPipeline::InputPipeline(const TrainSettings& settings, const ImageSet& train, std::int64_t resolution,
                             torch::Device device)
    : augment_(settings.augment), resolution_(resolution), channels_last_(settings.channels_last), device_(device) {
  if (settings.normalize == Normalize::kDataset) {
    std::tie(mean_, std_) = channel_statistics(train);
  } else if (settings.normalize == Normalize::kFixed) {
    mean_ = settings.normalize_mean;
    std_ = settings.normalize_std;
    // One value applies to every channel: `mean: [0.5]` serves grey and RGB alike.
    if (mean_.size() == 1) mean_.assign(train.channels, mean_.front());
    if (std_.size() == 1) std_.assign(train.channels, std_.front());
    if (static_cast<std::int64_t>(mean_.size()) != train.channels ||
        static_cast<std::int64_t>(std_.size()) != train.channels) {
      throw ConfigError(fmt::format("train.normalize: mean and std need 1 or {} values (one per "
                                    "channel), got {} and {}",
                                    train.channels, mean_.size(), std_.size()));
    }
  }
  if (!mean_.empty()) {
    std::vector<float> mean(mean_.begin(), mean_.end());
    std::vector<float> inv_std;
    for (const double s : std_) inv_std.push_back(static_cast<float>(1.0 / s));
    const std::int64_t c = static_cast<std::int64_t>(mean.size());
    mean_tensor_ = torch::tensor(mean).view({1, c, 1, 1}).to(device_);
    inv_std_tensor_ = torch::tensor(inv_std).view({1, c, 1, 1}).to(device_);
  }
}

torch::Tensor InputPipeline::gather(const torch::Tensor& host, const torch::Tensor& indices) const {
  if (!device_.is_cuda()) return host.index_select(0, indices);
  std::vector<std::int64_t> sizes = host.sizes().vec();
  sizes[0] = indices.size(0);
  torch::Tensor pinned = torch::empty(sizes, host.options().pinned_memory(true));
  torch::index_select_out(pinned, host, 0, indices);
  // The caching host allocator records the copy's stream: the buffer is not reused
  // before the copy has finished.
  return pinned.to(device_, /*non_blocking=*/true);
}

torch::Tensor InputPipeline::to_device(const torch::Tensor& host) const {
  if (!device_.is_cuda() || host.is_cuda()) return host;
  torch::Tensor pinned = torch::empty(host.sizes(), host.options().pinned_memory(true));
  pinned.copy_(host);
  return pinned.to(device_, /*non_blocking=*/true);
}

torch::Tensor InputPipeline::to_float(const torch::Tensor& images_uint8_nhwc) const {
  // NHWC memory permuted to NCHW is channels-last already: no copy for the layout. On a
  // GPU the uint8 pixels travel and the conversion runs there (a quarter of the bytes).
  torch::Tensor images = to_device(images_uint8_nhwc).permute({0, 3, 1, 2}).to(torch::kFloat32).mul_(1.0 / 255.0);
  if (images.size(2) != resolution_ || images.size(3) != resolution_) {
    const bool shrinking = images.size(2) > resolution_;
    images = F::interpolate(images, F::InterpolateFuncOptions()
                                        .size(std::vector<std::int64_t>{resolution_, resolution_})
                                        .mode(torch::kBilinear)
                                        .align_corners(false)
                                        .antialias(shrinking));
  }
  return images;
}

torch::Tensor InputPipeline::finish(torch::Tensor images) const {
  if (mean_tensor_.defined()) images = images.sub(mean_tensor_).mul_(inv_std_tensor_);
  return channels_last_ ? images.contiguous(torch::MemoryFormat::ChannelsLast) : images.contiguous();
}

torch::Tensor InputPipeline::eval_batch(const torch::Tensor& images_uint8_nhwc) const {
  return finish(to_float(images_uint8_nhwc));
}

torch::Tensor InputPipeline::train_batch(const torch::Tensor& images_uint8_nhwc, at::Generator& generator) const {
  return finish(augment(to_float(images_uint8_nhwc), generator));
}

torch::Tensor InputPipeline::augment(torch::Tensor images, at::Generator& generator) const {
  const std::int64_t n = images.size(0);
  const auto uniform = [&](std::int64_t count) { return torch::rand({count}, generator, torch::kFloat32); };
  const auto per_sample = [&](const torch::Tensor& mask) { return mask.to(images.device()).view({n, 1, 1, 1}); };
  if (augment_.horizontal_flip) images = torch::where(per_sample(uniform(n) < 0.5), images.flip({3}), images);
  if (augment_.vertical_flip) images = torch::where(per_sample(uniform(n) < 0.5), images.flip({2}), images);
  if (augment_.rotate90) {
    // k quarter turns per sample; images are square, so every turn keeps the shape.
    const torch::Tensor turns = torch::randint(0, 4, {n}, generator, torch::kInt64);
    torch::Tensor rotated = images.clone();
    for (std::int64_t k = 1; k < 4; ++k) {
      const torch::Tensor chosen = turns.eq(k).nonzero().view({-1}).to(images.device());
      if (chosen.numel() > 0) rotated.index_copy_(0, chosen, torch::rot90(images.index_select(0, chosen), k, {2, 3}));
    }
    images = rotated;
  }
  const bool crop = augment_.crop_min_area < 1.0;
  if (augment_.rotate_degrees > 0 || crop) {
    // One affine resampling for a small rotation and a random crop that keeps
    // [crop_min_area, 1] of the area, resized back to the full resolution.
    const double pi = 3.14159265358979323846;
    const torch::Tensor angle = (uniform(n) * 2 - 1) * (augment_.rotate_degrees * pi / 180.0);
    const torch::Tensor area =
        crop ? augment_.crop_min_area + uniform(n) * (1.0 - augment_.crop_min_area) : torch::ones({n});
    const torch::Tensor scale = area.sqrt();
    const torch::Tensor shift_x = (uniform(n) * 2 - 1) * (1 - scale);
    const torch::Tensor shift_y = (uniform(n) * 2 - 1) * (1 - scale);
    const torch::Tensor cos = angle.cos() * scale;
    const torch::Tensor sin = angle.sin() * scale;
    const torch::Tensor theta =
        torch::stack({torch::stack({cos, -sin, shift_x}, 1), torch::stack({sin, cos, shift_y}, 1)}, 1)
            .to(images.device());
    const torch::Tensor grid = F::affine_grid(theta, images.sizes().vec(), /*align_corners=*/false);
    images = F::grid_sample(
        images, grid,
        F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kReflection).align_corners(false));
  }
  return images;
}

}  // namespace ablate
