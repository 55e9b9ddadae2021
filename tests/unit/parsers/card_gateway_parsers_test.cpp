#include "parsers/agents/card_gateway_parsers.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "parsers/syntax/json_reader.hpp"
#include "parsers/syntax/yaml_reader.hpp"

using namespace fermata;

namespace {

struct Parsed {
  model::Graph graph;
  core::DiagnosticSink sink;
  bool recognised = false;
};

Parsed parse_with(const parsers::Parser& parser, const std::string& path, const std::string& text) {
  Parsed out;
  const bool yaml = path.size() > 5 && (path.substr(path.size() - 5) == ".yaml" ||
                                        path.substr(path.size() - 4) == ".yml");
  auto document = yaml ? syntax::read_yaml(path, text, core::Limits{}, out.sink)
                       : syntax::read_json(path, text, core::Limits{}, out.sink);
  REQUIRE(document.has_value());
  out.recognised = parser.parse(*document, out.graph, out.sink);
  return out;
}

const model::Entity* entity(const model::Graph& graph, model::EntityKind kind,
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

std::vector<std::string> texts(const model::Value* list) {
  std::vector<std::string> out;
  if (list == nullptr) return out;
  for (const auto& item : list->items) out.push_back(item.text);
  return out;
}

}  // namespace

// ---- A2A agent cards ----------------------------------------------------------------------

TEST_CASE("a2a claims: card names and folders, sniffed; other agent.json files are left alone") {
  parsers::A2aAgentCardParser parser;
  const std::string card = R"({"name": "x", "url": "https://a", "skills": []})";
  CHECK(parser.claims(".well-known/agent-card.json", card).certain);
  CHECK(parser.claims("srv/agent.json", card).claimed);
  CHECK_FALSE(parser.claims("srv/agent.json", card).certain);
  CHECK(parser.claims("samples/agent_cards/planner.json", card).claimed);
  CHECK(parser.claims("src/currency_agent/agent_card.json", card).claimed);
  // A package-style manifest named agent.json has no endpoint and no skills.
  CHECK_FALSE(
      parser.claims("agent.json", R"({"name": "bot", "version": "1.0.0", "main": "x"})").claimed);
  CHECK_FALSE(parser.claims("cards/other.json", card).claimed);
  CHECK_FALSE(parser.claims("agent-card.yaml", "name: x").claimed);
}

TEST_CASE("a2a v0.3 card: url, skills, schemes and the required ones, each located") {
  const std::string json = R"({
  "protocolVersion": "0.3.0",
  "name": "Expense Agent",
  "description": "Files expenses",
  "url": "https://agents.example.com/a2a",
  "capabilities": {"streaming": true},
  "securitySchemes": {
    "bearer": {"type": "http", "scheme": "Bearer"},
    "key": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
  },
  "security": [{"bearer": []}],
  "skills": [{"id": "file", "name": "File expense", "tags": []}, {"id": "approve"}]
})";
  parsers::A2aAgentCardParser parser;
  Parsed p = parse_with(parser, ".well-known/agent-card.json", json);
  REQUIRE(p.recognised);
  CHECK(p.sink.items().empty());
  const model::Entity* agent = entity(p.graph, model::EntityKind::kAgent, "Expense Agent");
  REQUIRE(agent != nullptr);
  CHECK(text(agent->attrs, "client") == "A2A");
  CHECK(text(agent->attrs, "config_format") == "a2a-card");
  CHECK(text(agent->attrs, "url") == "https://agents.example.com/a2a");
  CHECK(agent->attrs.get("url")->loc.span.line == 5);
  CHECK(texts(agent->attrs.get("skills")) == std::vector<std::string>{"File expense", "approve"});
  CHECK(texts(agent->attrs.get("security_schemes")) ==
        std::vector<std::string>{"http:bearer", "apiKey"});
  const model::Value* auth = agent->attrs.get("auth");
  REQUIRE(auth != nullptr);
  CHECK(auth->get("configured")->boolean);
  CHECK(texts(auth->get("methods")) == std::vector<std::string>{"http:bearer"});
  CHECK(auth->get("methods")->items[0].loc.span.line == 11);
  REQUIRE(agent->attrs.get("literals")->items.size() == 1);
  CHECK(text(agent->attrs.get("literals")->items[0], "source") == "url");
}

TEST_CASE("a2a v1.0 card: supportedInterfaces and wrapped schemes; an anonymous alternative") {
  const std::string v1 = R"({
  "name": "Route Planner",
  "supportedInterfaces": [{"url": "https://geo.example.com/a2a/v1", "protocolBinding": "JSONRPC"}],
  "capabilities": {},
  "securitySchemes": {"google": {"openIdConnectSecurityScheme": {"openIdConnectUrl": "https://x"}}},
  "securityRequirements": [{"schemes": {"google": {"list": ["openid"]}}}]
})";
  parsers::A2aAgentCardParser parser;
  Parsed p = parse_with(parser, "agent-card.json", v1);
  REQUIRE(p.recognised);
  CHECK(p.sink.items().empty());
  const model::Entity* agent = entity(p.graph, model::EntityKind::kAgent, "Route Planner");
  REQUIRE(agent != nullptr);
  CHECK(text(agent->attrs, "url") == "https://geo.example.com/a2a/v1");
  CHECK(agent->attrs.get("auth")->get("configured")->boolean);
  CHECK(texts(agent->attrs.get("security_schemes")) == std::vector<std::string>{"openIdConnect"});

  const std::string anonymous = R"({"name": "A", "url": "https://a", "skills": [],
  "securitySchemes": {"k": {"type": "apiKey"}}, "security": [{}, {"k": []}]})";
  Parsed q = parse_with(parser, "agent-card.json", anonymous);
  CHECK_FALSE(entity(q.graph, model::EntityKind::kAgent, "A")
                  ->attrs.get("auth")
                  ->get("configured")
                  ->boolean);

  const std::string legacy = R"({"name": "L", "url": "https://l", "skills": [],
  "authentication": {"schemes": ["Bearer"]}})";
  Parsed r = parse_with(parser, "agent.json", legacy);
  const model::Value* auth = entity(r.graph, model::EntityKind::kAgent, "L")->attrs.get("auth");
  CHECK(auth->get("configured")->boolean);
  CHECK(texts(auth->get("methods")) == std::vector<std::string>{"http:bearer"});
}

TEST_CASE("a2a: shape problems are diagnostics with their line; lookalikes are not cards") {
  const std::string bad = R"({
  "name": "Bad",
  "url": "https://bad.example.com", "capabilities": {},
  "skills": "all of them",
  "securitySchemes": {"s": {"type": "kerberos"}},
  "security": [{"missing": []}]
})";
  parsers::A2aAgentCardParser parser;
  Parsed p = parse_with(parser, "agent-card.json", bad);
  REQUIRE(p.recognised);
  REQUIRE(p.sink.items().size() == 3);
  CHECK(p.sink.items()[0].loc.span.line == 4);
  CHECK(p.sink.items()[1].loc.span.line == 5);
  CHECK(p.sink.items()[2].loc.span.line == 6);
  CHECK(p.sink.items()[2].message.find("'missing'") != std::string::npos);
  CHECK_FALSE(entity(p.graph, model::EntityKind::kAgent, "Bad")
                  ->attrs.get("auth")
                  ->get("configured")
                  ->boolean);

  Parsed lookalike =
      parse_with(parser, "agent.json", R"({"name": "x", "url": "https://x", "version": "1"})");
  CHECK_FALSE(lookalike.recognised);
  CHECK(lookalike.sink.items().empty());
  CHECK(lookalike.graph.size() == 0);
}

// ---- LiteLLM proxy ------------------------------------------------------------------------

TEST_CASE("litellm claims: the proxy's top-level keys; certain when the path says litellm") {
  parsers::LitellmConfigParser parser;
  CHECK(parser.claims("deploy/litellm_config.yaml", "model_list:\n  - model_name: x\n").certain);
  CHECK(parser.claims("config.yaml", "model_list:\n  - model_name: x\n").claimed);
  CHECK_FALSE(parser.claims("config.yaml", "model_list:\n").certain);
  CHECK_FALSE(parser.claims("config.yaml", "name: x\nsettings:\n  model_list: []\n").claimed);
  CHECK_FALSE(parser.claims("litellm.json", "{\"model_list\": []}").claimed);
}

TEST_CASE("litellm config: models, keys, budgets and bounds, each located") {
  const std::string yaml = R"(model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
      api_base: https://api.openai.com/v1
      rpm: 600
  - model_name: mini
    litellm_params:
      model: gpt-4o-mini
      tpm: "100000"
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
  database_url: os.environ/DATABASE_URL
  max_parallel_requests: 50
litellm_settings:
  max_budget: 100
  budget_duration: 30d
  upperbound_key_generate_params:
    max_budget: 10
    rpm_limit: 60
  default_team_params:
    max_budget: 25
environment_variables:
  REDIS_HOST: redis.internal
)";
  parsers::LitellmConfigParser parser;
  Parsed p = parse_with(parser, "litellm_config.yaml", yaml);
  REQUIRE(p.recognised);
  CHECK(p.sink.items().empty());
  const model::Entity* gateway = entity(p.graph, model::EntityKind::kGateway, "LiteLLM proxy");
  REQUIRE(gateway != nullptr);
  const model::Value& attrs = gateway->attrs;
  CHECK(text(attrs, "product") == "LiteLLM");
  const model::Value* models = attrs.get("models");
  REQUIRE(models->items.size() == 2);
  CHECK(text(models->items[0], "name") == "gpt-4o");
  CHECK(text(models->items[0], "provider") == "openai");
  CHECK(text(models->items[0], "model") == "gpt-4o");
  CHECK(text(models->items[0], "api_key") == "os.environ/OPENAI_API_KEY");
  CHECK(text(models->items[0], "base_url") == "https://api.openai.com/v1");
  CHECK(models->items[0].get("rpm")->number == 600);
  CHECK(models->items[0].get("rpm")->loc.span.line == 7);
  CHECK(models->items[0].get("tpm")->is_null());
  CHECK(text(models->items[1], "provider").empty());
  CHECK(models->items[1].get("tpm")->number == 100000);
  CHECK(text(attrs, "master_key") == "os.environ/LITELLM_MASTER_KEY");
  CHECK(attrs.get("master_key")->loc.span.line == 13);
  CHECK(attrs.get("max_parallel_requests")->number == 50);
  CHECK(attrs.get("limits")->get("max_budget")->number == 100);
  CHECK(text(*attrs.get("limits"), "budget_duration") == "30d");
  CHECK(attrs.get("limits")->loc.span.line == 16);
  CHECK(attrs.get("key_limits")->get("max_budget")->number == 10);
  CHECK(attrs.get("key_limits")->get("rpm_limit")->number == 60);
  CHECK(attrs.get("default_key_limits") == nullptr);
  REQUIRE(attrs.get("team_limits")->items.size() == 1);
  CHECK(attrs.get("team_limits")->items[0].get("max_budget")->number == 25);
  bool redis = false;
  for (const auto& literal : attrs.get("literals")->items) {
    redis = redis || (text(literal, "key") == "REDIS_HOST" && literal.loc.span.line == 25);
  }
  CHECK(redis);
}

TEST_CASE("litellm: wrong shapes are diagnostics; other YAML with a general_settings key is not") {
  const std::string bad = R"(model_list:
  - just-a-string
  - model_name: x
litellm_settings:
  max_budget: lots
)";
  parsers::LitellmConfigParser parser;
  Parsed p = parse_with(parser, "litellm/config.yaml", bad);
  REQUIRE(p.recognised);
  REQUIRE(p.sink.items().size() == 3);
  CHECK(p.sink.items()[0].loc.span.line == 2);
  CHECK(p.sink.items()[1].loc.span.line == 3);
  CHECK(p.sink.items()[2].loc.span.line == 5);

  Parsed other = parse_with(parser, "app/config.yaml", "general_settings:\n  theme: dark\n");
  CHECK_FALSE(other.recognised);
  CHECK(other.sink.items().empty());
}

// ---- MCP registry server.json --------------------------------------------------------------

TEST_CASE("registry claims: the schema URL anywhere, or server.json with packages or remotes") {
  parsers::McpRegistryServerParser parser;
  const std::string schema =
      R"({"$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"})";
  CHECK(parser.claims("mcp/manifest.json", schema).certain);
  CHECK(parser.claims("server.json", R"({"name": "x", "packages": []})").claimed);
  CHECK_FALSE(parser.claims("server.json", R"({"name": "x", "packages": []})").certain);
  CHECK_FALSE(parser.claims("server.json", R"({"port": 8080})").claimed);
  CHECK_FALSE(parser.claims("other.json", R"({"name": "x", "packages": []})").claimed);
}

TEST_CASE("registry server.json: one server per package and remote, pinning decided") {
  const std::string json = R"({
  "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
  "name": "io.github.acme/tickets",
  "version": "1.2.0",
  "repository": {"url": "https://github.com/acme/tickets", "source": "github"},
  "packages": [
    {"registryType": "npm", "identifier": "@acme/tickets", "version": "1.2.0",
     "transport": {"type": "stdio"},
     "environmentVariables": [{"name": "TICKETS_TOKEN", "isSecret": true},
                              {"name": "TICKETS_URL", "default": "https://t.example.com"}]},
    {"registryType": "npm", "identifier": "@acme/tickets-cli", "version": "~1.2",
     "transport": {"type": "stdio"}},
    {"registryType": "oci", "identifier": "ghcr.io/acme/tickets:latest",
     "transport": {"type": "stdio"}},
    {"registryType": "mcpb", "identifier": "https://x/t.mcpb", "version": "1.2.0",
     "fileSha256": "abc", "transport": {"type": "stdio"}}
  ],
  "remotes": [
    {"type": "streamable-http", "url": "https://mcp.acme.com/mcp",
     "headers": [{"name": "Authorization", "isSecret": true}]}
  ]
})";
  parsers::McpRegistryServerParser parser;
  Parsed p = parse_with(parser, "server.json", json);
  REQUIRE(p.recognised);
  CHECK(p.sink.items().empty());
  CHECK(p.graph.size() == 5);
  using model::EntityKind;
  const model::Entity* npm =
      entity(p.graph, EntityKind::kMcpServer, "io.github.acme/tickets (npm)");
  REQUIRE(npm != nullptr);
  CHECK(npm->attrs.get("client") == nullptr);
  CHECK(text(npm->attrs, "config_format") == "mcp-registry");
  CHECK(text(npm->attrs, "transport") == "stdio");
  CHECK_FALSE(npm->attrs.get("remote")->boolean);
  const model::Value* registry = npm->attrs.get("registry");
  CHECK(text(*registry, "registry_type") == "npm");
  CHECK(text(*registry, "identifier") == "@acme/tickets");
  CHECK(registry->get("pinned")->boolean);
  CHECK(text(*registry, "repository") == "https://github.com/acme/tickets");
  const model::Value* env = npm->attrs.get("env");
  REQUIRE(env->items.size() == 2);
  CHECK(env->items[0].get("value")->is_null());
  CHECK(text(env->items[1], "value") == "https://t.example.com");

  const model::Entity* cli =
      entity(p.graph, EntityKind::kMcpServer, "io.github.acme/tickets (npm 2)");
  REQUIRE(cli != nullptr);
  CHECK_FALSE(cli->attrs.get("registry")->get("pinned")->boolean);
  CHECK(cli->attrs.get("registry")->get("package_version")->loc.span.line == 11);

  const model::Entity* oci =
      entity(p.graph, EntityKind::kMcpServer, "io.github.acme/tickets (oci)");
  CHECK(text(*oci->attrs.get("registry"), "package_version") == "latest");
  CHECK_FALSE(oci->attrs.get("registry")->get("pinned")->boolean);
  const model::Entity* mcpb =
      entity(p.graph, EntityKind::kMcpServer, "io.github.acme/tickets (mcpb)");
  CHECK(mcpb->attrs.get("registry")->get("pinned")->boolean);

  const model::Entity* remote =
      entity(p.graph, EntityKind::kMcpServer, "io.github.acme/tickets (remote)");
  REQUIRE(remote != nullptr);
  CHECK(remote->attrs.get("remote")->boolean);
  CHECK(text(remote->attrs, "url") == "https://mcp.acme.com/mcp");
  CHECK(text(remote->attrs, "transport") == "streamable-http");
  CHECK(text(remote->attrs.get("headers")->items[0], "key") == "Authorization");
  CHECK(text(*remote->attrs.get("registry"), "registry_type") == "remote");
}

TEST_CASE("registry: the first drafts' snake_case fields are read too") {
  const std::string json = R"({
  "name": "io.github.acme/old",
  "packages": [{"registry_name": "npm", "name": "@acme/old", "version": "0.2.23",
                "environment_variables": [{"name": "API_KEY"}]}],
  "version_detail": {"version": "0.0.1"}
})";
  parsers::McpRegistryServerParser parser;
  Parsed p = parse_with(parser, "server.json", json);
  REQUIRE(p.recognised);
  CHECK(p.sink.items().empty());
  const model::Entity* npm =
      entity(p.graph, model::EntityKind::kMcpServer, "io.github.acme/old (npm)");
  REQUIRE(npm != nullptr);
  CHECK(text(*npm->attrs.get("registry"), "identifier") == "@acme/old");
  CHECK(text(*npm->attrs.get("registry"), "version") == "0.0.1");
  CHECK(npm->attrs.get("env")->items.size() == 1);
}

TEST_CASE("registry: shape problems are located; other server.json files are not manifests") {
  const std::string bad = R"({
  "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
  "name": "io.github.acme/bad",
  "packages": [
    "npm:@acme/bad",
    {"identifier": "@acme/bad", "version": "1.0.0", "transport": {"type": "carrier-pigeon"}}
  ],
  "remotes": [{"type": "sse"}]
})";
  parsers::McpRegistryServerParser parser;
  Parsed p = parse_with(parser, "server.json", bad);
  REQUIRE(p.recognised);
  REQUIRE(p.sink.items().size() == 4);
  CHECK(p.sink.items()[0].loc.span.line == 5);
  CHECK(p.sink.items()[1].loc.span.line == 6);  // no registryType
  CHECK(p.sink.items()[2].loc.span.line == 6);  // unknown transport
  CHECK(p.sink.items()[3].loc.span.line == 8);  // remote without url

  // A manifest of another shape (packages as a map) and an unrelated server.json.
  Parsed other =
      parse_with(parser, "server.json",
                 R"({"$schema": "https://raw.githubusercontent.com/modelcontextprotocol/x",
  "name": "x", "packages": {"pypi": "x"}})");
  CHECK_FALSE(other.recognised);
  CHECK(other.sink.items().empty());
  Parsed unrelated =
      parse_with(parser, "server.json", R"({"name": "x", "packages": [{"path": "a"}]})");
  CHECK_FALSE(unrelated.recognised);
  CHECK(unrelated.sink.items().empty());
}

// ---- Real files (fixtures/formats/agents, sources in SOURCES.tsv) ----------------------------

namespace {

std::string real_file(const std::string& name) {
  std::ifstream in(std::filesystem::path(FERMATA_SOURCE_DIR) / "fixtures/formats/agents" / name,
                   std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Claims the file as the scanner would and parses it; a real file gives no diagnostic.
Parsed parse_real(const parsers::Parser& parser, const std::string& name) {
  const std::string text = real_file(name);
  const parsers::Claim claim = parser.claims(name, text);
  REQUIRE(claim.claimed);
  Parsed p = parse_with(parser, name, text);
  CHECK(p.recognised);
  CHECK(p.sink.items().empty());
  return p;
}

}  // namespace

TEST_CASE("real A2A cards of three protocol versions") {
  parsers::A2aAgentCardParser parser;
  Parsed planner = parse_real(parser, "a2a/agent_cards/planner_agent.json");
  const model::Entity* agent =
      entity(planner.graph, model::EntityKind::kAgent, "Langraph Planner Agent");
  REQUIRE(agent != nullptr);
  CHECK(text(agent->attrs, "url") == "http://localhost:10102/");
  CHECK(texts(agent->attrs.get("skills")) == std::vector<std::string>{"Task Planner"});
  CHECK_FALSE(agent->attrs.get("auth")->get("configured")->boolean);

  Parsed skills = parse_real(parser, "a2a/skills_agent_card.json");
  agent = entity(skills.graph, model::EntityKind::kAgent, "Currency Conversion Agent");
  REQUIRE(agent != nullptr);
  CHECK(text(agent->attrs, "url") == "http://localhost:10999");
  CHECK(agent->attrs.get("url")->loc.span.line == 16);
  CHECK(agent->attrs.get("literals")->items.size() == 2);

  Parsed currency = parse_real(parser, "a2a/currency_agent_card.json");
  agent = entity(currency.graph, model::EntityKind::kAgent, "Currency Conversion Agent");
  REQUIRE(agent != nullptr);
  CHECK(agent->attrs.get("url")->loc.span.line == 37);
}

TEST_CASE("real LiteLLM configs") {
  parsers::LitellmConfigParser parser;
  Parsed cloud_run = parse_real(parser, "litellm/litellm_config.yaml");
  const model::Entity* gateway =
      entity(cloud_run.graph, model::EntityKind::kGateway, "LiteLLM proxy");
  REQUIRE(gateway != nullptr);
  const model::Value* models = gateway->attrs.get("models");
  REQUIRE(models->items.size() == 1);
  CHECK(text(models->items[0], "provider") == "openai");
  CHECK(text(models->items[0], "api_key") == "my-fake-key");
  CHECK(gateway->attrs.get("master_key") == nullptr);
  CHECK(gateway->attrs.get("limits")->loc.span.line == 11);

  Parsed pass_through = parse_real(parser, "litellm/pass_through_config.yaml");
  gateway = entity(pass_through.graph, model::EntityKind::kGateway, "LiteLLM proxy");
  REQUIRE(gateway != nullptr);
  CHECK(gateway->attrs.get("models")->items.size() == 7);
  CHECK(text(gateway->attrs, "master_key") == "os.environ/LITELLM_MASTER_KEY");
  CHECK(gateway->attrs.get("master_key")->loc.span.line == 32);
  bool header = false;
  for (const auto& literal : gateway->attrs.get("literals")->items) {
    header = header || (text(literal, "key") == "Authorization" && literal.loc.span.line == 39);
  }
  CHECK(header);
}

TEST_CASE("real registry manifests: current, mcpb with a hash, a remote, the first draft") {
  parsers::McpRegistryServerParser parser;
  using model::EntityKind;
  Parsed zscaler = parse_real(parser, "registry/zscaler-server.json");
  const model::Entity* oci =
      entity(zscaler.graph, EntityKind::kMcpServer, "io.github.zscaler/zscaler-mcp-server (oci)");
  REQUIRE(oci != nullptr);
  CHECK_FALSE(oci->attrs.get("registry")->get("pinned")->boolean);
  CHECK(oci->attrs.get("registry")->get("package_version")->loc.span.line == 51);
  const model::Entity* pypi =
      entity(zscaler.graph, EntityKind::kMcpServer, "io.github.zscaler/zscaler-mcp-server (pypi)");
  REQUIRE(pypi != nullptr);
  CHECK(pypi->attrs.get("registry")->get("pinned")->boolean);
  CHECK(pypi->attrs.get("env")->items.size() == 4);

  Parsed gitlab = parse_real(parser, "registry/gitlab-server.json");
  const model::Entity* mcpb =
      entity(gitlab.graph, EntityKind::kMcpServer, "io.github.jmrplens/gitlab-mcp-server (mcpb)");
  REQUIRE(mcpb != nullptr);
  CHECK(mcpb->attrs.get("registry")->get("pinned")->boolean);

  Parsed apify = parse_real(parser, "registry/apify-server.json");
  const model::Entity* remote =
      entity(apify.graph, EntityKind::kMcpServer, "com.apify/apify-mcp-server (remote)");
  REQUIRE(remote != nullptr);
  CHECK(text(remote->attrs.get("headers")->items[0], "key") == "Authorization");

  Parsed publisher = parse_real(parser, "registry/publisher/server.json");
  CHECK(entity(publisher.graph, EntityKind::kMcpServer, "io.github.<owner>/<server-name> (npm)") !=
        nullptr);
}

TEST_CASE("registry pinning: exact versions, ranges, tags, digests") {
  struct Case {
    std::string type;
    std::string identifier;
    std::string version;  // "" writes no version
    bool pinned;
  };
  const std::vector<Case> cases = {
      {"npm", "a", "1.2.3", true},
      {"npm", "a", "v2.0", true},
      {"npm", "a", "1.0.0-rc.1", true},
      {"npm", "a", "2.0.0+build.7", true},
      {"pypi", "a", "2025.4.7", true},
      {"pypi", "a", "1.2rc1", true},
      {"pypi", "a", "1.0.post1", true},
      {"npm", "a", "latest", false},
      {"npm", "a", "^1.2.3", false},
      {"npm", "a", "~1.2", false},
      {"npm", "a", ">=1.0.0", false},
      {"npm", "a", "1.x", false},
      {"npm", "a", "1.2.*", false},
      {"npm", "a", "*", false},
      {"npm", "a", "1.2.3 - 1.4", false},
      {"npm", "a", "", false},
      {"nuget", "a", "1.", false},
      {"npm", "a", "1.2x", false},
      {"pypi", "a", "2.0.dev3", true},
      {"npm", "a", "1.X.0", false},
      {"oci", "ghcr.io/a/b:1.4.2", "", true},
      {"oci", "ghcr.io/a/b:latest", "", false},
      {"oci", "ghcr.io/a/b", "", false},
      {"oci", "registry:5000/a/b", "", false},
      {"oci", "ghcr.io/a/b@sha256:0123456789abcdef", "", true},
      {"oci", "ghcr.io/a/b", "1.0.0", true},
      {"mcpb", "https://x/a.mcpb", "1.0.0", false},
  };
  std::string packages;
  for (const auto& c : cases) {
    if (!packages.empty()) packages += ",\n";
    packages += R"({"registryType": ")" + c.type + R"(", "identifier": ")" + c.identifier + "\"" +
                (c.version.empty() ? "" : R"(, "version": ")" + c.version + "\"") + "}";
  }
  const std::string json =
      R"({"$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
"name": "s", "packages": [
)" + packages +
      "]}";
  parsers::McpRegistryServerParser parser;
  Parsed p = parse_with(parser, "server.json", json);
  REQUIRE(p.recognised);
  CHECK(p.sink.items().empty());
  REQUIRE(p.graph.size() == cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const model::Value* registry = p.graph.entities()[i].attrs.get("registry");
    INFO(cases[i].type << " " << cases[i].identifier << " " << cases[i].version);
    CHECK(registry->get("pinned")->boolean == cases[i].pinned);
  }
}

TEST_CASE("hostile shapes: every parser reports and goes on, never crashes") {
  parsers::A2aAgentCardParser card;
  Parsed a = parse_with(card, "agent-card.json", R"({"name": "x", "url": "https://x",
  "capabilities": [], "skills": [null, 1, [], {"name": {}}], "securitySchemes": [],
  "security": {}, "securityRequirements": [[], {"schemes": 3}], "authentication": {"schemes": "Bearer"},
  "supportedInterfaces": [null, {"url": 7}], "description": {"a": 1}})");
  CHECK(a.recognised);
  CHECK(a.sink.items().size() >= 6);
  for (const auto& d : a.sink.items()) CHECK(d.loc.span.line >= 1);

  parsers::LitellmConfigParser litellm;
  Parsed b = parse_with(litellm, "litellm.yaml", R"(model_list:
  - null
  - model_name: [a]
    litellm_params: [1, 2]
  - litellm_params:
      model: {a: b}
      rpm: fast
      api_key: [k]
general_settings: [x]
litellm_settings:
  max_budget: [1]
  upperbound_key_generate_params: 5
  default_team_settings: {a: b}
  default_team_params: []
)");
  CHECK(b.recognised);
  CHECK(b.sink.items().size() >= 10);
  for (const auto& d : b.sink.items()) CHECK(d.loc.span.line >= 1);

  parsers::McpRegistryServerParser registry;
  Parsed c = parse_with(registry, "server.json", R"({"name": "s", "remotes": [null, {"url": []},
  {"url": "https://x", "type": {"a": 1}, "headers": {"Authorization": "x"}}],
  "packages": [{"registryType": "npm", "identifier": "a", "version": 1,
  "transport": "stdio", "environmentVariables": [1, {"value": "x"}, {"name": "A", "value": []}]}]})");
  CHECK(c.recognised);
  CHECK(c.sink.items().size() >= 6);
  for (const auto& d : c.sink.items()) CHECK(d.loc.span.line >= 1);
}
