// One-pass Adam and AdamW (see the header).
#include "engine/fused_adam.hpp"

#include <cmath>
#include <cstdint>
#include <tuple>

#include <ATen/Parallel.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "engine/libtorch_compat.hpp"
#include "engine/vector_clones.hpp"

namespace ablate {

namespace {

// Elements per task: ATen's own grain for pointwise loops.
constexpr std::int64_t kGrain = 32768;

// One step's constants, rounded to float32 as LibTorch's tensor-by-scalar operations round them.
struct AdamStep {
  float beta1;
  float one_minus_beta1;
  float beta2;
  float one_minus_beta2;
  float sqrt_bias_correction2;
  float eps;
  float negative_step_size;
  float weight_decay;  // Adam: added to the gradient as weight_decay * parameter (else 0)
  float decay;         // AdamW: the parameter's factor 1 - lr * weight_decay (else 1)
};

// The element-wise update in LibTorch's order of operations (adam.cpp, adamw.cpp):
//   (AdamW) p *= decay;  (Adam) g += weight_decay * p
//   m = m * beta1 + (1 - beta1) * g;  v = v * beta2 + (1 - beta2) * g * g
//   p += -step_size * m / (sqrt(v) / sqrt(bias_correction2) + eps)
// Without weight decay, decay is 1 and weight_decay 0: multiplying by 1 and adding 0 * p
// leave every finite value as it is, and a branch would keep the loop from vectorising.
ABLATE_VECTOR_CLONES void update_range(float* parameter, const float* gradient, float* exp_avg, float* exp_avg_sq,
                                       std::int64_t count, const AdamStep& k) {
#pragma omp simd
  for (std::int64_t i = 0; i < count; ++i) {
    const float p = parameter[i] * k.decay;
    const float g = gradient[i] + k.weight_decay * p;
    const float m = exp_avg[i] * k.beta1 + k.one_minus_beta1 * g;
    const float v = exp_avg_sq[i] * k.beta2 + k.one_minus_beta2 * g * g;
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    parameter[i] = p + k.negative_step_size * m / (std::sqrt(v) / k.sqrt_bias_correction2 + k.eps);
  }
}

void update(float* parameter, const float* gradient, float* exp_avg, float* exp_avg_sq, std::int64_t count,
            const AdamStep& k) {
  at::parallel_for(0, count, kGrain, [&](std::int64_t begin, std::int64_t end) {
    update_range(parameter + begin, gradient + begin, exp_avg + begin, exp_avg_sq + begin, end - begin, k);
  });
}

bool same_layout(const torch::Tensor& a, const torch::Tensor& b) {
  return a.defined() && b.defined() && a.scalar_type() == b.scalar_type() && a.device() == b.device() &&
         a.sizes() == b.sizes() && a.strides() == b.strides() && !b.is_sparse();
}

// What fused_steps() reads, whichever LibTorch optimizer the class below extends.
struct FusedStepCount {
  std::int64_t fused_steps = 0;
};

template <typename Base, typename Options, typename State, bool kDecoupled>
class FusedAdamOptimizer final : public Base, public FusedStepCount {
 public:
  FusedAdamOptimizer(const std::vector<torch::Tensor>& parameters, const Options& options)
      : Base(parameters, options) {}

  torch::Tensor step(torch::optim::Optimizer::LossClosure closure = nullptr) override {
    if (closure != nullptr || !fusable()) return Base::step(closure);
    torch::NoGradGuard no_grad;
    for (auto& group : this->param_groups_) {
      const auto& options = static_cast<const Options&>(group.options());
      for (auto& parameter : group.params()) {
        if (!parameter.grad().defined()) continue;
        State& state = state_of(parameter);
        state.step(state.step() + 1);
        const auto [beta1, beta2] = options.betas();
        const double bias_correction1 = 1 - std::pow(beta1, state.step());
        const double bias_correction2 = 1 - std::pow(beta2, state.step());
        const double weight_decay = options.weight_decay();
        AdamStep k{};
        k.beta1 = static_cast<float>(beta1);
        k.one_minus_beta1 = static_cast<float>(1 - beta1);
        k.beta2 = static_cast<float>(beta2);
        k.one_minus_beta2 = static_cast<float>(1 - beta2);
        k.sqrt_bias_correction2 = static_cast<float>(std::sqrt(bias_correction2));
        k.eps = static_cast<float>(options.eps());
        k.negative_step_size = static_cast<float>(-options.lr() / bias_correction1);
        k.weight_decay = kDecoupled ? 0.0f : static_cast<float>(weight_decay);
        k.decay = kDecoupled ? static_cast<float>(1 - options.lr() * weight_decay) : 1.0f;
        update(parameter.template data_ptr<float>(), parameter.grad().template data_ptr<float>(),
               state.exp_avg().template data_ptr<float>(), state.exp_avg_sq().template data_ptr<float>(),
               parameter.numel(), k);
      }
    }
    ++fused_steps;
    return {};
  }

 private:
  // LibTorch's key for the parameter's state: its own step() must find what ours made.
  auto key_of(const torch::Tensor& parameter) const {
    return libtorch::optimizer_state_key<decltype(this->state_)>(parameter);
  }

  // LibTorch's own state for the parameter, created as its step() creates it.
  State& state_of(const torch::Tensor& parameter) {
    auto& slot = this->state_[key_of(parameter)];
    if (!slot) {
      auto state = std::make_unique<State>();
      state->step(0);
      state->exp_avg(torch::zeros_like(parameter, torch::MemoryFormat::Preserve));
      state->exp_avg_sq(torch::zeros_like(parameter, torch::MemoryFormat::Preserve));
      slot = std::move(state);
    }
    return static_cast<State&>(*slot);
  }

  // Every parameter to update is a dense float32 CPU tensor whose gradient and moments
  // share its layout, so that all four can be walked as flat arrays.
  bool fusable() const {
    for (const auto& group : this->param_groups_) {
      if (static_cast<const Options&>(group.options()).amsgrad()) return false;
      for (const auto& parameter : group.params()) {
        const torch::Tensor& gradient = parameter.grad();
        if (!gradient.defined()) continue;
        if (!parameter.device().is_cpu() || parameter.scalar_type() != torch::kFloat ||
            !parameter.is_non_overlapping_and_dense() || !same_layout(parameter, gradient)) {
          return false;
        }
        const auto found = this->state_.find(key_of(parameter));
        if (found != this->state_.end()) {
          const auto& state = static_cast<const State&>(*found->second);
          if (!same_layout(parameter, state.exp_avg()) || !same_layout(parameter, state.exp_avg_sq())) return false;
        }
      }
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<torch::optim::Optimizer> make_fused_adam(const std::vector<torch::Tensor>& parameters,
                                                         const torch::optim::AdamOptions& options) {
  using Optimizer = FusedAdamOptimizer<torch::optim::Adam, torch::optim::AdamOptions, torch::optim::AdamParamState,
                                       /*kDecoupled=*/false>;
  return std::make_unique<Optimizer>(parameters, options);
}

std::unique_ptr<torch::optim::Optimizer> make_fused_adamw(const std::vector<torch::Tensor>& parameters,
                                                          const torch::optim::AdamWOptions& options) {
  using Optimizer = FusedAdamOptimizer<torch::optim::AdamW, torch::optim::AdamWOptions, torch::optim::AdamWParamState,
                                       /*kDecoupled=*/true>;
  return std::make_unique<Optimizer>(parameters, options);
}

std::int64_t fused_steps(const torch::optim::Optimizer& optimizer) {
  const auto* count = dynamic_cast<const FusedStepCount*>(&optimizer);
  return count != nullptr ? count->fused_steps : 0;
}

}  // namespace ablate
