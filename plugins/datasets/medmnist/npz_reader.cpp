// libzip does the zip work (ZIP64 and deflate included); this file adds the .npy layer
// and messages that name the file, the member and what was expected.
#include "npz_reader.hpp"

#include <zip.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>
#include <utility>

#include "ablate/error.hpp"

namespace ablate::medmnist {

namespace {

// zlib's deflate cannot expand data by more than this ratio; a directory entry that
// claims more is corrupt, and believing it would allocate memory for nothing.
constexpr std::uint64_t kMaxDeflateRatio = 1032;
constexpr std::uint64_t kReadSlice = std::uint64_t{1} << 26;

[[noreturn]] void fail(const std::string& where, const std::string& problem) {
  throw DataError("dataset plugin 'medmnist': " + where + " " + problem);
}

std::string in_quotes(const std::string& text) { return "'" + text + "'"; }

std::string libzip_message(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string message = zip_error_strerror(&error);
  zip_error_fini(&error);
  return message;
}

// A zip archive starts with a local file header; one that does but cannot be opened has
// lost its end (the central directory lives there): a download cut short.
bool starts_like_zip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, sizeof magic);
  return in.gcount() == 4 && std::memcmp(magic, "PK\x03\x04", 4) == 0;
}

}  // namespace

NpyMember::NpyMember(zip_file* file, std::string where, std::uint64_t member_size)
    : file_(file), where_(std::move(where)), member_size_(member_size) {
  // A throwing constructor runs no destructor: close the member here.
  try {
    header_ =
        read_npy_header([this](void* data, std::size_t size) { read_exact(data, size, "its .npy header"); }, where_);
    if (header_.header_bytes > member_size_) {
      fail(where_, "is " + std::to_string(member_size_) + " bytes, shorter than its .npy header");
    }
  } catch (...) {
    zip_fclose(file_);
    throw;
  }
}

NpyMember::NpyMember(NpyMember&& other) noexcept
    : file_(std::exchange(other.file_, nullptr)),
      where_(std::move(other.where_)),
      member_size_(other.member_size_),
      offset_(other.offset_),
      header_(std::move(other.header_)) {}

NpyMember::~NpyMember() {
  if (file_) zip_fclose(file_);
}

void NpyMember::read_exact(void* data, std::size_t size, const char* what) {
  auto* out = static_cast<std::uint8_t*>(data);
  std::size_t done = 0;
  while (done < size) {
    const auto want = static_cast<zip_uint64_t>(std::min<std::uint64_t>(size - done, kReadSlice));
    const zip_int64_t got = zip_fread(file_, out + done, want);
    if (got < 0) {
      fail(where_, std::string("cannot be decompressed (") + zip_file_strerror(file_) + ") while reading " + what +
                       " at byte " + std::to_string(offset_ + done) +
                       "; the file is damaged: delete it and download it again");
    }
    if (got == 0) {
      fail(where_, std::string("ends after ") + std::to_string(offset_ + done) + " bytes while reading " + what +
                       "; expected " + std::to_string(offset_ + size) + " or more");
    }
    done += static_cast<std::size_t>(got);
  }
  offset_ += size;
}

void NpyMember::read_data(std::uint8_t* out, std::size_t size) {
  read_exact(out, size, "its array data");
  // Reading past the end makes libzip compare the CRC; it must also find nothing left.
  std::uint8_t extra = 0;
  const zip_int64_t got = zip_fread(file_, &extra, 1);
  if (got < 0) {
    fail(where_, std::string("fails its integrity check (") + zip_file_strerror(file_) +
                     "); the file is damaged: delete it and download it again");
  }
  if (got > 0) {
    fail(where_, "has more data than its .npy header declares (" + std::to_string(offset_) + " bytes expected)");
  }
}

NpzArchive::NpzArchive(const std::filesystem::path& path) : path_(path.string()) {
  int code = 0;
  archive_ = zip_open(path_.c_str(), ZIP_RDONLY, &code);
  if (archive_) return;
  const std::string where = in_quotes(path_);
  if (code == ZIP_ER_NOENT) fail(where, "does not exist");
  if (code == ZIP_ER_OPEN || code == ZIP_ER_READ) {
    fail(where, "cannot be read (" + libzip_message(code) + ")");
  }
  if (starts_like_zip(path_)) {
    fail(where, "is truncated or damaged: it starts like a zip archive but its zip directory, "
                "at the end of the file, cannot be read; expected a complete .npz file "
                "(delete it and download it again)");
  }
  fail(where, "is not a zip archive (" + libzip_message(code) + "); expected an .npz file written by numpy");
}

NpzArchive::~NpzArchive() {
  if (archive_) zip_discard(archive_);  // read-only: nothing to write back
}

std::vector<std::string> NpzArchive::member_names() const {
  std::vector<std::string> names;
  const zip_int64_t count = zip_get_num_entries(archive_, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* name = zip_get_name(archive_, static_cast<zip_uint64_t>(i), 0);
    if (name) names.emplace_back(name);
  }
  return names;
}

NpyMember NpzArchive::open(const std::string& name) {
  const std::string where = in_quotes(path_) + " member " + in_quotes(name);
  const zip_int64_t index = zip_name_locate(archive_, name.c_str(), 0);
  if (index < 0) {
    std::string present;
    for (const std::string& member : member_names()) {
      present += (present.empty() ? "" : ", ") + member;
    }
    fail(in_quotes(path_), "has no member " + in_quotes(name) +
                               "; expected the six members train_images.npy, train_labels.npy, "
                               "val_images.npy, val_labels.npy, test_images.npy, test_labels.npy "
                               "(found: " +
                               (present.empty() ? "none" : present) + ")");
  }
  // numpy reads the last of two members with one name, libzip finds the first: rather
  // than pick one, an archive that holds a name twice (damaged, or appended to) is refused.
  std::vector<std::string> copies;
  const zip_int64_t count = zip_get_num_entries(archive_, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* member = zip_get_name(archive_, static_cast<zip_uint64_t>(i), 0);
    if (member && name == member) copies.push_back(std::to_string(i + 1));
  }
  if (copies.size() > 1) {
    std::string positions;
    for (const std::string& position : copies) positions += (positions.empty() ? "" : ", ") + position;
    fail(where, "is in the archive " + std::to_string(copies.size()) + " times (entries " + positions +
                    "); expected each member once: the file is damaged or was appended to (re-download it)");
  }
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(archive_, static_cast<zip_uint64_t>(index), 0, &stat) != 0 || !(stat.valid & ZIP_STAT_SIZE) ||
      !(stat.valid & ZIP_STAT_COMP_SIZE)) {
    fail(where, std::string("has no readable directory entry (") + zip_strerror(archive_) + ")");
  }
  if ((stat.valid & ZIP_STAT_COMP_METHOD) && stat.comp_method == ZIP_CM_DEFLATE &&
      stat.size / kMaxDeflateRatio > stat.comp_size + 1) {
    fail(where, "claims " + std::to_string(stat.size) + " bytes from " + std::to_string(stat.comp_size) +
                    " compressed ones, more than deflate can produce; the file is damaged");
  }
  zip_file* file = zip_fopen_index(archive_, static_cast<zip_uint64_t>(index), 0);
  if (!file) {
    fail(where, std::string("cannot be opened (") + zip_strerror(archive_) + "); expected a stored or deflated member");
  }
  return NpyMember(file, where, stat.size);
}

}  // namespace ablate::medmnist
