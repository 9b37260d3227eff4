// A run's random streams, one per source of randomness (seed_streams.hpp).
#include "engine/seed_streams.hpp"

#include <algorithm>
#include <random>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include "ablate/error.hpp"

namespace ablate {

namespace {

// SplitMix64's finaliser: nearby inputs give unrelated outputs.
std::uint64_t mix(std::uint64_t value) {
  value += 0x9E3779B97F4A7C15ULL;
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ULL;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBULL;
  return value ^ (value >> 31);
}

// Whether two sources come from the same place: both from the seed or both held.
bool together(const SeedSources& vary, SeedSource first, SeedSource second) {
  return vary.varies(first) == vary.varies(second);
}

// Swaps image `a` of `first` with image `b` of `second`, pixels and label.
void swap_images(ImageSet& first, std::int64_t a, ImageSet& second, std::int64_t b) {
  const std::int64_t bytes = first.height * first.width * first.channels;
  std::swap_ranges(first.pixels.begin() + a * bytes, first.pixels.begin() + (a + 1) * bytes,
                   second.pixels.begin() + b * bytes);
  std::swap(first.labels[static_cast<std::size_t>(a)], second.labels[static_cast<std::size_t>(b)]);
}

}  // namespace

std::uint64_t stream_seed(std::uint64_t seed, SeedSource source) {
  return mix(seed ^ mix(static_cast<std::uint64_t>(source) + 1));
}

SeedStreams::SeedStreams(std::int64_t seed, const SeedSources& vary)
    : seed_(static_cast<std::uint64_t>(seed)),
      vary_(vary),
      order_(at::detail::createCPUGenerator(source_seed(SeedSource::kOrder))),
      augment_(
          together(vary, SeedSource::kOrder, SeedSource::kAugment)
              ? order_  // a handle to the same generator
              : at::detail::createCPUGenerator(stream_seed(source_seed(SeedSource::kAugment), SeedSource::kAugment))) {}

std::uint64_t SeedStreams::source_seed(SeedSource source) const { return vary_.varies(source) ? seed_ : kHeldSeed; }

void SeedStreams::seed_initialisation() const { torch::manual_seed(source_seed(SeedSource::kInit)); }

void SeedStreams::seed_dropout() const {
  if (together(vary_, SeedSource::kInit, SeedSource::kDropout)) return;
  torch::manual_seed(stream_seed(source_seed(SeedSource::kDropout), SeedSource::kDropout));
}

void SeedStreams::redraw_split(ImageSet& train, ImageSet& val) const {
  if (!vary_.varies(SeedSource::kSplit)) return;
  if (train.height != val.height || train.width != val.width || train.channels != val.channels) {
    throw DataError(fmt::format("train.vary: split draws val from train + val, which needs images of one size; "
                                "train has {}x{}x{}, val {}x{}x{}",
                                train.height, train.width, train.channels, val.height, val.width, val.channels));
  }
  // A partial Fisher-Yates shuffle of train + val's positions picks val's: std::mt19937_64
  // and plain arithmetic draw the same on every platform and LibTorch version.
  const std::int64_t total = train.count + val.count;
  std::mt19937_64 random(stream_seed(seed_, SeedSource::kSplit));
  std::vector<std::int64_t> positions(static_cast<std::size_t>(total));
  for (std::int64_t i = 0; i < total; ++i) positions[static_cast<std::size_t>(i)] = i;
  std::vector<char> in_val(static_cast<std::size_t>(total), 0);
  for (std::int64_t i = 0; i < val.count; ++i) {
    const auto pick = i + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(total - i));
    std::swap(positions[static_cast<std::size_t>(i)], positions[static_cast<std::size_t>(pick)]);
    in_val[static_cast<std::size_t>(positions[static_cast<std::size_t>(i)])] = 1;
  }
  // As many train images were picked as val images were not: they trade places in order,
  // in place (no copy of either split).
  std::int64_t v = 0;
  for (std::int64_t t = 0; t < train.count; ++t) {
    if (!in_val[static_cast<std::size_t>(t)]) continue;
    while (in_val[static_cast<std::size_t>(train.count + v)]) ++v;
    swap_images(train, t, val, v++);
  }
}

}  // namespace ablate
