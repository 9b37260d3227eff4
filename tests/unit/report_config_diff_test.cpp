// report diff's comparison of two flattened configurations.
#include "config_diff.hpp"

#include <gtest/gtest.h>

namespace ablate::report {
namespace {

TEST(ConfigDiffTest, ListsDifferingAndOneSidedKeysInKeyOrder) {
  const Settings a = flatten_config(R"({"arm":"se","seed":0,"train":{"max_epochs":5,"optimizer":{"lr":0.001}}})");
  const Settings b = flatten_config(R"({"arm":"se","seed":1,"train":{"optimizer":{"lr":0.001,"name":"sgd"}}})");
  const auto differences = diff_settings(a, b);
  ASSERT_EQ(differences.size(), 3u);
  EXPECT_EQ(differences[0].key, "seed");
  EXPECT_EQ(differences[0].a, "0");
  EXPECT_EQ(differences[0].b, "1");
  EXPECT_EQ(differences[1].key, "train.max_epochs");
  EXPECT_EQ(differences[1].a, "5");
  EXPECT_FALSE(differences[1].b) << "a key only one run stores is its default on the other";
  EXPECT_EQ(differences[2].key, "train.optimizer.name");
  EXPECT_FALSE(differences[2].a);
  EXPECT_EQ(differences[2].b, "sgd");
}

TEST(ConfigDiffTest, EqualConfigurationsHaveNoDifferences) {
  const Settings a = flatten_config(R"({"model":{"options":{"filters":[8,16]}}})");
  EXPECT_TRUE(diff_settings(a, a).empty());
  EXPECT_TRUE(diff_settings({}, {}).empty());
  // Arrays compare as their compact JSON: [8,16] and [8,32] differ.
  const Settings b = flatten_config(R"({"model":{"options":{"filters":[8,32]}}})");
  ASSERT_EQ(diff_settings(a, b).size(), 1u);
  EXPECT_EQ(diff_settings(a, b)[0].b, "[8,32]");
}

}  // namespace
}  // namespace ablate::report
