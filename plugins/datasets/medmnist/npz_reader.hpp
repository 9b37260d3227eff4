// Reads the .npy members of a numpy .npz archive through libzip, straight into the
// caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "npy.hpp"

struct zip;
struct zip_file;

namespace ablate::medmnist {

// One member opened for reading, positioned after its .npy header.
class NpyMember {
 public:
  NpyMember(zip_file* file, std::string where, std::uint64_t member_size);
  ~NpyMember();
  NpyMember(NpyMember&& other) noexcept;
  NpyMember(const NpyMember&) = delete;
  NpyMember& operator=(const NpyMember&) = delete;
  NpyMember& operator=(NpyMember&&) = delete;

  const NpyHeader& header() const { return header_; }
  // "'/root/bloodmnist.npz' member 'train_images.npy'", for messages.
  const std::string& where() const { return where_; }
  // The bytes after the header, from the zip directory.
  std::uint64_t data_bytes() const { return member_size_ - header_.header_bytes; }

  // Decompresses the whole data section into `out` (data_bytes() long) and checks that
  // the member ends there and that its CRC matches.
  void read_data(std::uint8_t* out, std::size_t size);

 private:
  void read_exact(void* data, std::size_t size, const char* what);

  zip_file* file_;
  std::string where_;
  std::uint64_t member_size_;
  std::uint64_t offset_ = 0;
  NpyHeader header_;
};

class NpzArchive {
 public:
  // Opens `path`; a missing, unreadable, non-zip or truncated file is a DataError.
  explicit NpzArchive(const std::filesystem::path& path);
  ~NpzArchive();
  NpzArchive(const NpzArchive&) = delete;
  NpzArchive& operator=(const NpzArchive&) = delete;

  // Opens member `name` (e.g. "train_images.npy") and parses its header. A missing
  // member is a DataError that lists the members there are.
  NpyMember open(const std::string& name);

 private:
  std::vector<std::string> member_names() const;

  std::string path_;
  zip* archive_ = nullptr;
};

}  // namespace ablate::medmnist
