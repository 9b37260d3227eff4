// Mixed precision for a forward pass (train.amp: bf16), for as long as the scope lives.
#pragma once

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include "engine/libtorch_compat.hpp"

namespace ablate {

// Turns bf16 autocast on for `device` when `enabled` and off again (emptying autocast's
// weight cache) at the end of the scope. Losses are computed outside it, in float32.
class AutocastScope {
 public:
  AutocastScope(bool enabled, const torch::Device& device) : enabled_(enabled), device_(device.type()) {
    if (enabled_) libtorch::set_autocast(device_, true, at::kBFloat16);
  }
  ~AutocastScope() {
    if (!enabled_) return;
    libtorch::set_autocast(device_, false, at::kBFloat16);
    at::autocast::clear_cache();
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_;
  c10::DeviceType device_;
};

}  // namespace ablate
