// libcurl transfer with a streaming MD5 (OpenSSL EVP), progress on stderr, a lock so
// that parallel grid cells do not download the same file twice, and an atomic rename.
#include "download.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <system_error>

#include "ablate/error.hpp"

namespace ablate::medmnist {

namespace {

constexpr long kMaxRedirects = 10;  // Zenodo redirects to its storage once or twice
constexpr double kTtyUpdateSeconds = 0.25;
constexpr int kPlainLinePercentStep = 10;
constexpr curl_off_t kPlainLineBytesStep = curl_off_t{100} << 20;  // when size is unknown

[[noreturn]] void fail(const std::string& problem) { throw DataError("dataset plugin 'medmnist': " + problem); }

std::string megabytes(curl_off_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

std::string to_hex(const unsigned char* bytes, unsigned size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < size; ++i) {
    hex += kDigits[bytes[i] >> 4];
    hex += kDigits[bytes[i] & 15];
  }
  return hex;
}

// One line on stderr that a terminal sees rewritten in place; a log file gets a plain
// line every 10% instead of thousands of carriage returns.
class Progress {
 public:
  explicit Progress(std::string label) : label_(std::move(label)), tty_(isatty(2) != 0) {}

  void update(curl_off_t now, curl_off_t total) {
    if (now == 0) return;  // nothing to show yet (an error page may be all that comes)
    if (tty_) {
      const auto clock = std::chrono::steady_clock::now();
      if (std::chrono::duration<double>(clock - last_).count() < kTtyUpdateSeconds) return;
      last_ = clock;
      std::fprintf(stderr, "\r%s", line(now, total).c_str());
      drawn_ = true;
    } else if (total > 0) {
      const int percent = static_cast<int>(100 * now / total);
      if (percent >= next_percent_) {
        std::fprintf(stderr, "%s\n", line(now, total).c_str());
        next_percent_ = (percent / kPlainLinePercentStep + 1) * kPlainLinePercentStep;
      }
    } else if (now >= next_bytes_) {
      std::fprintf(stderr, "%s\n", line(now, total).c_str());
      next_bytes_ = now + kPlainLineBytesStep;
    }
  }

  void finish(curl_off_t now, curl_off_t total) {
    if (tty_ && drawn_) std::fprintf(stderr, "\r%s\n", line(now, total).c_str());
  }

 private:
  std::string line(curl_off_t now, curl_off_t total) const {
    std::string text = "medmnist: downloading " + label_ + " " + megabytes(now);
    if (total > 0) {
      text += " of " + megabytes(total) + " (" + std::to_string(100 * now / total) + "%)";
    }
    return text + "   ";
  }

  std::string label_;
  bool tty_;
  bool drawn_ = false;
  int next_percent_ = 0;
  curl_off_t next_bytes_ = 0;
  std::chrono::steady_clock::time_point last_{};
};

struct Transfer {
  std::FILE* out = nullptr;
  EVP_MD_CTX* md5 = nullptr;
  curl_off_t received = 0;
  int write_errno = 0;
  Progress* progress = nullptr;
};

std::size_t on_data(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (std::fwrite(data, 1, bytes, transfer->out) != bytes) {
    transfer->write_errno = errno;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  EVP_DigestUpdate(transfer->md5, data, bytes);
  transfer->received += static_cast<curl_off_t>(bytes);
  return bytes;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  static_cast<Transfer*>(user)->progress->update(now, total);
  return 0;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct Md5Deleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

// The `.part` file, locked for this process. Whoever holds the lock owns the name; the
// file is removed on failure and renamed on success, both before the lock is released.
class PartFile {
 public:
  explicit PartFile(const std::filesystem::path& part) : part_(part) {}
  ~PartFile() {
    if (file_) {
      if (!kept_) ::unlink(part_.c_str());
      std::fclose(file_);  // releases the lock
    } else if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  PartFile(const PartFile&) = delete;
  PartFile& operator=(const PartFile&) = delete;

  // Returns false when `target` appeared while waiting (another process finished it).
  bool acquire(const std::filesystem::path& target) {
    std::error_code ec;
    for (;;) {
      if (std::filesystem::exists(target, ec)) return false;
      fd_ = ::open(part_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      if (fd_ < 0) {
        fail("cannot create '" + part_.string() + "' (" + std::strerror(errno) +
             "); expected a writable `root` folder");
      }
      if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        std::fprintf(stderr, "medmnist: waiting for another process downloading '%s'\n", target.string().c_str());
        ::flock(fd_, LOCK_EX);
      }
      // The holder before us removed or renamed the file it locked: start over on the
      // name, or we would write into a file that no longer has one.
      struct stat held {};
      struct stat named {};
      if (::fstat(fd_, &held) == 0 && ::stat(part_.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
          held.st_dev == named.st_dev) {
        break;
      }
      ::close(fd_);
      fd_ = -1;
    }
    if (std::filesystem::exists(target, ec)) {
      ::unlink(part_.c_str());
      return false;
    }
    if (::ftruncate(fd_, 0) != 0 || !(file_ = ::fdopen(fd_, "wb"))) {
      fail("cannot write '" + part_.string() + "' (" + std::strerror(errno) + ")");
    }
    return true;
  }

  std::FILE* stream() { return file_; }

  // Flushes, then renames to `target` while still holding the lock.
  void commit(const std::filesystem::path& target) {
    if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0) {
      fail("cannot write '" + part_.string() + "' (" + std::strerror(errno) + ")");
    }
    if (std::rename(part_.c_str(), target.c_str()) != 0) {
      fail("cannot rename '" + part_.string() + "' to '" + target.string() + "' (" + std::strerror(errno) + ")");
    }
    kept_ = true;
  }

 private:
  std::filesystem::path part_;
  int fd_ = -1;
  std::FILE* file_ = nullptr;
  bool kept_ = false;
};

}  // namespace

void download_file(const std::string& url, const std::filesystem::path& target, const std::string& expected_md5,
                   const DownloadSettings& settings) {
  global_init();
  std::error_code ec;
  std::filesystem::create_directories(target.parent_path(), ec);
  if (ec) {
    fail("cannot create the folder '" + target.parent_path().string() + "' (" + ec.message() + ") to download '" + url +
         "' into");
  }
  PartFile part(target.string() + ".part");
  if (!part.acquire(target)) return;

  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  std::unique_ptr<EVP_MD_CTX, Md5Deleter> md5(EVP_MD_CTX_new());
  if (!curl || !md5 || EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr) != 1) {
    fail("cannot start downloading '" + url + "': libcurl or OpenSSL failed to initialise");
  }
  std::fprintf(stderr, "medmnist: downloading %s to %s\n", url.c_str(), target.c_str());
  Progress progress(target.filename().string());
  Transfer transfer;
  transfer.out = part.stream();
  transfer.md5 = md5.get();
  transfer.progress = &progress;
  char error_text[CURL_ERROR_SIZE] = {};
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(handle, CURLOPT_MAXREDIRS, kMaxRedirects);
  curl_easy_setopt(handle, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "ablate-medmnist/1.0 (libcurl)");
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, static_cast<long>(settings.connect_timeout_s));
  // Less than one byte per second for stall_timeout_s seconds, waiting for the response
  // headers included, is a server that does not answer.
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, static_cast<long>(settings.stall_timeout_s));
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);

  const CURLcode result = curl_easy_perform(handle);
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t length = -1;
  curl_easy_getinfo(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  progress.finish(transfer.received, length);

  const std::string failed = "downloading '" + url + "' failed: ";
  const std::string removed = "; '" + target.string() + ".part' was removed";
  switch (result) {
    case CURLE_OK:
      break;
    case CURLE_HTTP_RETURNED_ERROR:
      fail(failed + "the server answered HTTP status " + std::to_string(status) + ", expected 200" + removed);
    case CURLE_PARTIAL_FILE:
      fail(failed + "the connection closed after " + std::to_string(transfer.received) + " of the " +
           std::to_string(length) + " bytes the server announced" + removed);
    case CURLE_OPERATION_TIMEDOUT:
      fail(failed + "timed out (" + error_text + "); expected data at least every " +
           std::to_string(settings.stall_timeout_s) + " s (option `stall_timeout`) and a " + "connection within " +
           std::to_string(settings.connect_timeout_s) + " s (option `connect_timeout`)" + removed);
    case CURLE_WRITE_ERROR:
      if (transfer.write_errno != 0) {
        fail(failed + "cannot write '" + target.string() + ".part' (" + std::strerror(transfer.write_errno) + ")" +
             removed);
      }
      [[fallthrough]];
    default:
      fail(failed + curl_easy_strerror(result) +
           (error_text[0] ? std::string(" (") + error_text + ")" : std::string()) + removed);
  }
  if (status != 200) {
    fail(failed + "the server answered HTTP status " + std::to_string(status) + ", expected 200" + removed);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned digest_size = 0;
  EVP_DigestFinal_ex(md5.get(), digest, &digest_size);
  const std::string actual_md5 = to_hex(digest, digest_size);
  if (!expected_md5.empty() && actual_md5 != expected_md5) {
    fail(failed + "the " + std::to_string(transfer.received) + " bytes received have MD5 " + actual_md5 +
         ", expected " + expected_md5 + " (the published checksum of '" + target.filename().string() + "')" + removed);
  }
  part.commit(target);
}

}  // namespace ablate::medmnist
