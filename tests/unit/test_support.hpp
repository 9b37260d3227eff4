// Helpers shared by the unit tests: a temporary folder that cleans up after itself.
#pragma once

#include <filesystem>
#include <string>

namespace ablate::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Writes `text` to `file`, creating parent folders.
void write_text(const std::filesystem::path& file, const std::string& text);

}  // namespace ablate::test
