// The CI-facing formats: GitHub workflow commands, the Markdown summary, GitLab Code
// Quality and SAST reports.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "report/reporter.hpp"
#include "sample_report.hpp"

using namespace fermata;

namespace {

std::string render(const report::Report& report, std::string_view format) {
  std::ostringstream out;
  report::find_reporter(format)->write(report, out, {});
  return out.str();
}

report::Report many_findings(int count, core::Severity severity) {
  report::Report report;
  report.tool_version = "1.2.3";
  rules::RuleMeta meta;
  meta.id = "mcp-test";
  meta.title = "Test: a, b";
  meta.severity = severity;
  meta.maestro = {"L7"};
  meta.owasp = {"ASI02"};
  meta.remediation = "Fix it.";
  report.rules.push_back(meta);
  for (int i = 0; i < count; ++i) {
    rules::Finding f;
    f.rule_id = "mcp-test";
    f.severity = severity;
    f.message = "line one\nline two 100% sure: a,b <b>bold</b> | pipe";
    f.loc = {"dir/a b.json", {static_cast<uint32_t>(i + 1), 3, static_cast<uint32_t>(i + 1), 7}};
    f.fingerprint = "fp" + std::to_string(i);
    f.blocking = true;
    report.findings.push_back(f);
  }
  report.exit_code = 1;
  return report;
}

}  // namespace

TEST_CASE("github: escaped workflow commands, severity levels, the cap and the closing notice") {
  const std::string out = render(many_findings(1, core::Severity::kHigh), "github");
  CHECK(out ==
        "::error file=dir/a b.json,line=1,endLine=1,col=3,endColumn=8,title=fermata mcp-test%3A "
        "Test%3A a%2C b"
        "::line one%0Aline two 100%25 sure: a,b <b>bold</b> | pipe\n");
  CHECK(render(many_findings(1, core::Severity::kMedium), "github").rfind("::warning ", 0) == 0);
  CHECK(render(many_findings(1, core::Severity::kLow), "github").rfind("::notice ", 0) == 0);

  const std::string capped = render(many_findings(25, core::Severity::kCritical), "github");
  size_t errors = 0;
  for (size_t at = capped.find("::error "); at != std::string::npos;
       at = capped.find("::error ", at + 1))
    ++errors;
  CHECK(errors == 10);
  CHECK(capped.find("::notice title=fermata::15 more findings are not annotated") !=
        std::string::npos);
  // The most severe first.
  report::Report mixed = many_findings(12, core::Severity::kLow);
  mixed.findings[11].severity = core::Severity::kCritical;
  const std::string ordered = render(mixed, "github");
  CHECK(ordered.rfind("::error file=dir/a b.json,line=12,", 0) == 0);
  // Ten notices already: one makes room for the closing notice.
  CHECK(ordered.find("::notice title=fermata::2 more findings") != std::string::npos);
}

TEST_CASE("markdown: verdict, counts by layer, escaped cells") {
  const std::string out = render(many_findings(2, core::Severity::kHigh), "markdown");
  CHECK(out.rfind("## fermata: failed: 2 blocking findings (threshold: high)", 0) == 0);
  CHECK(out.find("| L7 Agent Ecosystem | 0 | 2 | 0 | 0 | 0 |") != std::string::npos);
  CHECK(out.find("line one line two 100% sure: a,b &lt;b&gt;bold&lt;/b&gt; \\| pipe") !=
        std::string::npos);
  CHECK(out.find("<b>") == std::string::npos);
}

TEST_CASE("gitlab: Code Quality and SAST fields, stable ids, severity mapping") {
  const report::Report report = many_findings(2, core::Severity::kCritical);
  auto quality = nlohmann::json::parse(render(report, "gitlab-codequality"));
  REQUIRE(quality.is_array());
  REQUIRE(quality.size() == 2);
  CHECK(quality[0]["check_name"] == "mcp-test");
  CHECK(quality[0]["severity"] == "blocker");
  CHECK(quality[0]["fingerprint"] == "fp0");
  CHECK(quality[0]["location"]["path"] == "dir/a b.json");
  CHECK(quality[0]["location"]["lines"]["begin"] == 1);

  auto sast = nlohmann::json::parse(render(report, "gitlab-sast"));
  CHECK(sast["version"] == "15.2.1");
  CHECK(sast["scan"]["type"] == "sast");
  CHECK(sast["scan"]["analyzer"]["vendor"]["name"] == "fermata");
  const auto& vulnerability = sast["vulnerabilities"][0];
  CHECK(vulnerability["severity"] == "Critical");
  CHECK(vulnerability["identifiers"][0]["type"] == "fermata_rule");
  CHECK(vulnerability["location"]["start_line"] == 1);
  const std::string id = vulnerability["id"];
  CHECK(id.size() == 36);
  CHECK(id[14] == '5');
  CHECK(nlohmann::json::parse(render(report, "gitlab-sast"))["vulnerabilities"][0]["id"] == id);
}

TEST_CASE("the planted secret reaches none of the CI formats") {
  const report::Report report = report::testing::sample_report();
  for (std::string_view format : {"github", "markdown", "gitlab-codequality", "gitlab-sast"}) {
    const std::string out = render(report, format);
    CHECK_MESSAGE(out.find(report::testing::kSecret) == std::string::npos, format);
    CHECK_MESSAGE(out.find(report::testing::kSecret.substr(4)) == std::string::npos, format);
  }
}
