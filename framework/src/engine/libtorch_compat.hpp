// What differs between the LibTorch versions Ablate supports, adapted in one place.
//
// Ablate builds against LibTorch 1.13 (Debian 12) and 2.x (Debian 13's 2.6, and the one
// inside a pip PyTorch for CUDA). Everything else the engine calls is the same public API
// in both; these three are not, and no other file spells them out:
//
//  - Optimizer state. torch::optim::Optimizer keeps each parameter's state in its
//    protected `state_` map, keyed by the parameter's TensorImpl: as a string of the
//    pointer in 1.13, as the pointer itself in 2.x. The one-pass Adam (fused_adam.cpp)
//    reads and creates LibTorch's own state there, so that LibTorch's step() continues
//    it; it must use the key LibTorch's step() uses. The key is chosen from the map's own
//    key type, so a LibTorch that keys it any other way fails to compile here.
//  - Autocast. 1.13's set_enabled / set_cpu_enabled / set_autocast_{gpu,cpu}_dtype became
//    set_autocast_enabled(device, ...) / set_autocast_dtype(device, ...) in 2.4, the old
//    names deprecated.
//  - CUDA memory statistics (CUDA builds only). The caching allocator's StatType moved
//    from c10::cuda::CUDACachingAllocator to c10::CachingDeviceAllocator in 2.x.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <type_traits>

#include <c10/core/Device.h>
#include <c10/core/DeviceType.h>
#include <c10/core/ScalarType.h>
#include <torch/types.h>

namespace ablate::libtorch {

// The key of `parameter`'s entry in an optimizer's state map `StateMap`.
template <typename StateMap>
typename StateMap::key_type optimizer_state_key(const torch::Tensor& parameter) {
  using Key = typename StateMap::key_type;
  if constexpr (std::is_same_v<Key, std::string>) {
    // 1.13: c10::guts::to_string(TensorImpl*), which prints the pointer through an ostream.
    std::ostringstream key;
    key << static_cast<const void*>(parameter.unsafeGetTensorImpl());
    return key.str();
  } else {
    static_assert(std::is_same_v<Key, void*>,
                  "this LibTorch keys optimizer state in a way Ablate does not know: adapt optimizer_state_key");
    return parameter.unsafeGetTensorImpl();
  }
}

// Turns autocast to `dtype` on or off for `device` (kCPU or kCUDA) in this thread.
void set_autocast(c10::DeviceType device, bool enabled, c10::ScalarType dtype);

// The peak of the bytes LibTorch's CUDA caching allocator handed out on GPU
// `device_index`; -1 in a build without CUDA.
std::int64_t peak_cuda_allocated_bytes(c10::DeviceIndex device_index);

}  // namespace ablate::libtorch
