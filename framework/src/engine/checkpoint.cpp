// A model's weights kept aside, in memory and on disk (checkpoint.hpp).
#include "engine/checkpoint.hpp"

#include <fmt/format.h>

#include "ablate/error.hpp"

namespace ablate {

WeightSnapshot::WeightSnapshot(torch::nn::Module& model) {
  for (const auto& tensor : model.parameters()) tensors_.push_back(tensor.detach().clone());
  for (const auto& tensor : model.buffers()) tensors_.push_back(tensor.detach().clone());
}

void WeightSnapshot::restore_into(torch::nn::Module& model) const {
  torch::NoGradGuard no_grad;
  std::size_t i = 0;
  for (auto& tensor : model.parameters()) tensor.copy_(tensors_[i++]);
  for (auto& tensor : model.buffers()) tensor.copy_(tensors_[i++]);
}

void save_checkpoint(torch::nn::Module& model, const std::string& path) {
  torch::serialize::OutputArchive archive;
  model.save(archive);
  archive.save_to(path);
}

void load_checkpoint(torch::nn::Module& model, const std::string& path) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
    model.load(archive);
  } catch (const c10::Error& e) {
    throw DataError(fmt::format("cannot load checkpoint {}: {}", path, e.what_without_backtrace()));
  }
}

}  // namespace ablate
