// A child process whose standard output and error come back through one pipe, line by
// line, with the last lines kept for the store when it crashes.
#pragma once

#include <sys/types.h>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ablate {

class ChildProcess {
 public:
  // Starts `argv` (argv[0] is the executable's path): a fresh process that loads
  // everything itself. The child dies with its parent (PR_SET_PDEATHSIG), so a killed
  // runner never leaves cells training unseen.
  static std::unique_ptr<ChildProcess> exec(const std::vector<std::string>& argv);

  // Forks this process and runs `body` in the child, whose return value is its exit
  // code. The child starts with everything this process has loaded (LibTorch, plugins,
  // the plan), which saves LibTorch's ~0.3 s start-up per cell. The caller must be
  // single-threaded and hold no SQLite connection (one must never cross fork()); the
  // child never returns into the caller and runs no destructors of the caller's objects.
  static std::unique_ptr<ChildProcess> fork(const std::function<int()>& body);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  int output_fd() const { return fd_; }

  // Reads what is available without blocking; returns the complete lines.
  std::vector<std::string> read_lines();
  // Up to the last `kTailLines` lines of output, joined.
  std::string tail() const;

  // The raw wait status once the child has exited (after which output is drained).
  std::optional<int> try_wait();
  void signal(int signal_number) const;

  static constexpr std::size_t kTailLines = 30;

 private:
  // Forks with the child's output going into a pipe; in the child runs `in_child`, which
  // must not return.
  explicit ChildProcess(const std::function<void()>& in_child);

  pid_t pid_ = -1;
  int fd_ = -1;
  std::string partial_;
  std::deque<std::string> tail_;
  bool exited_ = false;
  int status_ = 0;
};

// "exit code 3", "signal 11 (Segmentation fault)", for messages.
std::string describe_wait_status(int status);

}  // namespace ablate
