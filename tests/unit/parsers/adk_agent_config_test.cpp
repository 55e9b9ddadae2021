#include "parsers/agents/adk_agent_config.hpp"

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
  return testing::parse_with(parsers::AdkAgentConfigParser(), path, text);
}

}  // namespace

TEST_CASE("adk claims agent config files by schema comment or shape") {
  parsers::AdkAgentConfigParser parser;
  CHECK(parser.claims("a/root_agent.yaml", "agent_class: LlmAgent\nname: a\n").certain);
  CHECK(parser.claims("x.yaml", "# $schema=.../AgentConfig.json\nname: a\n").certain);
  const auto shaped = parser.claims("x.yaml", "name: a\nmodel: m\ninstruction: i\n");
  CHECK(shaped.claimed);
  CHECK_FALSE(shaped.certain);
  CHECK_FALSE(parser.claims("x.yaml", "name: a\nmodel: m\n").claimed);
  CHECK_FALSE(parser.claims("x.json", "{\"agent_class\": \"LlmAgent\"}").claimed);
}

TEST_CASE("adk LoopAgent without a bound, sub-agents as paths and code") {
  Parsed p = parse("team/root_agent.yaml", slurp("adk/team/root_agent.yaml"));
  REQUIRE(p.recognised);
  CHECK(p.sink.items().empty());
  const model::Entity& loop = find(p.graph, model::EntityKind::kAgent, "review_loop");
  CHECK(loop.attrs.get("client")->text == "Google ADK");
  CHECK(loop.attrs.get("max_iterations")->is_null());
  CHECK(loc(loop.attrs.get("max_iterations")) == "3:14");
  const Value* delegates = loop.attrs.get("delegate_names");
  REQUIRE(delegates->items.size() == 2);
  CHECK(delegates->items[0].text == "critic.yaml");
  CHECK(delegates->items[1].text == "my_agents.writer");
}

TEST_CASE("adk LlmAgent: tools, confirmation, MCPToolset over HTTP, default call bound") {
  Parsed p = parse("team/critic.yaml", slurp("adk/team/critic.yaml"));
  REQUIRE(p.recognised);
  CHECK(p.sink.items().empty());
  const model::Entity& critic = find(p.graph, model::EntityKind::kAgent, "critic");
  CHECK(critic.attrs.get("max_iterations")->number == 500);
  CHECK(critic.attrs.get("approval")->text == "never");
  const Value* tools = critic.attrs.get("tools");
  REQUIRE(tools->items.size() == 3);
  CHECK(tools->items[0].get("kind")->text == "fetch");
  CHECK(tools->items[1].get("require_approval")->boolean);
  CHECK(tools->items[2].get("name")->text == "search");
  REQUIRE(critic.attrs.get("servers")->items.size() == 1);
  const model::Entity& server = p.graph.at(critic.attrs.get("servers")->items[0].ref);
  CHECK(server.attrs.get("transport")->text == "streamable-http");
  CHECK(server.attrs.get("url")->text == "https://mcp.example.com/mcp");
  CHECK(server.attrs.get("headers")->items.size() == 1);
}

TEST_CASE("adk real sample: a stdio MCP server with its environment") {
  Parsed p = parse("notion/root_agent.yaml", slurp("adk/notion/root_agent.yaml"));
  REQUIRE(p.recognised);
  CHECK(p.sink.items().empty());
  const model::Entity& agent = find(p.graph, model::EntityKind::kAgent, "notion_agent");
  CHECK(agent.attrs.get("models")->items[0].get("model")->text == "gemini-2.5-flash");
  const model::Entity& server = p.graph.at(agent.attrs.get("servers")->items.at(0).ref);
  CHECK(server.attrs.get("command")->text == "npx");
  CHECK(server.attrs.get("args")->items[1].text == "@notionhq/notion-mcp-server");
  CHECK(server.attrs.get("env")->items[0].get("key")->text == "OPENAPI_MCP_HEADERS");
}

TEST_CASE("adk shape problems are diagnostics; ordinary YAML is not read") {
  Parsed p = parse("root_agent.yaml",
                   "agent_class: LlmAgent\nname: a\ntools: [google_search]\n"
                   "sub_agents:\n  - {name: b}\nmax_iterations: x\n");
  REQUIRE(p.recognised);
  REQUIRE(p.sink.items().size() == 3);
  CHECK(p.sink.items()[0].loc.line() == 6);
  CHECK(p.sink.items()[1].loc.line() == 3);
  CHECK(p.sink.items()[2].loc.line() == 5);
  Parsed other = parse("x.yaml", "name: build\nmodel: m\n");
  CHECK_FALSE(other.recognised);
}
