#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "report/line_hash.hpp"
#include "report/reporter.hpp"
#include "tests/unit/report/sample_report.hpp"

namespace fermata::report {
namespace {

using nlohmann::json;

std::string render(const Report& report, bool keep_suppressed = false) {
  std::ostringstream out;
  ReporterOptions options;
  options.sarif_keep_suppressed = keep_suppressed;
  write_sarif(report, out, options);
  return out.str();
}

json run_of(const Report& report, bool keep_suppressed = false) {
  const json doc = json::parse(render(report, keep_suppressed));
  REQUIRE(doc["runs"].size() == 1);
  return doc["runs"][0];
}

TEST_CASE("sarif: the log and the tool") {
  const json doc = json::parse(render(testing::sample_report()));
  CHECK(doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json");
  CHECK(doc["version"] == "2.1.0");
  const json& driver = doc["runs"][0]["tool"]["driver"];
  CHECK(driver["name"] == "fermata");
  CHECK(driver["semanticVersion"] == "0.1.0");
  CHECK(driver["version"] == "0.1.0");
  CHECK(driver["informationUri"] == "https://github.com/fermata-dev/fermata");
  const json& run = doc["runs"][0];
  CHECK(run["automationDetails"] == json{{"id", "fermata/"}});
  CHECK(run["columnKind"] == "unicodeCodePoints");
  CHECK_FALSE(run.contains("originalUriBaseIds"));
}

TEST_CASE("sarif: rules carry everything GitHub shows") {
  const json run = run_of(testing::sample_report());
  const json& rules = run["tool"]["driver"]["rules"];
  REQUIRE(rules.size() == 2);
  CHECK(rules[0]["id"] == "mcp-remote-server-without-auth");
  CHECK(rules[1]["id"] == "mcp-secret-in-config");

  const json& remote = rules[0];
  CHECK(remote["name"] == "McpRemoteServerWithoutAuth");
  CHECK(remote["shortDescription"]["text"] ==
        "An MCP server reachable over the network accepts calls without authentication.");
  CHECK(remote["fullDescription"]["text"] == testing::remote_rule().description);
  CHECK(remote["help"]["text"] == testing::remote_rule().description +
                                      "\n\nRemediation: Require a bearer token or mutual TLS "
                                      "on the server.");
  const std::string markdown = remote["help"]["markdown"];
  CHECK(markdown.starts_with("## Remote MCP server without authentication\n\n"));
  CHECK(markdown.find("### Remediation\n\nRequire a bearer token") != std::string::npos);
  CHECK(markdown.find("### References\n\n- https://modelcontextprotocol.io/") != std::string::npos);
  CHECK(markdown.find("- MAESTRO: L7 Agent Ecosystem, L6 Security and Compliance\n") !=
        std::string::npos);
  CHECK(markdown.find("- OWASP: ASI02, T2\n") != std::string::npos);
  CHECK(remote["helpUri"] ==
        "https://modelcontextprotocol.io/specification/draft/basic/authorization");
  CHECK(remote["defaultConfiguration"]["level"] == "error");
  CHECK(remote["properties"] == json::parse(R"({"security-severity": "8.0",
      "tags": ["security", "maestro/L7", "maestro/L6", "owasp/ASI02", "owasp/T2"],
      "precision": "high", "problem.severity": "error"})"));
  REQUIRE(remote["relationships"].size() == 2);
  CHECK(remote["relationships"][0]["target"]["id"] == "L7");
  CHECK(remote["relationships"][0]["target"]["toolComponent"]["name"] == "MAESTRO");
  CHECK(remote["relationships"][0]["kinds"] == json{"superset"});

  CHECK(rules[1]["properties"]["security-severity"] == "9.5");
  CHECK_FALSE(rules[1].contains("helpUri"));

  const json& taxonomy = run["taxonomies"][0];
  CHECK(taxonomy["name"] == "MAESTRO");
  CHECK(taxonomy["guid"] == remote["relationships"][0]["target"]["toolComponent"]["guid"]);
  REQUIRE(taxonomy["taxa"].size() == 7);
  CHECK(taxonomy["taxa"][6]["id"] == "L7");
  CHECK(taxonomy["taxa"][6]["shortDescription"]["text"] == "Agent Ecosystem");
  CHECK(run["tool"]["driver"]["supportedTaxonomies"][0]["guid"] == taxonomy["guid"]);
}

TEST_CASE("sarif: levels and security-severity by severity") {
  struct Expect {
    core::Severity severity;
    const char* level;
    const char* score;
    const char* problem;
  };
  const Expect kTable[] = {
      {core::Severity::kCritical, "error", "9.5", "error"},
      {core::Severity::kHigh, "error", "8.0", "error"},
      {core::Severity::kMedium, "warning", "5.5", "warning"},
      {core::Severity::kLow, "note", "2.0", "recommendation"},
      {core::Severity::kInfo, "note", "1.0", "recommendation"},
  };
  for (const auto& expect : kTable) {
    Report report = testing::sample_report();
    report.rules[1].severity = expect.severity;
    report.findings[0].severity = expect.severity;
    const json run = run_of(report);
    const json& rule = run["tool"]["driver"]["rules"][1];
    CHECK(rule["defaultConfiguration"]["level"] == expect.level);
    CHECK(rule["properties"]["security-severity"] == expect.score);
    CHECK(rule["properties"]["problem.severity"] == expect.problem);
    CHECK(run["results"][0]["level"] == expect.level);
  }
}

TEST_CASE("sarif: results") {
  const json run = run_of(testing::sample_report());
  const json& results = run["results"];
  REQUIRE(results.size() == 2);  // the suppressed finding is left out by default

  const json& secret = results[0];
  CHECK(secret["ruleId"] == "mcp-secret-in-config");
  CHECK(secret["ruleIndex"] == 1);
  CHECK(secret["level"] == "error");
  CHECK(secret["message"]["text"] ==
        "MCP server 'github' sends the literal token ghp_**** in a header");
  json primary = json::parse(R"([{"physicalLocation": {
      "artifactLocation": {"uri": ".mcp.json", "uriBaseId": "%SRCROOT%"},
      "region": {"startLine": 5, "startColumn": 7, "endLine": 5, "endColumn": 86}}}])");
  primary[0]["physicalLocation"]["region"]["snippet"]["text"] =
      R"(      "headers": {"Authorization": "Bearer ghp_****"})";
  CHECK(secret["locations"] == primary);
  const auto hashes = line_hashes(testing::kMcpJson);
  CHECK(secret["partialFingerprints"] ==
        json{{"primaryLocationLineHash", hashes[4]}, {"fermata/v1", "3f1c9a0d5e7b2468"}});
  CHECK(secret["properties"] == json::parse(R"({"severity": "critical", "maestro": ["L2"],
      "owasp": ["ASI03"], "entity": "github"})"));
  CHECK_FALSE(secret.contains("codeFlows"));
  CHECK_FALSE(secret.contains("relatedLocations"));
  CHECK_FALSE(secret.contains("suppressions"));

  const json& chained = results[1];
  CHECK(chained["ruleIndex"] == 0);
  CHECK(chained["partialFingerprints"]["primaryLocationLineHash"] ==
        line_hashes(testing::kAgentYaml)[16]);
  REQUIRE(chained["relatedLocations"].size() == 2);
  CHECK(chained["relatedLocations"][0]["id"] == 1);
  CHECK(chained["relatedLocations"][1]["id"] == 2);
  CHECK(chained["relatedLocations"][0]["message"]["text"] ==
        "the client reaches it at http://search.internal:8080/mcp");
  CHECK(chained["relatedLocations"][1]["physicalLocation"]["region"] ==
        json::parse(R"({"startLine": 4, "startColumn": 9, "endLine": 4, "endColumn": 15,
                        "snippet": {"text": "  name: search"}})"));
  const json& flow = chained["codeFlows"][0]["threadFlows"][0]["locations"];
  REQUIRE(flow.size() == 3);
  CHECK(flow[0]["location"]["physicalLocation"] ==
        chained["relatedLocations"][0]["physicalLocation"]);
  CHECK(flow[1]["location"]["message"]["text"] == "Service 'search' routes to this Deployment");
  CHECK(flow[2]["location"]["physicalLocation"] == chained["locations"][0]["physicalLocation"]);
  CHECK(flow[2]["location"]["message"]["text"] == chained["message"]["text"]);
}

TEST_CASE("sarif: suppressed and baselined results on request") {
  Report report = testing::sample_report();
  json run = run_of(report, true);
  REQUIRE(run["results"].size() == 3);
  CHECK(run["results"][1]["suppressions"] ==
        json::parse(
            R"J([{"kind": "inSource", "justification": "internal network only (SEC-12)"}])J"));

  report.findings[1].state = rules::FindingState::kBaselined;
  run = run_of(report, true);
  CHECK(run["results"][1]["suppressions"][0]["kind"] == "external");
}

TEST_CASE("sarif: diagnostics become tool execution notifications") {
  Report report = testing::sample_report();
  json invocation = run_of(report)["invocations"][0];
  CHECK(invocation["executionSuccessful"] == true);
  const json& notes = invocation["toolExecutionNotifications"];
  REQUIRE(notes.size() == 3);
  CHECK(notes[0]["level"] == "warning");
  CHECK(notes[0]["message"]["text"] == "unexpected header value 'Bearer ghp_****'");
  CHECK(notes[0]["descriptor"]["id"] == "parse.schema");
  CHECK(notes[1]["locations"][0]["physicalLocation"] ==
        json::parse(R"({"artifactLocation": {"uri": "big.json", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 1}})"));
  CHECK(notes[2]["level"] == "error");
  CHECK(notes[2]["message"]["text"] == "mapping values are not allowed here (in document 2)");
  CHECK(notes[2]["locations"][0]["physicalLocation"]["region"] ==
        json::parse(R"({"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 6})"));

  report.exit_code = 2;
  invocation = run_of(report)["invocations"][0];
  CHECK(invocation["executionSuccessful"] == false);
}

TEST_CASE("sarif: URIs are relative references") {
  Report report = testing::sample_report();
  report.sources = nullptr;
  const std::pair<std::string, std::string> kPaths[] = {
      {"./deploy/agent.yaml", "deploy/agent.yaml"},
      {"/etc/agent.yaml", "etc/agent.yaml"},
      {"my dir/caf\xC3\xA9.json", "my%20dir/caf%C3%A9.json"},
      {"c:weird#name?.json", "c%3Aweird%23name%3F.json"},
      {"100%.yaml", "100%25.yaml"},
  };
  for (const auto& [path, uri] : kPaths) {
    report.findings[0].loc.file = path;
    const json run = run_of(report);
    CHECK(run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri);
  }
}

TEST_CASE("sarif: whole-file findings and missing sources") {
  Report report = testing::sample_report();
  report.findings[0].loc = core::SourceLoc{".mcp.json", {}};
  json result = run_of(report)["results"][0];
  CHECK(result["locations"][0]["physicalLocation"]["region"] == json{{"startLine", 1}});
  CHECK(result["partialFingerprints"]["primaryLocationLineHash"] ==
        line_hashes(testing::kMcpJson)[0]);

  report.sources = nullptr;
  result = run_of(report)["results"][0];
  CHECK_FALSE(result["partialFingerprints"].contains("primaryLocationLineHash"));
  CHECK(result["partialFingerprints"]["fermata/v1"] == "3f1c9a0d5e7b2468");
}

TEST_CASE("sarif: long descriptions, many tags, unknown rules") {
  Report report = testing::sample_report();
  std::string description;
  while (description.size() < 1500) description += "word ";
  report.rules[0].description = "Short first sentence. " + description;
  for (int i = 0; i < 30; ++i) report.rules[0].owasp.push_back("T" + std::to_string(i));
  rules::Finding stray = report.findings[0];
  stray.rule_id = "not-in-rule-list";
  stray.loc.file = "zz.json";
  report.findings.push_back(stray);

  const json run = run_of(report);
  const json& rules = run["tool"]["driver"]["rules"];
  const std::string full = rules[0]["fullDescription"]["text"];
  CHECK(full.ends_with("word\xE2\x80\xA6"));
  CHECK(full.size() <= 1002);  // 999 ASCII characters and a three-byte ellipsis at most
  CHECK(rules[0]["properties"]["tags"].size() == 20);

  REQUIRE(rules.size() == 3);
  CHECK(rules[2]["id"] == "not-in-rule-list");
  CHECK_FALSE(std::string(rules[2]["help"]["text"]).empty());
  CHECK(run["results"].back()["ruleIndex"] == 2);
}

TEST_CASE("sarif: an evidence step without a file stays in the flow only") {
  Report report = testing::sample_report();
  report.findings[2].evidence.insert(report.findings[2].evidence.begin(),
                                     {"derived: no authentication anywhere", {}});
  const json result = run_of(report)["results"][1];
  REQUIRE(result["relatedLocations"].size() == 2);
  CHECK(result["relatedLocations"][0]["id"] == 1);
  CHECK(result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
        ".mcp.json");
  CHECK(result["relatedLocations"][1]["id"] == 2);
  const json& flow = result["codeFlows"][0]["threadFlows"][0]["locations"];
  REQUIRE(flow.size() == 4);
  CHECK(flow[0]["location"] ==
        json::parse(R"({"message": {"text": "derived: no authentication anywhere"}})"));
}

TEST_CASE("sarif: invalid UTF-8 in a scanned file still gives valid JSON") {
  Report report = testing::sample_report();
  auto sources = std::make_shared<SourceCache>(*report.sources);
  sources->put(".mcp.json", "{\n\n\n\n  \"k\": \"\xC3\x28\xFF\"\n}\n");
  report.sources = sources;
  const json run = run_of(report);
  CHECK(run["results"][0]["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] ==
        "  \"k\": \"\xEF\xBF\xBD(\xEF\xBF\xBD\"");
}

TEST_CASE("sarif: stable and secret-free in both modes") {
  const Report report = testing::sample_report();
  for (bool keep : {false, true}) {
    const std::string first = render(report, keep);
    CHECK(first == render(report, keep));
    CHECK(first.find(testing::kSecret) == std::string::npos);
    CHECK(first.find("aB3dE5") == std::string::npos);
    CHECK(first.ends_with("}\n"));
  }
}

TEST_CASE("sarif: an empty report still has results and rules arrays") {
  const json run = run_of(Report{});
  CHECK(run["results"] == json::array());
  CHECK(run["tool"]["driver"]["rules"] == json::array());
}

TEST_CASE("sarif: version starts with a digit; semanticVersion only when SemVer") {
  Report report;
  struct Expect {
    std::string given;
    std::string version;
    bool semver;
  };
  const Expect kVersions[] = {
      {"0.1.0", "0.1.0", true},
      {"1.2.3-rc.1", "1.2.3-rc.1", true},
      {"1.2.3+g0a1b2c", "1.2.3+g0a1b2c", true},
      {"v1.2.3", "1.2.3", true},
      {"1.2", "1.2", false},
      {"1.2.3-", "1.2.3-", false},
      {"1..3", "1..3", false},
      {"dev", "0.0.0-unknown", true},
      {"", "0.0.0-unknown", true},
  };
  for (const auto& expect : kVersions) {
    CAPTURE(expect.given);
    report.tool_version = expect.given;
    const json driver = run_of(report)["tool"]["driver"];
    CHECK(driver["version"] == expect.version);
    CHECK(driver.contains("semanticVersion") == expect.semver);
  }
}

}  // namespace
}  // namespace fermata::report
