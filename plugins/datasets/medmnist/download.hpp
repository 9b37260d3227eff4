// Fetches one file over HTTP(S) with libcurl into `{target}.part`, checks its MD5 and
// only then renames it to `target`, so a failed download never looks complete.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace ablate::medmnist {

struct DownloadSettings {
  std::int64_t connect_timeout_s = 30;  // to open the connection
  std::int64_t stall_timeout_s = 60;    // no byte received for this long aborts
};

// Downloads `url` to `target`. `expected_md5` (lowercase hex) is checked when not empty.
// Progress goes to stderr. Any failure removes the partial file and throws DataError
// naming the URL and what was expected (HTTP status, MD5, byte count). Processes that
// download the same target at once take turns: the second finds the file done.
void download_file(const std::string& url, const std::filesystem::path& target, const std::string& expected_md5,
                   const DownloadSettings& settings);

}  // namespace ablate::medmnist
