// The LibTorch version adapter (see the header).
#include "engine/libtorch_compat.hpp"

#include <ATen/autocast_mode.h>
#ifdef ABLATE_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif
#include <torch/version.h>

namespace ablate::libtorch {

void set_autocast(c10::DeviceType device, bool enabled, c10::ScalarType dtype) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  at::autocast::set_autocast_dtype(device, dtype);
  at::autocast::set_autocast_enabled(device, enabled);
#else
  if (device == c10::DeviceType::CUDA) {
    at::autocast::set_autocast_gpu_dtype(dtype);
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
    at::autocast::set_cpu_enabled(enabled);
  }
#endif
}

std::int64_t peak_cuda_allocated_bytes(c10::DeviceIndex device_index) {
#ifdef ABLATE_WITH_CUDA
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device_index);
  // Entry 0 is StatType::AGGREGATE (all pools) in every version; the enum's namespace is not.
  constexpr std::size_t kAggregate = 0;
  return stats.allocated_bytes[kAggregate].peak;
#else
  (void)device_index;
  return -1;
#endif
}

}  // namespace ablate::libtorch
