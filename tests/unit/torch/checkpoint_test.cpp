// Checkpoints on disk: written whole or not at all, with a clear error when the disk
// refuses the bytes.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <torch/torch.h>

#include "ablate/error.hpp"
#include "engine/checkpoint.hpp"
#include "test_support.hpp"

namespace ablate {
namespace {

namespace fs = std::filesystem;

torch::nn::Linear seeded_layer(std::uint64_t seed) {
  torch::manual_seed(seed);
  return torch::nn::Linear(64, 32);
}

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Files larger than `bytes` cannot be written while this lives: write() fails with EFBIG,
// as it fails with ENOSPC on a full disk. SIGXFSZ, which would end the process, is ignored.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_handler_);
  }

 private:
  rlimit saved_{};
  void (*previous_handler_)(int) = nullptr;
};

TEST(CheckpointTest, SavedWeightsLoadBackExactlyAndNoTemporaryFileIsLeft) {
  test::TempDir dir;
  const fs::path path = dir.path() / "best.pt";
  auto saved = seeded_layer(1);
  save_checkpoint(*saved, path.string());
  auto loaded = seeded_layer(2);
  ASSERT_FALSE(torch::equal(saved->weight, loaded->weight));
  load_checkpoint(*loaded, path.string());
  EXPECT_TRUE(torch::equal(saved->weight, loaded->weight));
  EXPECT_TRUE(torch::equal(saved->bias, loaded->bias));
  EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
}

TEST(CheckpointTest, AWriteTheDiskRefusesIsAnErrorNamingTheFileAndKeepsTheOldCheckpoint) {
  test::TempDir dir;
  const fs::path path = dir.path() / "best.pt";
  auto small = torch::nn::Linear(2, 2);
  save_checkpoint(*small, path.string());
  const std::string before = file_bytes(path);
  auto large = seeded_layer(3);  // 64 x 32 floats: more than the limit below
  {
    FileSizeLimit limit(before.size() + 256);
    try {
      save_checkpoint(*large, path.string());
      FAIL() << "expected an Error";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(path.string()), std::string::npos) << message;
      EXPECT_NE(message.find("File too large"), std::string::npos) << message;
    }
  }
  EXPECT_EQ(file_bytes(path), before) << "the previous checkpoint is intact";
  EXPECT_FALSE(fs::exists(path.string() + ".tmp")) << "the partial file is removed";
}

TEST(CheckpointTest, AFolderThatDoesNotExistIsAnErrorNamingTheFile) {
  auto layer = torch::nn::Linear(2, 2);
  try {
    save_checkpoint(*layer, "/nonexistent/run/best.pt");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/run/best.pt"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ablate
