// The IDX reader on arbitrary bytes, as an images file and as a labels file, gzip or
// plain: every input either reads or is refused with a DataError naming the file;
// anything else is a finding.
#include <cstddef>
#include <cstdint>

#include "ablate/error.hpp"
#include "fuzz_file.hpp"
#include "idx_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = ablate::fuzz::write_input(data, size, ".idx.gz");
  try {
    ablate::fashion_mnist::read_idx_images(path, 28);
  } catch (const ablate::DataError&) {
  }
  try {
    ablate::fashion_mnist::read_idx_labels(path, 10);
  } catch (const ablate::DataError&) {
  }
  return 0;
}
