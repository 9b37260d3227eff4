// The one way the engine calls into plugin code.
#pragma once

#include <string>
#include <utility>

#include <fmt/format.h>

#include "ablate/error.hpp"
#include "config/error_text.hpp"

namespace ablate {

// Runs `call` (a call into a plugin) and returns what it returns. An ablate::Error passes
// through as the plugin meant it (a ConfigError names the bad option); anything else the
// plugin throws becomes a PluginError that starts with `describe_failure()`, which says
// which plugin failed doing what. It is called only on failure, so calls on the hot path
// (a model's forward pass) build no message.
template <typename Call, typename DescribeFailure>
decltype(auto) invoke_plugin(Call&& call, DescribeFailure&& describe_failure) {
  try {
    return std::forward<Call>(call)();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    // LibTorch's own errors carry a stack trace of 15-26 lines: the message is kept.
    throw PluginError(fmt::format("{}: {}", describe_failure(), without_libtorch_backtrace(e.what())));
  } catch (...) {
    throw PluginError(fmt::format("{}: it threw something that is not a std::exception", describe_failure()));
  }
}

}  // namespace ablate
