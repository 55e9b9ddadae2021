#include "gate/suppressions.hpp"

#include <doctest/doctest.h>

using namespace fermata;

namespace {

rules::Finding finding(const std::string& rule, const std::string& file, uint32_t line,
                       const std::string& entity = "e") {
  rules::Finding f;
  f.rule_id = rule;
  f.loc = {file, {line, 3, line, 9}};
  f.entity_name = entity;
  return f;
}

struct Run {
  std::vector<rules::Finding> findings;
  core::DiagnosticSink sink;
};

Run apply(std::vector<rules::Finding> findings, const std::string& file, const std::string& text,
          std::vector<gate::ConfigSuppression> configured = {},
          const std::string& today = "2026-11-22") {
  report::SourceCache sources;
  sources.put(file, text);
  Run run;
  run.findings = std::move(findings);
  gate::apply_suppressions(run.findings, sources, configured, {{"old-rule-id", "rule-a"}},
                           *gate::parse_date(today), run.sink);
  return run;
}

}  // namespace

TEST_CASE("inline suppressions: on the line, or on comment lines just above") {
  const std::string yaml =
      "a: 1\n"
      "b: 2  # fermata:ignore rule-a the value is a test fixture\n"
      "# fermata:ignore rule-b reviewed with the platform team\n"
      "# another comment\n"
      "c: 3\n"
      "d: 4\n";
  Run run = apply({finding("rule-a", "x.yaml", 2), finding("rule-b", "x.yaml", 5),
                   finding("rule-b", "x.yaml", 6), finding("rule-c", "x.yaml", 2)},
                  "x.yaml", yaml);
  CHECK(run.findings[0].state == rules::FindingState::kSuppressed);
  CHECK(run.findings[0].suppression_reason == "the value is a test fixture");
  CHECK(run.findings[0].suppression_kind == "inSource");
  CHECK(run.findings[1].state == rules::FindingState::kSuppressed);
  CHECK(run.findings[2].state == rules::FindingState::kOpen);  // only the next line
  CHECK(run.findings[3].state == rules::FindingState::kOpen);  // another rule
  CHECK(run.sink.size() == 0);
}

TEST_CASE("JSONC comments, several ids and former ids work too") {
  const std::string json =
      "{\n"
      "  // fermata:ignore old-rule-id,rule-b local lab only\n"
      "  \"url\": \"http://x\"\n"
      "}\n";
  Run run =
      apply({finding("rule-a", ".vscode/mcp.json", 3), finding("rule-b", ".vscode/mcp.json", 3)},
            ".vscode/mcp.json", json);
  CHECK(run.findings[0].state == rules::FindingState::kSuppressed);
  CHECK(run.findings[1].state == rules::FindingState::kSuppressed);
}

TEST_CASE("a reason is required and the date must be valid; a bad suppression suppresses nothing") {
  Run no_reason =
      apply({finding("rule-a", "x.yaml", 1)}, "x.yaml", "a: 1 # fermata:ignore rule-a\n");
  CHECK(no_reason.findings[0].state == rules::FindingState::kOpen);
  REQUIRE(no_reason.sink.size() == 1);
  CHECK(core::format_diagnostic(no_reason.sink.items()[0]) ==
        "x.yaml:1:8: warning: the suppression of rule-a has no reason: say why the finding is "
        "acceptable "
        "[suppression.invalid]");
  Run bad_date = apply({finding("rule-a", "x.yaml", 1)}, "x.yaml",
                       "a: 1 # fermata:ignore rule-a ok until=soon\n");
  CHECK(bad_date.findings[0].state == rules::FindingState::kOpen);
  Run no_id = apply({}, "x.yaml", "# fermata:ignore\n");
  CHECK(no_id.sink.items().at(0).code == core::DiagCode::kSuppressionInvalid);
  Run in_string =
      apply({finding("rule-a", "x.yaml", 1)}, "x.yaml", "a: \"fermata:ignore rule-a x\"\n");
  CHECK(in_string.findings[0].state == rules::FindingState::kOpen);  // not a comment
}

TEST_CASE("expiry at a fixed date: before it suppresses, after it reports again and says so") {
  const std::string yaml =
      "a: 1 # fermata:ignore rule-a accepted until the migration until=2026-12-31\n";
  Run before = apply({finding("rule-a", "x.yaml", 1)}, "x.yaml", yaml, {}, "2026-12-31");
  CHECK(before.findings[0].state == rules::FindingState::kSuppressed);
  CHECK(before.findings[0].suppression_reason == "accepted until the migration");
  Run after = apply({finding("rule-a", "x.yaml", 1)}, "x.yaml", yaml, {}, "2027-01-01");
  CHECK(after.findings[0].state == rules::FindingState::kOpen);
  REQUIRE(after.sink.size() == 1);
  CHECK(core::format_diagnostic(after.sink.items()[0]) ==
        "x.yaml:1:8: warning: the suppression of rule-a expired on 2026-12-31; the finding is "
        "reported again "
        "[suppression.expired]");
}

TEST_CASE("unused suppressions are reported as information") {
  Run run = apply({}, "x.yaml", "a: 1 # fermata:ignore rule-a no longer needed\n");
  REQUIRE(run.sink.size() == 1);
  CHECK(run.sink.items()[0].code == core::DiagCode::kSuppressionUnused);
  CHECK(run.sink.items()[0].level == core::DiagLevel::kNote);
}

TEST_CASE("configured suppressions match rule, path glob and entity") {
  gate::ConfigSuppression by_path{"rule-a",      ".vscode/*.json", "",
                                  "lab network", std::nullopt,     {".fermata.yaml", {3, 5, 3, 5}}};
  gate::ConfigSuppression by_entity{
      "rule-b", "", "legacy", "retiring in Q1", std::nullopt, {".fermata.yaml", {7, 5, 7, 5}}};
  gate::ConfigSuppression expired{
      "rule-c", "", "", "old", gate::parse_date("2020-01-01"), {".fermata.yaml", {9, 5, 9, 5}}};
  Run run = apply({finding("rule-a", ".vscode/mcp.json", 3), finding("rule-a", ".mcp.json", 3),
                   finding("rule-b", ".mcp.json", 4, "legacy"),
                   finding("rule-b", ".mcp.json", 5, "other"), finding("rule-c", ".mcp.json", 6)},
                  ".mcp.json", "{}\n", {by_path, by_entity, expired});
  CHECK(run.findings[0].state == rules::FindingState::kSuppressed);
  CHECK(run.findings[0].suppression_kind == "external");
  CHECK(run.findings[1].state == rules::FindingState::kOpen);
  CHECK(run.findings[2].state == rules::FindingState::kSuppressed);
  CHECK(run.findings[3].state == rules::FindingState::kOpen);
  CHECK(run.findings[4].state == rules::FindingState::kOpen);
  REQUIRE(run.sink.size() == 1);
  CHECK(run.sink.items()[0].code == core::DiagCode::kSuppressionExpired);
  CHECK(run.sink.items()[0].loc.span.line == 9);
}
