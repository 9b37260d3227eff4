// fused_kernels: the engine's fused CPU loops against the LibTorch operations they replace,
// at the seed study's shapes, in one process (so the ratio holds on a noisy machine).
//
// usage: fused_kernels [--threads N] [--repeats R]     (threads default: every core)
// Prints a Markdown table: kernel, shape, LibTorch ms, fused ms (medians of R timed runs
// after a warm-up) and fused / LibTorch speed, the target being >= 1.0 on every row.
//
// The loops only pay when the compiler vectorises them. GCC 14 once left the pooled loop
// scalar (a short-circuit || in its max), which made the fusion 8x slower than LibTorch's
// three passes on Debian 13 while GCC 12 on Debian 12 vectorised it; this bench is where
// such a regression shows, on every compiler and LibTorch the project builds with.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <torch/torch.h>
#include <torch/version.h>

#include "engine/evaluation_fusion.hpp"
#include "engine/fused_adam.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Median milliseconds of `repeats` runs of `run`, after two warm-up runs.
double median_ms(const std::function<void()>& run, int repeats) {
  run();
  run();
  std::vector<double> ms;
  for (int i = 0; i < repeats; ++i) {
    const auto start = Clock::now();
    run();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

void row(const char* kernel, const std::string& shape, double libtorch_ms, double fused_ms) {
  const double speed = libtorch_ms / fused_ms;
  std::printf("| %s | %s | %.2f | %.2f | %.2f | %s |\n", kernel, shape.c_str(), libtorch_ms, fused_ms, speed,
              speed >= 1.0 ? "met" : "**not met**");
}

std::string shape_of(const torch::Tensor& x) {
  std::string shape;
  for (const auto size : x.sizes()) shape += (shape.empty() ? "" : "x") + std::to_string(size);
  return shape + (x.is_contiguous() ? "" : " NHWC");
}

// The evaluation fusions at an activation of `x`'s shape: ReLU -> BatchNorm -> 2x2
// max-pool (the baseline's blocks), ReLU -> 2x2 max-pool (the encoder's stage ends) and
// ReLU -> BatchNorm without a pool (NCHW: the fallback layout).
void activation_rows(const torch::Tensor& x, int repeats) {
  const std::int64_t channels = x.size(1);
  const torch::Tensor mean = torch::randn({channels}), var = torch::rand({channels}) + 0.5;
  const torch::Tensor weight = torch::randn({channels}), bias = torch::randn({channels});
  const torch::Tensor scale = (torch::rsqrt(var + 1e-5) * weight).contiguous();
  const torch::Tensor shift = (bias - mean * scale).contiguous();
  const auto batch_norm = [&](const torch::Tensor& v) {
    return torch::batch_norm(v, weight, bias, mean, var, /*training=*/false, 0.1, 1e-5, /*cudnn_enabled=*/true);
  };
  const torch::Tensor ones = torch::ones({channels}), zeros = torch::zeros({channels});
  row("ReLU, BatchNorm, 2x2 max-pool", shape_of(x),
      median_ms([&] { torch::max_pool2d(batch_norm(torch::relu(x)), 2); }, repeats),
      median_ms([&] { ablate::relu_affine_max_pool(x, scale, shift, false); }, repeats));
  row("ReLU, 2x2 max-pool", shape_of(x), median_ms([&] { torch::max_pool2d(torch::relu(x), 2); }, repeats),
      median_ms([&] { ablate::relu_affine_max_pool(x, ones, zeros, false); }, repeats));
  const torch::Tensor planar = x.contiguous();
  row("ReLU, BatchNorm", shape_of(planar), median_ms([&] { batch_norm(torch::relu(planar)); }, repeats),
      median_ms([&] { ablate::relu_then_affine(planar, scale, shift, false); }, repeats));
}

// One Adam step over parameters of an encoder's shapes (channels-last convolutions).
void adam_row(int repeats) {
  std::vector<torch::Tensor> reference, fused;
  std::int64_t count = 0;
  for (const std::int64_t width : {32, 64, 128, 256, 512}) {
    for (const auto& shape : {std::vector<std::int64_t>{width, width / 2, 3, 3}, {width, width, 3, 3}, {width}}) {
      torch::Tensor p = torch::randn(shape);
      if (p.dim() == 4) p = p.contiguous(torch::MemoryFormat::ChannelsLast);
      p.mutable_grad() = torch::randn_like(p);
      count += p.numel();
      reference.push_back(p.detach().clone().requires_grad_());
      reference.back().mutable_grad() = p.grad().clone();
      fused.push_back(p.detach().clone().requires_grad_());
      fused.back().mutable_grad() = p.grad().clone();
    }
  }
  const auto options = torch::optim::AdamOptions(1e-3);
  torch::optim::Adam libtorch_adam(reference, options);
  const auto one_pass_adam = ablate::make_fused_adam(fused, options);
  row("Adam step", std::to_string(count) + " parameters", median_ms([&] { libtorch_adam.step(); }, repeats),
      median_ms([&] { one_pass_adam->step(); }, repeats));
}

}  // namespace

int main(int argc, char** argv) {
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int repeats = 15;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--repeats") == 0 && i + 1 < argc) {
      repeats = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: fused_kernels [--threads N] [--repeats R]\n");
      return 2;
    }
  }
  if (threads < 1 || repeats < 1) {
    std::fprintf(stderr, "fused_kernels: --threads and --repeats must be at least 1\n");
    return 2;
  }
  at::set_num_threads(threads);
  torch::manual_seed(0);
  c10::InferenceMode inference;  // as evaluation runs; Adam's step is outside autograd anyway
  std::printf("LibTorch %s, compiler %s, %d threads, median of %d runs\n\n", TORCH_VERSION, __VERSION__, threads,
              repeats);
  std::printf(
      "| kernel | shape | LibTorch ms | fused ms | fused speed | target (>= 1.0) |\n|---|---|---|---|---|---|\n");
  // The baseline's three blocks on a 256-image evaluation batch at 64x64.
  for (const auto& [channels, side] : {std::pair<std::int64_t, std::int64_t>{32, 64}, {64, 32}, {128, 16}}) {
    activation_rows(torch::randn({256, channels, side, side}).contiguous(torch::MemoryFormat::ChannelsLast), repeats);
  }
  {
    c10::InferenceMode off(false);
    adam_row(repeats);
  }
  return 0;
}
