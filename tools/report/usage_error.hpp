// The error for a bad command line or a request the store cannot answer (exit code 2).
#pragma once

#include <stdexcept>
#include <string>

namespace ablate::report {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ablate::report
