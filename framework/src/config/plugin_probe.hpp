// Loading a plugin library runs its code (static constructors, the entry point) inside
// the host. A damaged or hostile file (a truncated copy, a constructor that aborts,
// segfaults or calls exit) would take the runner down with it, unnamed, or end it with
// status 0 having done nothing. So a file is first loaded in a child process; only a file
// that survives that is loaded in the host. Verdicts are cached by path, size and
// modification time, so a runner start probes only new or changed files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace ablate {

// Loads `file` with dlopen in a forked child, calls its entry point (if any) and reads
// the descriptor's strings, as the registry will. Returns nullopt when all of that
// finished (clean refusals, such as a missing entry point, are for the registry to
// report), or a sentence naming the file and how the child ended: a signal, an exit
// status, or no answer within `timeout_seconds`.
std::optional<std::string> probe_plugin_file(const std::filesystem::path& file, double timeout_seconds = 30);

// The files known to load safely, in a small text file: `ABLATE_PLUGIN_PROBE_CACHE` when
// set ("" turns the cache off), else $XDG_CACHE_HOME/ablate/plugin-probes.tsv, else
// ~/.cache/ablate/plugin-probes.tsv. A cache that cannot be read or written is ignored:
// every file is then probed.
class PluginProbeCache {
 public:
  PluginProbeCache();
  // True when `file`, with its current size and modification time, probed safe before.
  bool known_safe(const std::filesystem::path& file) const;
  void remember_safe(const std::filesystem::path& file);
  // Writes the cache (temporary file, then rename) if anything was added.
  void save();

 private:
  struct Key {
    std::string path;
    std::uintmax_t size = 0;
    std::int64_t mtime_ns = 0;
  };
  static std::optional<Key> key_of(const std::filesystem::path& file);
  std::filesystem::path cache_file_;
  std::string lines_;  // "path\tsize\tmtime_ns\n" per safe file
  bool changed_ = false;
};

}  // namespace ablate
