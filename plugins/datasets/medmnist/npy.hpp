// A strict parser for the header of numpy's .npy format (versions 1.0, 2.0 and 3.0).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ablate::medmnist {

struct NpyHeader {
  std::string descr;  // the dtype string as numpy wrote it, e.g. "|u1" or "<i8"
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
  std::size_t header_bytes = 0;  // magic, version, length field and the dict together

  // The product of the shape (1 for a scalar). Throws DataError on overflow.
  std::int64_t element_count(const std::string& where) const;
  // "(11959, 128, 128, 3)", as numpy prints it.
  std::string shape_string() const;
};

// Reads exactly `size` bytes into `data` or throws.
using ReadExact = std::function<void(void* data, std::size_t size)>;

// Reads and checks the magic string, the version, the header length and the header
// dict, which must hold exactly 'descr' (a plain dtype string), 'fortran_order' and
// 'shape' (a tuple of non-negative integers), as numpy writes them. `where` names the
// file and member in every message ("'x.npz' member 'train_images.npy'").
NpyHeader read_npy_header(const ReadExact& read_exact, const std::string& where);

}  // namespace ablate::medmnist
