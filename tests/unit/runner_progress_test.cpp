// The runner's progress text and ETA (tools/runner/progress.cpp).
#include "progress.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "ablate/error.hpp"

namespace ablate {
namespace {

EpochResult epoch_with_losses(double train_loss, double val_loss) {
  EpochResult e;
  e.epoch = 2;
  e.max_epochs = 5;
  e.train_loss = train_loss;
  e.train_accuracy = 0.25;
  e.val_loss = val_loss;
  e.val_accuracy = 0.5;
  e.learning_rate = 0.001;
  e.images_per_second = 1234;
  e.seconds = 1.5;
  return e;
}

TEST(RunnerProgressTest, EpochLinePrintsADivergingLossInScientificNotation) {
  const std::string line = epoch_line("baseline r16 s0", epoch_with_losses(20822995458997532753920.0, 1e30));
  EXPECT_NE(line.find("train loss 2.0823e+22 acc 0.2500"), std::string::npos) << line;
  EXPECT_NE(line.find("val loss 1e+30 acc 0.5000"), std::string::npos) << line;
  EXPECT_EQ(line.find("20822995458997532753920"), std::string::npos) << line;
}

TEST(RunnerProgressTest, EpochLineKeepsSixSignificantDigitsOfAnOrdinaryLoss) {
  EXPECT_EQ(epoch_line("p", epoch_with_losses(0.69314718, 1.25)),
            "p epoch 2/5  train loss 0.693147 acc 0.2500  val loss 1.25 acc 0.5000  lr 0.001  1234 img/s  1.5s");
}

TEST(RunnerProgressTest, CellFractionCountsEpochsDoneAndBatchesOfTheCurrentOne) {
  EXPECT_DOUBLE_EQ(cell_fraction(1, 0, 10, 4), 0.0);
  EXPECT_DOUBLE_EQ(cell_fraction(1, 5, 10, 4), 0.125);
  EXPECT_DOUBLE_EQ(cell_fraction(3, 10, 10, 4), 0.75);
  EXPECT_DOUBLE_EQ(cell_fraction(4, 10, 10, 4), 1.0);
  EXPECT_DOUBLE_EQ(cell_fraction(1, 5, 0, 4), 0.0);  // no batches known yet
}

TEST(RunnerProgressTest, EtaOfTheFirstCellExtrapolatesItsOwnBatchRate) {
  // 10 s for a quarter of the cell: 30 s left of it, then 3 more cells of 40 s, one at a time.
  EXPECT_DOUBLE_EQ(grid_eta(0, 0, {{10, 0.25}}, 3, 1), 30 + 3 * 40);
  // Later in the same cell the ETA moves.
  EXPECT_DOUBLE_EQ(grid_eta(0, 0, {{20, 0.5}}, 3, 1), 20 + 3 * 40);
  EXPECT_DOUBLE_EQ(grid_eta(0, 0, {{5, 0}}, 3, 1), 0);  // nothing known yet
}

TEST(RunnerProgressTest, EtaUsesTheMeanFinishedCellAndTheRunningCellsShare) {
  // Two cells took 60 s in all (30 s each); the running cell is 40% through: 18 s left.
  EXPECT_DOUBLE_EQ(grid_eta(2, 60, {{5, 0.4}}, 2, 1), 18 + 2 * 30);
  EXPECT_DOUBLE_EQ(grid_eta(2, 60, {{5, 0.9}}, 2, 1), 3 + 2 * 30);
  // Two at a time: the work is shared, but never less than the slowest running cell.
  EXPECT_DOUBLE_EQ(grid_eta(2, 60, {{1, 0.0}, {1, 0.5}}, 2, 2), (30 + 15 + 60) / 2.0);
  EXPECT_DOUBLE_EQ(grid_eta(2, 60, {{1, 0.0}}, 0, 4), 30);
}

TEST(RunnerProgressTest, FormatDurationRoundsToSecondsMinutesOrHours) {
  EXPECT_EQ(format_duration(12.4), "12s");
  EXPECT_EQ(format_duration(185), "3m05s");
  EXPECT_EQ(format_duration(3720), "1h02m");
}

TEST(RunnerProgressTest, ProgressLogIntervalReadsTheEnvironment) {
  unsetenv("ABLATE_PROGRESS_EVERY");
  EXPECT_DOUBLE_EQ(progress_log_interval(), 30);
  setenv("ABLATE_PROGRESS_EVERY", "0.5", 1);
  EXPECT_DOUBLE_EQ(progress_log_interval(), 0.5);
  setenv("ABLATE_PROGRESS_EVERY", "soon", 1);
  EXPECT_THROW(progress_log_interval(), ConfigError);
  setenv("ABLATE_PROGRESS_EVERY", "-1", 1);
  EXPECT_THROW(progress_log_interval(), ConfigError);
  unsetenv("ABLATE_PROGRESS_EVERY");
}

}  // namespace
}  // namespace ablate
