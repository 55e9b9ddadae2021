#include "parsers/agents/crewai_config.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "discover/working_tree.hpp"
#include "parser_test_support.hpp"
#include "parsers/syntax/yaml_reader.hpp"
#include "rules/rule_set.hpp"
#include "scan/scanner.hpp"

using namespace fermata;
using model::Value;

namespace {

using testing::find;
using testing::loc;
using testing::Parsed;
using testing::slurp;

Parsed parse(const std::string& path, const std::string& text) {
  return testing::parse_with(parsers::CrewAiConfigParser(), path, text);
}

}  // namespace

TEST_CASE("crewai claims config/agents.yaml and tasks.yaml only when they look like CrewAI's") {
  parsers::CrewAiConfigParser parser;
  CHECK(parser.claims("src/crew/config/agents.yaml", "a:\n  role: x\n  goal: y\n").certain);
  CHECK(parser.claims("config/tasks.yml", "t:\n  description: d\n  expected_output: o\n").claimed);
  CHECK_FALSE(parser.claims("config/agents.yaml", "agents:\n  - name: a\n").claimed);
  CHECK_FALSE(parser.claims("agents.yaml", "a:\n  role: x\n").claimed);
  CHECK_FALSE(parser.claims("config/settings.yaml", "a:\n  role: x\n").claimed);
  CHECK_FALSE(parser.claims("config/tasks.yaml", "build:\n  description: d\n").claimed);
}

TEST_CASE("crewai agents: one agent per key with its bounds, tools, models and code execution") {
  Parsed p = parse("dev_crew/config/agents.yaml", slurp("crewai/dev_crew/config/agents.yaml"));
  REQUIRE(p.recognised);
  CHECK(p.sink.items().empty());

  const model::Entity& lead = find(p.graph, model::EntityKind::kAgent, "lead");
  CHECK(lead.attrs.get("client")->text == "CrewAI");
  CHECK(lead.attrs.get("config_format")->text == "crewai");
  CHECK(lead.attrs.get("kind")->text == "agent");
  CHECK(lead.attrs.get("description")->text ==
        "Engineering Lead: Plan the change and hand the work to the team");
  CHECK(lead.attrs.get("allow_delegation")->boolean);
  CHECK(loc(lead.attrs.get("allow_delegation")) == "8:21");
  const Value* delegates = lead.attrs.get("delegate_names");
  REQUIRE(delegates->items.size() == 2);
  CHECK(delegates->items[0].text == "coder");
  CHECK(delegates->items[1].text == "writer");
  CHECK(lead.attrs.get("max_iterations")->number == 10);
  CHECK(lead.attrs.get("max_rpm")->number == 30);
  CHECK(lead.attrs.get("max_execution_seconds")->number == 600);
  CHECK(lead.attrs.get("code_execution")->text == "none");
  CHECK(lead.attrs.get("approval")->text == "never");
  const Value* models = lead.attrs.get("models");
  REQUIRE(models->items.size() == 1);
  CHECK(models->items[0].get("provider")->text == "openai");
  CHECK(models->items[0].get("model")->text == "gpt-4o");

  const model::Entity& coder = find(p.graph, model::EntityKind::kAgent, "coder");
  CHECK(coder.attrs.get("code_execution")->text == "unsafe");
  CHECK(loc(coder.attrs.get("code_execution")) == "24:24");
  CHECK(coder.attrs.get("allow_delegation")->is_null());
  CHECK(coder.attrs.get("delegate_names")->items.empty());
  // Not set: CrewAI's own default bound, at the agent's name.
  CHECK(coder.attrs.get("max_iterations")->number == 25);
  CHECK(loc(coder.attrs.get("max_iterations")) == "14:1");
  const Value* tools = coder.attrs.get("tools");
  REQUIRE(tools->items.size() == 5);
  CHECK(tools->items[0].get("kind")->text == "filesystem");
  CHECK(tools->items[1].get("kind")->text == "filesystem");
  CHECK(tools->items[2].get("kind")->text == "fetch");
  CHECK(tools->items[3].get("kind")->text == "function");
  CHECK(tools->items[4].get("name")->text == "search_docs");
  CHECK(tools->items[4].get("kind")->text == "mcp");
  CHECK(coder.attrs.get("server_names")->items.size() == 2);
  REQUIRE(coder.attrs.get("servers")->items.size() == 1);
  const model::Entity& server = p.graph.at(coder.attrs.get("servers")->items[0].ref);
  CHECK(server.attrs.get("url")->text == "https://mcp.example.com/mcp");
  CHECK(server.attrs.get("enabled_tools")->items[0].text == "search_docs");
}

TEST_CASE("crewai tasks: one task per key with its agent and human review") {
  Parsed p = parse("dev_crew/config/tasks.yaml", slurp("crewai/dev_crew/config/tasks.yaml"));
  REQUIRE(p.recognised);
  CHECK(p.sink.items().empty());
  const model::Entity& implement = find(p.graph, model::EntityKind::kTask, "implement");
  CHECK(implement.attrs.get("agent_name")->text == "coder");
  CHECK(implement.attrs.get("human_input")->is_null());
  CHECK(implement.attrs.get("async_execution")->kind == model::ValueKind::kBool);
  CHECK(implement.attrs.get("tools")->items[0].text == "FileWriterTool");
  CHECK(implement.attrs.get("context")->items[0].text == "plan");
  const model::Entity& document = find(p.graph, model::EntityKind::kTask, "document");
  CHECK(document.attrs.get("human_input")->boolean);
  CHECK(loc(document.attrs.get("human_input")) == "20:16");
  CHECK(document.attrs.get("description")->text == "Document the change.");
}

TEST_CASE("crewai real files read without diagnostics") {
  for (const char* file :
       {"crewai/research_crew/config/agents.yaml", "crewai/research_crew/config/tasks.yaml"}) {
    INFO(file);
    Parsed p = parse(file, slurp(file));
    CHECK(p.recognised);
    CHECK(p.sink.items().empty());
    CHECK(p.graph.size() == 2);
  }
}

TEST_CASE("crewai shape problems are diagnostics at their line; the rest is still read") {
  Parsed p = parse("config/agents.yaml",
                   "good:\n  role: r\n  goal: g\n  max_iter: lots\n  tools: {a: 1}\n"
                   "  allow_code_execution: yes please\n"
                   "bad: just a string\n"
                   "odd:\n  role: r\n  allow_code_execution: true\n  code_execution_mode: fast\n");
  REQUIRE(p.recognised);
  REQUIRE(p.sink.items().size() == 5);
  std::vector<std::string> lines;
  for (const auto& d : p.sink.items()) lines.push_back(std::to_string(d.loc.line()));
  std::sort(lines.begin(), lines.end());
  CHECK(lines == std::vector<std::string>{"11", "4", "5", "6", "7"});
  CHECK(find(p.graph, model::EntityKind::kAgent, "odd").attrs.get("code_execution")->text.empty());
}

TEST_CASE("crewai keys in an MCP URL's query are literals of the agent") {
  Parsed p = parse(
      "config/agents.yaml",
      "a:\n  role: r\n  mcps:\n    - \"https://mcp.exa.ai/mcp?api_key=k1&profile=x#search\"\n");
  REQUIRE(p.recognised);
  const Value* literals = find(p.graph, model::EntityKind::kAgent, "a").attrs.get("literals");
  REQUIRE(literals->items.size() == 2);
  CHECK(literals->items[0].get("key")->text == "api_key");
  CHECK(literals->items[0].get("value")->text == "k1");
  CHECK(literals->items[1].get("value")->text == "x");
  CHECK(loc(literals->items[0].get("value")) == "4:7");
}

TEST_CASE("crewai the same MCP URL in two agents gives two servers named apart") {
  Parsed p = parse("config/agents.yaml",
                   "a:\n  role: r\n  mcps: [\"https://m.example.com/mcp\"]\n"
                   "b:\n  role: r\n  mcps: [\"https://m.example.com/mcp\"]\n");
  REQUIRE(p.recognised);
  std::vector<std::string> names;
  for (const auto& e : p.graph.entities()) {
    if (e.kind == model::EntityKind::kMcpServer) names.push_back(e.name);
  }
  CHECK(names ==
        std::vector<std::string>{"https://m.example.com/mcp", "https://m.example.com/mcp (b)"});
}

TEST_CASE("crewai lookalike YAML is not read") {
  Parsed p = parse("config/agents.yaml", "agents:\n  - name: a\n    image: x\n");
  CHECK_FALSE(p.recognised);
  CHECK(p.sink.items().empty());
  Parsed list = parse("config/tasks.yaml", "- description: d\n");
  CHECK_FALSE(list.recognised);
  CHECK(list.graph.size() == 0);
}

TEST_CASE("agent frameworks: a scan links tasks, sub-agents and servers and derives autonomy") {
  core::DiagnosticSink sink;
  rules::RuleSet rules;
  REQUIRE(rules.load_builtin(sink));
  derive::SecretClassifier secrets = scan::builtin_secret_classifier(sink);
  discover::WalkOptions walk;
  walk.honour_gitignore = false;
  discover::WorkingTreeProvider files(
      std::filesystem::path(FERMATA_SOURCE_DIR) / "fixtures/formats/agents", walk);
  scan::ScanResult result = scan::run_scan(files, rules, secrets, {});
  // Only information about references the fixtures leave outside the repository.
  for (const auto& diagnostic : result.diagnostics) {
    CHECK(diagnostic.code == core::DiagCode::kLinkUnresolved);
  }
  auto named = [&](model::EntityKind kind, const std::string& file, const std::string& name) {
    for (const auto& e : result.graph.entities()) {
      if (e.kind == kind && e.name == name && e.loc.file == file) return &e;
    }
    FAIL("no entity " << name << " in " << file);
    return static_cast<const model::Entity*>(nullptr);
  };
  const std::string crew = "crewai/dev_crew/config/";
  const model::Entity* coder = named(model::EntityKind::kAgent, crew + "agents.yaml", "coder");
  const model::Entity* implement =
      named(model::EntityKind::kTask, crew + "tasks.yaml", "implement");
  CHECK(implement->attrs.get("agent")->ref == coder->id);
  CHECK(coder->attrs.get("autonomy")->text == "fully-autonomous");
  // The writer's only task is reviewed by a human.
  const model::Entity* writer = named(model::EntityKind::kAgent, crew + "agents.yaml", "writer");
  CHECK(writer->attrs.get("autonomy")->text == "limited");
  const model::Entity* lead = named(model::EntityKind::kAgent, crew + "agents.yaml", "lead");
  CHECK(lead->attrs.get("delegates")->items.size() == 2);

  const model::Entity* loop =
      named(model::EntityKind::kAgent, "adk/team/root_agent.yaml", "review_loop");
  const model::Entity* critic = named(model::EntityKind::kAgent, "adk/team/critic.yaml", "critic");
  REQUIRE(loop->attrs.get("delegates")->items.size() == 1);
  CHECK(loop->attrs.get("delegates")->items[0].ref == critic->id);

  const model::Entity* k8s =
      named(model::EntityKind::kAgent, "kagent/ops-agents.yaml", "k8s-agent");
  CHECK(k8s->attrs.get("autonomy")->text == "semi-autonomous");
  CHECK(k8s->attrs.get("delegates")->items.size() == 1);

  const model::Entity* root = named(model::EntityKind::kAgent, "cagent/team.yaml", "root");
  CHECK(root->attrs.get("autonomy")->text == "limited");
  const model::Entity* shell = named(model::EntityKind::kAgent, "cagent/team.yaml", "coder");
  CHECK(shell->attrs.get("autonomy")->text == "fully-autonomous");
}
