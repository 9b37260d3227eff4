// Dataset plugin `fashion_mnist`: Zalando's Fashion-MNIST read from the gzip IDX files
// that Debian's dataset-fashion-mnist package installs, with a seeded stratified val split.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "ablate/dataset.hpp"
#include "ablate/error.hpp"
#include "ablate/options.hpp"
#include "idx_reader.hpp"

namespace ablate {
namespace {

constexpr const char* kDefaultPath = "/usr/share/datasets/fashion-mnist";
constexpr std::int64_t kDefaultValSize = 5000;
constexpr std::int64_t kSide = 28;
constexpr std::int64_t kNumClasses = 10;

const std::array<const char*, kNumClasses> kClassNames = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                          "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

// Every message starts like the host's option errors: "dataset plugin 'fashion_mnist': ".
[[noreturn]] void fail(const std::string& problem) { throw DataError("dataset plugin 'fashion_mnist': " + problem); }

[[noreturn]] void fail_file(const std::string& path, const std::string& problem) { fail("'" + path + "' " + problem); }

// `<dir>/<stem>.gz`, or `<dir>/<stem>` when only the uncompressed file is there.
std::filesystem::path locate(const std::filesystem::path& dir, const std::string& stem) {
  const std::filesystem::path gz = dir / (stem + ".gz");
  const std::filesystem::path plain = dir / stem;
  std::error_code ec;
  if (std::filesystem::is_regular_file(gz, ec)) return gz;
  if (std::filesystem::is_regular_file(plain, ec)) return plain;
  fail_file(gz.string(), "not found (nor the uncompressed '" + plain.string() +
                             "'); install Debian's dataset-fashion-mnist package (apt-get "
                             "install dataset-fashion-mnist) or set the dataset option `path`");
}

// One split as stored: the images file and its labels file must agree on the count.
ImageSet read_split(const std::filesystem::path& dir, const std::string& prefix) {
  const std::filesystem::path images_path = locate(dir, prefix + "-images-idx3-ubyte");
  const std::filesystem::path labels_path = locate(dir, prefix + "-labels-idx1-ubyte");
  ImageSet set = fashion_mnist::read_idx_images(images_path, kSide);
  set.labels = fashion_mnist::read_idx_labels(labels_path, kNumClasses);
  if (static_cast<std::int64_t>(set.labels.size()) != set.count) {
    fail_file(labels_path.string(), "holds " + std::to_string(set.labels.size()) + " labels but '" +
                                        images_path.string() + "' holds " + std::to_string(set.count) +
                                        " images; expected one label per image");
  }
  return set;
}

// Uniform in [0, bound) by masked rejection: unlike std::uniform_int_distribution its
// results are fixed by the standard's definition of mt19937_64, so a split_seed selects
// the same split on every platform. Expected draws < 2.
std::uint64_t bounded_draw(std::mt19937_64& engine, std::uint64_t bound) {
  std::uint64_t mask = bound - 1;
  for (int shift = 1; shift < 64; shift <<= 1) mask |= mask >> shift;
  for (;;) {
    const std::uint64_t value = engine() & mask;
    if (value < bound) return value;
  }
}

// Per-class val quotas by the largest-remainder method: proportional to class sizes and
// summing to exactly `val_size`. Ties in the remainder go to the lower class index.
std::vector<std::int64_t> val_quotas(const std::vector<std::int64_t>& class_sizes, std::int64_t total,
                                     std::int64_t val_size) {
  const std::size_t classes = class_sizes.size();
  std::vector<std::int64_t> quotas(classes);
  std::vector<std::pair<std::int64_t, std::size_t>> remainders;  // (remainder, class)
  std::int64_t assigned = 0;
  for (std::size_t c = 0; c < classes; ++c) {
    // Exact integer arithmetic; the product stays within int64 for any real file.
    quotas[c] = val_size * class_sizes[c] / total;
    remainders.emplace_back(val_size * class_sizes[c] % total, c);
    assigned += quotas[c];
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  // A positive remainder means quota < size * val/total < size, so +1 still fits.
  for (std::size_t i = 0; assigned < val_size; ++i, ++assigned) {
    ++quotas[remainders[i].second];
  }
  return quotas;
}

ImageSet take(const ImageSet& from, const std::vector<std::int64_t>& indices) {
  ImageSet set;
  set.count = static_cast<std::int64_t>(indices.size());
  set.height = from.height;
  set.width = from.width;
  set.channels = from.channels;
  const std::int64_t stride = from.height * from.width * from.channels;
  set.pixels.resize(static_cast<std::size_t>(set.count * stride));
  set.labels.reserve(indices.size());
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const auto begin = from.pixels.begin() + indices[i] * stride;
    std::copy(begin, begin + stride, set.pixels.begin() + static_cast<std::int64_t>(i) * stride);
    set.labels.push_back(from.labels[static_cast<std::size_t>(indices[i])]);
  }
  return set;
}

// Splits the official training set into train and a stratified val of `val_size`
// images; both keep the original file order.
std::pair<ImageSet, ImageSet> split_train_val(const ImageSet& all, std::int64_t val_size, std::uint64_t seed) {
  std::vector<std::vector<std::int64_t>> by_class(kNumClasses);
  for (std::int64_t i = 0; i < all.count; ++i) {
    by_class[static_cast<std::size_t>(all.labels[static_cast<std::size_t>(i)])].push_back(i);
  }
  std::vector<std::int64_t> class_sizes;
  for (const auto& members : by_class) {
    class_sizes.push_back(static_cast<std::int64_t>(members.size()));
  }
  const std::vector<std::int64_t> quotas = val_quotas(class_sizes, all.count, val_size);

  std::mt19937_64 engine(seed);
  std::vector<bool> in_val(static_cast<std::size_t>(all.count), false);
  for (std::size_t c = 0; c < by_class.size(); ++c) {
    std::vector<std::int64_t>& members = by_class[c];
    // Partial Fisher-Yates: the first quotas[c] positions become a uniform sample.
    for (std::int64_t i = 0; i < quotas[c]; ++i) {
      const auto remaining = static_cast<std::uint64_t>(members.size()) - static_cast<std::uint64_t>(i);
      const std::int64_t j = i + static_cast<std::int64_t>(bounded_draw(engine, remaining));
      std::swap(members[static_cast<std::size_t>(i)], members[static_cast<std::size_t>(j)]);
      in_val[static_cast<std::size_t>(members[static_cast<std::size_t>(i)])] = true;
    }
  }
  std::vector<std::int64_t> train_indices;
  std::vector<std::int64_t> val_indices;
  for (std::int64_t i = 0; i < all.count; ++i) {
    (in_val[static_cast<std::size_t>(i)] ? val_indices : train_indices).push_back(i);
  }
  return {take(all, train_indices), take(all, val_indices)};
}

class FashionMnist final : public Dataset {
 public:
  FashionMnist(std::filesystem::path path, std::int64_t val_size, std::uint64_t split_seed)
      : path_(std::move(path)), val_size_(val_size), split_seed_(split_seed) {}

  DatasetInfo info() const override {
    DatasetInfo info;
    info.name = "fashion_mnist";
    info.channels = 1;
    info.num_classes = kNumClasses;
    info.class_names.assign(kClassNames.begin(), kClassNames.end());
    info.native_resolution = kSide;
    return info;
  }

  // The images are returned at 28x28 whatever `resolution` is: the host resizes.
  DatasetSplits load(std::int64_t /*resolution*/) override {
    // The package holds 60000 train and 10000 test images; any count is accepted so
    // that tests (and subsets) can use small files of the same format.
    ImageSet train_all = read_split(path_, "train");
    if (val_size_ >= train_all.count) {
      fail("option 'val_size' is " + std::to_string(val_size_) + " but the training files in '" + path_.string() +
           "' hold only " + std::to_string(train_all.count) + " images; expected val_size between 1 and " +
           std::to_string(train_all.count - 1));
    }
    DatasetSplits splits;
    std::tie(splits.train, splits.val) = split_train_val(train_all, val_size_, split_seed_);
    splits.test = read_split(path_, "t10k");
    return splits;
  }

 private:
  std::filesystem::path path_;
  std::int64_t val_size_;
  std::uint64_t split_seed_;
};

Dataset* create(const Options& options) {
  const std::string path = options.get_string("path", kDefaultPath);
  const std::int64_t val_size = options.get_int("val_size", kDefaultValSize);
  const std::int64_t split_seed = options.get_int("split_seed", 0);
  if (path.empty()) options.fail("path", "is empty; expected the folder of the IDX files");
  if (val_size < 1) {
    options.fail("val_size",
                 "is " + std::to_string(val_size) + "; expected at least 1 and fewer than the training images");
  }
  // Negative seeds are fine: they name a split like any other number.
  return new FashionMnist(path, val_size, static_cast<std::uint64_t>(split_seed));
}

}  // namespace
}  // namespace ablate

ABLATE_DATASET_PLUGIN("fashion_mnist", "1.0.0",
                      "Fashion-MNIST (28x28 grey, 10 classes) from Debian's IDX files, "
                      "stratified val split",
                      ablate::create)
