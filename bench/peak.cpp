// peak: the machine's measured fp32 GEMM and 3x3-convolution GFLOP/s through LibTorch,
// the yardstick bench/throughput divides achieved GFLOP/s by.
//
// usage: peak [--threads N] [--seconds S]     (threads default: every core)
// Prints one line per kernel: `gemm <GFLOP/s> <shape>` and `conv3x3 <GFLOP/s> <shape>`,
// the best of repeated timed runs after a warm-up.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>

namespace {

using Clock = std::chrono::steady_clock;

// Best GFLOP/s of `run` (which does `flops` floating-point operations) over `seconds`.
double best_gflops(const std::function<void()>& run, double flops, double seconds) {
  for (int i = 0; i < 2; ++i) run();  // warm-up: oneDNN primitive creation, page faults
  double best = 0;
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  int repeats = 0;
  while (Clock::now() < until || repeats < 3) {
    const auto start = Clock::now();
    run();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    best = std::max(best, flops / elapsed / 1e9);
    ++repeats;
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  double seconds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--threads") == 0) threads = std::atoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: peak [--threads N] [--seconds S]\n");
      return 2;
    }
  }
  at::set_num_threads(threads);
  at::manual_seed(0);
  const c10::NoGradGuard no_grad;

  constexpr std::int64_t n = 2048;
  const at::Tensor a = at::randn({n, n});
  const at::Tensor b = at::randn({n, n});
  at::Tensor c = at::empty({n, n});
  const double gemm = best_gflops([&] { at::mm_out(c, a, b); }, 2.0 * n * n * n, seconds);
  std::printf("gemm %.1f %ldx%ldx%ld fp32, %d thread(s)\n", gemm, n, n, n, threads);

  // A mid-network layer of the encoder at 64x64: 64 -> 64 channels, 32x32, batch 64,
  // channels-last as the runner runs it.
  constexpr std::int64_t batch = 64, channels = 64, side = 32;
  const at::Tensor input = at::randn({batch, channels, side, side}).contiguous(at::MemoryFormat::ChannelsLast);
  const at::Tensor weight = at::randn({channels, channels, 3, 3}).contiguous(at::MemoryFormat::ChannelsLast);
  const double conv_flops = 2.0 * batch * channels * side * side * channels * 9;
  const double conv = best_gflops([&] { at::conv2d(input, weight, {}, 1, 1); }, conv_flops, seconds);
  std::printf("conv3x3 %.1f %ldx%ldx%ldx%ld -> %ld channels, channels-last fp32, %d thread(s)\n", conv, batch, channels,
              side, side, channels, threads);
  return 0;
}
