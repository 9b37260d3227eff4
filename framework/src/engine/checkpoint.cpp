// A model's weights kept aside, in memory and on disk (checkpoint.hpp).
#include "engine/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "ablate/error.hpp"

namespace ablate {

WeightSnapshot::WeightSnapshot(torch::nn::Module& model) {
  for (const auto& tensor : model.parameters()) tensors_.push_back(tensor.detach().clone());
  for (const auto& tensor : model.buffers()) tensors_.push_back(tensor.detach().clone());
}

void WeightSnapshot::restore_into(torch::nn::Module& model) const {
  torch::NoGradGuard no_grad;
  std::size_t i = 0;
  for (auto& tensor : model.parameters()) tensor.copy_(tensors_[i++]);
  for (auto& tensor : model.buffers()) tensor.copy_(tensors_[i++]);
}

namespace {

// Writes `bytes` to `path` through a temporary file in the same folder, then renames it:
// readers (and a later `runner --evaluate`) see the old checkpoint or the whole new one,
// never a truncated file. Throws Error naming the file and the system's reason (a full
// disk: "No space left on device"); the temporary file is removed.
void write_file_atomically(const std::string& path, const std::string& bytes) {
  const std::string temporary = path + ".tmp";
  const auto fail = [&](const char* doing) {
    const int error = errno;
    std::remove(temporary.c_str());
    throw Error(fmt::format("cannot write checkpoint {}: {} failed: {}", path, doing, std::strerror(error)));
  };
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("open");
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = ENOSPC;
      ::close(fd);
      fail("write");
    }
    written += static_cast<std::size_t>(n);
  }
  // Data on disk before the rename makes it visible: a crash leaves the old file.
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("fsync");
  }
  if (::close(fd) != 0) fail("close");
  if (std::rename(temporary.c_str(), path.c_str()) != 0) fail("rename");
}

}  // namespace

void save_checkpoint(torch::nn::Module& model, const std::string& path) {
  // Serialised in memory first: LibTorch's file writer finishes the zip archive in its
  // destructor, where a full disk ends the process through std::terminate.
  torch::serialize::OutputArchive archive;
  model.save(archive);
  std::string bytes;
  archive.save_to([&bytes](const void* data, std::size_t size) {
    bytes.append(static_cast<const char*>(data), size);
    return size;
  });
  write_file_atomically(path, bytes);
}

void load_checkpoint(torch::nn::Module& model, const std::string& path) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
    model.load(archive);
  } catch (const c10::Error& e) {
    throw DataError(fmt::format("cannot load checkpoint {}: {}", path, e.what_without_backtrace()));
  }
}

}  // namespace ablate
