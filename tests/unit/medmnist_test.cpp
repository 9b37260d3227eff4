// Tests of the medmnist dataset plugin, loaded through the real plugin loader: files
// numpy wrote (committed), files written here with libzip (good ones and each kind of
// bad one), and downloads from an HTTP server on 127.0.0.1 that also misbehaves.
#include <openssl/evp.h>
#include <zip.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "ablate/dataset.hpp"
#include "ablate/error.hpp"
#include "config/plugin_registry.hpp"
#include "medmnist/http_server.hpp"
#include "test_support.hpp"

namespace ablate {
namespace {

namespace fs = std::filesystem;

using Bytes = std::vector<std::uint8_t>;
using Members = std::map<std::string, Bytes>;
using test::HttpServer;

const fs::path kNumpyFixtures = fs::path(ABLATE_SOURCE_DIR) / "tests/fixtures/medmnist";

struct SplitSpec {
  const char* name;
  std::int64_t count;
  int offset;  // added to every pixel, so that splits differ
};
constexpr SplitSpec kSplits[] = {{"train", 6, 0}, {"val", 3, 100}, {"test", 4, 200}};

// The same pattern as tests/fixtures/medmnist/make_fixture.py.
std::uint8_t pixel(std::int64_t n, std::int64_t y, std::int64_t x, std::int64_t c, int offset) {
  return static_cast<std::uint8_t>((7 * n + 3 * y + x + 50 * c + offset) % 256);
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    text += (i ? ", " : "") + std::to_string(shape[i]);
  }
  return text + (shape.size() == 1 ? ",)" : ")");
}

// A .npy file as numpy writes it: version 1.0, the dict padded with spaces to a multiple
// of 64 bytes and ended with a newline.
Bytes npy(const std::string& descr, const std::vector<std::int64_t>& shape, const Bytes& data, bool fortran = false) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                     ", 'shape': " + shape_text(shape) + ", }";
  const std::size_t unpadded = 10 + dict.size() + 1;
  dict += std::string((64 - unpadded % 64) % 64, ' ') + "\n";
  Bytes out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.push_back(static_cast<std::uint8_t>(dict.size() & 0xff));
  out.push_back(static_cast<std::uint8_t>(dict.size() >> 8));
  out.insert(out.end(), dict.begin(), dict.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

Bytes image_data(std::int64_t count, std::int64_t side, std::int64_t channels, int offset) {
  Bytes data;
  for (std::int64_t n = 0; n < count; ++n)
    for (std::int64_t y = 0; y < side; ++y)
      for (std::int64_t x = 0; x < side; ++x)
        for (std::int64_t c = 0; c < channels; ++c) data.push_back(pixel(n, y, x, c, offset));
  return data;
}

Bytes label_data(std::int64_t count, int classes) {
  Bytes data;
  for (std::int64_t n = 0; n < count; ++n) data.push_back(static_cast<std::uint8_t>(n % classes));
  return data;
}

// The six members of a good file: RGB (N, side, side, 3) or grayscale (N, side, side).
Members good_members(std::int64_t side, std::int64_t channels = 3, int classes = 8) {
  Members members;
  for (const SplitSpec& split : kSplits) {
    std::vector<std::int64_t> shape = {split.count, side, side};
    if (channels > 1) shape.push_back(channels);
    members[std::string(split.name) + "_images.npy"] =
        npy("|u1", shape, image_data(split.count, side, channels, split.offset));
    members[std::string(split.name) + "_labels.npy"] = npy("|u1", {split.count, 1}, label_data(split.count, classes));
  }
  return members;
}

// Deflated members, as numpy writes them (libzip adds ZIP64 fields only when needed;
// the committed numpy fixtures carry them).
void write_npz(const fs::path& file, const Members& members) {
  int error = 0;
  zip_t* archive = zip_open(file.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  ASSERT_NE(archive, nullptr) << file;
  for (const auto& [name, bytes] : members) {
    zip_source_t* source = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
    ASSERT_NE(source, nullptr);
    const zip_int64_t index = zip_file_add(archive, name.c_str(), source, ZIP_FL_OVERWRITE);
    ASSERT_GE(index, 0) << zip_strerror(archive);
    ASSERT_EQ(zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_DEFLATE, 0), 0);
  }
  ASSERT_EQ(zip_close(archive), 0) << file;
}

Bytes read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_all(const fs::path& file, const Bytes& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << file;
}

std::string md5_hex(const Bytes& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_md5(), nullptr);
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < size; ++i) {
    hex += kDigits[digest[i] >> 4];
    hex += kDigits[digest[i] & 15];
  }
  return hex;
}

// Every pixel and label of a split written with the test pattern.
void expect_pattern(const ImageSet& set, std::int64_t count, std::int64_t side, std::int64_t channels, int offset,
                    int classes) {
  ASSERT_EQ(set.count, count);
  ASSERT_EQ(set.height, side);
  ASSERT_EQ(set.width, side);
  ASSERT_EQ(set.channels, channels);
  ASSERT_EQ(set.pixels.size(), static_cast<std::size_t>(count * side * side * channels));
  std::size_t i = 0;
  for (std::int64_t n = 0; n < count; ++n)
    for (std::int64_t y = 0; y < side; ++y)
      for (std::int64_t x = 0; x < side; ++x)
        for (std::int64_t c = 0; c < channels; ++c, ++i)
          ASSERT_EQ(set.pixels[i], pixel(n, y, x, c, offset))
              << "image " << n << " y " << y << " x " << x << " c " << c;
  ASSERT_EQ(set.labels.size(), static_cast<std::size_t>(count));
  for (std::int64_t n = 0; n < count; ++n) EXPECT_EQ(set.labels[static_cast<std::size_t>(n)], n % classes);
}

void expect_contains(const std::string& message, const std::string& part) {
  EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
}

class MedMnistTest : public ::testing::Test {
 protected:
  void SetUp() override { registry_.load_directories({ABLATE_PLUGIN_DIR}); }

  std::shared_ptr<Dataset> create(const std::string& options, const fs::path& root = fs::path()) const {
    const fs::path folder = root.empty() ? dir_.path() : root;
    return registry_.create_dataset("medmnist", YAML::Load("{root: '" + folder.string() + "', " + options + "}"));
  }

  // The DataError message of load(), or "" if it loaded.
  std::string load_error(const std::string& options, std::int64_t resolution = 28) const {
    try {
      create(options)->load(resolution);
    } catch (const DataError& e) {
      return e.what();
    }
    return "";
  }

  std::string config_error(const std::string& options) const {
    try {
      create(options);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  // Writes bloodmnist.npz from good members changed by `change`; returns its path.
  fs::path write_blood(const std::function<void(Members&)>& change = {}) const {
    Members members = good_members(28);
    if (change) change(members);
    const fs::path file = dir_.path() / "bloodmnist.npz";
    write_npz(file, members);
    return file;
  }

  fs::path part_file(const std::string& name) const { return dir_.path() / (name + ".part"); }

  PluginRegistry registry_;
  test::TempDir dir_;
};

// --- files numpy wrote -------------------------------------------------------------

TEST_F(MedMnistTest, ReadsTheRgbFileNumpyWrote) {
  const DatasetSplits splits = create("flag: bloodmnist", kNumpyFixtures)->load(28);
  expect_pattern(splits.train, 6, 28, 3, 0, 8);
  expect_pattern(splits.val, 3, 28, 3, 100, 8);
  expect_pattern(splits.test, 4, 28, 3, 200, 8);
}

TEST_F(MedMnistTest, ReadsTheGrayscaleFileNumpyWroteAsOneChannel) {
  const DatasetSplits splits = create("flag: pneumoniamnist", kNumpyFixtures)->load(28);
  expect_pattern(splits.train, 6, 28, 1, 0, 2);
  expect_pattern(splits.val, 3, 28, 1, 100, 2);
  expect_pattern(splits.test, 4, 28, 1, 200, 2);
}

// The committed fixture must keep numpy's structure, or the test above proves less.
TEST_F(MedMnistTest, NumpyFixtureHasDeflatedMembersWithZip64Fields) {
  const Bytes bytes = read_all(kNumpyFixtures / "bloodmnist.npz");
  ASSERT_GT(bytes.size(), 30u);
  EXPECT_EQ(bytes[8], 8) << "compression method: deflate";
  const std::size_t name_length = bytes[26] | (bytes[27] << 8);
  const std::size_t extra_length = bytes[28] | (bytes[29] << 8);
  ASSERT_GE(extra_length, 4u);
  EXPECT_EQ(bytes[30 + name_length], 0x01) << "the first extra field is ZIP64 (0x0001)";
  EXPECT_EQ(bytes[31 + name_length], 0x00);
}

// --- options, info and resolutions ----------------------------------------------------

TEST_F(MedMnistTest, InfoDescribesTheFlagBeforeAnyFileIsRead) {
  const DatasetInfo info = create("flag: bloodmnist")->info();
  EXPECT_EQ(info.name, "medmnist/bloodmnist");
  EXPECT_EQ(info.channels, 3);
  EXPECT_EQ(info.num_classes, 8);
  ASSERT_EQ(info.class_names.size(), 8u);
  EXPECT_EQ(info.class_names[0], "basophil");
  EXPECT_EQ(info.class_names[7], "platelet");
  EXPECT_EQ(info.native_resolution, 28);
  const DatasetInfo organ = create("flag: organsmnist")->info();
  EXPECT_EQ(organ.channels, 1);
  EXPECT_EQ(organ.num_classes, 11);
}

TEST_F(MedMnistTest, GridResolutionPicksTheFile) {
  write_npz(dir_.path() / "bloodmnist_64.npz", good_members(64));
  const DatasetSplits splits = create("flag: bloodmnist")->load(64);
  expect_pattern(splits.train, 6, 64, 3, 0, 8);
  expect_pattern(splits.test, 4, 64, 3, 200, 8);
}

TEST_F(MedMnistTest, ResolutionWithoutAPublishedFileIsAnErrorUnlessResize) {
  try {
    create("flag: bloodmnist")->load(32);
    FAIL() << "resolution 32 was accepted";
  } catch (const ConfigError& e) {
    expect_contains(e.what(), "resolution 32");
    expect_contains(e.what(), "28, 64, 128, 224");
    expect_contains(e.what(), "resize: true");
  }
  write_npz(dir_.path() / "bloodmnist_64.npz", good_members(64));
  write_npz(dir_.path() / "bloodmnist_224.npz", good_members(224));
  const auto dataset = create("flag: bloodmnist, resize: true");
  EXPECT_EQ(dataset->load(32).train.height, 64);    // the smallest file at least as large
  EXPECT_EQ(dataset->load(300).train.height, 224);  // nothing larger: the largest
}

TEST_F(MedMnistTest, RootStartingWithTildeIsUnderHome) {
  const fs::path data = dir_.path() / "data";
  fs::create_directories(data);
  write_npz(data / "bloodmnist.npz", good_members(28));
  const char* old_home = std::getenv("HOME");
  const std::string saved = old_home ? old_home : "";
  setenv("HOME", dir_.path().c_str(), 1);
  const auto dataset = registry_.create_dataset("medmnist", YAML::Load("{flag: bloodmnist, root: '~/data'}"));
  if (old_home) setenv("HOME", saved.c_str(), 1);
  EXPECT_EQ(dataset->load(28).train.count, 6);
}

TEST_F(MedMnistTest, UnknownFlagIsAConfigErrorListingTheFlags) {
  const std::string message = config_error("flag: bloodmnst");
  expect_contains(message, "'bloodmnst'");
  for (const char* flag : {"pathmnist", "dermamnist", "octmnist", "pneumoniamnist", "retinamnist", "breastmnist",
                           "bloodmnist", "tissuemnist", "organamnist", "organcmnist", "organsmnist"}) {
    expect_contains(message, flag);
  }
}

TEST_F(MedMnistTest, MultiLabelFlagIsNotSupportedYet) {
  const std::string message = config_error("flag: chestmnist");
  expect_contains(message, "chestmnist");
  expect_contains(message, "not supported yet");
}

TEST_F(MedMnistTest, MissingFlagIsAConfigError) { expect_contains(config_error("download: false"), "flag"); }

TEST_F(MedMnistTest, UnknownOptionNamesItAndTheKnownOptions) {
  const std::string message = config_error("flag: bloodmnist, dowload: true");
  expect_contains(message, "'dowload'");
  for (const char* known : {"flag", "root", "download", "mirror", "resize"}) {
    expect_contains(message, known);
  }
}

// --- bad files ------------------------------------------------------------------------

TEST_F(MedMnistTest, MissingFileNamesThePathAndHowToGetIt) {
  const std::string message = load_error("flag: bloodmnist");
  expect_contains(message, (dir_.path() / "bloodmnist.npz").string());
  expect_contains(message, "download: true");
}

TEST_F(MedMnistTest, FileThatIsNotAZipIsAnError) {
  test::write_text(dir_.path() / "bloodmnist.npz", "this is not a zip archive\n");
  const std::string message = load_error("flag: bloodmnist");
  expect_contains(message, (dir_.path() / "bloodmnist.npz").string());
  expect_contains(message, "not a zip archive");
}

TEST_F(MedMnistTest, TruncatedFileIsAnError) {
  const fs::path file = write_blood();
  Bytes bytes = read_all(file);
  bytes.resize(bytes.size() / 2);  // a download cut short
  write_all(file, bytes);
  const std::string message = load_error("flag: bloodmnist");
  expect_contains(message, file.string());
  expect_contains(message, "truncated");
}

TEST_F(MedMnistTest, CorruptedCompressedDataIsAnError) {
  const fs::path file = write_blood();
  Bytes bytes = read_all(file);
  // Inside the first member's deflate stream (after its 30-byte header and name).
  for (std::size_t i = 60; i < 90; ++i) bytes[i] ^= 0x5a;
  write_all(file, bytes);
  const std::string message = load_error("flag: bloodmnist");
  expect_contains(message, file.string());
  expect_contains(message, "member '");
}

// Issue 20, item 11: an archive with one member name twice. numpy reads the last copy;
// Ablate read the first. Now it is refused. libzip will not write a duplicate name, so
// the test writes a distinct one of the same length and patches its bytes (the CRC covers
// the data, not the name).
TEST_F(MedMnistTest, AMemberNamedTwiceIsAnError) {
  const fs::path file = write_blood([](Members& m) { m["train_imageX.npy"] = m["train_images.npy"]; });
  Bytes bytes = read_all(file);
  const std::string from = "train_imageX.npy", to = "train_images.npy";
  int patched = 0;
  for (auto at = std::search(bytes.begin(), bytes.end(), from.begin(), from.end()); at != bytes.end();
       at = std::search(at, bytes.end(), from.begin(), from.end())) {
    std::copy(to.begin(), to.end(), at);
    ++patched;
  }
  ASSERT_EQ(patched, 2) << "the local header and the central directory";
  write_all(file, bytes);
  const std::string message = load_error("flag: bloodmnist");
  expect_contains(message, file.string());
  expect_contains(message, "member 'train_images.npy' is in the archive 2 times");
}

TEST_F(MedMnistTest, MissingMemberIsAnErrorListingTheMembers) {
  const fs::path file = write_blood([](Members& m) { m.erase("val_labels.npy"); });
  const std::string message = load_error("flag: bloodmnist");
  expect_contains(message, file.string());
  expect_contains(message, "no member 'val_labels.npy'");
  expect_contains(message, "found: ");
}

TEST_F(MedMnistTest, ImagesThatAreNotUint8AreAnError) {
  write_blood([](Members& m) { m["train_images.npy"] = npy("<f4", {6, 28, 28, 3}, Bytes(6 * 28 * 28 * 3 * 4)); });
  const std::string message = load_error("flag: bloodmnist");
  expect_contains(message, "member 'train_images.npy'");
  expect_contains(message, "'<f4'");
  expect_contains(message, "expected '|u1'");
}

TEST_F(MedMnistTest, FortranOrderIsAnError) {
  write_blood([](Members& m) {
    m["test_images.npy"] = npy("|u1", {4, 28, 28, 3}, image_data(4, 28, 3, 0), /*fortran=*/true);
  });
  const std::string message = load_error("flag: bloodmnist");
  expect_contains(message, "member 'test_images.npy'");
  expect_contains(message, "Fortran order");
}

TEST_F(MedMnistTest, LabelCountDifferentFromImageCountIsAnError) {
  write_blood([](Members& m) { m["val_labels.npy"] = npy("|u1", {2, 1}, label_data(2, 8)); });
  const std::string message = load_error("flag: bloodmnist");
  expect_contains(message, "member 'val_labels.npy'");
  expect_contains(message, "2 labels");
  expect_contains(message, "3 images");
}

TEST_F(MedMnistTest, LabelOutOfRangeIsAnError) {
  write_blood([](Members& m) {
    Bytes labels = label_data(6, 8);
    labels[4] = 8;
    m["train_labels.npy"] = npy("|u1", {6, 1}, labels);
  });
  const std::string message = load_error("flag: bloodmnist");
  expect_contains(message, "member 'train_labels.npy' label 4 is 8");
  expect_contains(message, "expected 0 to 7");
}

TEST_F(MedMnistTest, ShapeThatDisagreesWithTheByteCountIsAnError) {
  write_blood([](Members& m) {
    m["train_images.npy"] = npy("|u1", {7, 28, 28, 3}, image_data(6, 28, 3, 0));
    m["train_labels.npy"] = npy("|u1", {7, 1}, label_data(7, 8));
  });
  const std::string message = load_error("flag: bloodmnist");
  expect_contains(message, "member 'train_images.npy'");
  expect_contains(message, "(7, 28, 28, 3)");
  expect_contains(message, std::to_string(7 * 28 * 28 * 3));
}

TEST_F(MedMnistTest, ImagesOfAnotherSizeThanTheFileNameSaysAreAnError) {
  write_npz(dir_.path() / "bloodmnist_64.npz", good_members(28));
  const std::string message = load_error("flag: bloodmnist", 64);
  expect_contains(message, "(6, 28, 28, 3)");
  expect_contains(message, "expected (N, 64, 64, 3)");
}

TEST_F(MedMnistTest, GrayscaleImagesForAnRgbFlagAreAnError) {
  write_npz(dir_.path() / "bloodmnist.npz", good_members(28, /*channels=*/1));
  expect_contains(load_error("flag: bloodmnist"), "RGB bloodmnist images");
}

TEST_F(MedMnistTest, MemberThatIsNotNpyIsAnError) {
  write_blood([](Members& m) { m["train_images.npy"] = Bytes(200, 'x'); });
  expect_contains(load_error("flag: bloodmnist"), "\\x93NUMPY");
}

TEST_F(MedMnistTest, MalformedNpyHeaderIsAnError) {
  write_blood([](Members& m) {
    Bytes bytes = m["train_labels.npy"];
    const std::string bad = "{'descr': '|u1', 'fortran_order': Maybe";
    std::copy(bad.begin(), bad.end(), bytes.begin() + 10);
    m["train_labels.npy"] = bytes;
  });
  const std::string message = load_error("flag: bloodmnist");
  expect_contains(message, "member 'train_labels.npy'");
  expect_contains(message, "True or False");
}

TEST_F(MedMnistTest, WiderIntegerLabelsAndFlatLabelShapeAreRead) {
  write_blood([](Members& m) {
    Bytes wide;
    for (std::uint8_t label : label_data(6, 8)) {
      wide.push_back(label);
      wide.insert(wide.end(), 7, 0);
    }
    m["train_labels.npy"] = npy("<i8", {6}, wide);
  });
  expect_pattern(create("flag: bloodmnist")->load(28).train, 6, 28, 3, 0, 8);
}

// --- downloads ------------------------------------------------------------------------

class MedMnistDownloadTest : public MedMnistTest {
 protected:
  std::string download_options(const std::string& extra = "") const {
    return "flag: bloodmnist, download: true, mirror: '" + server_.base_url() + "'" + extra;
  }

  Bytes good_file() const {
    const fs::path file = scratch_.path() / "bloodmnist.npz";
    write_npz(file, good_members(28));
    return read_all(file);
  }

  // Neither the file nor its .part may be left behind by a failed download.
  void expect_nothing_left() const {
    EXPECT_FALSE(fs::exists(dir_.path() / "bloodmnist.npz"));
    EXPECT_FALSE(fs::exists(part_file("bloodmnist.npz")));
  }

  HttpServer server_;
  test::TempDir scratch_;
};

TEST_F(MedMnistDownloadTest, DownloadsVerifiesAndLoadsThenReusesTheFile) {
  const Bytes file = good_file();
  server_.put("bloodmnist.npz", file);
  const fs::path sums = scratch_.path() / "MD5SUMS";
  test::write_text(sums, md5_hex(file) + "  bloodmnist.npz\n");
  const auto dataset = create(download_options(", checksums: '" + sums.string() + "'"), dir_.path() / "new");
  const DatasetSplits splits = dataset->load(28);
  expect_pattern(splits.val, 3, 28, 3, 100, 8);
  EXPECT_EQ(read_all(dir_.path() / "new/bloodmnist.npz"), file);
  EXPECT_FALSE(fs::exists(dir_.path() / "new/bloodmnist.npz.part"));
  dataset->load(28);
  EXPECT_EQ(server_.requests("bloodmnist.npz"), 1) << "the second load must use the file";
}

TEST_F(MedMnistDownloadTest, WrongMd5IsAnErrorAndLeavesNoFile) {
  const Bytes file = good_file();  // not the published bloodmnist.npz
  server_.put("bloodmnist.npz", file);
  const std::string message = load_error(download_options());
  expect_contains(message, server_.base_url() + "/bloodmnist.npz?download=1");
  expect_contains(message, "MD5 " + md5_hex(file));
  expect_contains(message, "expected 7053d0359d879ad8a5505303e11de1dc");
  expect_nothing_left();
}

TEST_F(MedMnistDownloadTest, HttpErrorIsAnErrorNamingTheStatus) {
  const std::string message = load_error(download_options());  // nothing registered: 404
  expect_contains(message, server_.base_url() + "/bloodmnist.npz?download=1");
  expect_contains(message, "HTTP status 404");
  expect_contains(message, "expected 200");
  expect_nothing_left();
}

TEST_F(MedMnistDownloadTest, DownloadThatStopsHalfWayIsAnError) {
  const Bytes file = good_file();
  server_.put("bloodmnist.npz", file, HttpServer::Behaviour::cut_half_way);
  const std::string message = load_error(download_options());
  expect_contains(message, server_.base_url() + "/bloodmnist.npz?download=1");
  expect_contains(message, "closed after " + std::to_string(file.size() / 2) + " of the " +
                               std::to_string(file.size()) + " bytes");
  expect_nothing_left();
}

TEST_F(MedMnistDownloadTest, ServerThatNeverAnswersTimesOut) {
  server_.put("bloodmnist.npz", good_file(), HttpServer::Behaviour::silent);
  const auto start = std::chrono::steady_clock::now();
  const std::string message = load_error(download_options(", stall_timeout: 1"));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  expect_contains(message, server_.base_url() + "/bloodmnist.npz?download=1");
  expect_contains(message, "timed out");
  expect_contains(message, "stall_timeout");
  EXPECT_LT(seconds, 15.0);
  expect_nothing_left();
}

TEST_F(MedMnistDownloadTest, UnreachableServerIsAnError) {
  // Port 1 on the loopback: nothing listens there, the connection is refused at once.
  const std::string message = load_error("flag: bloodmnist, download: true, mirror: 'http://127.0.0.1:1/files'");
  expect_contains(message, "http://127.0.0.1:1/files/bloodmnist.npz?download=1");
  // Offline, the message says where the file fetched elsewhere goes.
  expect_contains(message, "Without network: fetch http://127.0.0.1:1/files/bloodmnist.npz?download=1 on another "
                           "machine and put it at '" +
                               (dir_.path() / "bloodmnist.npz").string() + "'");
  expect_nothing_left();
}

TEST_F(MedMnistDownloadTest, StalePartFileFromAKilledDownloadIsReplaced) {
  const Bytes file = good_file();
  server_.put("bloodmnist.npz", file);
  test::write_text(part_file("bloodmnist.npz"), "left by a killed process");
  const fs::path sums = scratch_.path() / "MD5SUMS";
  test::write_text(sums, md5_hex(file) + " *bloodmnist.npz\n");
  create(download_options(", checksums: '" + sums.string() + "'"))->load(28);
  EXPECT_EQ(read_all(dir_.path() / "bloodmnist.npz"), file);
  EXPECT_FALSE(fs::exists(part_file("bloodmnist.npz")));
}

TEST_F(MedMnistDownloadTest, MalformedChecksumsFileIsAConfigError) {
  const fs::path sums = scratch_.path() / "MD5SUMS";
  test::write_text(sums, "not-a-checksum bloodmnist.npz\n");
  const std::string message = config_error(download_options(", checksums: '" + sums.string() + "'"));
  expect_contains(message, sums.string());
  expect_contains(message, "line 1");
}

}  // namespace
}  // namespace ablate
