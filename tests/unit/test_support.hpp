// Helpers shared by the unit tests: a temporary folder that cleans up after itself, and
// an assertion on the store's errors.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ablate/error.hpp"

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

// Whether calling `body` throws a StoreError whose message contains every one of `parts`.
template <typename Body>
::testing::AssertionResult throws_store_error(Body&& body, const std::vector<std::string>& parts) {
  try {
    body();
  } catch (const StoreError& e) {
    const std::string message = e.what();
    for (const auto& part : parts) {
      if (message.find(part) == std::string::npos) {
        return ::testing::AssertionFailure() << "message \"" << message << "\" lacks \"" << part << "\"";
      }
    }
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no StoreError thrown";
}

}  // namespace ablate::test
