// Split pixels in memory or in an unlinked scratch file (see split_pixels.hpp).
#include "engine/split_pixels.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "ablate/error.hpp"

namespace ablate {

// An anonymous file in a folder: O_TMPFILE where the file system has it, otherwise a
// named file removed at once. Either way it disappears with its last descriptor, even
// when the process is killed.
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& directory) : directory_(directory) {
    fd_ = open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      std::string name = directory + "/ablate-images-XXXXXX";
      std::vector<char> buffer(name.begin(), name.end());
      buffer.push_back('\0');
      fd_ = mkostemp(buffer.data(), O_CLOEXEC);
      if (fd_ >= 0) unlink(buffer.data());
    }
    if (fd_ < 0) fail("cannot create a scratch file for the images in", std::strerror(errno));
  }
  ~ScratchFile() { close(fd_); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  // Appends `bytes`; returns the offset they start at.
  std::int64_t append(const std::uint8_t* data, std::int64_t bytes) {
    const std::int64_t start = size_;
    for (std::int64_t done = 0; done < bytes;) {
      const ssize_t n = pwrite(fd_, data + done, static_cast<std::size_t>(bytes - done), start + done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fail(fmt::format("cannot write {} MB of images to a scratch file in", bytes / (1 << 20)),
             n < 0 ? std::strerror(errno) : "nothing was written");
      }
      done += n;
    }
    size_ = start + bytes;
    return start;
  }

  void read(std::int64_t offset, std::int64_t bytes, std::uint8_t* out) const {
    for (std::int64_t done = 0; done < bytes;) {
      const ssize_t n = pread(fd_, out + done, static_cast<std::size_t>(bytes - done), offset + done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        fail("cannot read images back from the scratch file in", n < 0 ? std::strerror(errno) : "it ended early");
      done += n;
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what, const std::string& why) const {
    throw DataError(fmt::format("{} {} (train.images: disk keeps them next to the store): {}; free space there, "
                                "or use train.images: memory",
                                what, directory_, why));
  }

  std::string directory_;
  int fd_ = -1;
  std::int64_t size_ = 0;
};

SplitPixels::SplitPixels(const ImageSet& set)
    : image_bytes_(set.height * set.width * set.channels), memory_(set.pixels.data()) {}

SplitPixels::SplitPixels(ImageSet& set, std::shared_ptr<ScratchFile> file)
    : image_bytes_(set.height * set.width * set.channels), file_(std::move(file)) {
  offset_ = file_->append(set.pixels.data(), static_cast<std::int64_t>(set.pixels.size()));
  std::vector<std::uint8_t>().swap(set.pixels);
}

void SplitPixels::read(const std::int64_t* indices, std::int64_t n, std::uint8_t* out) const {
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t index = indices[i];
    if (memory_ != nullptr) {
      std::memcpy(out + i * image_bytes_, memory_ + index * image_bytes_, static_cast<std::size_t>(image_bytes_));
    } else {
      file_->read(offset_ + index * image_bytes_, image_bytes_, out + i * image_bytes_);
    }
  }
}

void SplitPixels::read_range(std::int64_t start, std::int64_t end, std::uint8_t* out) const {
  const std::int64_t bytes = (end - start) * image_bytes_;
  if (memory_ != nullptr) {
    std::memcpy(out, memory_ + start * image_bytes_, static_cast<std::size_t>(bytes));
  } else {
    file_->read(offset_ + start * image_bytes_, bytes, out);
  }
}

CellPixels place_pixels(DatasetSplits& data, Images where, const std::string& directory) {
  if (where != Images::kDisk) return {SplitPixels(data.train), SplitPixels(data.val), SplitPixels(data.test)};
  auto file = std::make_shared<ScratchFile>(directory);
  return {SplitPixels(data.train, file), SplitPixels(data.val, file), SplitPixels(data.test, file)};
}

}  // namespace ablate
