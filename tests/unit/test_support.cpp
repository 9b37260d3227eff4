// Helpers shared by the unit tests.
#include "test_support.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace ablate::test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ablate-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void write_text(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace ablate::test
