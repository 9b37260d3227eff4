// The runner's choice of OpenMP wait policy (issue 20, item 10).
#include "engine/process_tuning.hpp"

#include "ablate/error.hpp"

#include <gtest/gtest.h>

#include <cstdint>

#include <cstdlib>
#include <optional>
#include <string>

namespace ablate {
namespace {

TEST(ProcessTuningTest, CellsWaitPassivelyOnlyWhenTheLoadFillsTheCoresAndTheUserChoseNothing) {
  const std::optional<double> unmeasured;
  EXPECT_FALSE(should_wait_passively(0.3, unmeasured, 2, nullptr)) << "an idle machine: spinning is faster";
  EXPECT_FALSE(should_wait_passively(1.99, unmeasured, 2, nullptr));
  EXPECT_TRUE(should_wait_passively(2.0, unmeasured, 2, nullptr)) << "without /proc/stat the load average decides";
  EXPECT_TRUE(should_wait_passively(6.1, 1.0, 2, nullptr)) << "the red team's load of ~6 on 2 cores";
  EXPECT_FALSE(should_wait_passively(6.1, 1.0, 2, "ACTIVE")) << "the user's choice stands";
  EXPECT_FALSE(should_wait_passively(6.1, 1.0, 2, "passive")) << "set already: nothing to do";
  EXPECT_FALSE(should_wait_passively(15.0, 1.0, 16, nullptr));
}

TEST(ProcessTuningTest, WorkThatHasEndedDoesNotMakeCellsWaitPassively) {
  // The load average trails by a minute: right after a build (or the previous program of
  // a benchmark) it still reads 2 on 2 cores while the cores are idle.
  EXPECT_FALSE(should_wait_passively(2.3, 0.02, 2, nullptr)) << "the work has ended";
  EXPECT_FALSE(should_wait_passively(2.3, 0.5, 2, nullptr)) << "one of two cores busy";
  EXPECT_TRUE(should_wait_passively(2.3, 0.75, 2, nullptr)) << "all cores but half of one";
  EXPECT_TRUE(should_wait_passively(4.0, 0.99, 2, nullptr)) << "busy loops on every core";
  EXPECT_FALSE(should_wait_passively(16.5, 0.9, 16, nullptr)) << "1.6 of 16 cores idle";
  EXPECT_TRUE(should_wait_passively(16.5, 0.97, 16, nullptr));
}

TEST(ProcessTuningTest, APolicyTheUserSetIsNeverChanged) {
  setenv("OMP_WAIT_POLICY", "ACTIVE", 1);
  // Whatever this machine's load: with a policy set, nothing happens.
  EXPECT_FALSE(wait_passively_if_cores_busy(1).has_value());
  EXPECT_EQ(std::string(std::getenv("OMP_WAIT_POLICY")), "ACTIVE");
  unsetenv("OMP_WAIT_POLICY");
}

TEST(ProcessTuningTest, AThreadCountThatDoesNotFitAnIntIsRefusedNotWrapped) {
  try {
    use_torch_threads((std::int64_t{1} << 32) + 2);
    FAIL() << "2^32 + 2 threads would have become 2";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("4294967298 LibTorch threads: expected 1 to 2147483647"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(use_torch_threads(0), ConfigError);
}

}  // namespace
}  // namespace ablate
