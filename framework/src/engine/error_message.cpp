#include "engine/error_message.hpp"

#include <c10/util/Exception.h>

namespace ablate {

std::string error_message(const std::exception& e) {
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&e)) return torch_error->what_without_backtrace();
  return e.what();
}

}  // namespace ablate
