// Model plugin `resnet18`: ResNet-18 (He et al. 2016), the MedMNIST v2 reference model,
// with a stem that suits the input's size.
//
// BasicBlocks [2, 2, 2, 2] with 64, 128, 256, 512 channels (stride 2 at the first block
// of the last three stages, with a 1x1 convolution + BatchNorm shortcut there), then
// global average pooling -> Linear(classes), as torchvision's resnet18. The stem:
//   small:    Conv 3x3 stride 1 (64) -> BatchNorm -> ReLU, no max-pool, for small images
//             (a 28x28 input would otherwise reach the last stage at 1x1);
//   imagenet: Conv 7x7 stride 2 (64) -> BatchNorm -> ReLU -> MaxPool 3x3 stride 2;
//   auto:     small at resolutions up to 64 (28, 64), imagenet above (128, 224).
// Convolutions have no bias and are initialised as torchvision's (He normal, fan-out).
//
// Option: stem (auto). Trainable parameters with 3 channels and 8 classes: 11,172,936
// with the small stem, 11,180,616 with the imagenet stem (docs/models.md derives both).
#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "ablate/model.hpp"

namespace ablate {
namespace {

constexpr std::int64_t kSmallStemMaxResolution = 64;

struct BasicBlockImpl : torch::nn::Module {
  BasicBlockImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t stride) {
    conv1 = register_module("conv1",
                            torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, /*kernel_size=*/3)
                                                  .stride(stride)
                                                  .padding(1)
                                                  .bias(false)));
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(out_channels));
    conv2 = register_module(
        "conv2", torch::nn::Conv2d(
                     torch::nn::Conv2dOptions(out_channels, out_channels, /*kernel_size=*/3).padding(1).bias(false)));
    bn2 = register_module("bn2", torch::nn::BatchNorm2d(out_channels));
    if (stride != 1 || in_channels != out_channels) {
      downsample = register_module(
          "downsample",
          torch::nn::Sequential(
              torch::nn::Conv2d(
                  torch::nn::Conv2dOptions(in_channels, out_channels, /*kernel_size=*/1).stride(stride).bias(false)),
              torch::nn::BatchNorm2d(out_channels)));
    }
  }

  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor out = torch::relu(bn1->forward(conv1->forward(x)));
    out = bn2->forward(conv2->forward(out));
    return torch::relu(out + (downsample.is_empty() ? x : downsample->forward(x)));
  }

  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Conv2d conv2{nullptr};
  torch::nn::BatchNorm2d bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};  // empty where the shortcut is the identity
};
TORCH_MODULE(BasicBlock);

class ResNet18 : public Model {
 public:
  ResNet18(const ModelInput& input, bool small_stem) {
    constexpr std::int64_t kStemChannels = 64;
    if (small_stem) {
      stem_ = register_module(
          "stem",
          torch::nn::Sequential(
              torch::nn::Conv2d(
                  torch::nn::Conv2dOptions(input.channels, kStemChannels, /*kernel_size=*/3).padding(1).bias(false)),
              torch::nn::BatchNorm2d(kStemChannels), torch::nn::ReLU()));
    } else {
      stem_ = register_module(
          "stem", torch::nn::Sequential(
                      torch::nn::Conv2d(torch::nn::Conv2dOptions(input.channels, kStemChannels, /*kernel_size=*/7)
                                            .stride(2)
                                            .padding(3)
                                            .bias(false)),
                      torch::nn::BatchNorm2d(kStemChannels), torch::nn::ReLU(),
                      torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).padding(1))));
    }
    std::int64_t channels = kStemChannels;
    for (const std::int64_t width : {64, 128, 256, 512}) {
      const std::int64_t stride = width == kStemChannels ? 1 : 2;
      layers_.push_back(register_module("layer" + std::to_string(layers_.size() + 1),
                                        torch::nn::Sequential(BasicBlock(channels, width, stride),
                                                              BasicBlock(width, width, /*stride=*/1))));
      channels = width;
    }
    head_ = register_module("head", torch::nn::Sequential(torch::nn::AdaptiveAvgPool2d(1), torch::nn::Flatten(),
                                                          torch::nn::Linear(channels, input.num_classes)));
    // torchvision's initialisation; BatchNorm already starts at weight 1, bias 0.
    for (auto& module : modules(/*include_self=*/false)) {
      if (auto* conv = module->as<torch::nn::Conv2d>()) {
        torch::nn::init::kaiming_normal_(conv->weight, /*a=*/0, torch::kFanOut, torch::kReLU);
      }
    }
  }

  torch::Tensor forward(torch::Tensor images) override {
    torch::Tensor x = stem_->forward(images);
    for (auto& layer : layers_) x = layer->forward(x);
    return head_->forward(x);
  }

 private:
  torch::nn::Sequential stem_{nullptr};
  std::vector<torch::nn::Sequential> layers_;  // layer1..layer4, as torchvision names them
  torch::nn::Sequential head_{nullptr};
};

Model* create(const Options& options, const ModelInput& input) {
  const std::string stem = options.get_choice("stem", "auto", {"auto", "small", "imagenet"});
  const bool small_stem = stem == "small" || (stem == "auto" && input.resolution <= kSmallStemMaxResolution);
  return new ResNet18(input, small_stem);
}

}  // namespace
}  // namespace ablate

ABLATE_MODEL_PLUGIN("resnet18", "1.0.0",
                    "ResNet-18 (torchvision layout) with a 3x3 stem and no max-pool at resolutions up to 64",
                    ablate::create)
