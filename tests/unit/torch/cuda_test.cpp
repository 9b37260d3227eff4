// The engine's GPU code on a real CUDA device: device auto-selection, peak CUDA memory,
// bf16 autocast through the version adapter, the one-pass Adam handing GPU parameters to
// LibTorch's own step, and the evaluation fusion on GPU tensors. Every test says SKIPPED
// where this LibTorch has no CUDA device (Debian's is CPU-only); the end-to-end GPU runs
// are tests/integration/runner_gpu.sh.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include <torch/torch.h>

#include "engine/evaluation_fusion.hpp"
#include "engine/execution.hpp"
#include "engine/fused_adam.hpp"
#include "engine/libtorch_compat.hpp"

namespace ablate {
namespace {

class CudaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "this LibTorch has no CUDA device";
  }
  const torch::Device gpu{torch::kCUDA, 0};
};

TEST_F(CudaTest, AutoPicksTheGpu) {
  EXPECT_EQ(resolve_device(Device::kAuto), "cuda");
  EXPECT_EQ(resolve_device(Device::kCuda), "cuda");
  EXPECT_EQ(resolve_device(Device::kCpu), "cpu");
}

TEST_F(CudaTest, PeakMemoryCountsAnAllocation) {
  constexpr std::int64_t kBytes = 64 << 20;
  const torch::Tensor held = torch::empty({kBytes / 4}, torch::TensorOptions().device(gpu).dtype(torch::kFloat));
  EXPECT_GE(libtorch::peak_cuda_allocated_bytes(0), kBytes);
}

TEST_F(CudaTest, Bf16AutocastReachesTheGpu) {
  torch::nn::Conv2d convolution(torch::nn::Conv2dOptions(3, 8, 3));
  convolution->to(gpu);
  const torch::Tensor x = torch::randn({2, 3, 16, 16}, gpu);
  libtorch::set_autocast(c10::DeviceType::CUDA, true, torch::kBFloat16);
  const torch::Tensor autocast = convolution->forward(x);
  libtorch::set_autocast(c10::DeviceType::CUDA, false, torch::kBFloat16);
  EXPECT_EQ(autocast.scalar_type(), torch::kBFloat16);
  EXPECT_EQ(convolution->forward(x).scalar_type(), torch::kFloat);
}

TEST_F(CudaTest, OnePassAdamHandsGpuStepsToLibTorch) {
  torch::manual_seed(0);
  const torch::Tensor start = torch::randn({64, 32, 3, 3}, gpu);
  std::vector<torch::Tensor> reference{start.clone().requires_grad_()}, fused{start.clone().requires_grad_()};
  torch::optim::Adam libtorch_adam(reference, torch::optim::AdamOptions(1e-2));
  const auto one_pass_adam = make_fused_adam(fused, torch::optim::AdamOptions(1e-2));
  for (int step = 0; step < 3; ++step) {
    const torch::Tensor gradient = torch::randn_like(start);
    reference[0].mutable_grad() = gradient.clone();
    fused[0].mutable_grad() = gradient.clone();
    libtorch_adam.step();
    one_pass_adam->step();
  }
  EXPECT_EQ(fused_steps(*one_pass_adam), 0) << "GPU parameters take LibTorch's own step";
  EXPECT_TRUE(fused[0].device().is_cuda());
  EXPECT_LE((reference[0] - fused[0]).abs().max().item<double>(), 1e-6);
}

TEST_F(CudaTest, EvaluationFusionOnTheGpuComputesTheSameFunction) {
  torch::manual_seed(0);
  torch::nn::Sequential model(torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 16, 3).padding(1)),
                              torch::nn::BatchNorm2d(16), torch::nn::ReLU(),
                              torch::nn::Conv2d(torch::nn::Conv2dOptions(16, 16, 3).padding(1)), torch::nn::ReLU(),
                              torch::nn::BatchNorm2d(16), torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
  for (auto& buffer : model->buffers()) {
    if (buffer.dim() == 1) buffer.uniform_(0.5, 1.5);  // running statistics that are not the identity
  }
  model->to(gpu);
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({4, 3, 16, 16}, gpu).contiguous(torch::MemoryFormat::ChannelsLast);
  const torch::Tensor expected = model->forward(x);
  torch::Tensor fused;
  {
    EvaluationFusion fusion(*model);
    EXPECT_EQ(fusion.folded_convolutions(), 1U);
    EXPECT_EQ(fusion.fused_activations(), 1U);
    fused = model->forward(x);
  }
  EXPECT_TRUE(fused.device().is_cuda());
  EXPECT_TRUE(torch::allclose(fused, expected, 1e-4, 1e-4)) << (fused - expected).abs().max();
  EXPECT_TRUE(torch::allclose(model->forward(x), expected, 1e-5, 1e-6)) << "the model is put back";
}

}  // namespace
}  // namespace ablate
