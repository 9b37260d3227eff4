// Evaluation-time fusion of BatchNorm into the layer before it (see the header).
#include "engine/evaluation_fusion.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <utility>

#include <ATen/Parallel.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

#include "engine/vector_clones.hpp"

namespace ablate {

namespace {

// Elements per task of the fused pass (ATen's own grain for pointwise loops).
constexpr std::int64_t kGrain = 32768;

template <typename Layer>
Layer* layer_at(torch::nn::SequentialImpl& sequential, std::size_t index) {
  return dynamic_cast<Layer*>(sequential.ptr(index).get());
}

// BatchNorm2d in evaluation as y = x * scale + shift; the scale is left undefined when
// the layer still normalises with batch statistics.
struct Affine {
  torch::Tensor scale;
  torch::Tensor shift;
};

Affine affine_of(const torch::nn::BatchNorm2dImpl& norm) {
  if (norm.is_training() || !norm.options.track_running_stats() || !norm.running_mean.defined() ||
      !norm.running_var.defined()) {
    return {};
  }
  torch::Tensor scale = torch::rsqrt(norm.running_var + norm.options.eps());
  torch::Tensor shift;
  if (norm.weight.defined()) scale = scale * norm.weight;
  shift = -norm.running_mean * scale;
  if (norm.bias.defined()) shift = shift + norm.bias;
  return {scale.contiguous(), shift.contiguous()};
}

// The ReLU -> BatchNorm pair, or ReLU -> BatchNorm -> 2x2 max-pool, as one layer.
struct ReluAffineImpl : torch::nn::Module {
  ReluAffineImpl(Affine affine, bool in_place, bool pool)
      : affine_(std::move(affine)), in_place_(in_place), pool_(pool) {}
  torch::Tensor forward(torch::Tensor x) {
    if (!affine_.scale.defined()) {  // ReLU -> max-pool without a BatchNorm: the identity map
      return relu_affine_max_pool(x, torch::ones({x.size(1)}, x.options()), torch::zeros({x.size(1)}, x.options()),
                                  in_place_);
    }
    if (pool_) return relu_affine_max_pool(x, affine_.scale, affine_.shift, in_place_);
    return relu_then_affine(x, affine_.scale, affine_.shift, in_place_);
  }

  Affine affine_;
  bool in_place_;
  bool pool_;
};

// MaxPool2d(2): 2x2 windows, stride 2, no padding, dilation or ceil mode.
bool is_plain_2x2_max_pool(const torch::nn::MaxPool2dImpl& pool) {
  const auto& o = pool.options;
  const std::array<std::int64_t, 2> two{2, 2}, one{1, 1}, zero{0, 0};
  return *o.kernel_size() == two && *o.stride() == two && *o.padding() == zero && *o.dilation() == one &&
         !o.ceil_mode();
}

// Whether x can take the fused loops: a dense float32 (N, C, H, W) CPU tensor outside autograd.
bool fusable_input(const torch::Tensor& x, const torch::Tensor& scale) {
  return x.dim() == 4 && x.device().is_cpu() && x.scalar_type() == torch::kFloat && scale.device().is_cpu() &&
         scale.scalar_type() == torch::kFloat && scale.numel() == x.size(1) &&
         (x.is_contiguous(torch::MemoryFormat::ChannelsLast) || x.is_contiguous()) &&
         !(torch::GradMode::is_enabled() && x.requires_grad());
}

// max(v, 0) as LibTorch's relu, NaN kept; written out because std::max's reference to a
// temporary 0 keeps GCC from vectorising the loops.
inline float relu(float v) { return v < 0.0f ? 0.0f : v; }

// The larger of two values, NaN winning, as LibTorch's max-pool (b != b: b is NaN). The
// bitwise | is deliberate: GCC 14 does not vectorise the short-circuit || (a branch in
// the loop), and the scalar loop made evaluation 8x slower than GCC 12's vector one.
inline float max_or_nan(float a, float b) { return ((b > a) | (b != b)) ? b : a; }

// The fused loops, compiled for AVX2 and for any x86-64 (picked when the library loads:
// the results are the same, the operations being exact-rounded and not contracted).
// Rows of `channels` values (channels-last: one row per pixel)...
ABLATE_VECTOR_CLONES void relu_affine_rows(const float* in, float* out, std::int64_t rows, std::int64_t channels,
                                           const float* scale, const float* shift) {
  for (std::int64_t row = 0; row < rows; ++row) {
    const float* x = in + row * channels;
    float* y = out + row * channels;
#pragma omp simd
    for (std::int64_t c = 0; c < channels; ++c) y[c] = relu(x[c]) * scale[c] + shift[c];
  }
}

// ... or planes of `plane` values with one scale and shift each (NCHW).
ABLATE_VECTOR_CLONES void relu_affine_plane(const float* in, float* out, std::int64_t plane, float scale, float shift) {
#pragma omp simd
  for (std::int64_t i = 0; i < plane; ++i) out[i] = relu(in[i]) * scale + shift;
}

// One output row of the 2x2 max-pool over relu(x) * scale + shift, channels-last: `top`
// and `bottom` are the two input rows it pools.
ABLATE_VECTOR_CLONES void relu_affine_max_pool_row(const float* top, const float* bottom, float* out,
                                                   std::int64_t out_width, std::int64_t channels, const float* scale,
                                                   const float* shift) {
  for (std::int64_t column = 0; column < out_width; ++column) {
    const float* a = top + 2 * column * channels;
    const float* b = a + channels;
    const float* c = bottom + 2 * column * channels;
    const float* d = c + channels;
    float* y = out + column * channels;
#pragma omp simd
    for (std::int64_t k = 0; k < channels; ++k) {
      float m = relu(a[k]) * scale[k] + shift[k];
      m = max_or_nan(m, relu(b[k]) * scale[k] + shift[k]);
      m = max_or_nan(m, relu(c[k]) * scale[k] + shift[k]);
      y[k] = max_or_nan(m, relu(d[k]) * scale[k] + shift[k]);
    }
  }
}

}  // namespace

torch::Tensor relu_affine_max_pool(const torch::Tensor& x, const torch::Tensor& scale, const torch::Tensor& shift,
                                   bool in_place) {
  // Other layouts, and inputs too small to pool (LibTorch's error then names the sizes).
  if (!fusable_input(x, scale) || !x.is_contiguous(torch::MemoryFormat::ChannelsLast) || x.size(2) < 2 ||
      x.size(3) < 2) {
    return torch::max_pool2d(relu_then_affine(x, scale, shift, in_place), 2);
  }
  const std::int64_t channels = x.size(1), height = x.size(2), width = x.size(3);
  const std::int64_t out_height = height / 2, out_width = width / 2;
  torch::Tensor out = torch::empty({x.size(0), channels, out_height, out_width},
                                   x.options().memory_format(torch::MemoryFormat::ChannelsLast));
  const float* in = x.data_ptr<float>();
  float* result = out.data_ptr<float>();
  const float* s = scale.data_ptr<float>();
  const float* t = shift.data_ptr<float>();
  const std::int64_t row_elements = std::max<std::int64_t>(1, out_width * channels);
  at::parallel_for(0, x.size(0) * out_height, std::max<std::int64_t>(1, kGrain / row_elements),
                   [&](std::int64_t begin, std::int64_t end) {
                     for (std::int64_t row = begin; row < end; ++row) {
                       const std::int64_t image = row / out_height, out_row = row % out_height;
                       const float* top = in + (image * height + 2 * out_row) * width * channels;
                       relu_affine_max_pool_row(top, top + width * channels, result + row * out_width * channels,
                                                out_width, channels, s, t);
                     }
                   });
  return out;
}

torch::Tensor relu_then_affine(const torch::Tensor& x, const torch::Tensor& scale, const torch::Tensor& shift,
                               bool in_place) {
  const bool channels_last = x.is_contiguous(torch::MemoryFormat::ChannelsLast);
  if (!fusable_input(x, scale)) {
    const auto per_channel = [&](const torch::Tensor& v) { return v.reshape({1, -1, 1, 1}); };
    return torch::relu(x) * per_channel(scale) + per_channel(shift);
  }
  torch::Tensor out = in_place ? x : torch::empty_like(x);
  const std::int64_t channels = x.size(1);
  const float* s = scale.data_ptr<float>();
  const float* t = shift.data_ptr<float>();
  const float* in = x.data_ptr<float>();
  float* result = out.data_ptr<float>();
  if (channels_last) {
    at::parallel_for(0, x.numel() / channels, std::max<std::int64_t>(1, kGrain / channels),
                     [&](std::int64_t begin, std::int64_t end) {
                       relu_affine_rows(in + begin * channels, result + begin * channels, end - begin, channels, s, t);
                     });
  } else {
    const std::int64_t plane = x.size(2) * x.size(3);
    at::parallel_for(0, x.size(0) * channels, std::max<std::int64_t>(1, kGrain / plane),
                     [&](std::int64_t begin, std::int64_t end) {
                       for (std::int64_t p = begin; p < end; ++p) {
                         relu_affine_plane(in + p * plane, result + p * plane, plane, s[p % channels], t[p % channels]);
                       }
                     });
  }
  return out;
}

EvaluationFusion::EvaluationFusion(torch::nn::Module& model) {
  // A fusion that fails part-way (a layer LibTorch refuses to fold) must not leave the
  // model half-rewritten: everything changed so far is put back before the error leaves.
  try {
    for (const auto& module : model.modules()) {
      if (auto* sequential = dynamic_cast<torch::nn::SequentialImpl*>(module.get())) fuse(*sequential);
    }
  } catch (...) {
    restore();
    throw;
  }
}

EvaluationFusion::~EvaluationFusion() { restore(); }

// Every replaced layer and folded convolution back, newest first. Each change is recorded
// before it is made, so this also undoes a fusion that stopped part-way.
void EvaluationFusion::restore() {
  for (auto layer = replaced_.rbegin(); layer != replaced_.rend(); ++layer) {
    *(layer->sequential->begin() + static_cast<std::ptrdiff_t>(layer->index)) = layer->original;
  }
  for (auto& folded : folded_) {
    folded.convolution->weight = folded.weight;
    folded.convolution->bias = folded.bias;
  }
  replaced_.clear();
  folded_.clear();
}

void EvaluationFusion::replace(torch::nn::SequentialImpl& sequential, std::size_t index,
                               torch::nn::AnyModule replacement) {
  auto slot = sequential.begin() + static_cast<std::ptrdiff_t>(index);
  replaced_.push_back({&sequential, index, *slot});
  *slot = std::move(replacement);
}

void EvaluationFusion::fuse(torch::nn::SequentialImpl& sequential) {
  const std::size_t size = sequential.size();
  for (std::size_t i = 0; i + 1 < size; ++i) {
    auto* norm = layer_at<torch::nn::BatchNorm2dImpl>(sequential, i + 1);
    Affine affine = norm != nullptr ? affine_of(*norm) : Affine{};
    if (!affine.scale.defined()) {
      // ReLU -> MaxPool2d(2) (the encoder's stage ends, once BatchNorm is folded): one pass
      // reading x and writing the pooled quarter; the input is left as it is.
      auto* pool = layer_at<torch::nn::MaxPool2dImpl>(sequential, i + 1);
      if (layer_at<torch::nn::ReLUImpl>(sequential, i) != nullptr && pool != nullptr && is_plain_2x2_max_pool(*pool)) {
        replace(sequential, i, torch::nn::AnyModule(std::make_shared<ReluAffineImpl>(Affine{}, false, true)));
        replace(sequential, i + 1, torch::nn::AnyModule(torch::nn::Identity()));
        ++fused_activations_;
        ++i;
      }
      continue;
    }

    if (auto* convolution = layer_at<torch::nn::Conv2dImpl>(sequential, i)) {
      const torch::Tensor& weight = convolution->weight;
      if (weight.size(0) != affine.scale.numel()) continue;
      folded_.push_back({convolution, weight, convolution->bias});
      convolution->weight = (weight * affine.scale.reshape({-1, 1, 1, 1})).contiguous(weight.suggest_memory_format());
      convolution->bias = convolution->bias.defined() ? convolution->bias * affine.scale + affine.shift : affine.shift;
      replace(sequential, i + 1, torch::nn::AnyModule(torch::nn::Identity()));
      // The ReLU after it now reads the convolution's own fresh output (unless a max-pool
      // follows it: the next step fuses those two).
      if (i + 2 < size) {
        auto* relu = layer_at<torch::nn::ReLUImpl>(sequential, i + 2);
        if (relu != nullptr && !relu->options.inplace()) {
          replace(sequential, i + 2, torch::nn::AnyModule(torch::nn::ReLU(torch::nn::ReLUOptions(true))));
        }
      }
      ++folded_convolutions_;
      ++i;
      continue;
    }
    if (layer_at<torch::nn::ReLUImpl>(sequential, i) != nullptr) {
      // In place only on a tensor nothing else can hold: a convolution's output.
      const bool in_place = i > 0 && layer_at<torch::nn::Conv2dImpl>(sequential, i - 1) != nullptr;
      auto* pool = i + 2 < size ? layer_at<torch::nn::MaxPool2dImpl>(sequential, i + 2) : nullptr;
      const bool pooled = pool != nullptr && is_plain_2x2_max_pool(*pool);
      replace(sequential, i,
              torch::nn::AnyModule(std::make_shared<ReluAffineImpl>(std::move(affine), in_place, pooled)));
      replace(sequential, i + 1, torch::nn::AnyModule(torch::nn::Identity()));
      if (pooled) replace(sequential, i + 2, torch::nn::AnyModule(torch::nn::Identity()));
      ++fused_activations_;
      i += pooled ? 2 : 1;
    }
  }
}

}  // namespace ablate
