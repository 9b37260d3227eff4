// Cooperative cancellation: Ctrl-C and SIGTERM set a flag that the trainer polls.
#pragma once

#include <atomic>

#include "ablate/error.hpp"

namespace ablate {

// Thrown by the trainer when a stop was requested; the runner marks the run `killed`.
class Interrupted : public Error {
 public:
  using Error::Error;
};

// Installs SIGINT and SIGTERM handlers that set stop_requested(). A second signal of the
// same kind ends the process at once, for a user who really wants out.
void install_stop_handlers();
const std::atomic<bool>& stop_requested();
void request_stop();  // what the handlers do; also for tests

}  // namespace ablate
