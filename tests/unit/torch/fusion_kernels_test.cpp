// The engine's fused CPU loops against LibTorch's own operations: the one-pass Adam and
// AdamW updates (fused_adam.cpp) and the evaluation fusions (evaluation_fusion.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "engine/evaluation_fusion.hpp"
#include "engine/fused_adam.hpp"
#include "engine/optimization.hpp"

namespace ablate {
namespace {

// Parameters of the shapes models have: a channels-last convolution weight, a bias, a
// linear weight and a scalar.
std::vector<torch::Tensor> parameters_like_a_model() {
  torch::manual_seed(1);
  return {torch::randn({16, 8, 3, 3}).contiguous(torch::MemoryFormat::ChannelsLast).requires_grad_(),
          torch::randn({16}).requires_grad_(), torch::randn({40000, 3}).requires_grad_(),
          torch::randn({}).requires_grad_()};
}

std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& parameters) {
  std::vector<torch::Tensor> copied;
  for (const auto& p : parameters) copied.push_back(p.detach().clone().requires_grad_());
  return copied;
}

// Gives the parameters `a` and their copies `b` the same random gradients.
void give_same_gradients(std::vector<torch::Tensor>& a, std::vector<torch::Tensor>& b) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const torch::Tensor gradient = torch::randn_like(a[i]);
    a[i].mutable_grad() = gradient.clone();
    b[i].mutable_grad() = gradient.clone();
  }
}

// Runs both optimizers on the same gradients for `steps` steps, changing the learning
// rate half-way as a schedule does; returns the largest difference of any parameter.
double largest_difference(torch::optim::Optimizer& reference, torch::optim::Optimizer& fused,
                          std::vector<torch::Tensor>& a, std::vector<torch::Tensor>& b, int steps) {
  for (int step = 0; step < steps; ++step) {
    if (step == steps / 2) {
      for (auto* optimizer : {&reference, &fused}) optimizer->param_groups().front().options().set_lr(3e-4);
    }
    give_same_gradients(a, b);
    reference.step();
    fused.step();
  }
  double largest = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].strides(), b[i].strides()) << "parameter " << i << " changed its layout";
    largest = std::max(largest, (a[i] - b[i]).abs().max().item<double>());
  }
  return largest;
}

TEST(FusedAdamTest, FollowsLibTorchsAdamWithAndWithoutWeightDecay) {
  for (const double weight_decay : {0.0, 0.01}) {
    SCOPED_TRACE(weight_decay);
    auto a = parameters_like_a_model();
    auto b = copies(a);
    const auto options = torch::optim::AdamOptions(1e-3).weight_decay(weight_decay);
    torch::optim::Adam reference(a, options);
    auto fused = make_fused_adam(b, options);
    // After 20 steps parameters moved by ~1e-2; the two differ by float32 rounding only.
    EXPECT_LT(largest_difference(reference, *fused, a, b, 20), 1e-6);
    EXPECT_EQ(fused_steps(*fused), 20);
  }
}

TEST(FusedAdamTest, FollowsLibTorchsAdamWWithDecoupledWeightDecay) {
  auto a = parameters_like_a_model();
  auto b = copies(a);
  const auto options = torch::optim::AdamWOptions(1e-3).weight_decay(0.1);
  torch::optim::AdamW reference(a, options);
  auto fused = make_fused_adamw(b, options);
  EXPECT_LT(largest_difference(reference, *fused, a, b, 20), 1e-6);
  EXPECT_EQ(fused_steps(*fused), 20);
  EXPECT_EQ(fused_steps(reference), 0);
}

TEST(FusedAdamTest, StepsItCannotFuseAreLibTorchsOwnBitForBit) {
  // float64 parameters and amsgrad take LibTorch's path: the results are identical.
  torch::manual_seed(2);
  std::vector<torch::Tensor> a{torch::randn({300}, torch::kFloat64).requires_grad_()};
  auto b = copies(a);
  torch::optim::Adam reference(a, torch::optim::AdamOptions(1e-3));
  auto fused = make_fused_adam(b, torch::optim::AdamOptions(1e-3));
  EXPECT_EQ(largest_difference(reference, *fused, a, b, 5), 0.0);
  EXPECT_EQ(fused_steps(*fused), 0);

  auto c = parameters_like_a_model();
  auto d = copies(c);
  torch::optim::Adam amsgrad(c, torch::optim::AdamOptions(1e-3).amsgrad(true));
  auto fused_amsgrad = make_fused_adam(d, torch::optim::AdamOptions(1e-3).amsgrad(true));
  EXPECT_EQ(largest_difference(amsgrad, *fused_amsgrad, c, d, 5), 0.0);
  EXPECT_EQ(fused_steps(*fused_amsgrad), 0);
}

TEST(FusedAdamTest, SkipsParametersWithoutAGradientAndKeepsLibTorchsState) {
  auto a = parameters_like_a_model();
  auto b = copies(a);
  torch::optim::Adam reference(a, torch::optim::AdamOptions(1e-3));
  auto fused = make_fused_adam(b, torch::optim::AdamOptions(1e-3));
  largest_difference(reference, *fused, a, b, 3);
  // A parameter that gets no gradient stays put, and the state counts the steps taken.
  const torch::Tensor before = b[1].detach().clone();
  b[1].mutable_grad().reset();
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i != 1) b[i].mutable_grad() = torch::randn_like(b[i]);
  }
  fused->step();
  EXPECT_TRUE(torch::equal(b[1], before));
  EXPECT_EQ(fused->state().size(), b.size());
}

TEST(FusedAdamTest, LibTorchsOwnStepContinuesTheFusedState) {
  // The fused steps keep their moments in LibTorch's state map under LibTorch's own key
  // (libtorch_compat.hpp): a step LibTorch takes itself (here through a closure, which the
  // fused loop leaves to it) must find and continue them, not start from zero.
  auto a = parameters_like_a_model();
  auto b = copies(a);
  torch::optim::Adam reference(a, torch::optim::AdamOptions(1e-3));
  auto fused = make_fused_adam(b, torch::optim::AdamOptions(1e-3));
  largest_difference(reference, *fused, a, b, 4);
  ASSERT_EQ(fused_steps(*fused), 4);
  give_same_gradients(a, b);
  reference.step();
  fused->step([] { return torch::Tensor(); });
  EXPECT_EQ(fused_steps(*fused), 4) << "a step with a closure is LibTorch's";
  EXPECT_EQ(fused->state().size(), b.size()) << "LibTorch's step made a second state per parameter";
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_LT((a[i] - b[i]).abs().max().item<double>(), 1e-6) << i;
}

TEST(MakeOptimizerTest, FastPathsOffTakesLibTorchsOwnAdam) {
  for (const Optimizer name : {Optimizer::kAdam, Optimizer::kAdamW}) {
    for (const bool fast_paths : {true, false}) {
      SCOPED_TRACE(std::string(name_of(name)) + (fast_paths ? " fast" : " plain"));
      auto parameters = parameters_like_a_model();
      TrainSettings train;
      train.optimizer = name;
      train.fast_paths = fast_paths;
      auto optimizer = make_optimizer(train, parameters);
      for (auto& p : parameters) p.mutable_grad() = torch::randn_like(p);
      optimizer->step();
      EXPECT_EQ(fused_steps(*optimizer), fast_paths ? 1 : 0);
    }
  }
}

// ---- Evaluation fusion. ---------------------------------------------------------------------

TEST(ReluThenAffineTest, MatchesReluThenBatchNormInBothLayoutsInAndOutOfPlace) {
  torch::manual_seed(3);
  c10::InferenceMode inference;
  const torch::Tensor scale = torch::randn({5});
  const torch::Tensor shift = torch::randn({5});
  const torch::Tensor x = torch::randn({2, 5, 7, 9});
  const torch::Tensor expected = torch::relu(x) * scale.reshape({1, 5, 1, 1}) + shift.reshape({1, 5, 1, 1});
  for (const auto format : {torch::MemoryFormat::Contiguous, torch::MemoryFormat::ChannelsLast}) {
    const torch::Tensor input = x.contiguous(format);
    const torch::Tensor out = relu_then_affine(input, scale, shift, /*in_place=*/false);
    EXPECT_TRUE(out.is_contiguous(format));
    EXPECT_TRUE(torch::allclose(out, expected, 1e-6, 1e-6));
    EXPECT_TRUE(torch::equal(input, x)) << "out of place wrote into its input";
    torch::Tensor scratch = input.clone(format);
    const torch::Tensor same = relu_then_affine(scratch, scale, shift, /*in_place=*/true);
    EXPECT_EQ(same.data_ptr(), scratch.data_ptr());
    EXPECT_TRUE(torch::allclose(scratch, expected, 1e-6, 1e-6));
  }
  // Any other layout (here a strided view) takes LibTorch's operations.
  const torch::Tensor strided = x.transpose(2, 3);
  const torch::Tensor expected_strided = expected.transpose(2, 3);
  EXPECT_TRUE(torch::allclose(relu_then_affine(strided, scale, shift, false), expected_strided, 1e-6, 1e-6));
}

TEST(ReluThenAffineTest, PooledMatchesMaxPoolOfReluThenBatchNormAtOddSizesAndKeepsNaN) {
  torch::manual_seed(5);
  c10::InferenceMode inference;
  const torch::Tensor scale = torch::randn({6});  // some negative: the pool must see the affine values
  const torch::Tensor shift = torch::randn({6});
  torch::Tensor x = torch::randn({3, 6, 7, 9});
  x[1][2][3][4] = std::numeric_limits<float>::quiet_NaN();
  const torch::Tensor expected =
      torch::max_pool2d(torch::relu(x) * scale.reshape({1, 6, 1, 1}) + shift.reshape({1, 6, 1, 1}), 2);
  ASSERT_EQ(expected.sizes(), (std::vector<std::int64_t>{3, 6, 3, 4}));
  for (const auto format : {torch::MemoryFormat::Contiguous, torch::MemoryFormat::ChannelsLast}) {
    const torch::Tensor input = x.contiguous(format);
    const torch::Tensor out = relu_affine_max_pool(input, scale, shift, /*in_place=*/false);
    EXPECT_TRUE(torch::allclose(out, expected, 1e-6, 1e-6, /*equal_nan=*/true));
    EXPECT_TRUE(std::isnan(out[1][2][1][2].item<float>()));
    EXPECT_TRUE(torch::equal(input.isnan(), x.isnan()) && torch::equal(input.nan_to_num(), x.nan_to_num()));
  }
}

// A BatchNorm with running statistics and affine weights far from their initial values.
torch::nn::BatchNorm2d trained_norm(std::int64_t channels) {
  torch::nn::BatchNorm2d norm(channels);
  torch::NoGradGuard no_grad;
  norm->running_mean.copy_(torch::randn({channels}));
  norm->running_var.copy_(torch::rand({channels}) + 0.5);
  norm->weight.copy_(torch::randn({channels}));
  norm->bias.copy_(torch::randn({channels}));
  return norm;
}

TEST(EvaluationFusionTest, FoldsEachPatternOnceAndRestoresEveryLayer) {
  torch::manual_seed(4);
  // Conv -> BN -> ReLU (encoder), Conv -> ReLU -> BN (baseline), a BN after a pooling
  // (left alone), a ReLU -> BN at the start (fused, not in place: the input is the caller's).
  torch::nn::Sequential model(torch::nn::ReLU(), trained_norm(3),
                              torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 8, 3).padding(1).bias(false)),
                              trained_norm(8), torch::nn::ReLU(),
                              torch::nn::Conv2d(torch::nn::Conv2dOptions(8, 8, 3).padding(1)), torch::nn::ReLU(),
                              trained_norm(8), torch::nn::MaxPool2d(2), trained_norm(8));
  model->eval();
  const auto conv = model->ptr<torch::nn::Conv2dImpl>(2);
  const torch::Tensor weight = conv->weight;
  c10::InferenceMode inference;
  for (const auto format : {torch::MemoryFormat::Contiguous, torch::MemoryFormat::ChannelsLast}) {
    const torch::Tensor input = torch::randn({2, 3, 12, 12}).contiguous(format);
    const torch::Tensor input_copy = input.clone();
    const torch::Tensor eager = model->forward(input);
    torch::Tensor fused;
    {
      const EvaluationFusion fusion(*model);
      EXPECT_EQ(fusion.folded_convolutions(), 1u);
      EXPECT_EQ(fusion.fused_activations(), 2u);  // the ReLU -> BN at the start, the ReLU -> BN -> pool
      EXPECT_FALSE(conv->weight.is_same(weight));
      EXPECT_TRUE(conv->bias.defined());
      fused = model->forward(input);
    }
    EXPECT_TRUE(torch::equal(input, input_copy));
    EXPECT_TRUE(torch::allclose(fused, eager, 1e-5, 1e-5)) << (fused - eager).abs().max().item<double>();
    EXPECT_TRUE(conv->weight.is_same(weight));
    EXPECT_FALSE(conv->bias.defined());
    EXPECT_TRUE(torch::equal(model->forward(input), eager));
  }
}

TEST(EvaluationFusionTest, PutsTheModelBackWhenFusingThrowsPartWay) {
  torch::manual_seed(5);
  // The first Conv -> BN -> ReLU folds; the second BatchNorm's running variance has the
  // wrong length, so computing its affine map throws after the first fold was made.
  torch::nn::BatchNorm2d broken = trained_norm(4);
  broken->running_var = torch::ones({5});
  torch::nn::Sequential model(torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3).padding(1)), trained_norm(4),
                              torch::nn::ReLU(), torch::nn::Conv2d(torch::nn::Conv2dOptions(4, 4, 3).padding(1)),
                              broken);
  model->eval();
  std::vector<std::shared_ptr<torch::nn::Module>> layers;
  for (std::size_t i = 0; i < model->size(); ++i) layers.push_back(model->ptr(i));
  const auto conv = model->ptr<torch::nn::Conv2dImpl>(0);
  const torch::Tensor weight = conv->weight;
  const torch::Tensor bias = conv->bias;
  c10::InferenceMode inference;
  EXPECT_THROW(EvaluationFusion fusion(*model), c10::Error);
  for (std::size_t i = 0; i < model->size(); ++i) EXPECT_EQ(model->ptr(i).get(), layers[i].get()) << "layer " << i;
  EXPECT_TRUE(conv->weight.is_same(weight));
  EXPECT_TRUE(conv->bias.is_same(bias));
  EXPECT_FALSE(model->ptr<torch::nn::ReLUImpl>(2)->options.inplace());
}

TEST(EvaluationFusionTest, FusesTheReluAndMaxPoolAfterAFoldedConvolution) {
  torch::manual_seed(6);
  // The encoder's stage end, and a ReLU -> pool on the Sequential's own input.
  torch::nn::Sequential model(torch::nn::ReLU(), torch::nn::MaxPool2d(2),
                              torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 8, 3).padding(1).bias(false)),
                              trained_norm(8), torch::nn::ReLU(), torch::nn::MaxPool2d(2));
  model->eval();
  c10::InferenceMode inference;
  for (const auto format : {torch::MemoryFormat::Contiguous, torch::MemoryFormat::ChannelsLast}) {
    const torch::Tensor input = torch::randn({2, 3, 17, 17}).contiguous(format);
    const torch::Tensor input_copy = input.clone();
    const torch::Tensor eager = model->forward(input);
    const EvaluationFusion fusion(*model);
    EXPECT_EQ(fusion.folded_convolutions(), 1u);
    EXPECT_EQ(fusion.fused_activations(), 2u);
    const torch::Tensor fused = model->forward(input);
    EXPECT_TRUE(torch::equal(input, input_copy));
    EXPECT_EQ(fused.sizes(), eager.sizes());
    EXPECT_TRUE(torch::allclose(fused, eager, 1e-5, 1e-5)) << (fused - eager).abs().max().item<double>();
  }
}

TEST(EvaluationFusionTest, PoolsOnlyWithAPlain2x2MaxPool) {
  torch::nn::Sequential model(torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3)), torch::nn::ReLU(), trained_norm(4),
                              torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2)));
  model->eval();
  c10::InferenceMode inference;
  const torch::Tensor input = torch::randn({2, 3, 11, 11}).contiguous(torch::MemoryFormat::ChannelsLast);
  const torch::Tensor eager = model->forward(input);
  const EvaluationFusion fusion(*model);
  EXPECT_EQ(fusion.fused_activations(), 1u);
  EXPECT_TRUE(model->ptr(3)->as<torch::nn::MaxPool2d>() != nullptr) << "a 3x3 pool was replaced";
  EXPECT_TRUE(torch::allclose(model->forward(input), eager, 1e-5, 1e-5));
}

TEST(EvaluationFusionTest, LeavesBatchNormThatStillUsesBatchStatistics) {
  torch::nn::Sequential model(torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3)), torch::nn::BatchNorm2d(4));
  model->train();  // training mode: the BatchNorm normalises with the batch's statistics
  const EvaluationFusion training(*model);
  EXPECT_EQ(training.folded_convolutions(), 0u);
  torch::nn::Sequential untracked(torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3)),
                                  torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(4).track_running_stats(false)));
  untracked->eval();
  const EvaluationFusion without_statistics(*untracked);
  EXPECT_EQ(without_statistics.folded_convolutions(), 0u);
}

}  // namespace
}  // namespace ablate
