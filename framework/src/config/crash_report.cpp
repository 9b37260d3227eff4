// The fatal-signal handler behind PluginCallNote (crash_report.hpp). Only
// async-signal-safe calls in the handler: write, signal, raise, _exit.
#include "config/crash_report.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>

namespace ablate {

namespace {

constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
constexpr int kExitBadInput = 2;  // runner --help: bad input (experiment, plugin, data or store)

// The note, copied in before the plugin call: the handler cannot allocate.
char note[1024];
std::atomic<bool> note_set{false};
std::atomic<int> crash_exit{static_cast<int>(CrashExit::by_signal)};
std::atomic<bool> installed{false};

void write_text(const char* text) {
  [[maybe_unused]] const auto written = write(STDERR_FILENO, text, std::strlen(text));
}

const char* signal_name(int number) {
  switch (number) {
    case SIGSEGV:
      return "signal 11, Segmentation fault";
    case SIGBUS:
      return "signal 7, Bus error";
    case SIGABRT:
      return "signal 6, Aborted";
    case SIGFPE:
      return "signal 8, Floating point exception";
    case SIGILL:
      return "signal 4, Illegal instruction";
  }
  return "a fatal signal";
}

void on_fatal_signal(int number) {
  if (note_set.load()) {
    write_text("runner: error: ");
    write_text(note);
    write_text(": the plugin crashed the process (");
    write_text(signal_name(number));
    if (crash_exit.load() == static_cast<int>(CrashExit::bad_input)) {
      write_text("); nothing was run\n");
      _exit(kExitBadInput);
    }
    write_text(")\n");
  }
  signal(number, SIG_DFL);
  raise(number);
}

}  // namespace

void report_plugin_crashes(CrashExit exit) {
  crash_exit.store(static_cast<int>(exit));
  if (installed.exchange(true)) return;
  for (const int number : kFatalSignals) {
    struct sigaction action {};
    action.sa_handler = on_fatal_signal;
    sigemptyset(&action.sa_mask);
    // SA_NODEFER: abort() re-raises SIGABRT from inside; SA_RESETHAND is not used so that
    // the handler stays for the next call.
    action.sa_flags = SA_NODEFER;
    sigaction(number, &action, nullptr);
  }
}

PluginCallNote::PluginCallNote(const std::string& what) {
  const std::size_t length = std::min(what.size(), sizeof note - 1);
  note_set.store(false);
  std::memcpy(note, what.data(), length);
  note[length] = '\0';
  note_set.store(true);
}

PluginCallNote::~PluginCallNote() { note_set.store(false); }

}  // namespace ablate
