// The child-process probe of plugin files and its cache (plugin_probe.hpp).
#include "config/plugin_probe.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "ablate/plugin.hpp"

namespace ablate {

namespace fs = std::filesystem;

namespace {

constexpr char kSafe = 'y';  // what a child that finished writes to its pipe

// In the child: everything the registry will do with the file, then the answer.
[[noreturn]] void probe_in_child(const fs::path& file, int answer_fd) {
  // The library's output is not the host's: a plugin that prints while loading would
  // otherwise print twice.
  const int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null_fd >= 0) {
    dup2(null_fd, STDOUT_FILENO);
    dup2(null_fd, STDERR_FILENO);
  }
  if (void* handle = dlopen(file.c_str(), RTLD_LAZY | RTLD_LOCAL)) {
    using Entry = const PluginDescriptor* (*)();
    if (auto entry = reinterpret_cast<Entry>(dlsym(handle, kPluginEntryPoint))) {
      try {
        if (const PluginDescriptor* descriptor = entry()) {
          // The strings the registry reads, so that a descriptor with wild pointers
          // crashes here rather than in the host.
          if (descriptor->abi_version == kPluginAbiVersion) {
            for (const char* text :
                 {descriptor->name, descriptor->version, descriptor->description, descriptor->torch_version}) {
              if (text) [[maybe_unused]]
                volatile std::size_t length = std::strlen(text);
            }
          }
        }
      } catch (...) {
        // A throwing entry point is caught in the host too (PluginRegistry::load_file).
      }
    }
  }
  [[maybe_unused]] const auto written = write(answer_fd, &kSafe, 1);
  // _exit: no static destructors of the plugin or of this process's copy of the host.
  _exit(0);
}

std::string describe_end(int status) {
  if (WIFSIGNALED(status)) {
    const int number = WTERMSIG(status);
    return fmt::format("crashed while loading (signal {}, {}){}", number, strsignal(number),
                       number == SIGBUS ? ": a truncated or damaged file, such as an interrupted copy?" : "");
  }
  if (WIFEXITED(status)) {
    return fmt::format("ended the process while loading (exit status {}): a plugin must not exit", WEXITSTATUS(status));
  }
  return fmt::format("ended the process while loading (wait status {})", status);
}

}  // namespace

std::optional<std::string> probe_plugin_file(const fs::path& file, double timeout_seconds) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return fmt::format("{} could not be probed (pipe: {}); skipped", file.string(), std::strerror(errno));
  }
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return fmt::format("{} could not be probed (fork: {}); skipped", file.string(), std::strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    probe_in_child(file, fds[1]);
  }
  close(fds[1]);
  // The child writes one byte when it finished; the pipe's end of file without it means
  // the child ended on the way.
  char answer = 0;
  bool answered = false, timed_out = true;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd poll_fd{fds[0], POLLIN, 0};
    const int ready = poll(&poll_fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready > 0) {
      answered = read(fds[0], &answer, 1) == 1 && answer == kSafe;
      timed_out = false;
    }
    break;
  }
  close(fds[0]);
  // A constructor that hangs, or waits for something, gets no more time than this.
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (answered) return std::nullopt;
  if (timed_out) return fmt::format("{} did not finish loading within {:g} s; skipped", file.string(), timeout_seconds);
  return fmt::format("{} {}; skipped", file.string(), describe_end(status));
}

PluginProbeCache::PluginProbeCache() {
  if (const char* path = std::getenv("ABLATE_PLUGIN_PROBE_CACHE")) {
    cache_file_ = path;  // "" turns the cache off
  } else if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    cache_file_ = fs::path(xdg) / "ablate" / "plugin-probes.tsv";
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    cache_file_ = fs::path(home) / ".cache" / "ablate" / "plugin-probes.tsv";
  }
  if (cache_file_.empty()) return;
  std::ifstream in(cache_file_);
  std::ostringstream text;
  text << in.rdbuf();
  lines_ = text.str();
}

std::optional<PluginProbeCache::Key> PluginProbeCache::key_of(const fs::path& file) {
  struct stat info {};
  std::error_code error;
  const fs::path absolute = fs::absolute(file, error);
  if (error || stat(absolute.c_str(), &info) != 0) return std::nullopt;
  return Key{absolute.string(), static_cast<std::uintmax_t>(info.st_size),
             static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec};
}

bool PluginProbeCache::known_safe(const fs::path& file) const {
  if (cache_file_.empty()) return false;
  const auto key = key_of(file);
  if (!key) return false;
  const std::string line = fmt::format("{}\t{}\t{}\n", key->path, key->size, key->mtime_ns);
  return lines_.rfind(line, 0) == 0 || lines_.find("\n" + line) != std::string::npos;
}

void PluginProbeCache::remember_safe(const fs::path& file) {
  if (cache_file_.empty()) return;
  const auto key = key_of(file);
  if (!key || known_safe(file)) return;
  // The file's earlier verdict (another size or time) is dropped: one line per path.
  std::istringstream old_lines(lines_);
  std::string kept;
  for (std::string line; std::getline(old_lines, line);) {
    if (line.rfind(key->path + "\t", 0) != 0) kept += line + "\n";
  }
  lines_ = kept + fmt::format("{}\t{}\t{}\n", key->path, key->size, key->mtime_ns);
  changed_ = true;
}

void PluginProbeCache::save() {
  if (!changed_ || cache_file_.empty()) return;
  std::error_code error;
  fs::create_directories(cache_file_.parent_path(), error);
  const fs::path temporary = cache_file_.string() + fmt::format(".{}.tmp", getpid());
  {
    std::ofstream out(temporary);
    out << lines_;
    if (!out) {
      fs::remove(temporary, error);
      return;  // a cache that cannot be written costs probing time, nothing else
    }
  }
  fs::rename(temporary, cache_file_, error);
  if (error) fs::remove(temporary, error);
  changed_ = false;
}

}  // namespace ablate
