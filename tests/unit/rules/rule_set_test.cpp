#include "rules/rule_set.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace fermata;

namespace {

const char* const kValid = R"(id: test-insecure
title: Test rule
severity: high
maestro: [L7]
owasp: [ASI07, T16]
description: Finds things. More text.
remediation: Fix things.
references: [https://example.com]
match:
  entity: mcp_server
  where: remote and endpoint.scheme == "http"
  at: endpoint.url
message: "server '{name}' at {endpoint.url}"
)";

std::string first_error(const std::string& path, const std::string& text) {
  core::DiagnosticSink sink;
  rules::RuleSet set;
  CHECK_FALSE(set.load({path, text}, sink));
  REQUIRE(sink.has_errors());
  return core::format_diagnostic(sink.items().front());
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a valid rule loads with its metadata") {
  core::DiagnosticSink sink;
  rules::RuleSet set;
  REQUIRE(set.load({"my/test-insecure.yaml", kValid}, sink));
  REQUIRE(set.rules().size() == 1);
  const auto& meta = set.rules()[0].meta;
  CHECK(meta.id == "test-insecure");
  CHECK(meta.severity == core::Severity::kHigh);
  CHECK(meta.short_description() == "Finds things.");
  CHECK(meta.source.file == "my/test-insecure.yaml");
  CHECK(meta.source.span.line == 1);
  CHECK(meta.where == "remote and endpoint.scheme == \"http\"");
}

TEST_CASE("rule problems are errors at the rule file's line and column") {
  CHECK(first_error("r/test-insecure.yaml",
                    replace(kValid, "title: Test rule\n", "title: Test rule\ncolour: red\n")) ==
        "r/test-insecure.yaml:3:1: error: unknown field 'colour' in a rule (known: id, title, "
        "severity, "
        "maestro, owasp, description, remediation, references, aliases, match, message, "
        "autonomy_note) "
        "[rule.unknown-field]\n  note: in rule test-insecure");
  CHECK(first_error("r/test-insecure.yaml",
                    replace(kValid, "endpoint.scheme ==", "endpoint.sceme =="))
            .rfind("r/test-insecure.yaml:11:21: error: in 'where': unknown attribute 'sceme' of "
                   "endpoint",
                   0) == 0);
  CHECK(first_error("r/test-insecure.yaml",
                    replace(kValid, "where: remote and endpoint.scheme == \"http\"",
                            "where: name matches \"(\""))
            .rfind("r/test-insecure.yaml:11:23: error: in 'where': invalid RE2 pattern", 0) == 0);
  CHECK(first_error("r/test-insecure.yaml", replace(kValid, "severity: high", "severity: severe"))
            .find("3:11: error: 'severity' must be one of") != std::string::npos);
  CHECK(first_error("r/test-insecure.yaml", replace(kValid, "maestro: [L7]", "maestro: [L9]"))
            .find("unknown MAESTRO layer 'L9'") != std::string::npos);
  CHECK(
      first_error("r/test-insecure.yaml", replace(kValid, "owasp: [ASI07, T16]", "owasp: [ASI11]"))
          .find("unknown OWASP id 'ASI11'") != std::string::npos);
  CHECK(first_error("r/other-name.yaml", kValid).find("differs from its file name 'other-name'") !=
        std::string::npos);
  CHECK(first_error("r/test-insecure.yaml", replace(kValid, "entity: mcp_server", "entity: mcp"))
            .find("unknown entity kind 'mcp'") != std::string::npos);
  CHECK(first_error("r/test-insecure.yaml", replace(kValid, "{endpoint.url}\"", "{endpoint.uri}\""))
            .find("in a message placeholder: unknown attribute 'uri'") != std::string::npos);
  CHECK(first_error("r/test-insecure.yaml", replace(kValid, "remediation: Fix things.\n", ""))
            .find("missing required field 'remediation'") != std::string::npos);
  CHECK(first_error("r/test-insecure.yaml", "id: [unclosed\n").find("[rule.syntax]") !=
        std::string::npos);
}

TEST_CASE("block-scalar expressions report the line inside the block") {
  const std::string text = replace(kValid, "  where: remote and endpoint.scheme == \"http\"\n",
                                   "  where: >-\n    remote\n    and bogus\n");
  CHECK(first_error("r/test-insecure.yaml", text)
            .rfind("r/test-insecure.yaml:13:9: error: in 'where': unknown attribute 'bogus'", 0) ==
        0);
}

TEST_CASE("duplicate ids are rejected") {
  core::DiagnosticSink sink;
  rules::RuleSet set;
  REQUIRE(set.load({"a/test-insecure.yaml", kValid}, sink));
  CHECK_FALSE(set.load({"b/test-insecure.yaml", kValid}, sink));
  CHECK(core::format_diagnostic(sink.items().back())
            .find("already defined in a/test-insecure.yaml:1:") != std::string::npos);
}

TEST_CASE("for_each binds each element and findings point at it") {
  const std::string text = R"(id: test-each
title: Each
severity: low
maestro: [L2]
owasp: [T3]
description: Each arg.
remediation: None.
references: [https://example.com]
match:
  entity: mcp_server
  for_each: a in args
  where: a == "/"
  at: a
message: "arg {a} of {name}"
)";
  core::DiagnosticSink sink;
  rules::RuleSet set;
  REQUIRE(set.load({"x/test-each.yaml", text}, sink));
  model::Graph graph;
  model::Entity& server = graph.add(model::EntityKind::kMcpServer, "fs", {"c.json", {2, 3, 2, 6}});
  server.attrs.set("name", model::Value::of_string("fs"));
  model::Value args = model::Value::list();
  args.push(model::Value::of_string("-y", {"c.json", {4, 10, 4, 13}}));
  args.push(model::Value::of_string("/", {"c.json", {4, 16, 4, 18}}));
  server.attrs.set("args", args);
  auto findings = rules::evaluate(set, graph);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].message == "arg / of fs");
  CHECK(findings[0].loc.span.line == 4);
  CHECK(findings[0].loc.span.column == 16);
  CHECK(findings[0].fingerprint.size() == 32);
}

TEST_CASE("a parenthesised placeholder that renders empty is dropped with its parentheses") {
  const std::string text = R"(id: test-paren
title: Paren
severity: low
maestro: [L7]
owasp: [T3]
description: Paren.
remediation: None.
references: [https://example.com]
match:
  entity: mcp_server
  where: name != ""
message: "server '{name}' ({client.client}) at ({url}) ok"
)";
  core::DiagnosticSink sink;
  rules::RuleSet set;
  REQUIRE(set.load({"x/test-paren.yaml", text}, sink));
  model::Graph graph;
  model::Entity& agent = graph.add(model::EntityKind::kAgent, "Cursor", {"c.json", {1, 1, 1, 2}});
  agent.attrs.set("client", model::Value::of_string("Cursor"));
  const model::EntityId agent_id = agent.id;
  model::Entity& declared = graph.add(model::EntityKind::kMcpServer, "a", {"c.json", {2, 3, 2, 6}});
  declared.attrs.set("name", model::Value::of_string("a"));
  declared.attrs.set("client", model::Value::of_ref(agent_id));
  declared.attrs.set("url", model::Value::of_string("https://a"));
  model::Entity& bare = graph.add(model::EntityKind::kMcpServer, "b", {"s.json", {2, 3, 2, 6}});
  bare.attrs.set("name", model::Value::of_string("b"));
  auto findings = rules::evaluate(set, graph);
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].message == "server 'a' (Cursor) at (https://a) ok");
  CHECK(findings[1].message == "server 'b' at ok");
}

TEST_CASE("fingerprints ignore line moves and follow the value at fault") {
  const std::string text = std::string(kValid);
  core::DiagnosticSink sink;
  rules::RuleSet set;
  REQUIRE(set.load({"x/test-insecure.yaml", text}, sink));
  auto fingerprint = [&](uint32_t line, const std::string& url) {
    model::Graph graph;
    model::Entity& server =
        graph.add(model::EntityKind::kMcpServer, "s", {"c.json", {line, 3, line, 5}});
    server.attrs.set("name", model::Value::of_string("s"));
    server.attrs.set("remote", model::Value::of_bool(true));
    model::Value endpoint = model::Value::record();
    endpoint.set("scheme", model::Value::of_string("http"));
    endpoint.set("url", model::Value::of_string(url, {"c.json", {line + 1, 10, line + 1, 30}}));
    server.attrs.set("endpoint", endpoint);
    auto findings = rules::evaluate(set, graph);
    REQUIRE(findings.size() == 1);
    return findings[0].fingerprint;
  };
  CHECK(fingerprint(3, "http://a.example") == fingerprint(40, "http://a.example"));
  CHECK(fingerprint(3, "http://a.example") != fingerprint(3, "http://b.example"));
}

TEST_CASE("every shipped rule loads") {
  core::DiagnosticSink sink;
  rules::RuleSet set;
  CHECK(set.load_builtin(sink));
  for (const auto& d : sink.items()) FAIL_CHECK(core::format_diagnostic(d));
}

TEST_CASE("evidence paths become the finding's chain, strings at their lines, refs at the entity") {
  const std::string text = R"(id: test-chain
title: Chain
severity: high
maestro: [L3]
owasp: [ASI02]
description: Chains.
remediation: Fix.
match:
  entity: agent
  where: len(servers) > 0
  evidence: [autonomy_reasons, servers]
message: "agent {name}"
)";
  core::DiagnosticSink sink;
  rules::RuleSet set;
  REQUIRE(set.load({"x/test-chain.yaml", text}, sink));
  model::Graph graph;
  model::Entity& agent = graph.add(model::EntityKind::kAgent, "a", {"a.json", {1, 1, 1, 2}});
  const model::EntityId agent_id = agent.id;
  model::Entity& server = graph.add(model::EntityKind::kMcpServer, "s", {"m.json", {7, 5, 7, 8}});
  const model::EntityId server_id = server.id;
  model::Entity& owner = graph.at_mut(agent_id);
  model::Value reasons = model::Value::list();
  reasons.push(model::Value::of_string("it never asks", {"a.json", {3, 4, 3, 9}}));
  owner.attrs.set("autonomy_reasons", reasons);
  model::Value servers = model::Value::list();
  servers.push(model::Value::of_ref(server_id));
  owner.attrs.set("servers", servers);
  auto findings = rules::evaluate(set, graph);
  REQUIRE(findings.size() == 1);
  REQUIRE(findings[0].evidence.size() == 2);
  CHECK(findings[0].evidence[0].message == "it never asks");
  CHECK(findings[0].evidence[0].loc.span.line == 3);
  CHECK(findings[0].evidence[1].message == "mcp_server 's'");
  CHECK(findings[0].evidence[1].loc.file == "m.json");
  CHECK(findings[0].evidence[1].loc.span.line == 7);

  CHECK(first_error("x/test-chain.yaml",
                    replace(text, "[autonomy_reasons, servers]", "[approval == \"x\"]"))
            .find("'evidence' must be a path to strings or entity references") !=
        std::string::npos);
  CHECK(first_error("x/test-chain.yaml", replace(text, "[autonomy_reasons, servers]", "max_rpm"))
            .find("'evidence' must be a path to strings or entity references") !=
        std::string::npos);
}
