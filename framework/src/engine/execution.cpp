// Where and how a cell runs (execution.hpp).
#include "engine/execution.hpp"

#include <algorithm>
#include <thread>

#include <torch/torch.h>

#include "ablate/error.hpp"
#include "engine/process_tuning.hpp"

namespace ablate {

std::string resolve_device(Device device) {
  const bool cuda = torch::cuda::is_available();
  if (device == Device::kCuda && !cuda) {
    throw ConfigError("train.device is 'cuda', but this LibTorch has no usable CUDA device "
                      "(Debian's libtorch is CPU-only); use device: auto or cpu");
  }
  return (device == Device::kCuda || (device == Device::kAuto && cuda)) ? "cuda" : "cpu";
}

std::string torch_version() { return TORCH_VERSION; }

ExecutionContext prepare_execution(const TrainSettings& train) {
  ExecutionContext context;
  context.device = resolve_device(train.device);
  // LibTorch's default on these VMs is one thread: always set it explicitly.
  const auto cores = static_cast<std::int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  context.threads = train.threads > 0 ? train.threads : cores;
  use_torch_threads(context.threads);
  if (train.deterministic) at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/false);
  context.torch_version = TORCH_VERSION;
  return context;
}

}  // namespace ablate
