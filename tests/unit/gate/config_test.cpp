#include "gate/config.hpp"

#include <doctest/doctest.h>

using namespace fermata;

namespace {

std::string first_error(const std::string& text) {
  core::DiagnosticSink sink;
  CHECK_FALSE(gate::parse_config(".fermata.yaml", text, "", sink).has_value());
  REQUIRE(sink.has_errors());
  return core::format_diagnostic(sink.items().front());
}

}  // namespace

TEST_CASE("a complete configuration is read with every setting") {
  const std::string text = R"(version: 1
fail_on: medium
rules:
  disable: [mcp-remote-server-without-auth]
  severity:
    mcp-server-unpinned-package: high
  directories: [policy/rules]
ignore_paths: ["examples/**", "vendor/"]
baseline: .fermata-baseline.json
suppressions:
  - rule: mcp-remote-server-insecure-transport
    path: .vscode/mcp.json
    entity: legacy
    reason: The legacy server is on an isolated lab network
    until: 2027-03-31
identities:
  - identity: arn:aws:iam::123456789012:role/helpdesk-agent
    policies: [iam/helpdesk-agent.json]
agents:
  helpdesk:
    autonomy: semi-autonomous
    tools: [tickets, search]
    data_scopes: [tickets]
    spending_cap: {amount: 10000, currency: USD, period: day}
)";
  core::DiagnosticSink sink;
  auto config = gate::parse_config("repo/.fermata.yaml", text, "repo", sink);
  REQUIRE(config.has_value());
  CHECK(sink.size() == 0);
  CHECK(config->fail_on == core::Severity::kMedium);
  CHECK(config->disable_rules == std::vector<std::string>{"mcp-remote-server-without-auth"});
  CHECK(config->severity_overrides.at("mcp-server-unpinned-package") == core::Severity::kHigh);
  CHECK(config->rule_directories == std::vector<std::string>{"repo/policy/rules"});
  CHECK(config->ignore_paths.size() == 2);
  CHECK(config->baseline == "repo/.fermata-baseline.json");
  REQUIRE(config->suppressions.size() == 1);
  CHECK(config->suppressions[0].entity == "legacy");
  CHECK(config->suppressions[0].until->to_string() == "2027-03-31");
  CHECK(config->suppressions[0].loc.span.line == 11);
  REQUIRE(config->identities.size() == 1);
  CHECK(config->identities[0].policies[0] == "iam/helpdesk-agent.json");
  REQUIRE(config->agents.size() == 1);
  CHECK(config->agents[0].autonomy == "semi-autonomous");
  CHECK(config->agents[0].spending_cap->amount == 10000);
  CHECK(config->agents[0].spending_cap->period == "day");
}

TEST_CASE("an empty or comment-only configuration is valid") {
  core::DiagnosticSink sink;
  CHECK(gate::parse_config(".fermata.yaml", "# nothing yet\n", "", sink).has_value());
  CHECK(gate::parse_config(".fermata.yaml", "", "", sink).has_value());
}

TEST_CASE("unknown keys and wrong types are errors at their line") {
  CHECK(first_error("fail_on: high\nfailon: low\n") ==
        ".fermata.yaml:2:1: error: unknown key 'failon' in the configuration (known: version, "
        "fail_on, "
        "rules, ignore_paths, baseline, suppressions, identities, agents) [config.unknown-key]");
  CHECK(first_error("fail_on: severe\n").rfind(".fermata.yaml:1:10: error: 'fail_on' must be", 0) ==
        0);
  CHECK(first_error("rules:\n  disable: mcp-x\n")
            .find("2:12: error: 'rules.disable' must be a list, not a string") !=
        std::string::npos);
  CHECK(first_error("rules:\n  severity:\n    x: huge\n")
            .find("3:8: error: severity of 'x' must be") != std::string::npos);
  CHECK(first_error("suppressions:\n  - rule: r\n    path: a\n")
            .find("a suppression needs a 'reason'") != std::string::npos);
  CHECK(first_error("suppressions:\n  - rule: r\n    reason: ok\n    until: 2027-02-30\n")
            .find("4:12: error: 'until' must be a date written YYYY-MM-DD") != std::string::npos);
  CHECK(first_error("agents:\n  a:\n    autonomy: total\n").find("'autonomy' must be limited") !=
        std::string::npos);
  CHECK(first_error("agents:\n  a:\n    spending_cap: {amount: lots, currency: USD, period: day}\n")
            .find("'spending_cap.amount' must be a number") != std::string::npos);
  CHECK(
      first_error("agents:\n  a:\n    spending_cap: {amount: 5, currency: dollars, period: day}\n")
          .find("ISO 4217") != std::string::npos);
  CHECK(first_error("[1, 2]\n").find("the configuration must be a mapping") != std::string::npos);
  CHECK(first_error("a: [\n").find("[config.syntax]") != std::string::npos);
  CHECK(first_error("version: 2\n").find("'version' must be 1") != std::string::npos);
}

TEST_CASE("dates are real calendar days") {
  CHECK(gate::parse_date("2024-02-29").has_value());
  CHECK_FALSE(gate::parse_date("2023-02-29").has_value());
  CHECK_FALSE(gate::parse_date("2023-13-01").has_value());
  CHECK_FALSE(gate::parse_date("2023-1-01").has_value());
  CHECK_FALSE(gate::parse_date("tomorrow").has_value());
  CHECK(gate::parse_date("2026-11-22")->ordinal() == 20261122);
}
