// The train settings that pick one of a few named values: an enum each, with one name table
// that parsing, identities, messages and the engine's own output all use.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace ablate {

enum class Optimizer { kAdam, kAdamW, kSgd };
enum class Scheduler { kNone, kPlateau, kCosine, kMultistep };
enum class Monitor { kValLoss, kValAccuracy, kValAuc };  // what early stopping and plateau watch
enum class ClassWeights { kNone, kBalanced };
enum class Normalize { kNone, kDataset, kFixed };  // kFixed: train.normalize: {mean: [..], std: [..]}
enum class Device { kAuto, kCpu, kCuda };
enum class Amp { kNone, kBf16 };
enum class Images { kMemory, kDisk };  // where the pixels stay while a cell runs (engine/split_pixels.hpp)
// The sources of randomness a run's seed can drive (train.vary; engine/seed_streams.hpp).
enum class SeedSource { kInit, kOrder, kAugment, kDropout, kSplit };

// The names, in each enum's order: what experiment files say and identities store, so a
// name never changes. choice_names(Optimizer{}) finds the table of a choice type.
constexpr std::array<std::string_view, 3> choice_names(Optimizer) { return {"adam", "adamw", "sgd"}; }
constexpr std::array<std::string_view, 4> choice_names(Scheduler) { return {"none", "plateau", "cosine", "multistep"}; }
constexpr std::array<std::string_view, 3> choice_names(Monitor) { return {"val_loss", "val_accuracy", "val_auc"}; }
constexpr std::array<std::string_view, 2> choice_names(ClassWeights) { return {"none", "balanced"}; }
// "fixed" is never written: a file gives the mapping {mean, std} instead (train_settings.cpp).
constexpr std::array<std::string_view, 3> choice_names(Normalize) { return {"none", "dataset", "fixed"}; }
constexpr std::array<std::string_view, 3> choice_names(Device) { return {"auto", "cpu", "cuda"}; }
constexpr std::array<std::string_view, 2> choice_names(Amp) { return {"none", "bf16"}; }
constexpr std::array<std::string_view, 2> choice_names(Images) { return {"memory", "disk"}; }
constexpr std::array<std::string_view, 5> choice_names(SeedSource) {
  return {"init", "order", "augment", "dropout", "split"};
}

template <typename Choice>
constexpr std::string_view name_of(Choice value) {
  return choice_names(Choice{})[static_cast<std::size_t>(value)];
}

}  // namespace ablate
