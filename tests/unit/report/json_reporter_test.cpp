#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "report/reporter.hpp"
#include "tests/unit/report/sample_report.hpp"

namespace fermata::report {
namespace {

std::string render(const Report& report) {
  std::ostringstream out;
  write_json(report, out, ReporterOptions{});
  return out.str();
}

nlohmann::json parse(const Report& report) { return nlohmann::json::parse(render(report)); }

TEST_CASE("json: top level, scan and summary") {
  const auto doc = parse(testing::sample_report());
  CHECK(doc["schema_version"] == 1);
  CHECK(doc["tool"] == nlohmann::json{{"name", "fermata"}, {"version", "0.1.0"}});
  CHECK(doc["scan"] == nlohmann::json::parse(R"({"root": ".", "files_discovered": 5,
      "files_parsed": 2, "fail_on": "high", "exit_code": 1, "blocking": 2})"));
  CHECK(doc["summary"] == nlohmann::json::parse(R"({"critical": 1, "high": 1, "medium": 0,
      "low": 0, "info": 0, "suppressed": 1, "baselined": 0})"));
  CHECK(doc["artifacts"] == nlohmann::json::parse(R"([
      {"path": ".mcp.json", "format": "mcp-client-config"},
      {"path": "deploy/agent.yaml", "format": "kubernetes"}])"));
}

TEST_CASE("json: key order is fixed") {
  const std::string out = render(testing::sample_report());
  const char* kOrder[] = {"\"schema_version\"", "\"tool\"",        "\"scan\"",     "\"summary\"",
                          "\"findings\"",       "\"diagnostics\"", "\"artifacts\""};
  size_t last = 0;
  for (const char* key : kOrder) {
    const size_t at = out.find(key);
    REQUIRE(at != std::string::npos);
    CHECK(at >= last);
    last = at;
  }
  CHECK(out.starts_with("{\n  \"schema_version\": 1,\n  \"tool\": {\n"));
  CHECK(out.ends_with("}\n"));
}

TEST_CASE("json: findings") {
  const auto doc = parse(testing::sample_report());
  REQUIRE(doc["findings"].size() == 3);

  const auto& secret = doc["findings"][0];
  CHECK(secret == nlohmann::json::parse(R"({
      "rule_id": "mcp-secret-in-config",
      "title": "Credential committed in an MCP client configuration",
      "severity": "critical",
      "maestro": ["L2"],
      "owasp": ["ASI03"],
      "message": "MCP server 'github' sends the literal token ghp_**** in a header",
      "location": {"file": ".mcp.json", "line": 5, "column": 7, "end_line": 5, "end_column": 85},
      "snippet": "      \"headers\": {\"Authorization\": \"Bearer ghp_****\"}",
      "entity": {"kind": "mcp_server", "name": "github", "key": ".mcp.json#/mcpServers/github"},
      "evidence": [],
      "fingerprint": "3f1c9a0d5e7b2468",
      "state": "open",
      "blocking": true})"));

  const auto& suppressed = doc["findings"][1];
  CHECK(suppressed["state"] == "suppressed");
  CHECK(suppressed["suppression_reason"] == "internal network only (SEC-12)");
  CHECK(suppressed["blocking"] == false);

  const auto& chained = doc["findings"][2];
  CHECK_FALSE(chained.contains("suppression_reason"));
  CHECK(chained["maestro"] == nlohmann::json{"L7", "L6"});
  CHECK(chained["snippet"] == "          args: [\"--auth=none\", \"--port=8080\"]");
  CHECK(chained["evidence"] == nlohmann::json::parse(R"([
      {"message": "the client reaches it at http://search.internal:8080/mcp",
       "location": {"file": ".mcp.json", "line": 8, "column": 14, "end_line": 8,
                    "end_column": 46}},
      {"message": "Service 'search' routes to this Deployment",
       "location": {"file": "deploy/agent.yaml", "line": 4, "column": 9, "end_line": 4,
                    "end_column": 14}}])"));
}

TEST_CASE("json: diagnostics") {
  const auto doc = parse(testing::sample_report());
  REQUIRE(doc["diagnostics"].size() == 3);
  CHECK(doc["diagnostics"][0]["message"] == "unexpected header value 'Bearer ghp_****'");
  CHECK(doc["diagnostics"][1] == nlohmann::json::parse(R"({
      "code": "discover.file-too-large", "level": "warning",
      "message": "9000000 bytes, limit 8388608",
      "location": {"file": "big.json", "line": 0, "column": 0, "end_line": 0, "end_column": 0},
      "notes": []})"));
  CHECK(doc["diagnostics"][2]["code"] == "parse.yaml.syntax");
  CHECK(doc["diagnostics"][2]["level"] == "error");
  CHECK(doc["diagnostics"][2]["notes"] == nlohmann::json{"in document 2"});
}

TEST_CASE("json: stable, secret-free, valid even with invalid UTF-8 input") {
  Report report = testing::sample_report();
  const std::string first = render(report);
  CHECK(first == render(report));
  CHECK(first.find(testing::kSecret) == std::string::npos);
  CHECK(first.find("aB3dE5") == std::string::npos);

  report.findings[0].message = "bad byte \xFF here";
  auto sources = std::make_shared<SourceCache>(*report.sources);
  sources->put(".mcp.json", "{\n\n\n\n  \"k\": \"\xC3\x28\"\n}\n");
  report.sources = sources;
  const auto doc = nlohmann::json::parse(render(report));
  CHECK(doc["findings"][0]["message"] == "bad byte \xEF\xBF\xBD here");
  CHECK(doc["findings"][0]["snippet"] == "  \"k\": \"\xEF\xBF\xBD(\"");
}

TEST_CASE("json: fail_on none and missing sources") {
  Report report = testing::sample_report();
  report.fail_on_none = true;
  report.sources = nullptr;
  const auto doc = parse(report);
  CHECK(doc["scan"]["fail_on"] == "none");
  CHECK(doc["findings"][0]["snippet"] == "");
}

TEST_CASE("json: an empty report still has every section") {
  const auto doc = parse(Report{});
  CHECK(doc["findings"] == nlohmann::json::array());
  CHECK(doc["diagnostics"] == nlohmann::json::array());
  CHECK(doc["artifacts"] == nlohmann::json::array());
  CHECK(doc["scan"]["blocking"] == 0);
  CHECK(doc["summary"]["critical"] == 0);
}

}  // namespace
}  // namespace fermata::report
