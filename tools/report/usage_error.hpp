// The error for a bad command line or a request the store cannot answer (exit code 2).
#pragma once

#include "ablate/error.hpp"

namespace ablate::report {

// One of Ablate's errors (ablate::Error), so that code catching those catches this too.
class UsageError : public Error {
 public:
  using Error::Error;
};

}  // namespace ablate::report
