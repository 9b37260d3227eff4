// The plugin loader: real plugin libraries, and deliberately broken ones, through Boost.DLL.
#include <gtest/gtest.h>

#include <algorithm>

#include "ablate/error.hpp"
#include "config/plugin_registry.hpp"
#include "test_support.hpp"

namespace ablate {
namespace {

namespace fs = std::filesystem;

// The one problem that names `file_name`, or "" if none does.
std::string problem_about(const PluginRegistry& registry, const std::string& file_name) {
  for (const auto& problem : registry.problems()) {
    if (problem.find(file_name) != std::string::npos) return problem;
  }
  return "";
}

class PluginRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { registry_.load_directories({ABLATE_PLUGIN_DIR, ABLATE_BAD_PLUGIN_DIR}); }
  PluginRegistry registry_;
};

TEST_F(PluginRegistryTest, LoadsTheGoodPluginsDespiteTheBadOnes) {
  const auto models = registry_.names(PluginKind::model);
  EXPECT_NE(std::find(models.begin(), models.end(), "baseline_cnn"), models.end());
  const auto datasets = registry_.names(PluginKind::dataset);
  EXPECT_NE(std::find(datasets.begin(), datasets.end(), "synthetic"), datasets.end());
  EXPECT_NE(std::find(datasets.begin(), datasets.end(), "fashion_mnist"), datasets.end());
  EXPECT_EQ(registry_.names(PluginKind::metric), std::vector<std::string>{"classification"});
  const LoadedPlugin& baseline = registry_.find(PluginKind::model, "baseline_cnn");
  EXPECT_EQ(baseline.file.filename(), "libbaseline_cnn.so");
  EXPECT_FALSE(baseline.version.empty());
  EXPECT_FALSE(baseline.description.empty());
  EXPECT_FALSE(baseline.torch_version.empty());
}

TEST_F(PluginRegistryTest, RejectsAnotherAbiVersionByName) {
  const std::string problem = problem_about(registry_, "libwrong_abi.so");
  EXPECT_NE(problem.find("ABI version 999"), std::string::npos) << problem;
  EXPECT_NE(problem.find("supports version 1"), std::string::npos) << problem;
}

TEST_F(PluginRegistryTest, RejectsAnotherLibTorchVersionByName) {
  const std::string problem = problem_about(registry_, "libwrong_torch.so");
  EXPECT_NE(problem.find("LibTorch 0.0.1-not-this-one"), std::string::npos) << problem;
}

TEST_F(PluginRegistryTest, RejectsALibraryWithoutEntryPointByName) {
  const std::string problem = problem_about(registry_, "libno_entry_point.so");
  EXPECT_NE(problem.find("no entry point 'ablate_plugin_descriptor'"), std::string::npos) << problem;
}

TEST_F(PluginRegistryTest, RejectsAFileThatIsNotALibraryByName) {
  const std::string problem = problem_about(registry_, "libnot_a_library.so");
  EXPECT_NE(problem.find("not a loadable shared library"), std::string::npos) << problem;
  EXPECT_EQ(registry_.problems().size(), 4u);
}

TEST_F(PluginRegistryTest, UnknownPluginListsTheAvailableOnes) {
  try {
    registry_.find(PluginKind::model, "densenet");
    FAIL() << "no error";
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown model plugin 'densenet'; available: baseline_cnn,"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(PluginRegistryTest, UnknownPluginSuggestsTheNearestName) {
  try {
    registry_.find(PluginKind::model, "unet_encodr");
    FAIL() << "no error";
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown model plugin 'unet_encodr' (did you mean 'unet_encoder'?); "
                                         "available: baseline_cnn,"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(PluginRegistryTest, UnknownOptionNamesTheOptionAndTheKnownOnes) {
  try {
    registry_.create_dataset("synthetic", YAML::Load("{clases: 3}"), "exp.yaml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("dataset plugin 'synthetic': unknown option 'clases'"), std::string::npos) << message;
    EXPECT_NE(message.find("exp.yaml:1:2"), std::string::npos) << message;
    EXPECT_NE(message.find("classes"), std::string::npos) << message;
  }
}

TEST_F(PluginRegistryTest, ObjectsKeepTheirLibraryLoadedAfterTheRegistryIsGone) {
  std::shared_ptr<Metric> metric;
  {
    PluginRegistry local;
    local.load_directories({ABLATE_PLUGIN_DIR});
    metric = local.create_metric("classification", YAML::Node());
  }
  // The registry and its handles are gone; the metric's code must still be mapped.
  const float scores[] = {0.9f, 0.1f, 0.2f, 0.8f};
  const std::int64_t labels[] = {0, 1};
  const MetricResults results = metric->compute({scores, labels, 2, 2});
  ASSERT_FALSE(results.scalars.empty());
  EXPECT_EQ(results.scalars.front().first, "accuracy");
  EXPECT_DOUBLE_EQ(results.scalars.front().second, 1.0);
}

TEST(PluginSearchPathTest, ExtraFoldersComeFirstThenTheEnvironmentThenTheBuild) {
  setenv("ABLATE_PLUGIN_PATH", "/env/one::/env/two", 1);
  const auto dirs = plugin_search_path({"/extra"});
  unsetenv("ABLATE_PLUGIN_PATH");
  ASSERT_EQ(dirs.size(), 4u);
  EXPECT_EQ(dirs[0], "/extra");
  EXPECT_EQ(dirs[1], "/env/one");
  EXPECT_EQ(dirs[2], "/env/two");
  EXPECT_EQ(dirs[3], ABLATE_PLUGIN_DIR);
}

TEST(PluginSearchPathTest, AMissingFolderIsReportedNotFatal) {
  PluginRegistry registry;
  registry.load_directories({"/no/such/folder", ABLATE_PLUGIN_DIR});
  EXPECT_FALSE(registry.plugins().empty());
  EXPECT_NE(problem_about(registry, "/no/such/folder"), "");
}

TEST(PluginDuplicateTest, TheFirstFolderWinsAndTheSecondIsReported) {
  test::TempDir dir;
  fs::copy_file(fs::path(ABLATE_PLUGIN_DIR) / "libsynthetic.so", dir.path() / "libsynthetic.so");
  PluginRegistry registry;
  registry.load_directories({dir.path(), ABLATE_PLUGIN_DIR});
  EXPECT_EQ(registry.find(PluginKind::dataset, "synthetic").file.parent_path(), dir.path());
  const std::string problem = problem_about(registry, (fs::path(ABLATE_PLUGIN_DIR) / "libsynthetic.so").string());
  EXPECT_NE(problem.find("already loaded from"), std::string::npos) << problem;
}

TEST(PluginDuplicateTest, NamesAreUniqueAcrossKinds) {
  const fs::path clashing = fs::path(ABLATE_BAD_PLUGIN_DIR).parent_path() / "clashing-plugins";
  PluginRegistry registry;
  registry.load_directories({ABLATE_PLUGIN_DIR, clashing});
  EXPECT_EQ(registry.find(PluginKind::model, "baseline_cnn").file.parent_path(), fs::path(ABLATE_PLUGIN_DIR));
  EXPECT_THROW(registry.find(PluginKind::metric, "baseline_cnn"), PluginError);
  const std::string problem = problem_about(registry, (clashing / "libmetric_named_like_a_model.so").string());
  EXPECT_NE(problem.find("metric plugin 'baseline_cnn' in "), std::string::npos) << problem;
  EXPECT_NE(problem.find("is ignored: a model plugin of that name (names are unique across kinds) was already "
                         "loaded from"),
            std::string::npos)
      << problem;
}

}  // namespace
}  // namespace ablate
