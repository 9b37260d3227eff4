// Cooperative cancellation on SIGINT/SIGTERM.
#include "config/interrupt.hpp"

#include <csignal>

namespace ablate {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int signal_number) {
  g_stop.store(true);
  // Restore the default so that a second Ctrl-C ends the process immediately.
  std::signal(signal_number, SIG_DFL);
}

}  // namespace

void install_stop_handlers() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

const std::atomic<bool>& stop_requested() { return g_stop; }

void request_stop() { g_stop.store(true); }

}  // namespace ablate
