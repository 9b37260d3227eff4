// Child processes for grid cells: a fork of the runner, or a fresh process; one output pipe.
#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <utility>

#include <fmt/format.h>

#include "ablate/error.hpp"

namespace ablate {

namespace {

// In a forked child: peak memory counts from here, not from the parent's high-water mark
// that fork() copied (Linux >= 4.0: "5" resets VmHWM to the current resident size).
void reset_peak_memory() {
  const int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  [[maybe_unused]] const auto ignored = write(fd, "5", 1);
  close(fd);
}

void flush_all_output() {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
}

}  // namespace

ChildProcess::ChildProcess(const std::function<void()>& in_child) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw Error(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
  // Whatever this process has buffered must not be written a second time by the child.
  flush_all_output();
  const pid_t parent = getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    throw Error(fmt::format("cannot start a process: {}", std::strerror(errno)));
  }
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    in_child();
    _exit(127);  // not reached: in_child ends the process
  }
  close(pipe_fds[1]);
  fd_ = pipe_fds[0];
  fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

std::unique_ptr<ChildProcess> ChildProcess::exec(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  return std::unique_ptr<ChildProcess>(new ChildProcess([&args] {
    // Only async-signal-safe calls until exec: another thread may hold a lock.
    execv(args[0], args.data());
    const char message[] = "runner: cannot execute the cell process\n";
    [[maybe_unused]] const auto ignored = write(STDERR_FILENO, message, sizeof(message) - 1);
    _exit(127);
  }));
}

std::unique_ptr<ChildProcess> ChildProcess::fork(const std::function<int()>& body) {
  return std::unique_ptr<ChildProcess>(new ChildProcess([&body] {
    reset_peak_memory();
    int code = 127;
    try {
      code = body();
    } catch (const std::exception& e) {
      std::cerr << "runner: error: " << e.what() << "\n";
    } catch (...) {
      std::cerr << "runner: error: the cell threw something that is not a std::exception\n";
    }
    flush_all_output();
    // _exit, not exit: the parent's objects (its store connection, its other children)
    // were copied into this process and must not be destroyed here.
    _exit(code);
  }));
}

ChildProcess::~ChildProcess() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (fd_ >= 0) close(fd_);
}

std::vector<std::string> ChildProcess::read_lines() {
  std::vector<std::string> lines;
  char buffer[8192];
  for (;;) {
    const ssize_t n = read(fd_, buffer, sizeof(buffer));
    if (n <= 0) break;
    partial_.append(buffer, static_cast<std::size_t>(n));
  }
  std::size_t start = 0;
  for (std::size_t newline; (newline = partial_.find('\n', start)) != std::string::npos; start = newline + 1) {
    lines.push_back(partial_.substr(start, newline - start));
  }
  partial_.erase(0, start);
  if (exited_ && !partial_.empty()) lines.push_back(std::exchange(partial_, std::string()));
  for (const auto& line : lines) {
    if (line.rfind("@progress", 0) == 0) continue;  // machine lines are not worth keeping
    tail_.push_back(line);
    if (tail_.size() > kTailLines) tail_.pop_front();
  }
  return lines;
}

std::string ChildProcess::tail() const {
  std::string text;
  for (const auto& line : tail_) text += line + "\n";
  return text;
}

std::optional<int> ChildProcess::try_wait() {
  if (exited_) return status_;
  int status = 0;
  const pid_t result = waitpid(pid_, &status, WNOHANG);
  if (result != pid_) return std::nullopt;
  exited_ = true;
  status_ = status;
  return status_;
}

void ChildProcess::signal(int signal_number) const {
  if (!exited_ && pid_ > 0) ::kill(pid_, signal_number);
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exit code {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int number = WTERMSIG(status);
    std::string text = fmt::format("signal {} ({})", number, strsignal(number));
    if (number == SIGKILL) text += "; the out-of-memory killer sends this when memory runs out";
    return text;
  }
  return fmt::format("wait status {}", status);
}

}  // namespace ablate
