#include "parsers/mcp/mcp_client_config.hpp"

#include <doctest/doctest.h>

#include "parsers/syntax/json_reader.hpp"

using namespace fermata;

namespace {

struct Parsed {
  model::Graph graph;
  core::DiagnosticSink sink;
  bool recognised = false;
};

Parsed parse(const std::string& path, const std::string& text) {
  Parsed out;
  parsers::McpClientConfigParser parser;
  auto document = syntax::read_json(path, text, core::Limits{}, out.sink);
  REQUIRE(document.has_value());
  out.recognised = parser.parse(*document, out.graph, out.sink);
  return out;
}

const model::Entity* server(const model::Graph& graph, const std::string& name) {
  for (const auto& e : graph.entities()) {
    if (e.kind == model::EntityKind::kMcpServer && e.name == name) return &e;
  }
  return nullptr;
}

std::string text(const model::Entity& e, std::string_view field) {
  const model::Value* v = e.attrs.get(field);
  return v == nullptr ? "<none>" : v->text;
}

}  // namespace

TEST_CASE("clients are identified by path") {
  CHECK(parsers::mcp_client_for_path(".mcp.json").product == "Claude Code");
  CHECK(parsers::mcp_client_for_path("sub/dir/.mcp.json").format == "claude-code");
  CHECK(parsers::mcp_client_for_path("claude_desktop_config.example.json").format ==
        "claude-desktop");
  CHECK(parsers::mcp_client_for_path("a/.cursor/mcp.json").product == "Cursor");
  CHECK(parsers::mcp_client_for_path(".vscode/mcp.json").format == "vscode");
  CHECK(parsers::mcp_client_for_path("x/.windsurf/mcp_config.json").format == "windsurf");
  CHECK(parsers::mcp_client_for_path(".gemini/settings.json").format == "gemini");
  CHECK(parsers::mcp_client_for_path("gemini-extension.json").format == "gemini");
  CHECK(parsers::mcp_client_for_path(".roo/mcp.json").product == "Roo Code");
  CHECK(parsers::mcp_client_for_path("tools/mcp.json").format == "generic");
  CHECK(parsers::mcp_client_for_path(".vscode/settings.json").product.empty());
  CHECK(parsers::mcp_client_for_path("package.json").product.empty());
}

TEST_CASE("claims: by path, or by an mcpServers key anywhere; ordinary JSON is left alone") {
  parsers::McpClientConfigParser parser;
  CHECK(parser.claims(".mcp.json", "{}").certain);
  CHECK(parser.claims("odd/place/agents.json", "{\n  \"mcpServers\" : {}}").claimed);
  CHECK_FALSE(parser.claims("odd/settings.json", "{\"editor.fontSize\": 12}").claimed);
  CHECK_FALSE(parser.claims("odd/settings.json", "{\"note\": \"mcpServers is a key\"}").claimed);
  CHECK_FALSE(parser.claims("config.yaml", "mcpServers: {}").claimed);
}

TEST_CASE("a Claude Code .mcp.json: stdio and remote servers, every fact located") {
  const std::string json = R"({
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": { "GITHUB_TOKEN": "${GITHUB_TOKEN}" }
    },
    "stripe": {
      "type": "http",
      "url": "https://mcp.stripe.com",
      "headers": { "Authorization": "Bearer ${STRIPE_KEY}" }
    }
  }
})";
  Parsed p = parse(".mcp.json", json);
  CHECK(p.recognised);
  CHECK(p.sink.size() == 0);
  REQUIRE(p.graph.size() == 3);
  const model::Entity& agent = p.graph.at(0);
  CHECK(agent.kind == model::EntityKind::kAgent);
  CHECK(agent.name == "Claude Code");
  CHECK(p.graph.edges().size() == 2);

  const model::Entity* github = server(p.graph, "github");
  REQUIRE(github != nullptr);
  CHECK(github->loc.span.line == 3);
  CHECK(github->loc.span.column == 5);
  CHECK(text(*github, "transport") == "stdio");
  CHECK_FALSE(github->attrs.get("remote")->boolean);
  const model::Value* args = github->attrs.get("args");
  REQUIRE(args->items.size() == 2);
  CHECK(args->items[1].text == "@modelcontextprotocol/server-github");
  CHECK(args->items[1].loc.span.line == 5);
  CHECK(args->items[1].loc.span.column == 22);
  const model::Value* env = github->attrs.get("env");
  REQUIRE(env->items.size() == 1);
  CHECK(env->items[0].get("key")->text == "GITHUB_TOKEN");
  CHECK(env->items[0].get("value")->loc.span.column == 32);

  const model::Entity* stripe = server(p.graph, "stripe");
  REQUIRE(stripe != nullptr);
  CHECK(text(*stripe, "transport") == "http");
  CHECK(stripe->attrs.get("remote")->boolean);
  CHECK(stripe->attrs.get("url")->loc.span.line == 10);
  CHECK(stripe->attrs.get("client")->ref == agent.id);
}

TEST_CASE("VS Code servers, Windsurf serverUrl, Gemini httpUrl and url, nested transport") {
  Parsed vs = parse(".vscode/mcp.json", R"({
  // comment
  "servers": { "a": { "type": "sse", "url": "http://h/sse", }, },
  "inputs": []
})");
  CHECK(text(*server(vs.graph, "a"), "transport") == "sse");

  Parsed ws = parse(".windsurf/mcp_config.json",
                    R"({"mcpServers": {"w": {"serverUrl": "https://w/mcp"}}})");
  CHECK(text(*server(ws.graph, "w"), "url") == "https://w/mcp");
  CHECK(text(*server(ws.graph, "w"), "transport") == "http");

  Parsed gem =
      parse(".gemini/settings.json",
            R"({"mcpServers": {"h": {"httpUrl": "https://h"}, "s": {"url": "https://s"}}})");
  CHECK(text(*server(gem.graph, "h"), "transport") == "streamable-http");
  CHECK(text(*server(gem.graph, "s"), "transport") == "sse");

  Parsed old = parse(
      ".mcp.json",
      R"({"mcpServers": {"t": {"transport": {"type": "sse", "url": "https://t", "headers": {"A": "b"}}}}})");
  CHECK(text(*server(old.graph, "t"), "transport") == "sse");
  CHECK(server(old.graph, "t")->attrs.get("headers")->items.size() == 1);
}

TEST_CASE("shape problems are diagnostics at their line; the rest is still read") {
  Parsed p = parse(".mcp.json", R"({
  "mcpServers": {
    "bad": "npx server",
    "args-object": { "command": "npx", "args": {"a": 1} },
    "ok": { "command": "node", "args": ["x.js", 8080, {"no": 1}] }
  }
})");
  CHECK(p.recognised);
  REQUIRE(p.sink.size() == 3);
  CHECK(core::format_diagnostic(p.sink.items()[0]) ==
        ".mcp.json:3:12: warning: MCP server 'bad' should be an object of settings, not string "
        "[parse.schema]");
  CHECK(p.sink.items()[1].loc.span.line == 4);
  CHECK(p.sink.items()[2].loc.span.line == 5);
  const model::Entity* ok = server(p.graph, "ok");
  REQUIRE(ok != nullptr);
  CHECK(ok->attrs.get("args")->items.size() == 2);  // the number is kept as text
  CHECK(server(p.graph, "bad") == nullptr);
}

TEST_CASE("files that are not MCP configs are not recognised, silently") {
  CHECK_FALSE(parse("docs/config-examples.json", R"({"example": {"mcpServers": {}}})").recognised);
  CHECK_FALSE(parse("tools/mcp.json", R"({"name": "x"})").recognised);
  Parsed array = parse(".mcp.json", "[1, 2]");
  CHECK(array.recognised);
  CHECK(array.sink.size() == 1);
}

TEST_CASE("a list of servers with a name field is read too") {
  Parsed p = parse(".windsurf/mcp_config.json", R"({
  "mcpServers": [
    { "name": "Effect Patterns", "command": "bun", "args": ["run", "x"] },
    { "command": "node" }
  ]
})");
  CHECK(p.sink.size() == 0);
  const model::Entity* named = server(p.graph, "Effect Patterns");
  REQUIRE(named != nullptr);
  CHECK(named->loc.span.line == 3);
  CHECK(named->loc.span.column == 15);
  CHECK(server(p.graph, "server 2") != nullptr);
}

TEST_CASE("a plugin's bare server map is read when the file is named like an MCP config") {
  Parsed p = parse("plugins/cursor/context7/mcp.json",
                   R"({"context7": {"url": "https://mcp.context7.com/mcp"}})");
  CHECK(p.recognised);
  CHECK(server(p.graph, "context7") != nullptr);
  CHECK_FALSE(parse("plugins/x/mcp.json", R"({"name": "x", "version": "1"})").recognised);
  CHECK_FALSE(parse("data.json", R"({"a": {"url": "https://x"}})").recognised);
}
