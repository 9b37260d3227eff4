// Where the pixels of a cell's splits live while it trains and evaluates (train.images).
//   memory  the data set's own buffers (the default, the fastest);
//   disk    written once to an unlinked file in a scratch folder (next to the store) and
//           read batch by batch with pread: they then sit in the operating system's page
//           cache, which it can evict and read back, instead of in the cell's resident
//           memory (0.84 GB less for BloodMNIST at 128x128). Nothing else changes: a batch
//           has the same bytes either way.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ablate/dataset.hpp"
#include "config/choices.hpp"

namespace ablate {

class ScratchFile;

class SplitPixels {
 public:
  // In memory: views set.pixels, which must outlive this.
  explicit SplitPixels(const ImageSet& set);
  // On disk: appends set.pixels to `file`, then frees them.
  SplitPixels(ImageSet& set, std::shared_ptr<ScratchFile> file);

  // The pixels in memory, or nullptr when they are on disk.
  const std::uint8_t* memory() const { return memory_; }

  // Copies images indices[0..n) (or start..end) into `out`, one image after another.
  void read(const std::int64_t* indices, std::int64_t n, std::uint8_t* out) const;
  void read_range(std::int64_t start, std::int64_t end, std::uint8_t* out) const;

 private:
  std::int64_t image_bytes_ = 0;
  const std::uint8_t* memory_ = nullptr;
  std::shared_ptr<ScratchFile> file_;
  std::int64_t offset_ = 0;  // of the first image in file_
};

struct CellPixels {
  SplitPixels train, val, test;
};

// The pixels of `data` kept as `where` says (memory or disk); for disk the scratch
// file goes into `directory`, and is gone when the last SplitPixels using it is.
// Throws DataError when the file cannot be written (naming it and why).
CellPixels place_pixels(DatasetSplits& data, Images where, const std::string& directory);

}  // namespace ablate
