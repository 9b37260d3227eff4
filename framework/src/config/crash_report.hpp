// A crash inside plugin code, named. Plugin code runs in the host while a grid is planned
// (factories, a metric's trial computation); a segfault or abort there used to end the
// runner with nothing but "Segmentation fault". The host notes, around each such call,
// which plugin (and file) it is running and what for; a fatal signal then prints the note
// before the process ends. Cells run in their own processes, where the same note reaches
// the run's output tail in the store.
#pragma once

#include <string>

namespace ablate {

enum class CrashExit {
  bad_input,  // planning in the runner: print the note, exit with status 2 (bad input)
  by_signal,  // a cell: print the note, then die of the signal, so the parent records it
};

// Installs the handler for SIGSEGV, SIGBUS, SIGABRT, SIGFPE and SIGILL (once; later calls
// only change how it ends the process). Without a note it prints nothing and the signal
// takes its default course.
void report_plugin_crashes(CrashExit exit);

// Notes `what` (e.g. "metric plugin 'x' (/p/libx.so), creating its object") for as long
// as it lives. Notes do not nest: an inner one replaces the outer until it ends.
class PluginCallNote {
 public:
  explicit PluginCallNote(const std::string& what);
  ~PluginCallNote();
  PluginCallNote(const PluginCallNote&) = delete;
  PluginCallNote& operator=(const PluginCallNote&) = delete;
};

}  // namespace ablate
