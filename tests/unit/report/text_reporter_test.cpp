#include <doctest/doctest.h>

#include <memory>
#include <sstream>
#include <string>

#include "report/reporter.hpp"
#include "tests/unit/report/sample_report.hpp"

namespace fermata::report {
namespace {

std::string render(const Report& report, bool color = false) {
  std::ostringstream out;
  ReporterOptions options;
  options.color = color;
  write_text(report, out, options);
  return out.str();
}

/// A report with one finding on `source_line` at `column`, for caret placement tests.
Report one_line_report(const std::string& source_line, uint32_t column) {
  Report report;
  report.rules = {testing::remote_rule()};
  auto sources = std::make_shared<SourceCache>();
  sources->put("f.yaml", source_line + "\n");
  report.sources = sources;
  rules::Finding finding;
  finding.rule_id = "mcp-remote-server-without-auth";
  finding.severity = core::Severity::kHigh;
  finding.message = "m";
  finding.loc = testing::loc("f.yaml", 1, column, 1, column);
  report.findings = {finding};
  return report;
}

/// The source line and caret line printed for the only finding of `report`.
std::pair<std::string, std::string> snippet_lines(const Report& report) {
  std::istringstream in(render(report));
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("    1 | ")) {
      std::string caret;
      std::getline(in, caret);
      return {line.substr(8), caret.starts_with("      | ") ? caret.substr(8) : "<" + caret + ">"};
    }
  }
  return {"", ""};
}

TEST_CASE("text: the sample report, exactly") {
  const std::string expected =
      "L2 Data Operations (1)\n"
      "\n"
      ".mcp.json:5:7  CRITICAL  mcp-secret-in-config  Credential committed in an MCP client "
      "configuration\n"
      "    MCP server 'github' sends the literal token ghp_**** in a header\n"
      "    5 |       \"headers\": {\"Authorization\": \"Bearer ghp_****\"}\n"
      "      |       ^\n"
      "\n"
      "L7 Agent Ecosystem (1)\n"
      "\n"
      "deploy/agent.yaml:17:11  HIGH  mcp-remote-server-without-auth  Remote MCP server without "
      "authentication\n"
      "    Deployment 'search' serves MCP with authentication turned off\n"
      "    17 |           args: [\"--auth=none\", \"--port=8080\"]\n"
      "       |           ^\n"
      "    \xE2\x86\xB3 .mcp.json:8:14 the client reaches it at http://search.internal:8080/mcp\n"
      "    \xE2\x86\xB3 deploy/agent.yaml:4:9 Service 'search' routes to this Deployment\n"
      "\n"
      "Suppressed (1)\n"
      "\n"
      ".mcp.json:8:7  HIGH  mcp-remote-server-without-auth  Remote MCP server without "
      "authentication\n"
      "    MCP server 'search' is reached over plain HTTP without authentication\n"
      "    suppressed: internal network only (SEC-12)\n"
      "\n"
      "Diagnostics (3)\n"
      "\n"
      ".mcp.json:5:36: warning: unexpected header value 'Bearer ghp_****' [parse.schema]\n"
      "big.json: warning: 9000000 bytes, limit 8388608 [discover.file-too-large]\n"
      "broken.yaml:3:5: error: mapping values are not allowed here [parse.yaml.syntax]\n"
      "  note: in document 2\n"
      "\n"
      "Summary\n"
      "  files:       5 scanned, 2 parsed\n"
      "  findings:    1 critical, 1 high, 0 medium, 0 low, 0 info; 1 suppressed, 0 baselined\n"
      "  blocking:    2\n"
      "  diagnostics: 3 (1 error, 2 warnings)\n"
      "FAILED: 2 findings at or above high\n";
  CHECK(render(testing::sample_report()) == expected);
}

TEST_CASE("text: byte-identical across runs, no secret, no colour unless asked") {
  const Report report = testing::sample_report();
  const std::string first = render(report);
  CHECK(first == render(report));
  CHECK(first.find(testing::kSecret) == std::string::npos);
  CHECK(first.find("aB3dE5") == std::string::npos);
  CHECK(first.find('\x1b') == std::string::npos);

  const std::string colored = render(report, true);
  CHECK(colored == render(report, true));
  CHECK(colored.find(testing::kSecret) == std::string::npos);
  CHECK(colored.find("\x1b[1;31mCRITICAL\x1b[0m") != std::string::npos);
  CHECK(colored.find("\x1b[31mHIGH\x1b[0m") != std::string::npos);
  CHECK(colored.find("\x1b[1m.mcp.json:5:7\x1b[0m") != std::string::npos);
  CHECK(colored.find("\x1b[1;31mFAILED: 2 findings at or above high\x1b[0m") != std::string::npos);
  CHECK(colored.find("\x1b[1mbroken.yaml:3:5\x1b[0m: error: mapping values") != std::string::npos);
}

TEST_CASE("text: severity colours") {
  Report report = one_line_report("x: 1", 1);
  const std::pair<core::Severity, std::string> kColours[] = {
      {core::Severity::kMedium, "\x1b[33mMEDIUM\x1b[0m"},
      {core::Severity::kLow, "\x1b[36mLOW\x1b[0m"},
      {core::Severity::kInfo, "\x1b[2mINFO\x1b[0m"},
  };
  for (const auto& [severity, coloured] : kColours) {
    report.findings[0].severity = severity;
    CHECK(render(report, true).find(coloured) != std::string::npos);
  }
}

TEST_CASE("text: verdicts") {
  Report report = testing::sample_report();
  CHECK(render(report).ends_with("FAILED: 2 findings at or above high\n"));

  report.findings[0].blocking = false;
  CHECK(render(report).ends_with("FAILED: 1 finding at or above high\n"));

  report.findings[2].blocking = false;
  CHECK(render(report).ends_with("\npassed\n"));

  report.fail_on_none = true;
  CHECK(render(report).ends_with("\ngate disabled\n"));

  report.exit_code = 2;
  CHECK(render(report).ends_with("\nFAILED: the scan could not complete\n"));
}

TEST_CASE("text: an empty report") {
  Report report;
  report.files_discovered = 3;
  CHECK(render(report) ==
        "No open findings.\n"
        "\n"
        "Summary\n"
        "  files:       3 scanned, 0 parsed\n"
        "  findings:    0 critical, 0 high, 0 medium, 0 low, 0 info; 0 suppressed, 0 baselined\n"
        "  blocking:    0\n"
        "  diagnostics: 0 (0 errors, 0 warnings)\n"
        "passed\n");
}

TEST_CASE("text: groups follow MAESTRO order, unknown layers last") {
  Report report = testing::sample_report();
  rules::RuleMeta other;
  other.id = "zz-unclassified";
  other.title = "Unclassified";
  report.rules.push_back(other);
  rules::Finding finding = report.findings[0];
  finding.rule_id = "zz-unclassified";
  finding.loc.file = "a.json";
  report.findings.insert(report.findings.begin(), finding);
  const std::string out = render(report);
  const size_t l2 = out.find("L2 Data Operations (1)");
  const size_t l7 = out.find("L7 Agent Ecosystem (1)");
  const size_t rest = out.find("Other (1)");
  REQUIRE(l2 != std::string::npos);
  CHECK(l2 == 0);
  CHECK(l2 < l7);
  CHECK(l7 < rest);
  CHECK(rest < out.find("Suppressed (1)"));
}

TEST_CASE("text: baselined findings show as such") {
  Report report = testing::sample_report();
  report.findings[1].state = rules::FindingState::kBaselined;
  report.findings[1].suppression_reason = "in baseline .fermata-baseline.json";
  const std::string out = render(report);
  CHECK(out.find("    baselined: in baseline .fermata-baseline.json\n") != std::string::npos);
  CHECK(out.find("0 suppressed, 1 baselined") != std::string::npos);
}

TEST_CASE("text: caret placement") {
  SUBCASE("plain") {
    CHECK(snippet_lines(one_line_report("key: value", 6)) ==
          std::pair<std::string, std::string>{"key: value", "     ^"});
  }
  SUBCASE("tabs expand to stops of eight") {
    CHECK(snippet_lines(one_line_report("\tkey:\tvalue", 7)) ==
          std::pair<std::string, std::string>{"        key:    value", "                ^"});
  }
  SUBCASE("columns count code points") {
    CHECK(snippet_lines(one_line_report("\xC3\xA9t\xC3\xA9: x", 5)) ==
          std::pair<std::string, std::string>{"\xC3\xA9t\xC3\xA9: x", "    ^"});
  }
  SUBCASE("a masked secret before the column moves the caret with it") {
    Report report = one_line_report("token: " + testing::kSecret + " # after", 49);
    report.redactor.add_secret(testing::kSecret);
    CHECK(snippet_lines(report) ==
          std::pair<std::string, std::string>{"token: ghp_**** # after", "                ^"});
  }
  SUBCASE("column past the end of the line") {
    CHECK(snippet_lines(one_line_report("ab", 9)) ==
          std::pair<std::string, std::string>{"ab", "  ^"});
  }
  SUBCASE("long lines are cut to 200 code points") {
    const auto [line, caret] = snippet_lines(one_line_report(std::string(300, 'x'), 3));
    CHECK(line == std::string(200, 'x') + "\xE2\x80\xA6");
    CHECK(caret == "  ^");
  }
  SUBCASE("a column far right keeps the caret in view") {
    const std::string source = std::string(250, 'a') + "TARGET" + std::string(100, 'b');
    const auto [line, caret] = snippet_lines(one_line_report(source, 251));
    CHECK(line.starts_with("\xE2\x80\xA6"));
    CHECK(line.ends_with("\xE2\x80\xA6"));
    // The caret sits under the 'T' of TARGET.
    const size_t caret_at = caret.size() - 1;
    const size_t target_at = line.find("TARGET");
    REQUIRE(target_at != std::string::npos);
    CHECK(caret_at == target_at - 2);  // the leading ellipsis is three bytes, one column
  }
  SUBCASE("no column, no caret") {
    std::string out = render(one_line_report("key: value", 0));
    CHECK(out.find("    1 | key: value\n") != std::string::npos);
    CHECK(out.find("^") == std::string::npos);
  }
}

TEST_CASE("text: control characters from scanned files cannot reach the terminal") {
  Report report = one_line_report(
      "name: \x1b]0;pwned\x07 \xC2\x9B"
      "2J",
      1);
  report.findings[0].message = "evil \x1b[2J message\r\nsecond line";
  const std::string out = render(report);
  CHECK(out.find('\x1b') == std::string::npos);
  CHECK(out.find('\x07') == std::string::npos);
  CHECK(out.find('\r') == std::string::npos);
  CHECK(out.find("\xC2\x9B") == std::string::npos);
  CHECK(out.find("    evil ?[2J message??second line\n") != std::string::npos);
  CHECK(out.find("    1 | name: ?]0;pwned? ?2J\n") != std::string::npos);
}

TEST_CASE("text: findings without sources or positions") {
  Report report = testing::sample_report();
  report.sources = nullptr;
  std::string out = render(report);
  CHECK(out.find(" | ") == std::string::npos);
  CHECK(out.find(".mcp.json:5:7  CRITICAL") != std::string::npos);

  report.findings[0].loc = core::SourceLoc{"whole-file.json", {}};
  out = render(report);
  CHECK(out.find("\nwhole-file.json  CRITICAL  mcp-secret-in-config") != std::string::npos);
}

TEST_CASE("canonical_line: the rule-fixture form") {
  const Report report = testing::sample_report();
  CHECK(canonical_line(report.findings[2]) ==
        "deploy/agent.yaml:17:11: high: mcp-remote-server-without-auth: Deployment 'search' "
        "serves MCP with authentication turned off");
  rules::Finding finding = report.findings[2];
  finding.loc = core::SourceLoc{"a.json", {}};
  finding.message = "two\nlines\r\nhere";
  CHECK(canonical_line(finding) ==
        "a.json:0:0: high: mcp-remote-server-without-auth: two lines  here");
}

TEST_CASE("registry: formats in order, looked up by name") {
  const auto& all = reporters();
  REQUIRE(all.size() == 7);
  CHECK(all[0].name == "text");
  CHECK(all[1].name == "json");
  CHECK(all[2].name == "sarif");
  CHECK(all[3].name == "github");
  CHECK(all[4].name == "markdown");
  CHECK(all[5].name == "gitlab-codequality");
  CHECK(all[6].name == "gitlab-sast");
  for (const auto& info : all) {
    CHECK_FALSE(info.description.empty());
    CHECK((info.write != nullptr));
    CHECK(find_reporter(info.name) == &info);
  }
  CHECK(find_reporter("xml") == nullptr);
  CHECK(find_reporter("") == nullptr);
  CHECK((find_reporter("text")->write == &write_text));
}

}  // namespace
}  // namespace fermata::report
