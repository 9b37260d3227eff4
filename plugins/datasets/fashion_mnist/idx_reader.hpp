// Fashion-MNIST's files: IDX (big-endian header, uint8 body), gzip-compressed or plain.
// Every problem is a DataError naming the file and what was expected; nothing is read past
// what the header declares, and a header that lies about its count fails as truncated
// rather than allocating first. fuzz/idx_reader_fuzzer.cpp feeds these arbitrary bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "ablate/dataset.hpp"

namespace ablate::fashion_mnist {

// An IDX3 file of `side` x `side` uint8 images, as an ImageSet (count, side, side, 1)
// without labels.
ImageSet read_idx_images(const std::filesystem::path& path, std::int64_t side);

// An IDX1 file of uint8 labels, each below `num_classes`.
std::vector<std::int64_t> read_idx_labels(const std::filesystem::path& path, std::int64_t num_classes);

}  // namespace ablate::fashion_mnist
