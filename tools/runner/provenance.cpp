// Provenance: host name and git commit/dirty flag, read once per runner process.
#include "provenance.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

namespace ablate {

namespace {

// Runs a shell command and returns its standard output, or "" if it failed.
std::string capture(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return "";
  std::string output;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) output.append(buffer.data(), n);
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  return output;
}

std::string quoted(const std::string& text) {
  std::string result = "'";
  for (const char c : text) result += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return result + "'";
}

}  // namespace

Provenance collect_provenance(const std::filesystem::path& directory) {
  Provenance provenance;
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) == 0) provenance.host = host.data();
  const std::string git = fmt::format("git -C {} ", quoted(directory.empty() ? "." : directory.string()));
  provenance.git_commit = capture(git + "rev-parse HEAD 2>/dev/null");
  if (!provenance.git_commit.empty()) {
    provenance.git_dirty = !capture(git + "status --porcelain --untracked-files=no 2>/dev/null").empty();
  }
  return provenance;
}

}  // namespace ablate
