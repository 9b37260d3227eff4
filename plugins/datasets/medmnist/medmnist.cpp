// Dataset plugin `medmnist`: the official MedMNIST v2 2D .npz files (any single-label
// flag, 28/64/128/224 pixels) read with libzip and a strict .npy parser, downloaded on
// request with libcurl and checked against the published MD5.
//
// Options: flag (required), root (~/.medmnist), download (false), mirror (Zenodo record
// 10519652), resize (false: a grid resolution without a published file is an error;
// true: the nearest larger file is read and the host resizes), checksums (an md5sum-style
// file replacing the published MD5s, for mirrors), connect_timeout (30 s), stall_timeout
// (60 s without a byte aborts a download).
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ablate/dataset.hpp"
#include "ablate/error.hpp"
#include "ablate/options.hpp"
#include "download.hpp"
#include "flags.hpp"
#include "npz_reader.hpp"

namespace ablate {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultRoot = "~/.medmnist";  // where the Python package keeps them
constexpr const char* kDefaultMirror = "https://zenodo.org/records/10519652/files";
// info() is asked before load() knows the grid's resolution; 28 is the size every flag
// publishes. load() returns the file's own size, which the host resizes if needed.
constexpr std::int64_t kInfoResolution = 28;
constexpr std::int64_t kDefaultConnectTimeout = 30;
constexpr std::int64_t kDefaultStallTimeout = 60;
constexpr std::size_t kMd5HexLength = 32;

[[noreturn]] void fail(const std::string& problem) { throw DataError("dataset plugin 'medmnist': " + problem); }

std::string size_list() {
  std::string list;
  for (std::int64_t size : medmnist::kPublishedSizes) {
    list += (list.empty() ? "" : ", ") + std::to_string(size);
  }
  return list;
}

// "~" and "~/x" are relative to $HOME, as in the Python package; the rest is unchanged.
fs::path expand_home(const Options& options, const std::string& root) {
  if (root != "~" && root.rfind("~/", 0) != 0) return root;
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    options.fail("root", "is '" + root + "' but $HOME is not set; expected an absolute path");
  }
  return fs::path(home) / root.substr(root == "~" ? 1 : 2);
}

bool is_md5(const std::string& text) {
  if (text.size() != kMd5HexLength) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) || std::isupper(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// An md5sum-style list ("<md5>  <file name>" per line) that replaces the published
// checksums for the files it names: for a mirror that serves other bytes.
std::map<std::string, std::string> read_checksums(const Options& options, const fs::path& file) {
  std::ifstream in(file);
  if (!in) options.fail("checksums", "names '" + file.string() + "', which cannot be read");
  std::map<std::string, std::string> checksums;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t space = line.find(' ');
    std::string md5 = line.substr(0, space);
    std::string name = space == std::string::npos ? "" : line.substr(space);
    name.erase(0, name.find_first_not_of(" *"));  // md5sum marks binary mode with '*'
    if (!is_md5(md5) || name.empty()) {
      options.fail("checksums", "file '" + file.string() + "' line " + std::to_string(number) + " is \"" + line +
                                    "\"; expected \"<32 lowercase hex digits>  <file name>\"");
    }
    checksums[name] = md5;
  }
  return checksums;
}

// Little-endian integer dtypes, as numpy spells them. Labels only get compared and
// widened, so any integer width is harmless; images must be uint8.
int label_item_size(const std::string& descr) {
  static const std::map<std::string, int> kSizes = {{"|u1", 1}, {"|i1", 1}, {"<u2", 2}, {"<i2", 2},
                                                    {"<u4", 4}, {"<i4", 4}, {"<u8", 8}, {"<i8", 8}};
  const auto it = kSizes.find(descr);
  return it == kSizes.end() ? 0 : it->second;
}

std::int64_t label_value(const std::uint8_t* bytes, const std::string& descr, int size) {
  const bool is_signed = descr[1] == 'i';
  switch (size) {
    case 1:
      return is_signed ? std::int64_t{static_cast<std::int8_t>(bytes[0])} : bytes[0];
    case 2: {
      std::uint16_t v;
      std::memcpy(&v, bytes, 2);
      return is_signed ? std::int64_t{static_cast<std::int16_t>(v)} : v;
    }
    case 4: {
      std::uint32_t v;
      std::memcpy(&v, bytes, 4);
      return is_signed ? std::int64_t{static_cast<std::int32_t>(v)} : v;
    }
    default: {
      std::uint64_t v;
      std::memcpy(&v, bytes, 8);
      // An unsigned value past int64 is out of range either way: keep it negative.
      return static_cast<std::int64_t>(v);
    }
  }
}

class MedMnist : public Dataset {
 public:
  MedMnist(const medmnist::FlagInfo& flag, fs::path root, bool download, std::string mirror, bool resize,
           std::map<std::string, std::string> checksums, medmnist::DownloadSettings settings)
      : flag_(flag),
        root_(std::move(root)),
        download_(download),
        mirror_(std::move(mirror)),
        resize_(resize),
        checksums_(std::move(checksums)),
        settings_(settings) {}

  DatasetInfo info() const override {
    DatasetInfo info;
    info.name = "medmnist/" + flag_.name;
    info.channels = flag_.channels;
    info.num_classes = static_cast<std::int64_t>(flag_.class_names.size());
    info.class_names = flag_.class_names;
    info.native_resolution = kInfoResolution;
    return info;
  }

  // Reads the file published at `resolution` (or, with resize, the nearest larger one);
  // the images come back at the file's size.
  DatasetSplits load(std::int64_t resolution) override {
    const std::int64_t size = file_size_for(resolution);
    const std::string name = medmnist::file_name(flag_.name, size);
    const fs::path path = root_ / name;
    const std::string url = mirror_ + "/" + name + "?download=1";
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      if (!download_) {
        fail("'" + path.string() +
             "' does not exist; set `download: true` in the dataset "
             "options to fetch it from " +
             url + ", or place the file there (option `root`)");
      }
      download(url, path, expected_md5(name, size));
    }
    medmnist::NpzArchive npz(path);
    DatasetSplits splits;
    splits.train = read_split(npz, "train", size);
    splits.val = read_split(npz, "val", size);
    splits.test = read_split(npz, "test", size);
    note_unpublished_counts(path, splits);
    return splits;
  }

 private:
  std::int64_t file_size_for(std::int64_t resolution) const {
    for (std::int64_t size : medmnist::kPublishedSizes) {
      if (size == resolution) return size;
    }
    if (!resize_) {
      throw ConfigError("dataset plugin 'medmnist': MedMNIST publishes no " + flag_.name + " file at resolution " +
                        std::to_string(resolution) + "; expected one of " + size_list() +
                        ", or set the dataset option `resize: true` to load the nearest larger "
                        "file and let the host resize it");
    }
    for (std::int64_t size : medmnist::kPublishedSizes) {
      if (size >= resolution) return size;
    }
    return medmnist::kPublishedSizes.back();
  }

  std::string expected_md5(const std::string& name, std::int64_t size) const {
    const auto it = checksums_.find(name);
    return it != checksums_.end() ? it->second : medmnist::published_md5(flag_, size);
  }

  ImageSet read_split(medmnist::NpzArchive& npz, const std::string& split, std::int64_t size) {
    medmnist::NpyMember images = npz.open(split + "_images.npy");
    medmnist::NpyMember labels = npz.open(split + "_labels.npy");
    ImageSet set;
    set.count = check_images(images, size);
    set.height = size;
    set.width = size;
    set.channels = flag_.channels;
    // Counts first, so a mismatch is found before hundreds of MB are decompressed.
    const std::int64_t label_count = check_labels(labels);
    if (label_count != set.count) {
      fail(labels.where() + " holds " + std::to_string(label_count) + " labels but member '" + split +
           "_images.npy' holds " + std::to_string(set.count) + " images; expected one label per image");
    }
    set.labels = read_labels(labels);
    // Decompressed straight into the final buffer: the only copy of the images.
    set.pixels.resize(static_cast<std::size_t>(images.data_bytes()));
    images.read_data(set.pixels.data(), set.pixels.size());
    return set;
  }

  // Checks dtype, order, shape and byte count; returns the number of images.
  std::int64_t check_images(const medmnist::NpyMember& member, std::int64_t size) const {
    const medmnist::NpyHeader& header = member.header();
    const std::string& where = member.where();
    if (header.descr != "|u1") {
      fail(where + " has dtype '" + header.descr + "'; expected '|u1' (uint8 images)");
    }
    if (header.fortran_order) {
      fail(where + " is stored in Fortran order; expected C order (fortran_order: False)");
    }
    const auto& shape = header.shape;
    const bool grey = flag_.channels == 1;
    const bool rank_ok = grey ? (shape.size() == 3 || (shape.size() == 4 && shape[3] == 1))
                              : (shape.size() == 4 && shape[3] == flag_.channels);
    if (!rank_ok || shape[1] != size || shape[2] != size || shape[0] < 1) {
      const std::string side = std::to_string(size);
      fail(where + " has shape " + header.shape_string() + "; expected (N, " + side + ", " + side +
           (grey ? ")" : ", 3)") + " with N >= 1: " + (grey ? "grayscale " : "RGB ") + flag_.name + " images of the " +
           side + "x" + side + " file");
    }
    check_byte_count(member, header.element_count(where), 1);
    return shape[0];
  }

  std::int64_t check_labels(const medmnist::NpyMember& member) const {
    const medmnist::NpyHeader& header = member.header();
    const std::string& where = member.where();
    const int item_size = label_item_size(header.descr);
    if (item_size == 0) {
      fail(where + " has dtype '" + header.descr +
           "'; expected a little-endian integer dtype such as '|u1' (uint8 labels)");
    }
    if (header.fortran_order) {
      fail(where + " is stored in Fortran order; expected C order (fortran_order: False)");
    }
    const auto& shape = header.shape;
    if (!(shape.size() == 1 || (shape.size() == 2 && shape[1] == 1))) {
      fail(where + " has shape " + header.shape_string() + "; expected (N, 1) or (N,): one class index per image");
    }
    check_byte_count(member, header.element_count(where), item_size);
    return shape[0];
  }

  static void check_byte_count(const medmnist::NpyMember& member, std::int64_t elements, int item_size) {
    const std::uint64_t needed = static_cast<std::uint64_t>(elements) * item_size;
    if (member.data_bytes() != needed) {
      fail(member.where() + " holds " + std::to_string(member.data_bytes()) +
           " bytes of array data but its header declares shape " + member.header().shape_string() + " of '" +
           member.header().descr + "', which needs " + std::to_string(needed));
    }
  }

  std::vector<std::int64_t> read_labels(medmnist::NpyMember& member) const {
    const std::string& descr = member.header().descr;
    const int item_size = label_item_size(descr);
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(member.data_bytes()));
    member.read_data(bytes.data(), bytes.size());
    const auto classes = static_cast<std::int64_t>(flag_.class_names.size());
    std::vector<std::int64_t> labels(bytes.size() / static_cast<std::size_t>(item_size));
    for (std::size_t i = 0; i < labels.size(); ++i) {
      labels[i] = label_value(bytes.data() + i * static_cast<std::size_t>(item_size), descr, item_size);
      if (labels[i] < 0 || labels[i] >= classes) {
        fail(member.where() + " label " + std::to_string(i) + " is " + std::to_string(labels[i]) + "; expected 0 to " +
             std::to_string(classes - 1) + " (the " + std::to_string(classes) + " classes of " + flag_.name + ")");
      }
    }
    return labels;
  }

  // Any count is accepted (tests and subsets use small files); a file that differs from
  // the publication is worth a line on stderr.
  void note_unpublished_counts(const fs::path& path, const DatasetSplits& splits) const {
    const auto& published = flag_.split_sizes;
    if (splits.train.count == published[0] && splits.val.count == published[1] && splits.test.count == published[2]) {
      return;
    }
    std::fprintf(stderr,
                 "medmnist: note: '%s' holds %lld/%lld/%lld train/val/test images; the "
                 "published %s holds %lld/%lld/%lld\n",
                 path.string().c_str(), static_cast<long long>(splits.train.count),
                 static_cast<long long>(splits.val.count), static_cast<long long>(splits.test.count),
                 flag_.name.c_str(), static_cast<long long>(published[0]), static_cast<long long>(published[1]),
                 static_cast<long long>(published[2]));
  }

  const medmnist::FlagInfo& flag_;
  // A failed download says how to do without one: behind a firewall or offline, the
  // file fetched elsewhere and put in place is all the plugin needs.
  void download(const std::string& url, const fs::path& path, const std::string& md5) const {
    try {
      medmnist::download_file(url, path, md5, settings_);
    } catch (const DataError& e) {
      throw DataError(std::string(e.what()) + ". Without network: fetch " + url +
                      " on another machine and put it at '" + path.string() +
                      "' (option `root` names the folder), or set `mirror` to a server that has it");
    }
  }

  fs::path root_;
  bool download_;
  std::string mirror_;
  bool resize_;
  std::map<std::string, std::string> checksums_;
  medmnist::DownloadSettings settings_;
};

Dataset* create(const Options& options) {
  const std::string flag_name = options.get_string("flag", "");
  const std::string root = options.get_string("root", kDefaultRoot);
  const bool download = options.get_bool("download", false);
  std::string mirror = options.get_string("mirror", kDefaultMirror);
  const bool resize = options.get_bool("resize", false);
  const std::string checksums_file = options.get_string("checksums", "");
  medmnist::DownloadSettings settings;
  settings.connect_timeout_s = options.get_int("connect_timeout", kDefaultConnectTimeout);
  settings.stall_timeout_s = options.get_int("stall_timeout", kDefaultStallTimeout);

  const medmnist::FlagInfo* flag = medmnist::find_flag(flag_name);
  if (flag_name.empty()) {
    options.fail("flag", "is missing; expected one of " + medmnist::supported_flag_list());
  }
  if (!flag) {
    options.fail("flag",
                 "is '" + flag_name + "', not a MedMNIST 2D flag; expected one of " + medmnist::supported_flag_list());
  }
  if (flag->multi_label) {
    options.fail("flag", "is '" + flag_name + "', a multi-label data set: not supported yet; expected one of " +
                             medmnist::supported_flag_list());
  }
  if (root.empty()) options.fail("root", "is empty; expected the folder of the .npz files");
  while (!mirror.empty() && mirror.back() == '/') mirror.pop_back();
  if (mirror.empty()) options.fail("mirror", "is empty; expected a base URL such as " + std::string(kDefaultMirror));
  for (const auto& [key, value] : {std::pair{"connect_timeout", settings.connect_timeout_s},
                                   std::pair{"stall_timeout", settings.stall_timeout_s}}) {
    if (value < 1) {
      options.fail(key, "is " + std::to_string(value) + "; expected at least 1 (seconds)");
    }
  }
  std::map<std::string, std::string> checksums;
  if (!checksums_file.empty()) checksums = read_checksums(options, checksums_file);
  return new MedMnist(*flag, expand_home(options, root), download, mirror, resize, std::move(checksums), settings);
}

}  // namespace
}  // namespace ablate

ABLATE_DATASET_PLUGIN("medmnist", "1.0.0",
                      "MedMNIST v2 2D data sets (.npz at 28/64/128/224 px), optional download "
                      "with MD5 check",
                      ablate::create)
