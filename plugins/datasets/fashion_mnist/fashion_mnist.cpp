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

#include <zlib.h>

#include "ablate/dataset.hpp"
#include "ablate/error.hpp"
#include "ablate/options.hpp"

namespace ablate {
namespace {

constexpr const char* kDefaultPath = "/usr/share/datasets/fashion-mnist";
constexpr std::int64_t kDefaultValSize = 5000;
constexpr std::int64_t kSide = 28;
constexpr std::int64_t kNumClasses = 10;
// IDX magic: two zero bytes, the element type (0x08 = uint8), the number of dimensions.
constexpr std::uint32_t kImagesMagic = 0x00000803;
constexpr std::uint32_t kLabelsMagic = 0x00000801;
constexpr std::int64_t kReadChunk = std::int64_t{1} << 20;

const std::array<const char*, kNumClasses> kClassNames = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                          "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

// Every message starts like the host's option errors: "dataset plugin 'fashion_mnist': ".
[[noreturn]] void fail(const std::string& problem) { throw DataError("dataset plugin 'fashion_mnist': " + problem); }

[[noreturn]] void fail_file(const std::string& path, const std::string& problem) { fail("'" + path + "' " + problem); }

std::string hex32(std::uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%08X", static_cast<unsigned>(value));
  return buffer;
}

// An IDX file opened for reading: gzip-compressed (by its magic bytes) or plain. The gzip
// stream is inflated with zlib's inflate rather than gzread, which is lenient in two ways
// that hide a damaged download: it ignores bytes after the gzip stream, and a file cut
// inside the 8-byte trailer (CRC-32 and length) reads as complete. Here the trailer is
// always checked (the stream must end where the IDX data ends) and nothing may follow it.
class GzFile {
 public:
  explicit GzFile(const std::filesystem::path& path) : path_(path.string()) {
    file_ = std::fopen(path_.c_str(), "rb");
    if (!file_) fail_file(path_, "cannot be opened for reading");
    const int first = std::fgetc(file_);
    const int second = std::fgetc(file_);
    gzip_ = first == 0x1f && second == 0x8b;
    std::rewind(file_);
    if (gzip_ && inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK) fail_file(path_, "cannot be inflated (zlib)");
  }
  ~GzFile() {
    if (gzip_) inflateEnd(&stream_);
    if (file_) std::fclose(file_);
  }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  const std::string& path() const { return path_; }

  // The magic number, checked before anything else so that a file of another kind
  // is named as such rather than as a short IDX file.
  std::uint32_t read_magic() { return read_header_fields(0, 1, "the magic number").at(0); }

  // The `fields` big-endian uint32 after the magic number.
  std::vector<std::uint32_t> read_header(int fields) {
    return read_header_fields(4, fields, "the " + std::to_string(4 + 4 * fields) + "-byte header");
  }

  // The whole data section of `total` bytes, grown in slices so that a header which
  // lies about the count fails as "truncated" instead of allocating terabytes first.
  std::vector<std::uint8_t> read_section(std::int64_t total, const std::string& what) {
    std::vector<std::uint8_t> bytes;
    for (std::int64_t done = 0; done < total;) {
      const std::int64_t slice = std::min(total - done, kReadChunk * 16);
      bytes.resize(static_cast<std::size_t>(done + slice));
      read_exact(bytes.data() + done, slice, done + slice, what);
      done += slice;
    }
    return bytes;
  }

  // Extra bytes after the declared data mean the header and the body disagree; for a
  // gzip file, reading on to the end also checks the trailer and that nothing follows.
  void expect_end(const std::string& what) {
    std::uint8_t byte = 0;
    if (read_some(&byte, 1) > 0) {
      fail_file(path_, "has data after the " + what + " its header declares; expected the file to end there");
    }
  }

 private:
  // Reads up to `size` bytes, fewer only at the end of the data.
  std::int64_t read_some(std::uint8_t* data, std::int64_t size) {
    if (!gzip_) return static_cast<std::int64_t>(std::fread(data, 1, static_cast<std::size_t>(size), file_));
    std::int64_t done = 0;
    while (done < size && !stream_ended_) {
      if (stream_.avail_in == 0) {
        stream_.next_in = input_.data();
        stream_.avail_in = static_cast<uInt>(std::fread(input_.data(), 1, input_.size(), file_));
        if (stream_.avail_in == 0) {
          fail_file(path_,
                    "is truncated inside its gzip stream" +
                        std::string(done == 0 && produced_ > 0 ? " (its CRC and length trailer is missing)" : "") +
                        "; expected the complete file (re-install or re-download it)");
        }
      }
      const auto want = static_cast<uInt>(std::min(size - done, kReadChunk));
      stream_.next_out = data + done;
      stream_.avail_out = want;
      const int result = inflate(&stream_, Z_NO_FLUSH);
      const std::int64_t got = want - stream_.avail_out;
      done += got;
      produced_ += got;
      if (result == Z_STREAM_END) {
        stream_ended_ = true;
        expect_nothing_after_stream();
      } else if (result != Z_OK && !(result == Z_BUF_ERROR && stream_.avail_in == 0)) {
        // Z_BUF_ERROR with its input used up only asks for more input (read above).
        fail_file(path_, std::string("is not a valid gzip stream (") + (stream_.msg ? stream_.msg : "zlib error") +
                             "); expected a gzip-compressed or plain IDX file");
      }
    }
    return done;
  }

  // A complete gzip stream (its trailer checked by inflate) must end the file.
  void expect_nothing_after_stream() {
    std::int64_t extra = stream_.avail_in;
    std::array<std::uint8_t, 4096> rest{};
    for (std::size_t n; (n = std::fread(rest.data(), 1, rest.size(), file_)) > 0;)
      extra += static_cast<std::int64_t>(n);
    if (extra > 0) {
      fail_file(path_, "has " + std::to_string(extra) +
                           " byte(s) after the end of its gzip stream; expected the file to end with the stream "
                           "(re-install or re-download it)");
    }
  }

  // Reads the next `size` bytes, which end at byte `end` of the section `what`.
  void read_exact(std::uint8_t* data, std::int64_t size, std::int64_t end, const std::string& what) {
    const std::int64_t got = read_some(data, size);
    if (got < size) {
      fail_file(path_, "is truncated: it ends after " + std::to_string(end - size + got) + " bytes of " + what +
                           "; expected the complete file (re-install "
                           "or re-download it)");
    }
  }

  std::vector<std::uint32_t> read_header_fields(int offset, int fields, const std::string& what) {
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(4 * fields));
    read_exact(bytes.data(), 4 * fields, offset + 4 * fields, what);
    std::vector<std::uint32_t> values;
    for (std::size_t i = 0; i < bytes.size(); i += 4) {
      values.push_back((std::uint32_t{bytes[i]} << 24) | (std::uint32_t{bytes[i + 1]} << 16) |
                       (std::uint32_t{bytes[i + 2]} << 8) | std::uint32_t{bytes[i + 3]});
    }
    return values;
  }

  std::string path_;
  std::FILE* file_ = nullptr;
  bool gzip_ = false;
  z_stream stream_{};
  std::array<std::uint8_t, 1 << 16> input_{};
  bool stream_ended_ = false;
  std::int64_t produced_ = 0;  // bytes inflated so far
};

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

void check_magic(const GzFile& file, std::uint32_t magic, std::uint32_t expected, const char* kind) {
  if (magic != expected) {
    fail_file(file.path(), "has magic number " + hex32(magic) + ", expected " + hex32(expected) +
                               " (an IDX file of uint8 " + kind + ")");
  }
}

void check_count(const GzFile& file, std::uint32_t count) {
  if (count == 0) fail_file(file.path(), "declares 0 items; expected at least 1");
}

// Images in ImageSet layout (count, 28, 28, 1); labels are read separately.
ImageSet read_images(const std::filesystem::path& path) {
  GzFile file(path);
  check_magic(file, file.read_magic(), kImagesMagic, "images");
  const std::vector<std::uint32_t> header = file.read_header(3);
  const std::uint32_t count = header[0];
  const std::uint32_t rows = header[1];
  const std::uint32_t cols = header[2];
  check_count(file, count);
  if (rows != kSide || cols != kSide) {
    fail_file(file.path(), "holds " + std::to_string(rows) + "x" + std::to_string(cols) + " images, expected 28x28");
  }
  ImageSet set;
  set.count = count;
  set.height = kSide;
  set.width = kSide;
  set.channels = 1;
  const std::int64_t total = set.count * kSide * kSide;
  const std::string what = "the " + std::to_string(total) + " bytes of " + std::to_string(count) + " images of 28x28";
  set.pixels = file.read_section(total, what);
  file.expect_end(what);
  return set;
}

std::vector<std::int64_t> read_labels(const std::filesystem::path& path) {
  GzFile file(path);
  check_magic(file, file.read_magic(), kLabelsMagic, "labels");
  const std::uint32_t count = file.read_header(1).at(0);
  check_count(file, count);
  const std::string what = "the " + std::to_string(count) + " labels";
  const std::vector<std::uint8_t> bytes = file.read_section(count, what);
  file.expect_end(what);
  std::vector<std::int64_t> labels(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] >= kNumClasses) {
      fail_file(file.path(), "label " + std::to_string(i) + " is " + std::to_string(bytes[i]) + ", expected 0 to 9");
    }
    labels[i] = bytes[i];
  }
  return labels;
}

// One split as stored: the images file and its labels file must agree on the count.
ImageSet read_split(const std::filesystem::path& dir, const std::string& prefix) {
  const std::filesystem::path images_path = locate(dir, prefix + "-images-idx3-ubyte");
  const std::filesystem::path labels_path = locate(dir, prefix + "-labels-idx1-ubyte");
  ImageSet set = read_images(images_path);
  set.labels = read_labels(labels_path);
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
