// Fashion-MNIST's IDX files (idx_reader.hpp).
#include "idx_reader.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>

#include "ablate/error.hpp"

namespace ablate::fashion_mnist {

namespace {

// IDX magic: two zero bytes, the element type (0x08 = uint8), the number of dimensions.
constexpr std::uint32_t kImagesMagic = 0x00000803;
constexpr std::uint32_t kLabelsMagic = 0x00000801;
constexpr std::int64_t kReadChunk = std::int64_t{1} << 20;

// Every message starts like the host's option errors: "dataset plugin 'fashion_mnist': ".
[[noreturn]] void fail_file(const std::string& path, const std::string& problem) {
  throw DataError("dataset plugin 'fashion_mnist': '" + path + "' " + problem);
}

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

void check_magic(const GzFile& file, std::uint32_t magic, std::uint32_t expected, const char* kind) {
  if (magic != expected) {
    fail_file(file.path(), "has magic number " + hex32(magic) + ", expected " + hex32(expected) +
                               " (an IDX file of uint8 " + kind + ")");
  }
}

void check_count(const GzFile& file, std::uint32_t count) {
  if (count == 0) fail_file(file.path(), "declares 0 items; expected at least 1");
}

}  // namespace

ImageSet read_idx_images(const std::filesystem::path& path, std::int64_t side) {
  GzFile file(path);
  check_magic(file, file.read_magic(), kImagesMagic, "images");
  const std::vector<std::uint32_t> header = file.read_header(3);
  const std::uint32_t count = header[0];
  const std::uint32_t rows = header[1];
  const std::uint32_t cols = header[2];
  check_count(file, count);
  if (rows != side || cols != side) {
    fail_file(file.path(), "holds " + std::to_string(rows) + "x" + std::to_string(cols) + " images, expected " +
                               std::to_string(side) + "x" + std::to_string(side));
  }
  ImageSet set;
  set.count = count;
  set.height = side;
  set.width = side;
  set.channels = 1;
  const std::int64_t total = set.count * side * side;
  const std::string what = "the " + std::to_string(total) + " bytes of " + std::to_string(count) + " images of " +
                           std::to_string(side) + "x" + std::to_string(side);
  set.pixels = file.read_section(total, what);
  file.expect_end(what);
  return set;
}

std::vector<std::int64_t> read_idx_labels(const std::filesystem::path& path, std::int64_t num_classes) {
  GzFile file(path);
  check_magic(file, file.read_magic(), kLabelsMagic, "labels");
  const std::uint32_t count = file.read_header(1).at(0);
  check_count(file, count);
  const std::string what = "the " + std::to_string(count) + " labels";
  const std::vector<std::uint8_t> bytes = file.read_section(count, what);
  file.expect_end(what);
  std::vector<std::int64_t> labels(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] >= num_classes) {
      fail_file(file.path(), "label " + std::to_string(i) + " is " + std::to_string(bytes[i]) + ", expected 0 to " +
                                 std::to_string(num_classes - 1));
    }
    labels[i] = bytes[i];
  }
  return labels;
}

}  // namespace ablate::fashion_mnist
