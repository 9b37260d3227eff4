// Model plugin `baseline_cnn`: the seed study's baseline CNN (SEED_STUDY.md, model 1).
//
// Three blocks of Conv 3x3 'same' -> ReLU -> BatchNorm -> MaxPool 2 -> Dropout, then
// Flatten -> Linear(dense) -> ReLU -> Dropout -> Linear(classes). With the defaults, 3
// channels and 8 classes it has 1,143,432 trainable parameters at 64x64 and 4,289,160 at
// 128x128, as the Keras original (which also counts 448 BatchNorm running statistics).
#include <torch/torch.h>

#include "ablate/model.hpp"

namespace ablate {
namespace {

class BaselineCnn : public Model {
 public:
  BaselineCnn(const ModelInput& input, const std::vector<std::int64_t>& filters, const std::vector<double>& dropouts,
              std::int64_t dense, double head_dropout) {
    std::int64_t channels = input.channels;
    std::int64_t side = input.resolution;
    for (std::size_t i = 0; i < filters.size(); ++i) {
      blocks_->push_back(
          torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, filters[i], /*kernel_size=*/3).padding(1)));
      blocks_->push_back(torch::nn::ReLU());
      blocks_->push_back(torch::nn::BatchNorm2d(filters[i]));
      blocks_->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
      blocks_->push_back(torch::nn::Dropout(dropouts[i]));
      channels = filters[i];
      side /= 2;
    }
    register_module("blocks", blocks_);
    head_ = register_module("head", torch::nn::Sequential(torch::nn::Flatten(),
                                                          torch::nn::Linear(channels * side * side, dense),
                                                          torch::nn::ReLU(), torch::nn::Dropout(head_dropout),
                                                          torch::nn::Linear(dense, input.num_classes)));
  }

  torch::Tensor forward(torch::Tensor images) override { return head_->forward(blocks_->forward(images)); }

 private:
  torch::nn::Sequential blocks_;
  torch::nn::Sequential head_{nullptr};
};

Model* create(const Options& options, const ModelInput& input) {
  const auto filters = options.get_int_list("filters", {32, 64, 128});
  const auto dropouts = options.get_double_list("dropout", {0.25, 0.25, 0.3});
  const auto dense = options.get_int("dense", 128);
  const auto head_dropout = options.get_double("head_dropout", 0.5);
  if (filters.empty()) options.fail("filters", "must list at least one block's filter count");
  for (const auto f : filters) {
    if (f < 1) options.fail("filters", "must contain only positive counts");
  }
  if (dropouts.size() != filters.size()) {
    options.fail("dropout", "must have one rate per block (as many as `filters`)");
  }
  for (const auto rate : dropouts) {
    if (rate < 0 || rate >= 1) options.fail("dropout", "rates must be in [0, 1)");
  }
  if (dense < 1) options.fail("dense", "must be at least 1");
  if (head_dropout < 0 || head_dropout >= 1) options.fail("head_dropout", "must be in [0, 1)");
  const std::int64_t smallest = std::int64_t{1} << filters.size();
  if (input.resolution < smallest) {
    options.fail("filters", "has " + std::to_string(filters.size()) +
                                " pooling blocks, which need a resolution of at least " + std::to_string(smallest) +
                                "; the grid cell has " + std::to_string(input.resolution));
  }
  return new BaselineCnn(input, filters, dropouts, dense, head_dropout);
}

}  // namespace
}  // namespace ablate

ABLATE_MODEL_PLUGIN("baseline_cnn", "1.0.0",
                    "The seed study's baseline CNN: 3 x (conv 3x3, ReLU, BatchNorm, max-pool, dropout), dense 128",
                    ablate::create)
