// Where and how a cell runs (device, threads), resolved once per process. LibTorch-free
// header: the runner includes it.
#pragma once

#include <cstdint>
#include <string>

#include "config/config.hpp"

namespace ablate {

struct ExecutionContext {
  std::string device;  // "cpu" or "cuda"
  std::int64_t threads = 1;
  std::string torch_version;
};

// Resolves `auto` and thread counts, and applies them to LibTorch (threads, deterministic
// algorithms).
ExecutionContext prepare_execution(const TrainSettings& train);

// "cpu" or "cuda" for train.device (auto | cpu | cuda) on this machine, without touching
// threads; throws ConfigError for cuda where there is none.
std::string resolve_device(Device device);

// The LibTorch version this binary was built with.
std::string torch_version();

}  // namespace ablate
