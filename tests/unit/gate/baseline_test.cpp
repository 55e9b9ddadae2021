#include "gate/baseline.hpp"

#include <doctest/doctest.h>

using namespace fermata;

namespace {

rules::Finding finding(const std::string& rule, const std::string& file, uint32_t line,
                       const std::string& key, core::Severity severity = core::Severity::kHigh) {
  rules::Finding f;
  f.rule_id = rule;
  f.loc = {file, {line, 1, line, 5}};
  f.match_key = key;
  f.fingerprint = file + key;
  f.message = "m " + key;
  f.severity = severity;
  return f;
}

core::Diagnostic parse_error(const std::string& file) {
  return core::make_diagnostic(core::DiagCode::kJsonSyntax, "bad", {file, {1, 1, 1, 1}});
}

}  // namespace

TEST_CASE("a baseline round-trips through its file format") {
  gate::Baseline baseline =
      gate::baseline_of({finding("r", "a.json", 3, "k1"), finding("r", "b.json", 1, "k2")},
                        {parse_error("c.json")}, "baseline");
  const std::string text = gate::write_baseline(baseline, "1.2.3");
  core::DiagnosticSink sink;
  auto read = gate::read_baseline("base.json", text, sink);
  REQUIRE(read.has_value());
  CHECK(read->entries.size() == 2);
  CHECK(read->entries[0].span.line == 3);
  CHECK(read->unparsed_files == std::vector<std::string>{"c.json"});
  CHECK_FALSE(gate::read_baseline("x.json", "{\"findings\": []}", sink).has_value());
  CHECK_FALSE(gate::read_baseline("x.json", "not json", sink).has_value());
  CHECK(sink.items().back().code == core::DiagCode::kBaselineInvalid);
}

TEST_CASE("matching: by rule, file and match key; moved lines are updated, not new") {
  gate::Baseline baseline =
      gate::baseline_of({finding("r", "a.json", 3, "k1"), finding("r", "a.json", 9, "k2"),
                         finding("r", "gone.json", 1, "k3")},
                        {}, "baseline");
  std::vector<rules::Finding> current = {
      finding("r", "a.json", 3, "k1"), finding("r", "a.json", 12, "k2"),
      finding("r", "a.json", 20, "k4"), finding("r", "other.json", 3, "k1")};
  core::DiagnosticSink sink;
  auto result = gate::compare_with(current, {}, baseline, {}, true, sink);
  CHECK(current[0].baseline_state == rules::BaselineState::kUnchanged);
  CHECK(current[0].state == rules::FindingState::kBaselined);
  CHECK(current[1].baseline_state == rules::BaselineState::kUpdated);
  CHECK(current[2].baseline_state == rules::BaselineState::kNew);
  CHECK(current[2].state == rules::FindingState::kOpen);
  // The same finding in another file is new: the key includes the file.
  CHECK(current[3].baseline_state == rules::BaselineState::kNew);
  REQUIRE(result.absent.size() == 1);
  CHECK(result.absent[0].loc.file == "gone.json");
  CHECK(result.absent[0].baseline_state == rules::BaselineState::kAbsent);
}

TEST_CASE("renamed files keep their findings") {
  gate::Baseline earlier =
      gate::baseline_of({finding("r", "old/.mcp.json", 3, "k1")}, {}, "revision main");
  std::vector<rules::Finding> current = {finding("r", "new/.mcp.json", 3, "k1")};
  core::DiagnosticSink sink;
  auto result =
      gate::compare_with(current, {}, earlier, {{"old/.mcp.json", "new/.mcp.json"}}, false, sink);
  CHECK(current[0].baseline_state == rules::BaselineState::kUnchanged);
  CHECK(current[0].state == rules::FindingState::kOpen);  // --new-since keeps them open
  CHECK(result.absent.empty());
}

TEST_CASE("a file that does not parse at one side makes its findings incomparable, never fixed") {
  gate::Baseline earlier =
      gate::baseline_of({finding("r", "a.json", 3, "k1")}, {parse_error("b.json")}, "baseline");
  // a.json fails now: its recorded finding is not "fixed".
  std::vector<rules::Finding> current = {finding("r", "b.json", 2, "k9")};
  core::DiagnosticSink sink;
  auto result = gate::compare_with(current, {parse_error("a.json")}, earlier, {}, true, sink);
  CHECK(result.absent.empty());
  REQUIRE(sink.size() == 1);
  CHECK(sink.items()[0].code == core::DiagCode::kBaselineIncomparable);
  // b.json failed then: its finding now cannot be called new or old.
  CHECK(current[0].baseline_state == rules::BaselineState::kIncomparable);
}
