#include "parsers/coding/codex_config.hpp"

#include <doctest/doctest.h>

#include <string>

#include "parsers/syntax/toml_reader.hpp"

using namespace fermata;

namespace {

struct Parsed {
  model::Graph graph;
  core::DiagnosticSink sink;
  bool recognised = false;
};

Parsed parse(const std::string& path, const std::string& text) {
  Parsed out;
  parsers::CodexConfigParser parser;
  auto document = syntax::read_toml(path, text, core::Limits{}, out.sink);
  REQUIRE(document.has_value());
  out.recognised = parser.parse(*document, out.graph, out.sink);
  return out;
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

std::string at(const model::Value& value) {
  return std::to_string(value.loc.span.line) + ":" + std::to_string(value.loc.span.column);
}

std::string diagnostics(const core::DiagnosticSink& sink) {
  std::string out;
  for (const auto& d : sink.items()) out += core::format_diagnostic(d) + "\n";
  return out;
}

}  // namespace

TEST_CASE("codex: claims .codex/config.toml certainly, other config.toml only with Codex keys") {
  parsers::CodexConfigParser parser;
  const parsers::Claim codex = parser.claims("app/.codex/config.toml", "");
  CHECK(codex.claimed);
  CHECK(codex.certain);
  CHECK(codex.syntax == parsers::Syntax::kToml);
  const parsers::Claim elsewhere = parser.claims("deploy/config.toml", "approval_policy = \"x\"\n");
  CHECK(elsewhere.claimed);
  CHECK_FALSE(elsewhere.certain);
  CHECK(parser.claims("config.toml", "[mcp_servers.a]\ncommand = \"x\"\n").claimed);
  CHECK_FALSE(parser.claims("config.toml", "[server]\nport = 80\n").claimed);
  CHECK_FALSE(parser.claims("config.toml", "# approval_policy is documented elsewhere\n").claimed);
  CHECK_FALSE(parser.claims("x.codex/config.toml", "").claimed);
  CHECK_FALSE(parser.claims(".codex/config.json", "").claimed);
  // A lookalike config.toml without Codex keys is not Codex.
  Parsed hugo = parse("site/config.toml", "baseURL = \"https://example.org\"\ntitle = \"x\"\n");
  CHECK_FALSE(hugo.recognised);
  CHECK(hugo.graph.size() == 0);
  CHECK(hugo.sink.size() == 0);
}

TEST_CASE("codex: base agent, profiles inheriting what they do not override, servers") {
  const std::string toml = R"(model = "o3"
approval_policy = "never"
sandbox_mode = "workspace-write"

[sandbox_workspace_write]
network_access = true
writable_roots = ["/data"]

[shell_environment_policy]
set = { API_TOKEN = "literal-value" }

[model_providers.proxy]
base_url = "http://llm.internal:8080/v1"
env_key = "PROXY_KEY"

[profiles.safe]
approval_policy = "untrusted"

[profiles.yolo]
sandbox_mode = "danger-full-access"
model_provider = "proxy"

[mcp_servers.github]
url = "https://api.githubcopilot.com/mcp/"
bearer_token_env_var = "GH_TOKEN"
enabled_tools = ["get_issue"]

[mcp_servers.fs]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-filesystem", "."]
env = { ROOT = "." }
enabled = false

[mcp_servers.api]
url = "https://api.example.com/mcp"
http_headers = { "X-Team" = "core" }
env_http_headers = { "Authorization" = "API_AUTH" }
)";
  Parsed p = parse(".codex/config.toml", toml);
  CHECK(p.recognised);
  INFO(diagnostics(p.sink));
  CHECK(p.sink.size() == 0);

  const model::Entity* base = find(p.graph, model::EntityKind::kAgent, "OpenAI Codex");
  REQUIRE(base != nullptr);
  CHECK(text(base->attrs, "kind") == "coding-assistant");
  CHECK(text(base->attrs, "config_format") == "codex");
  CHECK(text(base->attrs, "profile").empty());
  CHECK(text(base->attrs, "approval") == "never");
  CHECK(at(*base->attrs.get("approval")) == "2:19");
  CHECK(text(base->attrs, "approval_setting") == "approval_policy = \"never\"");
  CHECK(text(base->attrs, "sandbox") == "workspace-write");
  CHECK(base->attrs.get("network_access")->boolean);
  CHECK(at(*base->attrs.get("network_access")) == "6:18");
  REQUIRE(base->attrs.get("writable_roots")->items.size() == 1);
  CHECK(base->attrs.get("servers")->items.size() == 3);
  CHECK(base->attrs.get("server_names")->items[0].text == "github");
  const model::Value* literals = base->attrs.get("literals");
  REQUIRE(literals->items.size() == 1);
  CHECK(literals->items[0].get("value")->text == "literal-value");
  CHECK(at(*literals->items[0].get("value")) == "10:21");
  const model::Value* models = base->attrs.get("models");
  REQUIRE(models->items.size() == 2);
  CHECK(text(models->items[0], "name") == "proxy");
  CHECK(text(models->items[0], "base_url") == "http://llm.internal:8080/v1");
  CHECK(text(models->items[0], "model").empty());
  CHECK(text(models->items[1], "model") == "o3");
  CHECK(text(models->items[1], "provider") == "openai");

  const model::Entity* safe =
      find(p.graph, model::EntityKind::kAgent, "OpenAI Codex (profile safe)");
  REQUIRE(safe != nullptr);
  CHECK(text(safe->attrs, "profile") == "safe");
  CHECK(text(safe->attrs, "approval") == "untrusted");
  CHECK(at(*safe->attrs.get("approval")) == "17:19");
  CHECK(text(safe->attrs, "sandbox") == "workspace-write");
  const model::Value* inherited = safe->attrs.get("inherited");
  REQUIRE(inherited != nullptr);
  REQUIRE(inherited->items.size() == 4);
  CHECK(inherited->items[0].text == "sandbox");
  CHECK(inherited->items[3].text == "models");
  CHECK(base->attrs.get("inherited") == nullptr);
  CHECK(at(*safe->attrs.get("sandbox")) == "3:16");

  const model::Entity* yolo =
      find(p.graph, model::EntityKind::kAgent, "OpenAI Codex (profile yolo)");
  REQUIRE(yolo != nullptr);
  CHECK(text(yolo->attrs, "approval") == "never");
  CHECK(text(yolo->attrs, "sandbox") == "full-access");
  CHECK(at(*yolo->attrs.get("sandbox")) == "20:16");
  REQUIRE(yolo->attrs.get("models")->items.size() == 1);
  CHECK(text(yolo->attrs.get("models")->items[0], "model") == "o3");
  CHECK(yolo->attrs.get("servers")->items.size() == 3);

  const model::Entity* github = find(p.graph, model::EntityKind::kMcpServer, "github");
  REQUIRE(github != nullptr);
  CHECK(text(github->attrs, "transport") == "streamable-http");
  CHECK(github->attrs.get("remote")->boolean);
  CHECK(text(github->attrs, "bearer_token_env_var") == "GH_TOKEN");
  CHECK(github->attrs.get("client")->ref == base->id);
  CHECK(github->attrs.get("enabled_tools")->items[0].text == "get_issue");

  const model::Entity* fs = find(p.graph, model::EntityKind::kMcpServer, "fs");
  REQUIRE(fs != nullptr);
  CHECK(text(fs->attrs, "transport") == "stdio");
  CHECK(fs->attrs.get("disabled")->boolean);
  CHECK(at(*fs->attrs.get("disabled")) == "32:11");
  CHECK(fs->attrs.get("args")->items[1].text == "@modelcontextprotocol/server-filesystem");
  CHECK(at(fs->attrs.get("args")->items[1]) == "30:15");
  CHECK(fs->attrs.get("env")->items.size() == 1);

  const model::Entity* api = find(p.graph, model::EntityKind::kMcpServer, "api");
  REQUIRE(api != nullptr);
  const model::Value* headers = api->attrs.get("headers");
  REQUIRE(headers->items.size() == 2);
  CHECK(headers->items[0].get("value")->text == "core");
  CHECK(headers->items[1].get("key")->text == "Authorization");
  CHECK(headers->items[1].get("value")->text == "${API_AUTH}");

  // Each agent uses each server.
  CHECK(p.graph.edges().size() == 9);
}

TEST_CASE("codex: wrong shapes are parse.schema warnings at their line; the rest is read") {
  Parsed p = parse(".codex/config.toml", R"(approval_policy = "sometimes"
sandbox_mode = 3
[mcp_servers]
broken = "npx"
[mcp_servers.ok]
command = "uvx"
args = "mcp-server-fetch"
[profiles]
odd = 1
)");
  CHECK(p.recognised);
  const std::string reported = diagnostics(p.sink);
  INFO(reported);
  CHECK(reported.find(".codex/config.toml:1:19: warning: approval_policy 'sometimes' is not one "
                      "of untrusted, on-failure, on-request, never") != std::string::npos);
  CHECK(reported.find(".codex/config.toml:2:16: warning: sandbox_mode '3' is not one of") !=
        std::string::npos);
  CHECK(reported.find(".codex/config.toml:4:10: warning: MCP server 'broken' should be a table") !=
        std::string::npos);
  CHECK(reported.find(".codex/config.toml:7:8: warning: 'mcp_servers.ok.args' should be a list") !=
        std::string::npos);
  CHECK(reported.find(".codex/config.toml:9:7: warning: profile 'odd' should be a table") !=
        std::string::npos);
  const model::Entity* base = find(p.graph, model::EntityKind::kAgent, "OpenAI Codex");
  REQUIRE(base != nullptr);
  CHECK(text(base->attrs, "approval").empty());
  CHECK(find(p.graph, model::EntityKind::kMcpServer, "ok") != nullptr);
}

TEST_CASE("codex: an empty project config still describes the agent, with product defaults") {
  Parsed p = parse(".codex/config.toml", "");
  CHECK(p.recognised);
  REQUIRE(p.graph.size() == 1);
  CHECK(text(p.graph.at(0).attrs, "approval").empty());
  CHECK(text(p.graph.at(0).attrs, "sandbox").empty());
}
