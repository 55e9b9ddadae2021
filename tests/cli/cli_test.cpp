// End-to-end tests of the command line, run in-process on the demo and on temporary trees.
#include "cli/cli.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.hpp"

namespace fs = std::filesystem;

namespace {

using Run = fermata::testing::CliRun;

Run fermata_run(std::vector<std::string> args) {
  return fermata::testing::run_cli(std::move(args));
}

std::string source(const std::string& relative) {
  return std::string(FERMATA_SOURCE_DIR) + "/" + relative;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("fermata-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
  void write(const std::string& relative, const std::string& content) const {
    fs::create_directories((path / relative).parent_path());
    std::ofstream(path / relative, std::ios::binary) << content;
  }
};

}  // namespace

TEST_CASE("the demo scan blocks on its high-risk findings and names exact lines") {
  Run run = fermata_run({"scan", source("fixtures/demo"), "--no-progress"});
  CHECK(run.code == 1);
  CHECK(run.out.find("L7 Agent Ecosystem") != std::string::npos);
  CHECK(run.out.find("mcp-remote-server-insecure-transport") != std::string::npos);
  CHECK(run.out.find("FAILED") != std::string::npos);
  CHECK(run.err.empty());
}

TEST_CASE("several formats in one run: text to the terminal, SARIF and JSON to files") {
  TempDir tmp;
  const std::string sarif = (tmp.path / "out.sarif").string();
  const std::string json = (tmp.path / "out.json").string();
  Run run = fermata_run({"scan", source("fixtures/demo"), "--format", "text", "--format", "sarif",
                         "--output", sarif, "-f", "json", "-o", json});
  CHECK(run.code == 1);
  CHECK(run.out.find("mcp-") != std::string::npos);
  auto sarif_doc = nlohmann::json::parse(slurp(sarif));
  CHECK(sarif_doc["version"] == "2.1.0");
  CHECK(!sarif_doc["runs"][0]["results"].empty());
  auto json_doc = nlohmann::json::parse(slurp(json));
  CHECK(json_doc["findings"].size() == sarif_doc["runs"][0]["results"].size());
}

TEST_CASE("--fail-on decides the exit code") {
  CHECK(fermata_run({"scan", source("fixtures/demo"), "--fail-on", "none", "-f", "json"}).code ==
        0);
  CHECK(
      fermata_run({"scan", source("fixtures/demo"), "--fail-on", "critical", "-f", "json"}).code ==
      1);
  CHECK(fermata_run({"scan", source("fixtures/demo"), "--fail-on", "severe"}).code == 2);
}

TEST_CASE(
    "a clean tree exits 0; a malformed file is a diagnostic and the others are still scanned") {
  TempDir tmp;
  tmp.write(".mcp.json", R"({"mcpServers": {"ok": {"command": "node", "args": ["index.js"]}}})");
  Run clean = fermata_run({"scan", tmp.path.string(), "-f", "text"});
  CHECK(clean.code == 0);
  CHECK(clean.out.find("passed") != std::string::npos);

  tmp.write(".cursor/mcp.json",
            "{\n  \"mcpServers\": {\n    \"x\": { \"url\": \"http://h.example/mcp\" \n  }\n");
  tmp.write(".vscode/mcp.json",
            R"({"servers": {"y": {"type": "http", "url": "http://other.example/mcp"}}})");
  Run broken = fermata_run({"scan", tmp.path.string(), "-f", "json"});
  CHECK(broken.code == 1);
  auto doc = nlohmann::json::parse(broken.out);
  REQUIRE(doc["diagnostics"].size() == 1);
  CHECK(doc["diagnostics"][0]["location"]["file"] == ".cursor/mcp.json");
  CHECK(doc["diagnostics"][0]["location"]["line"] == 5);
  bool other_found = false;
  for (const auto& f : doc["findings"])
    other_found = other_found || f["location"]["file"] == ".vscode/mcp.json";
  CHECK(other_found);
  CHECK(fermata_run({"scan", tmp.path.string(), "-f", "json", "--allow-parse-errors", "--fail-on",
                     "critical"})
            .code == 0);
}

TEST_CASE("usage and configuration errors exit 2") {
  CHECK(fermata_run({"scan", "/definitely/not/here"}).code == 2);
  CHECK(fermata_run({"scan", source("fixtures/demo"), "-f", "yaml"}).code == 2);
  CHECK(fermata_run({"scan", source("fixtures/demo"), "-f", "text", "-f", "json"}).code == 2);
  CHECK(fermata_run({"frobnicate"}).code == 2);

  TempDir rules;
  rules.write("bad/custom-rule.yaml",
              "id: custom-rule\ntitle: x\nseverity: high\nmaestro: [L7]\nowasp: [T2]\n"
              "description: d\nremediation: r\nmatch:\n  entity: mcp_server\n"
              "  where: nmae == \"x\"\nmessage: m\n");
  Run bad =
      fermata_run({"scan", source("fixtures/demo"), "--rules", (rules.path / "bad").string()});
  CHECK(bad.code == 2);
  CHECK(bad.err.find("custom-rule.yaml:10:10: error: in 'where': unknown attribute 'nmae'") !=
        std::string::npos);
}

TEST_CASE("user rule directories add rules in the same language") {
  TempDir rules;
  rules.write("custom-stdio-node.yaml",
              "id: custom-stdio-node\ntitle: Node servers\nseverity: low\n"
              "maestro: [L7]\nowasp: [T17]\ndescription: Node.\nremediation: None.\n"
              "match:\n  entity: mcp_server\n  where: command == \"node\"\n  at: command\n"
              "message: \"{name} runs node\"\n");
  TempDir repo;
  repo.write(".mcp.json",
             "{\"mcpServers\": {\"n\": {\"command\": \"node\", \"args\": [\"a.js\"]}}}");
  Run run = fermata_run({"scan", repo.path.string(), "--rules", rules.path.string(), "-f", "json"});
  CHECK(run.code == 0);
  auto doc = nlohmann::json::parse(run.out);
  // The user's rule, beside the shipped note that this server is not in the capability catalog.
  REQUIRE(doc["findings"].size() == 2);
  CHECK(doc["findings"][0]["rule_id"] == "custom-stdio-node");
  CHECK(doc["findings"][0]["message"] == "n runs node");
  CHECK(doc["findings"][1]["rule_id"] == "mcp-server-capabilities-unknown");
}

TEST_CASE("rules, explain, schema and version") {
  Run list = fermata_run({"rules"});
  CHECK(list.code == 0);
  CHECK(list.out.find("mcp-hardcoded-secret") != std::string::npos);
  Run explain = fermata_run({"explain", "mcp-hardcoded-secret"});
  CHECK(explain.code == 0);
  CHECK(explain.out.find("Remediation:") != std::string::npos);
  CHECK(explain.out.find("L2 Data Operations") != std::string::npos);
  CHECK(fermata_run({"explain", "no-such-rule"}).code == 2);
  Run version = fermata_run({"--version"});
  CHECK(version.code == 0);
  CHECK(version.out.find("fermata ") == 0);
  CHECK(fermata_run({"rules", "validate", source("rules")}).code == 0);
}

TEST_CASE("docs/rules.md, docs/entity-schema.md and docs/autonomy.md are generated and current") {
  Run rules = fermata_run({"rules", "--format", "markdown"});
  CHECK_MESSAGE(rules.out == slurp(source("docs/rules.md")),
                "docs/rules.md is stale: run `fermata rules --format markdown > docs/rules.md`");
  Run schema = fermata_run({"rules", "schema"});
  CHECK_MESSAGE(
      schema.out == slurp(source("docs/entity-schema.md")),
      "docs/entity-schema.md is stale: run `fermata rules schema > docs/entity-schema.md`");
  Run autonomy = fermata_run({"explain", "autonomy"});
  CHECK(autonomy.code == 0);
  CHECK_MESSAGE(autonomy.out == slurp(source("docs/autonomy.md")),
                "docs/autonomy.md is stale: run `fermata explain autonomy > docs/autonomy.md`");
}

TEST_CASE("a planted secret never appears in any output format") {
  TempDir repo;
  const std::string secret = std::string("ghp_") + "Zq8LmN3vB7xK2pR9tW4yH6jD1fG5sA0cE8uI";
  repo.write(".mcp.json",
             "{\"mcpServers\": {\"gh\": {\"command\": \"npx\", \"args\": [\"-y\", \"pkg\", "
             "\"--token\", \"" +
                 secret + "\"], \"env\": {\"GITHUB_TOKEN\": \"" + secret + "\"}}}}");
  for (const std::string format : {"text", "json", "sarif"}) {
    Run run = fermata_run({"scan", repo.path.string(), "-f", format});
    CHECK(run.code == 1);
    CHECK_MESSAGE(run.out.find(secret) == std::string::npos, format << " leaked the secret");
    CHECK_MESSAGE(run.out.find(secret.substr(4)) == std::string::npos,
                  format << " leaked the secret's body");
    CHECK(run.out.find("mcp-hardcoded-secret") != std::string::npos);
  }
}

TEST_CASE("the demo's findings are exactly the planted threats, at their lines") {
  // fixtures/demo/README.md lists the planted threats; expected.txt holds them in the
  // canonical one-line form. Clean lines (loopback server, ${input:} references, pinned
  // servers) must stay quiet.
  Run run = fermata_run({"scan", source("fixtures/demo"), "-f", "json"});
  REQUIRE(run.code == 1);
  auto doc = nlohmann::json::parse(run.out);
  std::vector<std::string> actual;
  for (const auto& f : doc["findings"]) {
    // Information notes (capabilities assumed for servers the catalog does not know) are not
    // planted threats.
    if (f["severity"] == "info") continue;
    actual.push_back(f["location"]["file"].get<std::string>() + ":" +
                     std::to_string(f["location"]["line"].get<int>()) + ":" +
                     std::to_string(f["location"]["column"].get<int>()) + ": " +
                     f["severity"].get<std::string>() + ": " + f["rule_id"].get<std::string>());
  }
  std::vector<std::string> expected;
  std::istringstream lines(slurp(source("fixtures/demo/expected.txt")));
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) expected.push_back(line);
  }
  std::sort(actual.begin(), actual.end());
  std::sort(expected.begin(), expected.end());
  CHECK(actual == expected);
  CHECK(doc["diagnostics"].empty());
}

TEST_CASE(".fermata.yaml: threshold, rule selection, severity, ignored paths, suppressions") {
  TempDir repo;
  repo.write(".mcp.json",
             "{\n  \"mcpServers\": {\n    \"t\": {\"type\": \"http\", \"url\": "
             "\"http://t.example.com/mcp\"}\n  }\n}\n");
  repo.write("examples/.mcp.json",
             "{\"mcpServers\": {\"x\": {\"url\": \"http://x.example.com/mcp\"}}}");
  repo.write(".vscode/mcp.json",
             "{\n  \"servers\": {\n    // fermata:ignore mcp-remote-server-insecure-transport lab "
             "network, retired in Q1 until=2030-01-01\n"
             "    \"lab\": {\"type\": \"http\", \"url\": \"http://lab.example.com/mcp\", "
             "\"headers\": {\"X-API-Key\": \"${env:K}\"}}\n  }\n}\n");
  repo.write(".fermata.yaml",
             "fail_on: critical\nignore_paths: [examples/]\nrules:\n  disable: "
             "[mcp-remote-server-without-auth, mcp-server-capabilities-unknown]\n"
             "  severity:\n    mcp-remote-server-insecure-transport: critical\n");
  Run run = fermata_run({"scan", repo.path.string(), "-f", "json"});
  CHECK(run.code == 1);  // the override makes plain HTTP critical, at the configured threshold
  auto doc = nlohmann::json::parse(run.out);
  REQUIRE(doc["findings"].size() == 2);
  for (const auto& f : doc["findings"]) {
    CHECK(f["rule_id"] == "mcp-remote-server-insecure-transport");
    CHECK(f["severity"] == "critical");
    CHECK(f["location"]["file"] != "examples/.mcp.json");
  }
  CHECK(doc["findings"][1]["location"]["file"] == ".vscode/mcp.json");
  CHECK(doc["findings"][1]["state"] == "suppressed");
  CHECK(doc["findings"][1]["suppression_reason"] == "lab network, retired in Q1");
  CHECK_FALSE(doc["findings"][1]["blocking"].get<bool>());

  // SARIF leaves suppressed findings out unless asked to keep them.
  Run sarif = fermata_run({"scan", repo.path.string(), "-f", "sarif"});
  CHECK(nlohmann::json::parse(sarif.out)["runs"][0]["results"].size() == 1);
  Run kept = fermata_run({"scan", repo.path.string(), "-f", "sarif", "--sarif-keep-suppressed"});
  auto results = nlohmann::json::parse(kept.out)["runs"][0]["results"];
  REQUIRE(results.size() == 2);
  CHECK(results[1]["suppressions"][0]["kind"] == "inSource");
  CHECK(results[1]["suppressions"][0]["justification"] == "lab network, retired in Q1");

  // The suppression expires: the finding is reported again, and the scan says so.
  Run expired = fermata_run({"scan", repo.path.string(), "-f", "json", "--today", "2030-01-02"});
  auto expired_doc = nlohmann::json::parse(expired.out);
  CHECK(expired_doc["findings"][1]["state"] == "open");
  bool said = false;
  for (const auto& d : expired_doc["diagnostics"])
    said = said || d["code"] == "suppression.expired";
  CHECK(said);

  // The command line wins over the configuration.
  CHECK(fermata_run({"scan", repo.path.string(), "-f", "json", "--fail-on", "none"}).code == 0);
}

TEST_CASE("an invalid .fermata.yaml is an error with file and line, exit 2") {
  TempDir repo;
  repo.write(".mcp.json", "{}");
  repo.write(".fermata.yaml", "fail_on: high\nrules:\n  disable: [mcp-no-such-rule]\n");
  Run unknown_rule = fermata_run({"scan", repo.path.string()});
  CHECK(unknown_rule.code == 2);
  CHECK(unknown_rule.err.find(".fermata.yaml:3:3: error: no rule 'mcp-no-such-rule'") !=
        std::string::npos);
  repo.write(".fermata.yaml", "fail_on: high\nignore-paths: [x]\n");
  Run unknown_key = fermata_run({"scan", repo.path.string()});
  CHECK(unknown_key.code == 2);
  CHECK(unknown_key.err.find(".fermata.yaml:2:1: error: unknown key 'ignore-paths'") !=
        std::string::npos);
  TempDir other;
  other.write("my-config.yaml", "fail_on: [high]\n");
  Run explicit_config = fermata_run(
      {"scan", repo.path.string(), "--config", (other.path / "my-config.yaml").string()});
  CHECK(explicit_config.code == 2);
  CHECK(explicit_config.err.find("my-config.yaml:1:10: error: 'fail_on' must be") !=
        std::string::npos);
}

TEST_CASE("fermata graph: the demo's topology in each format, exit 0; usage errors exit 2") {
  const Run mermaid = fermata_run({"graph", source("fixtures/demo"), "--no-progress"});
  CHECK(mermaid.code == 0);
  CHECK(mermaid.out.rfind("flowchart LR\n", 0) == 0);
  CHECK(mermaid.out.find("{{\"sa helpdesk/helpdesk-agent<br/>cluster-admin<br/>critical") !=
        std::string::npos);
  CHECK(mermaid.out.find("==>|\"cloud_role\"|") != std::string::npos);

  TempDir out;
  const std::string dot_file = (out.path / "graph.dot").string();
  const Run dot = fermata_run(
      {"graph", source("fixtures/demo"), "--no-progress", "--format", "dot", "-o", dot_file});
  CHECK(dot.code == 0);
  CHECK(dot.out.empty());
  CHECK(slurp(dot_file).rfind("digraph fermata {\n", 0) == 0);

  const Run json =
      fermata_run({"graph", source("fixtures/demo"), "--no-progress", "--format", "json"});
  REQUIRE(json.code == 0);
  const auto doc = nlohmann::json::parse(json.out);
  // The agents, servers, workloads and identities of the demo, each once.
  std::set<std::string> kinds;
  for (const auto& node : doc["nodes"]) kinds.insert(node["kind"].get<std::string>());
  CHECK(kinds.count("agent") == 1);
  CHECK(kinds.count("mcp_server") == 1);
  CHECK(kinds.count("workload") == 1);
  CHECK(kinds.count("identity") == 1);
  CHECK(doc["nodes"].size() >= 18);
  const Run all =
      fermata_run({"graph", source("fixtures/demo"), "--no-progress", "--format", "json", "--all"});
  CHECK(nlohmann::json::parse(all.out)["nodes"].size() > doc["nodes"].size());

  CHECK(fermata_run({"graph", source("fixtures/demo"), "--format", "svg"}).code == 2);
  CHECK(fermata_run({"graph", "/definitely/not/here"}).code == 2);
  CHECK(fermata_run({"graph", source("fixtures/demo"), "-o", "/definitely/not/here/x.mmd"}).code ==
        2);
}

TEST_CASE("the Markdown summary folds the topology after the counts") {
  const Run run = fermata_run({"scan", source("fixtures/demo"), "--no-progress", "-f", "markdown"});
  CHECK(run.code == 1);
  const Run graph =
      fermata_run({"graph", source("fixtures/demo"), "--no-progress", "--format", "json"});
  const size_t nodes = nlohmann::json::parse(graph.out)["nodes"].size();
  const size_t section =
      run.out.find("<details><summary>Topology (" + std::to_string(nodes) + " nodes, ");
  REQUIRE(section != std::string::npos);
  CHECK(run.out.find("| **all** ") < section);
  CHECK(run.out.find("```mermaid\nflowchart LR\n", section) != std::string::npos);
  CHECK(section < run.out.find("### Findings"));
}

TEST_CASE("fermata report: the demo's threat model in both formats; examples current") {
  const Run markdown = fermata_run({"report", source("fixtures/demo"), "--no-progress"});
  CHECK(markdown.code == 0);  // a document, not a gate: 0 although the demo has findings
  CHECK(markdown.out.rfind("# Threat model: demo\n", 0) == 0);
  CHECK(markdown.out.find("```mermaid\nflowchart LR\n") != std::string::npos);
  CHECK(markdown.out.find("### L7 Agent Ecosystem") != std::string::npos);
  CHECK_MESSAGE(markdown.out == slurp(source("docs/examples/demo-threat-model.md")),
                "docs/examples/demo-threat-model.md is stale: run scripts/examples.sh");
  const Run html =
      fermata_run({"report", source("fixtures/demo"), "--no-progress", "--format", "html"});
  CHECK(html.code == 0);
  CHECK(html.out.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK_MESSAGE(html.out == slurp(source("docs/examples/demo-threat-model.html")),
                "docs/examples/demo-threat-model.html is stale: run scripts/examples.sh");

  TempDir out;
  const std::string file = (out.path / "model.html").string();
  const Run to_file = fermata_run(
      {"report", source("fixtures/demo"), "--no-progress", "--format", "html", "-o", file});
  CHECK(to_file.code == 0);
  CHECK(to_file.out.empty());
  CHECK(slurp(file) == html.out);

  CHECK(fermata_run({"report", source("fixtures/demo"), "--format", "pdf"}).code == 2);
  CHECK(fermata_run({"report", "/definitely/not/here"}).code == 2);
  CHECK(
      fermata_run({"report", source("fixtures/demo"), "--baseline", "/definitely/not/here"}).code ==
      2);
  CHECK(fermata_run({"report", source("fixtures/demo"), "-o", "/definitely/not/here/x.md"}).code ==
        2);
}
