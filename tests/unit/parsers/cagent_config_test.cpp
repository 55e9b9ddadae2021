#include "parsers/agents/cagent_config.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "parser_test_support.hpp"
#include "parsers/syntax/yaml_reader.hpp"

using namespace fermata;
using model::Value;

namespace {

using testing::find;
using testing::loc;
using testing::Parsed;
using testing::slurp;

Parsed parse(const std::string& path, const std::string& text) {
  return testing::parse_with(parsers::CagentConfigParser(), path, text);
}

}  // namespace

TEST_CASE("cagent claims YAML with a top-level agents map of cagent agents") {
  parsers::CagentConfigParser parser;
  const auto shebang = parser.claims("x/team.yaml",
                                     "#!/usr/bin/env docker agent run\n"
                                     "agents:\n  root:\n    model: m\n");
  CHECK(shebang.claimed);
  CHECK(shebang.certain);
  const auto plain = parser.claims("team.yml", "agents:\n  root:\n    instruction: hi\n");
  CHECK(plain.claimed);
  CHECK_FALSE(plain.certain);
  CHECK_FALSE(parser.claims("a.yaml", "agents:\n  - name: a\n    image: x\n").claimed);
  CHECK_FALSE(parser.claims("a.yaml", "spec:\n  agents:\n    root:\n      model: m\n").claimed);
}

TEST_CASE("cagent team: models, sub-agents, bounds, toolsets, MCP servers and permissions") {
  Parsed p = parse("team.yaml", slurp("cagent/team.yaml"));
  REQUIRE(p.recognised);
  CHECK(p.sink.items().empty());
  const model::Entity& root = find(p.graph, model::EntityKind::kAgent, "root");
  CHECK(root.attrs.get("client")->text == "Docker cagent");
  CHECK(root.attrs.get("description")->text == "Coordinates the team");
  const Value& model = root.attrs.get("models")->items.at(0);
  CHECK(model.get("provider")->text == "anthropic");
  CHECK(model.get("model")->text == "claude-sonnet-4-0");
  CHECK(model.get("base_url")->text == "https://gateway.example.com/anthropic");
  CHECK(model.get("api_key")->text == "${GATEWAY_TOKEN}");
  CHECK(root.attrs.get("delegate_names")->items[0].text == "coder");
  // max_iterations: 0 is no bound.
  CHECK(root.attrs.get("max_iterations")->is_null());
  CHECK(loc(root.attrs.get("max_iterations")) == "30:21");
  REQUIRE(root.attrs.get("servers")->items.size() == 2);
  const model::Entity& tickets = p.graph.at(root.attrs.get("servers")->items[0].ref);
  CHECK(tickets.name == "tickets");
  CHECK(tickets.attrs.get("command")->text == "npx");
  CHECK(tickets.attrs.get("env")->items.size() == 1);
  // Defined once under `mcps:`; this agent's toolset keeps only list_tickets of it.
  CHECK(loc(tickets.attrs.get("name")) == "11:3");
  CHECK(tickets.attrs.get("enabled_tools") == nullptr);
  const Value& kept = root.attrs.get("tools")->items.at(1);
  CHECK(kept.get("name")->text == "list_tickets");
  CHECK(kept.get("server")->text == "tickets");
  const model::Entity& remote = p.graph.at(root.attrs.get("servers")->items[1].ref);
  CHECK(remote.attrs.get("transport")->text == "sse");
  CHECK(remote.attrs.get("remote")->boolean);
  CHECK(remote.attrs.get("headers")->items[0].get("key")->text == "Authorization");
  CHECK(root.attrs.get("approval")->text == "untrusted");
  CHECK(root.attrs.get("permissions")->get("deny")->items.size() == 1);
  CHECK_FALSE(root.attrs.get("unrestricted_shell")->boolean);

  const model::Entity& coder = find(p.graph, model::EntityKind::kAgent, "coder");
  CHECK(coder.attrs.get("max_iterations")->number == 40);
  CHECK(coder.attrs.get("models")->items[0].get("provider")->text == "openai");
  const Value* tools = coder.attrs.get("tools");
  REQUIRE(tools->items.size() == 4);
  CHECK(tools->items[0].get("kind")->text == "shell");
  CHECK(tools->items[1].get("kind")->text == "filesystem");
  CHECK(tools->items[2].get("kind")->text == "fetch");
  CHECK(tools->items[3].get("name")->text == "get_ip");
  // A shell toolset whose every command is allowed in advance.
  CHECK(coder.attrs.get("unrestricted_shell")->boolean);
  CHECK(loc(coder.attrs.get("unrestricted_shell")) == "19:7");
}

TEST_CASE("cagent real examples read without diagnostics") {
  for (const char* file : {"cagent/dev-team.yaml", "cagent/permissions.yaml",
                           "cagent/mcp-definitions.yaml", "cagent/shell.yaml"}) {
    INFO(file);
    Parsed p = parse(file, slurp(file));
    CHECK(p.recognised);
    CHECK(p.sink.items().empty());
  }
  Parsed team = parse("dev-team.yaml", slurp("cagent/dev-team.yaml"));
  const model::Entity& root = find(team.graph, model::EntityKind::kAgent, "root");
  CHECK(root.attrs.get("delegate_names")->items.size() == 2);
  CHECK(root.attrs.get("server_names")->items[0].text == "docker:context7");
  // The same catalog server written by three agents: three servers, named apart.
  const model::Entity& designer = find(team.graph, model::EntityKind::kAgent, "designer");
  CHECK(designer.attrs.get("server_names")->items[0].text == "docker:context7 (designer)");
  Parsed shared = parse("mcp-definitions.yaml", slurp("cagent/mcp-definitions.yaml"));
  size_t servers = 0;
  for (const auto& e : shared.graph.entities()) servers += e.kind == model::EntityKind::kMcpServer;
  CHECK(servers == 2);
  CHECK(root.attrs.get("max_iterations")->is_null());
  Parsed permissions = parse("permissions.yaml", slurp("cagent/permissions.yaml"));
  const model::Entity& guarded = find(permissions.graph, model::EntityKind::kAgent, "root");
  CHECK_FALSE(guarded.attrs.get("unrestricted_shell")->boolean);
  CHECK(guarded.attrs.get("permissions")->get("allow")->items.size() == 24);
}

TEST_CASE("cagent shape problems are diagnostics; lookalikes are not read") {
  Parsed p = parse("bad.yaml",
                   "agents:\n  root:\n    model: m\n    toolsets: {type: shell}\n"
                   "    max_iterations: many\n  other: text\n");
  REQUIRE(p.recognised);
  REQUIRE(p.sink.items().size() == 3);
  CHECK(p.sink.items()[0].loc.line() == 5);
  CHECK(p.sink.items()[1].loc.line() == 4);
  CHECK(p.sink.items()[2].loc.line() == 6);
  Parsed other = parse("x.yaml", "agents:\n  root:\n    replicas: 2\n");
  CHECK_FALSE(other.recognised);
  CHECK(other.sink.items().empty());
}
