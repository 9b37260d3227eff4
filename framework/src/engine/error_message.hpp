// The text of an error as a user should see it and as the store keeps it.
#pragma once

#include <exception>
#include <string>

namespace ablate {

// e.what(), except for LibTorch's errors (c10::Error), whose what() carries a C++ stack
// trace of 15-26 lines after the message: only the message is kept (also where another
// error's text quotes one).
std::string error_message(const std::exception& e);

}  // namespace ablate
