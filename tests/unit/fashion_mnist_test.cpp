// Tests of the fashion_mnist dataset plugin, loaded through the real plugin loader, on
// tiny IDX files written here and (when installed) on Debian's real files.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>
#include <zlib.h>

#include "ablate/dataset.hpp"
#include "ablate/error.hpp"
#include "config/plugin_registry.hpp"
#include "test_support.hpp"

namespace ablate {
namespace {

namespace fs = std::filesystem;

using Bytes = std::vector<std::uint8_t>;

constexpr std::int64_t kPixels = 28 * 28;

void append_be32(Bytes& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

// Image n is filled with n + 1 (mod 256) except pixel 1, which holds n / 255: together
// they identify the image wherever the split puts it.
Bytes image_file(std::uint32_t count, std::uint32_t magic = 0x00000803, std::uint32_t rows = 28,
                 std::uint32_t cols = 28) {
  Bytes out;
  append_be32(out, magic);
  append_be32(out, count);
  append_be32(out, rows);
  append_be32(out, cols);
  for (std::uint32_t n = 0; n < count; ++n) {
    for (std::uint32_t i = 0; i < rows * cols; ++i) {
      out.push_back(static_cast<std::uint8_t>(i == 1 ? n / 255 : (n % 255) + 1));
    }
  }
  return out;
}

Bytes label_file(const std::vector<int>& labels, std::uint32_t magic = 0x00000801) {
  Bytes out;
  append_be32(out, magic);
  append_be32(out, static_cast<std::uint32_t>(labels.size()));
  for (int label : labels) out.push_back(static_cast<std::uint8_t>(label));
  return out;
}

void write_gz(const fs::path& file, const Bytes& bytes) {
  gzFile out = gzopen(file.string().c_str(), "wb");
  ASSERT_NE(out, nullptr) << file;
  ASSERT_EQ(gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(out), Z_OK);
}

void write_plain(const fs::path& file, const Bytes& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << file;
}

Bytes read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Labels 0..9 in turn: `count` images, count / 10 of each class when count % 10 == 0.
std::vector<int> round_robin(int count) {
  std::vector<int> labels;
  for (int i = 0; i < count; ++i) labels.push_back(i % 10);
  return labels;
}

// A complete data set folder: the train files from `train_labels`, 20 test images.
void write_dataset(const fs::path& dir, const std::vector<int>& train_labels) {
  write_gz(dir / "train-images-idx3-ubyte.gz", image_file(static_cast<std::uint32_t>(train_labels.size())));
  write_gz(dir / "train-labels-idx1-ubyte.gz", label_file(train_labels));
  write_gz(dir / "t10k-images-idx3-ubyte.gz", image_file(20));
  write_gz(dir / "t10k-labels-idx1-ubyte.gz", label_file(round_robin(20)));
}

// The index of an image in the original file, from the marks image_file() left.
std::int64_t image_id(const ImageSet& set, std::int64_t i) {
  const std::uint8_t* image = set.pixels.data() + i * kPixels;
  return std::int64_t{image[1]} * 255 + image[0] - 1;
}

std::vector<std::int64_t> ids(const ImageSet& set) {
  std::vector<std::int64_t> result;
  for (std::int64_t i = 0; i < set.count; ++i) result.push_back(image_id(set, i));
  return result;
}

std::map<std::int64_t, int> per_class(const ImageSet& set) {
  std::map<std::int64_t, int> counts;
  for (std::int64_t label : set.labels) ++counts[label];
  return counts;
}

class FashionMnistTest : public ::testing::Test {
 protected:
  void SetUp() override { registry_.load_directories({ABLATE_PLUGIN_DIR}); }

  std::shared_ptr<Dataset> create(const std::string& extra = "") const {
    return registry_.create_dataset("fashion_mnist", YAML::Load("{path: '" + dir_.path().string() + "'" + extra + "}"));
  }

  DatasetSplits load(const std::string& extra = "") const { return create(extra)->load(28); }

  // The DataError message of load(), or "" if it loaded.
  std::string load_error(const std::string& extra = "") const {
    try {
      load(extra);
    } catch (const DataError& e) {
      return e.what();
    }
    return "";
  }

  PluginRegistry registry_;
  test::TempDir dir_;
};

TEST_F(FashionMnistTest, LoadsSplitsWithTheRightShapes) {
  write_dataset(dir_.path(), round_robin(40));
  const auto dataset = create(", val_size: 10");
  const DatasetInfo info = dataset->info();
  EXPECT_EQ(info.name, "fashion_mnist");
  EXPECT_EQ(info.channels, 1);
  EXPECT_EQ(info.num_classes, 10);
  EXPECT_EQ(info.native_resolution, 28);
  ASSERT_EQ(info.class_names.size(), 10u);
  EXPECT_EQ(info.class_names[0], "T-shirt/top");
  EXPECT_EQ(info.class_names[9], "Ankle boot");

  const DatasetSplits splits = dataset->load(64);  // resolution is the host's business
  for (const ImageSet* set : {&splits.train, &splits.val, &splits.test}) {
    EXPECT_EQ(set->height, 28);
    EXPECT_EQ(set->width, 28);
    EXPECT_EQ(set->channels, 1);
    EXPECT_EQ(set->pixels.size(), static_cast<std::size_t>(set->count * kPixels));
    EXPECT_EQ(set->labels.size(), static_cast<std::size_t>(set->count));
  }
  EXPECT_EQ(splits.train.count, 30);
  EXPECT_EQ(splits.val.count, 10);
  EXPECT_EQ(splits.test.count, 20);
  // The test split is the t10k files unchanged and in order.
  std::vector<std::int64_t> expected(20);
  for (int i = 0; i < 20; ++i) expected[i] = i;
  EXPECT_EQ(ids(splits.test), expected);
  EXPECT_EQ(splits.test.labels[13], 3);
}

TEST_F(FashionMnistTest, SplitsTrainIntoDisjointFileOrderedTrainAndVal) {
  const std::vector<int> labels = round_robin(50);
  write_dataset(dir_.path(), labels);
  const DatasetSplits splits = load(", val_size: 10");
  const auto train = ids(splits.train);
  const auto val = ids(splits.val);
  EXPECT_TRUE(std::is_sorted(train.begin(), train.end()));
  EXPECT_TRUE(std::is_sorted(val.begin(), val.end()));
  std::vector<std::int64_t> all = train;
  all.insert(all.end(), val.begin(), val.end());
  std::sort(all.begin(), all.end());
  for (std::int64_t i = 0; i < 50; ++i) ASSERT_EQ(all[static_cast<std::size_t>(i)], i);
  // Each image keeps its own label.
  for (std::int64_t i = 0; i < splits.val.count; ++i) {
    EXPECT_EQ(splits.val.labels[static_cast<std::size_t>(i)],
              labels[static_cast<std::size_t>(val[static_cast<std::size_t>(i)])]);
  }
}

TEST_F(FashionMnistTest, StratifiesValidationProportionallyToClassSizes) {
  // Class 0: 20 images, class 1: 10, classes 2-9: 5 each (70). val_size 14 = 1/5 of each.
  std::vector<int> labels(20, 0);
  labels.insert(labels.end(), 10, 1);
  for (int c = 2; c < 10; ++c) labels.insert(labels.end(), 5, c);
  std::reverse(labels.begin(), labels.end());  // file order must not matter
  write_dataset(dir_.path(), labels);
  const DatasetSplits splits = load(", val_size: 14");
  std::map<std::int64_t, int> expected_val{{0, 4}, {1, 2}};
  std::map<std::int64_t, int> expected_train{{0, 16}, {1, 8}};
  for (int c = 2; c < 10; ++c) {
    expected_val[c] = 1;
    expected_train[c] = 4;
  }
  EXPECT_EQ(per_class(splits.val), expected_val);
  EXPECT_EQ(per_class(splits.train), expected_train);
}

TEST_F(FashionMnistTest, GivesLeftoverValSlotsToLargestRemaindersThenLowestClass) {
  // Classes 0, 1, 2 with 3, 3, 4 images; val_size 5: exact shares 1.5, 1.5, 2.0. Floors
  // 1, 1, 2 make 4; the one left goes to the largest remainder, a tie of classes 0 and 1,
  // so to class 0: 2, 1, 2 — exactly 5.
  write_dataset(dir_.path(), {0, 1, 2, 0, 1, 2, 0, 1, 2, 2});
  const DatasetSplits splits = load(", val_size: 5");
  EXPECT_EQ(splits.val.count, 5);
  EXPECT_EQ(per_class(splits.val), (std::map<std::int64_t, int>{{0, 2}, {1, 1}, {2, 2}}));
}

TEST_F(FashionMnistTest, SameSplitSeedGivesSameSplitAndAnotherSeedAnother) {
  write_dataset(dir_.path(), round_robin(100));
  const auto first = ids(load(", val_size: 20, split_seed: 7").val);
  const auto again = ids(load(", val_size: 20, split_seed: 7").val);
  const auto other = ids(load(", val_size: 20, split_seed: 8").val);
  EXPECT_EQ(first, again);
  EXPECT_NE(first, other);
  // The default seed is 0.
  EXPECT_EQ(ids(load(", val_size: 20").val), ids(load(", val_size: 20, split_seed: 0").val));
}

TEST_F(FashionMnistTest, ReadsUncompressedFilesWhenTheGzipFilesAreAbsent) {
  write_plain(dir_.path() / "train-images-idx3-ubyte", image_file(30));
  write_plain(dir_.path() / "train-labels-idx1-ubyte", label_file(round_robin(30)));
  write_plain(dir_.path() / "t10k-images-idx3-ubyte", image_file(10));
  write_plain(dir_.path() / "t10k-labels-idx1-ubyte", label_file(round_robin(10)));
  const DatasetSplits splits = load(", val_size: 10");
  EXPECT_EQ(splits.train.count, 20);
  EXPECT_EQ(splits.val.count, 10);
  EXPECT_EQ(splits.test.count, 10);
  EXPECT_EQ(image_id(splits.test, 9), 9);
}

TEST_F(FashionMnistTest, WrongMagicNumberNamesTheFileAndTheExpectedValue) {
  write_dataset(dir_.path(), round_robin(30));
  const fs::path file = dir_.path() / "train-images-idx3-ubyte.gz";
  write_gz(file, image_file(30, /*magic=*/0x00000801));
  const std::string message = load_error(", val_size: 10");
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("0x00000801"), std::string::npos) << message;
  EXPECT_NE(message.find("expected 0x00000803"), std::string::npos) << message;
}

TEST_F(FashionMnistTest, WrongImageSizeIsAnError) {
  write_dataset(dir_.path(), round_robin(30));
  const fs::path file = dir_.path() / "t10k-images-idx3-ubyte.gz";
  write_gz(file, image_file(20, 0x00000803, /*rows=*/32, /*cols=*/32));
  const std::string message = load_error(", val_size: 10");
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("32x32"), std::string::npos) << message;
  EXPECT_NE(message.find("expected 28x28"), std::string::npos) << message;
}

TEST_F(FashionMnistTest, TruncatedImageDataIsAnError) {
  write_dataset(dir_.path(), round_robin(30));
  const fs::path file = dir_.path() / "train-images-idx3-ubyte.gz";
  Bytes bytes = image_file(30);
  bytes.resize(bytes.size() - 100);  // the header still says 30 images
  write_gz(file, bytes);
  const std::string message = load_error(", val_size: 10");
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
}

TEST_F(FashionMnistTest, TruncatedGzipStreamIsAnError) {
  write_dataset(dir_.path(), round_robin(30));
  const fs::path file = dir_.path() / "train-images-idx3-ubyte.gz";
  Bytes compressed = read_all(file);
  compressed.resize(compressed.size() / 2);  // a download cut short
  write_plain(file, compressed);
  const std::string message = load_error(", val_size: 10");
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
}

// Issue 20, item 11: a download cut inside the gzip trailer (CRC-32 and length), or with
// bytes after it, loaded without complaint.
TEST_F(FashionMnistTest, AGzipFileCutInsideItsTrailerIsAnError) {
  write_dataset(dir_.path(), round_robin(30));
  const fs::path file = dir_.path() / "train-labels-idx1-ubyte.gz";
  Bytes compressed = read_all(file);
  compressed.resize(compressed.size() - 3);  // the data is complete; the length is not
  write_plain(file, compressed);
  const std::string message = load_error(", val_size: 10");
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("trailer is missing"), std::string::npos) << message;
}

TEST_F(FashionMnistTest, AGzipFileWithAWrongCrcIsAnError) {
  write_dataset(dir_.path(), round_robin(30));
  const fs::path file = dir_.path() / "train-labels-idx1-ubyte.gz";
  Bytes compressed = read_all(file);
  compressed[compressed.size() - 8] ^= 0xff;  // the first byte of the CRC-32
  write_plain(file, compressed);
  const std::string message = load_error(", val_size: 10");
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("incorrect data check"), std::string::npos) << message;
}

TEST_F(FashionMnistTest, BytesAfterTheGzipStreamAreAnError) {
  write_dataset(dir_.path(), round_robin(30));
  const fs::path file = dir_.path() / "train-images-idx3-ubyte.gz";
  Bytes compressed = read_all(file);
  for (const char c : std::string("garbage")) compressed.push_back(static_cast<std::uint8_t>(c));
  write_plain(file, compressed);
  const std::string message = load_error(", val_size: 10");
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("7 byte(s) after the end of its gzip stream"), std::string::npos) << message;
}

TEST_F(FashionMnistTest, DataAfterTheDeclaredImagesIsAnError) {
  write_dataset(dir_.path(), round_robin(30));
  const fs::path file = dir_.path() / "train-labels-idx1-ubyte.gz";
  Bytes bytes = label_file(round_robin(30));
  bytes.push_back(0);
  write_gz(file, bytes);
  const std::string message = load_error(", val_size: 10");
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("data after"), std::string::npos) << message;
}

TEST_F(FashionMnistTest, LabelCountDifferentFromImageCountIsAnError) {
  write_dataset(dir_.path(), round_robin(30));
  write_gz(dir_.path() / "t10k-labels-idx1-ubyte.gz", label_file(round_robin(19)));
  const std::string message = load_error(", val_size: 10");
  EXPECT_NE(message.find("t10k-labels-idx1-ubyte.gz"), std::string::npos) << message;
  EXPECT_NE(message.find("19 labels"), std::string::npos) << message;
  EXPECT_NE(message.find("20 images"), std::string::npos) << message;
}

TEST_F(FashionMnistTest, LabelOfTenOrMoreIsAnError) {
  std::vector<int> labels = round_robin(30);
  labels[17] = 10;
  write_dataset(dir_.path(), labels);
  const std::string message = load_error(", val_size: 10");
  EXPECT_NE(message.find("train-labels-idx1-ubyte.gz"), std::string::npos) << message;
  EXPECT_NE(message.find("label 17 is 10"), std::string::npos) << message;
  EXPECT_NE(message.find("expected 0 to 9"), std::string::npos) << message;
}

TEST_F(FashionMnistTest, MissingFileNamesThePathAndTheDebianPackage) {
  const std::string message = load_error();
  EXPECT_NE(message.find((dir_.path() / "train-images-idx3-ubyte.gz").string()), std::string::npos) << message;
  EXPECT_NE(message.find("apt-get install dataset-fashion-mnist"), std::string::npos) << message;
  EXPECT_NE(message.find("`path`"), std::string::npos) << message;
}

TEST_F(FashionMnistTest, ValSizeNotBelowTheTrainCountIsAnError) {
  write_dataset(dir_.path(), round_robin(30));
  const std::string message = load_error(", val_size: 30");
  EXPECT_NE(message.find("'val_size' is 30"), std::string::npos) << message;
  EXPECT_NE(message.find("between 1 and 29"), std::string::npos) << message;
}

TEST_F(FashionMnistTest, NonPositiveValSizeIsAConfigError) {
  try {
    create(", val_size: 0");
    FAIL() << "val_size 0 was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("val_size"), std::string::npos) << e.what();
  }
}

TEST_F(FashionMnistTest, UnknownOptionNamesItAndTheKnownOptions) {
  try {
    create(", val_sise: 10");
    FAIL() << "an unknown option was accepted";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'val_sise'"), std::string::npos) << message;
    for (const char* known : {"path", "val_size", "split_seed"}) {
      EXPECT_NE(message.find(known), std::string::npos) << known << " in " << message;
    }
  }
}

// Debian's dataset-fashion-mnist package: 60000 train images (6000 per class) and 10000
// test images. With the default val_size of 5000 each class gives exactly 500 to val.
TEST(FashionMnistInstalledTest, ReadsTheRealPackageFiles) {
  const fs::path dir = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(dir / "train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  PluginRegistry registry;
  registry.load_directories({ABLATE_PLUGIN_DIR});
  const auto dataset = registry.create_dataset("fashion_mnist", YAML::Load("{}"));
  const DatasetSplits splits = dataset->load(28);
  EXPECT_EQ(splits.train.count, 55000);
  EXPECT_EQ(splits.val.count, 5000);
  EXPECT_EQ(splits.test.count, 10000);
  for (const auto& [label, count] : per_class(splits.val)) EXPECT_EQ(count, 500) << label;
  for (const auto& [label, count] : per_class(splits.train)) EXPECT_EQ(count, 5500) << label;
  EXPECT_EQ(per_class(splits.test).size(), 10u);
  // Real images are mostly dark background with bright garments, never blank.
  const auto max_pixel = *std::max_element(splits.test.pixels.begin(), splits.test.pixels.begin() + kPixels);
  EXPECT_GT(max_pixel, 100);
}

}  // namespace
}  // namespace ablate
