#include "parsers/agents/kagent_resources.hpp"

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
  return testing::parse_with(parsers::KagentResourceParser(), path, text);
}

}  // namespace

TEST_CASE("kagent claims YAML that names kagent's or ToolHive's API group") {
  parsers::KagentResourceParser parser;
  CHECK(parser.claims("a.yaml", "apiVersion: kagent.dev/v1alpha2\nkind: Agent\n").claimed);
  CHECK(parser.claims("a.yml", "apiVersion: toolhive.stacklok.dev/v1beta1\nkind: MCPServer\n")
            .claimed);
  CHECK_FALSE(parser.claims("a.yaml", "apiVersion: v1\nkind: Service\n").claimed);
  CHECK_FALSE(parser.claims("a.json", "{\"apiVersion\": \"kagent.dev/v1alpha2\"}").claimed);
  CHECK(parser.claims("t.yaml", "apiVersion: kagent.dev/v1alpha2\nkind: Agent\nx: {{ .V }}\n")
            .templated);
}

TEST_CASE("kagent Agent v1alpha2: tools with approval, delegates, model, skills, literals") {
  Parsed p = parse("ops-agents.yaml", slurp("kagent/ops-agents.yaml"));
  REQUIRE(p.recognised);
  CHECK(p.sink.items().empty());
  const model::Entity& agent = find(p.graph, model::EntityKind::kAgent, "k8s-agent");
  CHECK(agent.attrs.get("client")->text == "kagent");
  CHECK(agent.attrs.get("config_format")->text == "kagent");
  CHECK(agent.attrs.get("description")->text == "Operates the cluster");
  const Value* tools = agent.attrs.get("tools");
  REQUIRE(tools->items.size() == 4);
  CHECK(tools->items[0].get("name")->text == "k8s_get_resources");
  CHECK(tools->items[0].get("server")->text == "kagent-tool-server");
  CHECK_FALSE(tools->items[0].get("require_approval")->boolean);
  CHECK(tools->items[1].get("require_approval")->boolean);
  CHECK(loc(tools->items[2].get("name")) == "51:15");
  CHECK(tools->items[3].get("kind")->text == "agent");
  CHECK(agent.attrs.get("delegate_names")->items[0].text == "promql-agent");
  CHECK(agent.attrs.get("approval")->text == "on-request");
  CHECK(agent.attrs.get("approval_setting")->text == "requireApproval: k8s_delete_resource");
  CHECK(loc(agent.attrs.get("approval")) == "53:15");
  const Value* models = agent.attrs.get("models");
  REQUIRE(models->items.size() == 1);
  CHECK(models->items[0].get("model")->text == "gpt-4.1-mini");
  CHECK(models->items[0].get("provider")->text == "openai");
  CHECK(models->items[0].get("base_url")->text == "https://llm.internal.example.com/v1");
  CHECK(models->items[0].get("api_key")->text == "secretKeyRef:kagent-openai/OPENAI_API_KEY");
  CHECK(agent.attrs.get("skills")->items[0].text == "Triage");
  CHECK(agent.attrs.get("literals")->items.size() == 1);
  // The server defined in the same file is linked.
  REQUIRE(agent.attrs.get("servers")->items.size() == 1);
  const model::Entity& server = p.graph.at(agent.attrs.get("servers")->items[0].ref);
  CHECK(server.name == "kagent-tool-server");
  CHECK(server.attrs.get("transport")->text == "sse");
  CHECK(server.attrs.get("remote")->boolean);
  CHECK(server.attrs.get("headers")->items[0].get("value")->text ==
        "secretKeyRef:tool-server-token/token");

  const model::Entity& promql = find(p.graph, model::EntityKind::kAgent, "promql-agent");
  CHECK(promql.attrs.get("models")->items[0].get("name")->text == "other-namespace/shared-model");
  CHECK(promql.attrs.get("approval")->text == "never");

  const model::Entity& legacy = find(p.graph, model::EntityKind::kAgent, "legacy-agent");
  CHECK(legacy.attrs.get("server_names")->items[0].text == "kagent/kagent-tool-server");
  CHECK(legacy.attrs.get("servers")->items.size() == 1);
  CHECK(legacy.attrs.get("delegate_names")->items[0].text == "kagent/promql-agent");
  CHECK(legacy.attrs.get("models")->items[0].get("model")->text == "gpt-4.1-mini");
}

TEST_CASE("kagent real resources: MCPServer, ToolServer, RemoteMCPServer, ToolHive, Agent") {
  Parsed kmcp = parse("everything-mcp-server.yaml", slurp("kagent/everything-mcp-server.yaml"));
  REQUIRE(kmcp.recognised);
  CHECK(kmcp.sink.items().empty());
  const model::Entity& everything =
      find(kmcp.graph, model::EntityKind::kMcpServer, "everything-mcp-server");
  CHECK(everything.attrs.get("command")->text == "npx");
  CHECK(everything.attrs.get("args")->items.size() == 2);
  CHECK(everything.attrs.get("transport")->text == "stdio");

  Parsed tool_server = parse("context7.mcp.yaml", slurp("kagent/context7.mcp.yaml"));
  REQUIRE(tool_server.recognised);
  const model::Entity& context7 =
      find(tool_server.graph, model::EntityKind::kMcpServer, "context7-mcp-latest");
  CHECK(context7.attrs.get("command")->text == "npx");
  CHECK(context7.attrs.get("args")->items[1].text == "@upstash/context7-mcp@latest");

  Parsed remote = parse("remote.yaml", slurp("kagent/server-everything-remote-mcpserver.yaml"));
  REQUIRE(remote.recognised);
  const model::Entity& everything_remote =
      find(remote.graph, model::EntityKind::kMcpServer, "server-everything");
  CHECK(everything_remote.attrs.get("transport")->text == "streamable-http");
  CHECK(everything_remote.attrs.get("url")->text == "https://servereverything.dev/mcp");

  Parsed toolhive = parse("toolhive.yaml", slurp("kagent/toolhive-mcpserver_github.yaml"));
  REQUIRE(toolhive.recognised);
  CHECK(toolhive.sink.items().empty());
  const model::Entity& github = find(toolhive.graph, model::EntityKind::kMcpServer, "github");
  CHECK(github.attrs.get("config_format")->text == "toolhive");
  CHECK(github.attrs.get("image")->text == "ghcr.io/github/github-mcp-server");
  CHECK(github.attrs.get("env")->items.size() == 2);

  Parsed agent = parse("k8sgpt-agent.yaml", slurp("kagent/k8sgpt-agent.yaml"));
  REQUIRE(agent.recognised);
  CHECK(agent.sink.items().empty());
  const model::Entity& k8sgpt = find(agent.graph, model::EntityKind::kAgent, "k8sgpt-agent");
  CHECK(k8sgpt.attrs.get("server_names")->items[0].text == "k8sgpt-mcp-server");
  CHECK(k8sgpt.attrs.get("tools")->items[0].get("name")->text == "analyze");
  CHECK(k8sgpt.attrs.get("approval")->text == "never");
}

TEST_CASE("kagent shapes: wrong types are diagnostics, other kinds and groups are not read") {
  Parsed p = parse("bad.yaml",
                   "apiVersion: kagent.dev/v1alpha2\nkind: Agent\nmetadata: {name: a}\n"
                   "spec:\n  declarative:\n    tools: {a: 1}\n"
                   "---\napiVersion: kagent.dev/v1alpha2\nkind: Agent\nmetadata: {name: b}\n"
                   "spec: [1]\n");
  REQUIRE(p.recognised);
  REQUIRE(p.sink.items().size() == 2);
  CHECK(p.sink.items()[0].loc.line() == 11);
  CHECK(p.sink.items()[1].loc.line() == 6);

  Parsed other = parse("svc.yaml",
                       "apiVersion: v1\nkind: Service\n---\napiVersion: kagent.dev/v1alpha2\n"
                       "kind: Memory\nspec: {}\n");
  CHECK_FALSE(other.recognised);
  CHECK(other.sink.items().empty());
}
