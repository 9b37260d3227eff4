// The runner's progress text and ETA (progress.hpp).
#include "progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "ablate/error.hpp"

namespace ablate {

namespace {

constexpr double kDefaultLogInterval = 30;

}  // namespace

std::string format_duration(double seconds) {
  const auto total = static_cast<std::int64_t>(seconds + 0.5);
  if (total >= 3600) return fmt::format("{}h{:02}m", total / 3600, total % 3600 / 60);
  if (total >= 60) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}s", total);
}

std::string epoch_line(const std::string& prefix, const EpochResult& e) {
  return fmt::format("{} epoch {}/{}  train loss {:g} acc {:.4f}  val loss {:g} acc {:.4f}  lr {:.3g}  {:.0f} img/s  "
                     "{:.1f}s{}",
                     prefix, e.epoch, e.max_epochs, e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy,
                     e.learning_rate, e.images_per_second, e.seconds, e.improved ? "  *best" : "");
}

double cell_fraction(std::int64_t epoch, std::int64_t batch, std::int64_t batches, std::int64_t max_epochs) {
  if (batches <= 0 || max_epochs <= 0 || epoch <= 0) return 0;
  const double done = static_cast<double>(epoch - 1) + static_cast<double>(batch) / static_cast<double>(batches);
  return std::clamp(done / static_cast<double>(max_epochs), 0.0, 1.0);
}

double grid_eta(std::size_t finished, double finished_seconds, const std::vector<CellProgress>& running,
                std::size_t pending, std::int64_t jobs) {
  const bool measured = finished > 0;
  double cell_seconds = measured ? finished_seconds / static_cast<double>(finished) : 0;
  if (!measured) {
    // No cell finished yet: each running cell's own rate says how long a cell takes.
    double sum = 0;
    std::size_t rated = 0;
    for (const auto& cell : running) {
      if (cell.fraction <= 0) continue;
      sum += cell.elapsed_seconds / cell.fraction;
      ++rated;
    }
    if (rated == 0) return 0;
    cell_seconds = sum / static_cast<double>(rated);
  }
  double total = cell_seconds * static_cast<double>(pending);
  double longest = 0;  // the grid lasts at least as long as its slowest running cell
  for (const auto& cell : running) {
    double left = cell_seconds * (1 - cell.fraction);
    if (!measured && cell.fraction > 0) left = cell.elapsed_seconds * (1 - cell.fraction) / cell.fraction;
    total += left;
    longest = std::max(longest, left);
  }
  const auto cells = static_cast<std::int64_t>(running.size() + pending);
  const auto parallel = static_cast<double>(std::max<std::int64_t>(1, std::min(jobs, cells)));
  return std::max(total / parallel, longest);
}

double progress_log_interval() {
  const char* text = std::getenv("ABLATE_PROGRESS_EVERY");
  if (text == nullptr || *text == '\0') return kDefaultLogInterval;
  char* end = nullptr;
  const double seconds = std::strtod(text, &end);
  if (*end != '\0' || !std::isfinite(seconds) || seconds < 0) {
    throw ConfigError(fmt::format("ABLATE_PROGRESS_EVERY='{}': expected seconds between progress lines, e.g. 30 "
                                  "(0: none)",
                                  text));
  }
  return seconds;
}

}  // namespace ablate
