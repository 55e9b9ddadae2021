// Real coding-agent files (fixtures/formats/coding, sources in its SOURCES.md) read end to end
// through the scanner's readers and the parsers that claim them.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "parsers/coding/codex_config.hpp"
#include "parsers/mcp/mcp_client_config.hpp"
#include "parsers/syntax/json_reader.hpp"
#include "parsers/syntax/toml_reader.hpp"

using namespace fermata;

namespace {

std::string slurp(const std::string& relative) {
  std::ifstream in(std::filesystem::path(FERMATA_SOURCE_DIR) / "fixtures/formats/coding" / relative,
                   std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const model::Entity* find(const model::Graph& graph, model::EntityKind kind,
                          const std::string& name) {
  for (const auto& e : graph.entities()) {
    if (e.kind == kind && e.name == name) return &e;
  }
  return nullptr;
}

std::string text(const model::Value& record, std::string_view field) {
  const model::Value* v = record.get(field);
  return v == nullptr ? "<none>" : v->text;
}

}  // namespace

TEST_CASE("real Codex config: TOML 1.1 inline table, keys under the last table") {
  const std::string path = ".codex/config.toml";
  core::DiagnosticSink sink;
  auto document = syntax::read_toml(path, slurp("memvid-sdk/.codex/config.toml"), {}, sink);
  REQUIRE(document.has_value());
  model::Graph graph;
  CHECK(parsers::CodexConfigParser().parse(*document, graph, sink));
  CHECK(sink.size() == 0);
  const model::Entity* codex = find(graph, model::EntityKind::kAgent, "OpenAI Codex");
  REQUIRE(codex != nullptr);
  CHECK(text(codex->attrs, "approval") == "never");
  // `sandbox_mode` sits under [mcp_servers.notion] in this file, so Codex's default applies.
  CHECK(text(codex->attrs, "sandbox").empty());
  CHECK(codex->attrs.get("servers")->items.size() == 3);
  const model::Entity* github = find(graph, model::EntityKind::kMcpServer, "github");
  REQUIRE(github != nullptr);
  CHECK(text(github->attrs, "transport") == "streamable-http");
  CHECK(github->attrs.get("headers")->items.at(0).get("value")->loc.span.line == 13);
  CHECK(github->attrs.get("disabled_tools")->items.size() == 13);
}

TEST_CASE("real Claude Code settings: scoped Bash rules, a local hook") {
  const std::string path = ".claude/settings.json";
  core::DiagnosticSink sink;
  auto document = syntax::read_json(path, slurp("toolhive/.claude/settings.json"), {}, sink);
  REQUIRE(document.has_value());
  model::Graph graph;
  CHECK(parsers::McpClientConfigParser().parse(*document, graph, sink));
  CHECK(sink.size() == 0);
  REQUIRE(graph.size() == 1);
  const model::Value& agent = graph.at(0).attrs;
  CHECK(text(agent, "config_format") == "claude-settings");
  CHECK(agent.get("permissions")->get("allow")->items.size() == 29);
  CHECK_FALSE(agent.get("unrestricted_shell")->boolean);
  CHECK(text(agent, "approval").empty());
  REQUIRE(agent.get("hooks")->items.size() == 1);
  CHECK(text(agent.get("hooks")->items[0], "event") == "PostToolUse");
  CHECK_FALSE(agent.get("hooks")->items[0].get("fetches_network")->boolean);
  CHECK(agent.get("env")->items.size() == 1);
}

TEST_CASE("real Gemini CLI settings: flat autoAccept with servers") {
  const std::string path = ".gemini/settings.json";
  core::DiagnosticSink sink;
  auto document =
      syntax::read_json(path, slurp("task-orchestrator/.gemini/settings.json"), {}, sink);
  REQUIRE(document.has_value());
  model::Graph graph;
  CHECK(parsers::McpClientConfigParser().parse(*document, graph, sink));
  CHECK(sink.size() == 0);
  const model::Entity* gemini = find(graph, model::EntityKind::kAgent, "Gemini CLI");
  REQUIRE(gemini != nullptr);
  CHECK(text(gemini->attrs, "approval") == "untrusted");
  CHECK(text(gemini->attrs, "approval_setting") == "autoAccept: true");
  CHECK(gemini->attrs.get("servers")->items.size() == 2);
}
