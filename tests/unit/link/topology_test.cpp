// The linker: what it joins across files, and what it reports when a reference leads
// nowhere (information, never silence).
#include "link/topology.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "discover/working_tree.hpp"
#include "rules/rule_set.hpp"
#include "scan/scanner.hpp"

using namespace fermata;
namespace fs = std::filesystem;

namespace {

struct Repo {
  fs::path root = fs::temp_directory_path() / ("fermata-link-" + std::to_string(::getpid()));
  Repo() {
    fs::remove_all(root);
    fs::create_directories(root);
  }
  ~Repo() {
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }
  Repo(const Repo&) = delete;
  Repo& operator=(const Repo&) = delete;
  void write(const std::string& path, const std::string& text) const {
    fs::create_directories((root / path).parent_path());
    std::ofstream(root / path, std::ios::binary) << text;
  }
  [[nodiscard]] scan::ScanResult scan(const link::TopologyInputs& inputs = {}) const {
    core::DiagnosticSink sink;
    rules::RuleSet rules;
    derive::SecretClassifier secrets = scan::builtin_secret_classifier(sink);
    discover::WalkOptions walk;
    walk.honour_gitignore = false;
    discover::WorkingTreeProvider files(root, walk);
    scan::ScanOptions options;
    options.topology = inputs;
    return scan::run_scan(files, rules, secrets, options);
  }
};

const model::Entity* agent_named(const model::Graph& graph, const std::string& name) {
  for (const auto& entity : graph.entities()) {
    if (entity.kind == model::EntityKind::kAgent && entity.name == name &&
        entity.merged_into == model::kNoEntity) {
      return &entity;
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a project's MCP server list folds into the Claude Code its settings describe") {
  Repo repo;
  repo.write(".mcp.json", R"({"mcpServers": {"docs": {"url": "https://docs.example.com/mcp"}}})");
  repo.write(".claude/settings.json", R"({"permissions": {"defaultMode": "acceptEdits"}})");
  const scan::ScanResult result = repo.scan();
  size_t shown = 0;
  for (const auto& entity : result.graph.entities()) {
    if (entity.kind == model::EntityKind::kAgent && entity.merged_into == model::kNoEntity) ++shown;
  }
  CHECK(shown == 1);
  const model::Entity* claude = agent_named(result.graph, "Claude Code");
  REQUIRE(claude != nullptr);
  CHECK(claude->loc.file == ".claude/settings.json");
  const model::Value* servers = claude->attrs.get("servers");
  REQUIRE(servers != nullptr);
  REQUIRE(servers->items.size() == 1);
  CHECK(result.graph.at(servers->items[0].ref).name == "docs");
}

TEST_CASE("references that lead nowhere are information at their line") {
  Repo repo;
  repo.write(
      ".mcp.json",
      R"({"mcpServers": {"tickets": {"url": "http://tickets.helpdesk.svc.cluster.local/mcp"}}})");
  link::TopologyInputs inputs;
  inputs.intents.push_back(
      {"billing", "limited", {}, {}, std::nullopt, {".fermata.yaml", {3, 3, 3, 10}}});
  inputs.identities.push_back({"arn:aws:iam::111122223333:role/none",
                               {"iam/missing.json"},
                               {".fermata.yaml", {6, 5, 6, 9}}});
  const scan::ScanResult result = repo.scan(inputs);
  std::vector<std::string> notes;
  for (const auto& diagnostic : result.diagnostics) {
    REQUIRE(diagnostic.code == core::DiagCode::kLinkUnresolved);
    CHECK(diagnostic.level == core::DiagLevel::kNote);
    notes.push_back(diagnostic.loc.file + ":" + std::to_string(diagnostic.loc.span.line) + " " +
                    diagnostic.message);
  }
  REQUIRE(notes.size() == 3);
  CHECK(notes[0].find(".fermata.yaml:3 the configuration declares agent 'billing'") == 0);
  CHECK(notes[1].find(".fermata.yaml:6 no policy of 'arn:aws:iam::111122223333:role/none'") == 0);
  CHECK(notes[2].find(".mcp.json:1 MCP server 'tickets' is served by the Kubernetes Service "
                      "'tickets' in namespace 'helpdesk'") == 0);
}
