// Error texts as a user reads them and the store keeps them.
#pragma once

#include <string>

namespace ablate {

// `text` without the C++ stack trace LibTorch appends to its errors' messages (c10::Error:
// "Exception raised from FUNCTION at FILE:LINE (most recent call first):" and 15-26
// "frame #N: ..." lines). Other texts are returned unchanged. Textual, so that code
// without LibTorch (invoke_plugin, wrapping any plugin's exception) can use it too.
inline std::string without_libtorch_backtrace(const std::string& text) {
  for (const char* marker : {"\nException raised from ", "Exception raised from "}) {
    const std::size_t at = text.find(marker);
    if (at != std::string::npos && text.find("(most recent call first)", at) != std::string::npos) {
      std::string kept = text.substr(0, at);
      while (!kept.empty() && (kept.back() == '\n' || kept.back() == ' ')) kept.pop_back();
      return kept;
    }
  }
  return text;
}

}  // namespace ablate
