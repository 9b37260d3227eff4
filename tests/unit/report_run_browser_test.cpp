// The HTML run browser's choice of columns: only the configuration keys that vary.
#include "run_browser.hpp"

#include <gtest/gtest.h>

namespace ablate::report {
namespace {

TEST(RunBrowserTest, ShowsOnlyTheKeysThatVaryAndNeverSeedOrArm) {
  const std::vector<Settings> runs = {
      flatten_config(R"({"arm":"a","seed":0,"resolution":16,"train":{"lr":0.1}})"),
      flatten_config(R"({"arm":"b","seed":1,"resolution":16,"train":{"lr":0.01}})"),
      flatten_config(R"({"arm":"b","seed":2,"resolution":16,"train":{"lr":0.01,"max_epochs":3}})"),
  };
  // resolution is the same everywhere; max_epochs is stored by one run only (the others
  // use the default), so it varies.
  EXPECT_EQ(varying_keys(runs), (std::vector<std::string>{"train.lr", "train.max_epochs"}));
  EXPECT_TRUE(varying_keys({runs[0]}).empty()) << "one run varies in nothing";
  EXPECT_TRUE(varying_keys({}).empty());
}

}  // namespace
}  // namespace ablate::report
