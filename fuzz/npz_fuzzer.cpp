// The .npz reader on arbitrary bytes: opens the archive, then each member MedMNIST has,
// parses its .npy header and reads its data. Every input either reads or is refused
// with a DataError naming the file; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ablate/error.hpp"
#include "fuzz_file.hpp"
#include "npz_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = ablate::fuzz::write_input(data, size, ".npz");
  try {
    ablate::medmnist::NpzArchive archive(path);
    for (const char* name : {"train_images.npy", "train_labels.npy", "val_images.npy", "val_labels.npy",
                             "test_images.npy", "test_labels.npy"}) {
      try {
        ablate::medmnist::NpyMember member = archive.open(name);
        // The reader is given a buffer of the size the zip directory states, as the plugin
        // does after checking it against the header (bounded here to keep runs fast).
        if (member.data_bytes() > (std::uint64_t{1} << 24)) continue;
        std::vector<std::uint8_t> buffer(member.data_bytes());
        member.read_data(buffer.data(), buffer.size());
      } catch (const ablate::DataError&) {
      }
    }
  } catch (const ablate::DataError&) {
  }
  return 0;
}
