// The facts of the MedMNIST v2 2D data sets (Zenodo record 10519652): classes, channels,
// split sizes and the published MD5 of every file.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ablate::medmnist {

// The image sides MedMNIST publishes files for: `{flag}.npz` for 28, `{flag}_{size}.npz`
// for the others.
inline constexpr std::array<std::int64_t, 4> kPublishedSizes = {28, 64, 128, 224};

struct FlagInfo {
  std::string name;  // e.g. "bloodmnist"
  std::int64_t channels = 0;
  std::vector<std::string> class_names;
  std::array<std::int64_t, 3> split_sizes{};  // train, val, test
  bool multi_label = false;                   // chestmnist: one binary label per class
  std::array<std::string, 4> md5;             // per kPublishedSizes entry
};

// Every 2D flag, in the order of the MedMNIST package.
const std::vector<FlagInfo>& all_flags();

// The flag named `name`, or nullptr.
const FlagInfo* find_flag(const std::string& name);

// "pathmnist, dermamnist, ..." (the single-label ones, which this plugin reads).
std::string supported_flag_list();

// `{flag}.npz` for 28, `{flag}_{size}.npz` otherwise.
std::string file_name(const std::string& flag, std::int64_t size);

// The published MD5 of that file ("" if none is known).
std::string published_md5(const FlagInfo& flag, std::int64_t size);

}  // namespace ablate::medmnist
