// What a run's seed drives (train.vary): a random stream per source of randomness, drawn from
// the seed when the source is varied and from a fixed seed when it is held, so that holding a
// source gives it bit-identical draws for every seed of a study.
//
// The pairs that shared one generator before train.vary existed still share one while both
// are varied or both held, so the default (every source but split) draws exactly what one
// seed drew before: initialisation then dropout from LibTorch's global generator, data order
// then augmentation from the data generator. Holding one of a pair gives the second its own
// stream.
#pragma once

#include <cstdint>

#include <ATen/core/Generator.h>

#include "ablate/dataset.hpp"
#include "config/train_settings.hpp"

namespace ablate {

// The seed a held source draws from, whatever the run's seed.
inline constexpr std::uint64_t kHeldSeed = 0;

// The seed of `source`'s own stream, from `seed`: distinct sources get unrelated streams.
std::uint64_t stream_seed(std::uint64_t seed, SeedSource source);

class SeedStreams {
 public:
  SeedStreams(std::int64_t seed, const SeedSources& vary);

  // Seeds LibTorch's global generator (the CPU's and every GPU's), which the model's initial
  // weights draw from: call before building the model.
  void seed_initialisation() const;
  // Call once the model is built: dropout draws from the global generator as well. It goes on
  // from initialisation's stream when init and dropout are both varied or both held, and is
  // reseeded with a stream of its own otherwise.
  void seed_dropout() const;

  // The order of the training images in each epoch, and the augmentation of each batch: one
  // generator when order and augment are both varied or both held.
  at::Generator& order() { return order_; }
  at::Generator& augment() { return augment_; }

  // With `split` varied, moves images between `train` and `val` so that val is a subset of
  // train + val drawn from the seed, as large as the dataset's own val split (not stratified;
  // the test split is never touched). Nothing changes when split is held. Throws DataError
  // when the two splits' images differ in size.
  void redraw_split(ImageSet& train, ImageSet& val) const;

 private:
  // The seed a source draws from: the run's when it is varied, kHeldSeed when it is held.
  std::uint64_t source_seed(SeedSource source) const;

  std::uint64_t seed_;
  SeedSources vary_;
  at::Generator order_;
  at::Generator augment_;
};

}  // namespace ablate
