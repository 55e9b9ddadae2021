// A small hand-built Report shared by the reporter tests: two rules, three findings in two
// files (one with an evidence chain, one suppressed), diagnostics, and one planted secret that
// appears in a source line, a message and a diagnostic and must never reach any output.
#pragma once

#include <memory>
#include <string>

#include "core/diagnostic.hpp"
#include "report/report.hpp"

namespace fermata::report::testing {

inline const std::string kSecret = "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5";

inline const std::string kMcpJson =
    "{\n"
    "  \"mcpServers\": {\n"
    "    \"github\": {\n"
    "      \"url\": \"https://mcp.example.com/github\",\n"
    "      \"headers\": {\"Authorization\": \"Bearer " +
    kSecret +
    "\"}\n"
    "    },\n"
    "    \"search\": {\n"
    "      \"url\": \"http://search.internal:8080/mcp\"\n"
    "    }\n"
    "  }\n"
    "}\n";

inline const std::string kAgentYaml =
    "apiVersion: v1\n"
    "kind: Service\n"
    "metadata:\n"
    "  name: search\n"
    "spec:\n"
    "  selector: {app: search}\n"
    "---\n"
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata:\n"
    "  name: search\n"
    "spec:\n"
    "  template:\n"
    "    spec:\n"
    "      containers:\n"
    "        - name: mcp\n"
    "          args: [\"--auth=none\", \"--port=8080\"]\n";

inline core::SourceLoc loc(std::string file, uint32_t line, uint32_t column, uint32_t end_line,
                           uint32_t end_column) {
  return core::SourceLoc{std::move(file), core::Span{line, column, end_line, end_column}};
}

inline rules::RuleMeta remote_rule() {
  rules::RuleMeta meta;
  meta.id = "mcp-remote-server-without-auth";
  meta.title = "Remote MCP server without authentication";
  meta.severity = core::Severity::kHigh;
  meta.maestro = {"L7", "L6"};
  meta.owasp = {"ASI02", "T2"};
  meta.description =
      "An MCP server reachable over the network accepts calls without authentication. Anyone "
      "who can reach it can invoke its tools with the server's privileges.";
  meta.remediation = "Require a bearer token or mutual TLS on the server.";
  meta.references = {"https://modelcontextprotocol.io/specification/draft/basic/authorization",
                     "https://genai.owasp.org/"};
  meta.entity = "mcp_server";
  return meta;
}

inline rules::RuleMeta secret_rule() {
  rules::RuleMeta meta;
  meta.id = "mcp-secret-in-config";
  meta.title = "Credential committed in an MCP client configuration";
  meta.severity = core::Severity::kCritical;
  meta.maestro = {"L2"};
  meta.owasp = {"ASI03"};
  meta.description = "A literal credential is written in an MCP client configuration.";
  meta.remediation = "Read the token from the environment instead (`${GITHUB_TOKEN}`).";
  meta.entity = "mcp_server";
  return meta;
}

inline Report sample_report() {
  Report report;
  report.tool_version = "0.1.0";
  report.scan_root = ".";
  report.rules = {remote_rule(), secret_rule()};
  report.files_discovered = 5;
  report.artifacts = {{".mcp.json", "mcp-client-config"}, {"deploy/agent.yaml", "kubernetes"}};
  report.exit_code = 1;

  auto sources = std::make_shared<SourceCache>();
  sources->put(".mcp.json", kMcpJson);
  sources->put("deploy/agent.yaml", kAgentYaml);
  report.sources = sources;
  report.redactor.add_secret(kSecret);

  rules::Finding secret;
  secret.rule_id = "mcp-secret-in-config";
  secret.severity = core::Severity::kCritical;
  secret.message = "MCP server 'github' sends the literal token " + kSecret + " in a header";
  secret.loc = loc(".mcp.json", 5, 7, 5, 85);
  secret.entity_kind = "mcp_server";
  secret.entity_name = "github";
  secret.entity_key = ".mcp.json#/mcpServers/github";
  secret.fingerprint = "3f1c9a0d5e7b2468";
  secret.blocking = true;

  rules::Finding suppressed;
  suppressed.rule_id = "mcp-remote-server-without-auth";
  suppressed.severity = core::Severity::kHigh;
  suppressed.message = "MCP server 'search' is reached over plain HTTP without authentication";
  suppressed.loc = loc(".mcp.json", 8, 7, 8, 46);
  suppressed.entity_kind = "mcp_server";
  suppressed.entity_name = "search";
  suppressed.entity_key = ".mcp.json#/mcpServers/search";
  suppressed.fingerprint = "9a8b7c6d5e4f3021";
  suppressed.state = rules::FindingState::kSuppressed;
  suppressed.suppression_reason = "internal network only (SEC-12)";

  rules::Finding chained;
  chained.rule_id = "mcp-remote-server-without-auth";
  chained.severity = core::Severity::kHigh;
  chained.message = "Deployment 'search' serves MCP with authentication turned off";
  chained.loc = loc("deploy/agent.yaml", 17, 11, 17, 46);
  chained.entity_kind = "workload";
  chained.entity_name = "search";
  chained.entity_key = "apps/v1/Deployment/default/search";
  chained.evidence = {
      {"the client reaches it at http://search.internal:8080/mcp", loc(".mcp.json", 8, 14, 8, 46)},
      {"Service 'search' routes to this Deployment", loc("deploy/agent.yaml", 4, 9, 4, 14)},
  };
  chained.fingerprint = "0f1e2d3c4b5a6978";
  chained.blocking = true;

  report.findings = {secret, suppressed, chained};

  core::Diagnostic schema = core::make_diagnostic(
      core::DiagCode::kSchema, "unexpected header value 'Bearer " + kSecret + "'",
      loc(".mcp.json", 5, 36, 5, 85));
  core::Diagnostic too_large =
      core::make_diagnostic(core::DiagCode::kFileTooLarge, "9000000 bytes, limit 8388608",
                            core::SourceLoc{"big.json", {}});
  core::Diagnostic syntax =
      core::make_diagnostic(core::DiagCode::kYamlSyntax, "mapping values are not allowed here",
                            loc("broken.yaml", 3, 5, 3, 5));
  syntax.notes = {"in document 2"};
  report.diagnostics = {schema, too_large, syntax};
  return report;
}

}  // namespace fermata::report::testing
