// report's exports for papers and scripts: --columns (compare_columns.cpp), the LaTeX
// reporter's labels and minus signs, and CSV's per-seed layout, on literal comparisons.
#include <gtest/gtest.h>

#include <sstream>

#include "compare_columns.hpp"
#include "comparison.hpp"
#include "reporter.hpp"
#include "usage_error.hpp"

namespace ablate::report {
namespace {

std::vector<SeedValue> seeds(const std::vector<std::pair<std::int64_t, double>>& values) {
  std::vector<SeedValue> out;
  for (const auto& [seed, value] : values) out.push_back({seed, 100 + seed, value});
  return out;
}

// B is worse than A at resolution 28: a negative difference.
Comparison comparison() {
  Comparison c;
  c.store_path = "runs.db";
  c.arm_a = "baseline";
  c.arm_b = "se_net";
  c.metrics = {"test.accuracy"};
  c.rows.push_back(compare_values("test.accuracy", 28, seeds({{1, 0.933}, {2, 0.9305}, {3, 0.928}}),
                                  seeds({{1, 0.906}, {2, 0.911}, {3, 0.916}})));
  c.rows[0].bootstrap.difference = {-0.0312, -0.0081};  // as two_level_bootstrap would give
  return c;
}

std::string render(const std::string& format, const Comparison& c, const ReporterOptions& options) {
  std::ostringstream out;
  make_reporter(format, options)->report_comparison(out, c);
  return out.str();
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(ExportsTest, ColumnListsAreCheckedAndKeptInOrder) {
  EXPECT_EQ(parse_compare_columns("b, a,difference"), (std::vector<std::string>{"b", "a", "difference"}));
  EXPECT_EQ(parse_compare_columns("compact"), (std::vector<std::string>{"compact"}));
  EXPECT_THROW(parse_compare_columns("a,,b"), UsageError);
  EXPECT_THROW(parse_compare_columns("a,a"), UsageError);
  EXPECT_THROW(parse_compare_columns("compact,a"), UsageError);
  try {
    parse_compare_columns("a,bootstrap_cl");
    FAIL() << "an unknown column was accepted";
  } catch (const UsageError& e) {
    EXPECT_TRUE(has(e.what(), "unknown column 'bootstrap_cl' (did you mean 'bootstrap_ci'?)")) << e.what();
  }
}

TEST(ExportsTest, CompactIsOneSmallTableWithCaptionLabelAndMathMinus) {
  ReporterOptions options;
  options.document.columns = {"compact"};
  const std::string latex = render("latex", comparison(), options);
  EXPECT_TRUE(has(latex, "\\small\n\\setlength{\\tabcolsep}{4pt}\n")) << latex;
  EXPECT_TRUE(has(latex, "\\caption{se\\_net vs baseline, test.accuracy at resolution 28: mean $\\pm$ sd over 3 "
                         "seeds; $\\Delta$ = se\\_net $-$ baseline;"))
      << latex;
  EXPECT_TRUE(has(latex, "\\label{tab:compare-baseline-se_net}\n\\begin{tabular}{@{}rrr@{}}")) << latex;
  EXPECT_TRUE(has(latex, "baseline & se\\_net & $\\Delta$ 95\\% CI \\\\")) << latex;
  EXPECT_TRUE(has(latex, "0.930 $\\pm$ 0.003 & 0.911 $\\pm$ 0.005 & [$-$0.031, $-$0.008] \\\\")) << latex;
  EXPECT_EQ(latex.find("[-0."), std::string::npos) << latex;
}

TEST(ExportsTest, NamedColumnsInTheTerminalUseTheUnicodeMinus) {
  ReporterOptions options;
  options.document.columns = {"difference", "resolution"};
  const std::string text = render("table", comparison(), options);
  EXPECT_TRUE(has(text, "\u0394  resolution\n")) << text;
  EXPECT_TRUE(has(text, "\u22120.0195          28\n")) << text;
}

TEST(ExportsTest, LatexLabelsEveryStandardTableFromTheGivenName) {
  ReporterOptions options;
  options.document.label = "tab:se";
  const std::string latex = render("latex", comparison(), options);
  EXPECT_TRUE(has(latex, "\\label{tab:se}\n")) << latex;
  EXPECT_TRUE(has(latex, "\\label{tab:se-bootstrap}\n")) << latex;
  EXPECT_TRUE(has(latex, "& $-$0.0195 & [$-$0.")) << latex;
}

TEST(ExportsTest, AnIntervalStartingARowIsNotAnOptionalArgument) {
  ReporterOptions options;
  options.document.columns = {"ci", "a"};
  const std::string latex = render("latex", comparison(), options);
  EXPECT_TRUE(has(latex, "\\midrule\n{}[$-$0.")) << latex;
}

TEST(ExportsTest, CsvPerSeedHasOneAsciiRecordPerRun) {
  ReporterOptions options;
  options.per_seed = true;
  const std::string csv = render("csv", comparison(), options);
  EXPECT_EQ(csv, "metric,resolution,group_a,group_b,side,arm,configuration,seed,run_id,value\n"
                 "test.accuracy,28,,,a,baseline,,1,101,0.933\n"
                 "test.accuracy,28,,,a,baseline,,2,102,0.9305\n"
                 "test.accuracy,28,,,a,baseline,,3,103,0.928\n"
                 "test.accuracy,28,,,b,se_net,,1,101,0.906\n"
                 "test.accuracy,28,,,b,se_net,,2,102,0.911\n"
                 "test.accuracy,28,,,b,se_net,,3,103,0.916\n");
  const std::string standard = render("csv", comparison(), {});
  EXPECT_TRUE(has(standard, ",-0.01949999")) << standard;  // CSV numbers stay ASCII
}

}  // namespace
}  // namespace ablate::report
