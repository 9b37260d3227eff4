#include "engine/error_message.hpp"

#include <c10/util/Exception.h>

#include "config/error_text.hpp"

namespace ablate {

std::string error_message(const std::exception& e) {
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&e)) return torch_error->what_without_backtrace();
  // An Ablate error that wrapped one keeps its text; a trace in it is cut all the same.
  return without_libtorch_backtrace(e.what());
}

}  // namespace ablate
