// Dataset plugin `synthetic`: seeded, small, learnable labelled images for tests and demos.
#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ablate/dataset.hpp"
#include "ablate/error.hpp"
#include "ablate/options.hpp"

namespace ablate {
namespace {

constexpr std::int64_t kOrientations = 4;
constexpr std::int64_t kMinStripeWidth = 2;
constexpr std::int64_t kMinSize = 8;
constexpr std::int64_t kMaxSize = 1024;
// Keeps a typo such as `train: 10000000` from eating the machine's memory.
constexpr std::int64_t kMaxTotalBytes = std::int64_t{1} << 32;

// Stripe colours for 3-channel images, one per class in turn: a second cue besides the
// stripes, and one that a network with global pooling picks up at once.
constexpr std::array<std::array<std::uint8_t, 3>, 8> kPalette = {{
    {255, 64, 64},
    {64, 255, 64},
    {64, 64, 255},
    {255, 255, 64},
    {255, 64, 255},
    {64, 255, 255},
    {255, 160, 32},
    {160, 96, 255},
}};

// Uniform in [0, bound) by masked rejection: fixed by the standard's definition of
// mt19937_64, unlike std::uniform_int_distribution, so bytes match across platforms.
std::uint64_t bounded_draw(std::mt19937_64& engine, std::uint64_t bound) {
  std::uint64_t mask = bound - 1;
  for (int shift = 1; shift < 64; shift <<= 1) mask |= mask >> shift;
  for (;;) {
    const std::uint64_t value = engine() & mask;
    if (value < bound) return value;
  }
}

struct Settings {
  std::int64_t classes = 4;
  std::int64_t channels = 3;
  std::int64_t size = 16;
  std::int64_t train = 256;
  std::int64_t val = 64;
  std::int64_t test = 64;
  std::int64_t seed = 0;
  // Noise weight in 1/256ths: integer mixing keeps the bytes identical on every
  // platform (a fused multiply-add could change a float's rounding).
  std::int64_t noise_256 = 51;
};

// Classes with stripe widths 2..size/2 in four orientations: a texture that is the same
// everywhere in the image, so both pooling and flattening networks can learn it.
std::int64_t max_classes(std::int64_t size) { return kOrientations * (size / 2 - kMinStripeWidth + 1); }

// Position across the stripes of one orientation: horizontal, vertical, diagonal,
// anti-diagonal (offset by `size` to stay non-negative).
std::int64_t across(std::int64_t orientation, std::int64_t row, std::int64_t col, std::int64_t size) {
  switch (orientation) {
    case 0:
      return row;
    case 1:
      return col;
    case 2:
      return row + col;
    default:
      return row - col + size;
  }
}

// Class k: stripes of width 2 + k/4 in orientation k%4 at a random phase, in the class's
// colour, mixed with uniform noise.
void draw_image(const Settings& s, std::int64_t label, std::mt19937_64& engine, std::uint8_t* out) {
  const std::int64_t orientation = label % kOrientations;
  const std::int64_t width = kMinStripeWidth + label / kOrientations;
  const auto phase = static_cast<std::int64_t>(bounded_draw(engine, static_cast<std::uint64_t>(2 * width)));
  const auto& colour = kPalette[static_cast<std::size_t>(label) % kPalette.size()];
  for (std::int64_t row = 0; row < s.size; ++row) {
    for (std::int64_t col = 0; col < s.size; ++col) {
      const bool on = ((across(orientation, row, col, s.size) + phase) / width) % 2 == 0;
      for (std::int64_t ch = 0; ch < s.channels; ++ch) {
        std::int64_t pattern = 0;
        if (on) pattern = s.channels == 1 ? 255 : colour[static_cast<std::size_t>(ch)];
        const auto random = static_cast<std::int64_t>(engine() >> 56);  // 0..255
        // At most (256 * 255 + 128) >> 8 = 255: always a valid byte.
        *out++ = static_cast<std::uint8_t>(((256 - s.noise_256) * pattern + s.noise_256 * random + 128) >> 8);
      }
    }
  }
}

// `split` keeps the three splits independent streams of the same seed.
ImageSet generate(const Settings& s, std::int64_t count, std::uint32_t split) {
  const auto seed = static_cast<std::uint64_t>(s.seed);
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32), split};
  std::mt19937_64 engine(seq);

  ImageSet set;
  set.count = count;
  set.height = s.size;
  set.width = s.size;
  set.channels = s.channels;
  // Round-robin labels make the classes balanced (within one); the shuffle mixes them.
  set.labels.resize(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) set.labels[static_cast<std::size_t>(i)] = i % s.classes;
  for (std::int64_t i = count - 1; i > 0; --i) {
    const auto j = bounded_draw(engine, static_cast<std::uint64_t>(i + 1));
    std::swap(set.labels[static_cast<std::size_t>(i)], set.labels[j]);
  }
  const std::int64_t stride = s.size * s.size * s.channels;
  set.pixels.resize(static_cast<std::size_t>(count * stride));
  for (std::int64_t i = 0; i < count; ++i) {
    draw_image(s, set.labels[static_cast<std::size_t>(i)], engine, set.pixels.data() + i * stride);
  }
  return set;
}

class Synthetic final : public Dataset {
 public:
  explicit Synthetic(const Settings& settings) : settings_(settings) {}

  DatasetInfo info() const override {
    DatasetInfo info;
    info.name = "synthetic";
    info.channels = settings_.channels;
    info.num_classes = settings_.classes;
    for (std::int64_t k = 0; k < settings_.classes; ++k) {
      info.class_names.push_back("class_" + std::to_string(k));
    }
    info.native_resolution = settings_.size;
    return info;
  }

  // Always generated at `size`: the host resizes to the grid's resolution.
  DatasetSplits load(std::int64_t /*resolution*/) override {
    DatasetSplits splits;
    splits.train = generate(settings_, settings_.train, 0);
    splits.val = generate(settings_, settings_.val, 1);
    splits.test = generate(settings_, settings_.test, 2);
    return splits;
  }

 private:
  Settings settings_;
};

std::int64_t positive_count(const Options& options, const std::string& key, std::int64_t default_value) {
  const std::int64_t value = options.get_int(key, default_value);
  if (value < 1) options.fail(key, "is " + std::to_string(value) + "; expected at least 1");
  return value;
}

Dataset* create(const Options& options) {
  Settings s;
  s.classes = options.get_int("classes", s.classes);
  s.channels = options.get_int("channels", s.channels);
  s.size = options.get_int("size", s.size);
  s.train = positive_count(options, "train", s.train);
  s.val = positive_count(options, "val", s.val);
  s.test = positive_count(options, "test", s.test);
  s.seed = options.get_int("seed", s.seed);
  const double noise = options.get_double("noise", 0.2);

  if (s.channels != 1 && s.channels != 3) {
    options.fail("channels", "is " + std::to_string(s.channels) + "; expected 1 or 3");
  }
  if (s.size < kMinSize || s.size > kMaxSize) {
    options.fail("size", "is " + std::to_string(s.size) + "; expected " + std::to_string(kMinSize) + " to " +
                             std::to_string(kMaxSize));
  }
  if (s.classes < 2 || s.classes > max_classes(s.size)) {
    options.fail("classes", "is " + std::to_string(s.classes) + "; expected 2 to " +
                                std::to_string(max_classes(s.size)) + " for size " + std::to_string(s.size) +
                                " (each class is a distinct stripe pattern)");
  }
  if (!(noise >= 0.0 && noise <= 1.0)) {  // written so that NaN fails too
    options.fail("noise", "is " + std::to_string(noise) + "; expected 0 to 1");
  }
  s.noise_256 = static_cast<std::int64_t>(noise * 256.0 + 0.5);
  // Each count is bounded first so that the product below cannot overflow.
  const std::int64_t image_bytes = s.size * s.size * s.channels;
  for (const auto& [key, count] :
       {std::pair<const char*, std::int64_t>{"train", s.train}, {"val", s.val}, {"test", s.test}}) {
    if (count > kMaxTotalBytes / image_bytes) {
      options.fail(key, "is " + std::to_string(count) +
                            "; expected a small data set (at "
                            "most 4 GiB of images in all)");
    }
  }
  if ((s.train + s.val + s.test) * image_bytes > kMaxTotalBytes) {
    options.fail("train", "with val and test makes more than 4 GiB of images; expected a "
                          "small data set");
  }
  return new Synthetic(s);
}

}  // namespace
}  // namespace ablate

ABLATE_DATASET_PLUGIN("synthetic", "1.0.0", "seeded class-specific stripe images with noise, for tests", ablate::create)
