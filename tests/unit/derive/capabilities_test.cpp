#include "derive/capabilities.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "derive/derive.hpp"
#include "parsers/mcp/mcp_client_config.hpp"
#include "parsers/syntax/json_reader.hpp"
#include "rules/rule_set.hpp"
#include "scan/scanner.hpp"

using namespace fermata;
using model::Value;

namespace {

constexpr std::string_view kCatalogPath = "rules/catalog/mcp-capabilities.yaml";

const derive::CapabilityCatalog& shipped_catalog() {
  static const derive::CapabilityCatalog kCatalog = [] {
    core::DiagnosticSink sink;
    derive::CapabilityCatalog catalog;
    for (const auto& source : rules::builtin_catalog_sources()) {
      if (source.path == kCatalogPath)
        catalog = derive::parse_capability_catalog(source.path, source.text, sink);
    }
    for (const auto& d : sink.items()) FAIL_CHECK(core::format_diagnostic(d));
    return catalog;
  }();
  return kCatalog;
}

/// An .mcp.json parsed by the real parser and derived with the shipped catalog.
model::Graph derived_config(const std::string& json) {
  model::Graph graph;
  core::DiagnosticSink sink;
  auto doc = syntax::read_json(".mcp.json", json, core::Limits{}, sink);
  REQUIRE(doc.has_value());
  REQUIRE(parsers::McpClientConfigParser().parse(*doc, graph, sink));
  const derive::SecretClassifier secrets = scan::builtin_secret_classifier(sink);
  derive::derive_all(graph, secrets, nullptr, &shipped_catalog());
  REQUIRE(sink.items().empty());
  return graph;
}

const model::Entity& server(const model::Graph& graph, const std::string& name) {
  for (const auto& e : graph.entities()) {
    if (e.kind == model::EntityKind::kMcpServer && e.name == name) return e;
  }
  FAIL("no server " << name);
  return graph.entities().front();
}

std::vector<std::string> texts(const Value* list) {
  std::vector<std::string> out;
  if (list != nullptr) {
    for (const auto& item : list->items) out.push_back(item.text);
  }
  return out;
}

using Names = std::vector<std::string>;

/// The docs table of every entry, as docs/capability-catalog.md holds it between markers.
std::string catalog_table(const derive::CapabilityCatalog& catalog) {
  std::ostringstream out;
  out << "| id | server or tool | matched by | capabilities |\n|---|---|---|---|\n";
  for (const auto& entry : catalog.entries) {
    std::string matched;
    auto add = [&](std::string_view what, const std::vector<std::string>& keys) {
      for (const auto& key : keys) {
        matched += (matched.empty() ? "" : "<br>") + std::string(what) + " `" + key + "`";
      }
    };
    add("package", entry.packages);
    add("image", entry.images);
    add("host", entry.hosts);
    add("tool", entry.tools);
    add("name", entry.names);
    std::string capabilities;
    for (const auto& c : entry.capabilities)
      capabilities += (capabilities.empty() ? "`" : ", `") + c + "`";
    out << "| `" << entry.id << "` | [" << entry.name << "](" << entry.source << ") | " << matched
        << " | " << (capabilities.empty() ? "none" : capabilities) << " |\n";
  }
  return out.str();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("capability catalog: the shipped one loads cleanly and covers the well-known servers") {
  const auto& catalog = shipped_catalog();
  CHECK(catalog.entries.size() >= 70);
  std::set<std::string> ids;
  const auto& vocabulary = derive::capability_vocabulary();
  for (const auto& entry : catalog.entries) {
    INFO("entry " << entry.id);
    CHECK(ids.insert(entry.id).second);
    CHECK(entry.source.rfind("https://", 0) == 0);
    CHECK_FALSE(entry.name.empty());
    for (const auto& capability : entry.capabilities) {
      CHECK(std::find(vocabulary.begin(), vocabulary.end(), capability) != vocabulary.end());
    }
  }
  for (const char* id :
       {"mcp-filesystem", "mcp-git", "mcp-github-archived", "github-mcp-server", "mcp-fetch",
        "playwright", "desktop-commander", "stripe", "aws-api", "kubernetes-mcp-server",
        "crewai-code-interpreter", "adk-google-search", "cagent-shell"}) {
    CHECK_MESSAGE(ids.count(id) == 1, "missing " << id);
  }
}

TEST_CASE("capability catalog: lookups by package, image, host, tool and name") {
  const auto& catalog = shipped_catalog();
  auto id = [](const derive::CapabilityCatalog::Entry* e) {
    return e != nullptr ? e->id : "<none>";
  };
  CHECK(id(catalog.by_package("@modelcontextprotocol/server-github")) == "mcp-github-archived");
  CHECK(id(catalog.by_package("@ModelContextProtocol/Server-GitHub")) == "mcp-github-archived");
  // PyPI names compare with '-', '_' and '.' alike; extras are not part of the name.
  CHECK(id(catalog.by_package("awslabs_aws_api_mcp_server")) == "aws-api");
  CHECK(id(catalog.by_package("mysql-mcp-server")) == "mysql-designcomputer");
  CHECK(id(catalog.by_package("mcp-server-fetch[extra]")) == "mcp-fetch");
  CHECK(id(catalog.by_package("mcp-server-fetcher")) == "<none>");
  CHECK(id(catalog.by_image("mcp/github")) == "mcp-github-archived");
  CHECK(id(catalog.by_image("docker.io/mcp/github")) == "mcp-github-archived");
  CHECK(id(catalog.by_image("ghcr.io/github/github-mcp-server:v0.9")) == "github-mcp-server");
  CHECK(id(catalog.by_image("ghcr.io/containers/kubernetes-mcp-server@sha256:ab")) ==
        "kubernetes-mcp-server");
  CHECK(id(catalog.by_image("evil/mcp/github")) == "<none>");
  CHECK(id(catalog.by_host("mcp.stripe.com")) == "stripe");
  CHECK(id(catalog.by_host("bindings.mcp.cloudflare.com")) == "cloudflare");
  CHECK(id(catalog.by_host("notmcp.stripe.com")) == "<none>");
  CHECK(id(catalog.by_host("mcp.stripe.com.evil.example")) == "<none>");
  CHECK(id(catalog.by_tool("SerperDevTool")) == "crewai-serper-dev");
  CHECK(id(catalog.by_tool("crewai_tools.CodeInterpreterTool()")) == "crewai-code-interpreter");
  CHECK(id(catalog.by_tool("google.adk.tools.google_search")) == "adk-google-search");
  CHECK(id(catalog.by_tool("shell")) == "cagent-shell");
  CHECK(id(catalog.by_tool("Bash(git:*)")) == "claude-code-bash");
  CHECK(id(catalog.by_tool("WebFetch(domain:example.com)")) == "claude-code-web");
  CHECK(id(catalog.by_tool("run_shell_command")) == "gemini-cli-shell");
  // Tool names are identifiers: case counts.
  CHECK(id(catalog.by_tool("read")) == "<none>");
  CHECK(id(catalog.by_tool("serperdevtool")) == "<none>");
  CHECK(id(catalog.by_name("docker:github-official")) == "github-mcp-server");
  CHECK(id(catalog.by_name("github")) == "<none>");
}

TEST_CASE("capabilities: known servers through the real pipeline, located at the fact") {
  const auto graph = derived_config(R"({
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github@2025.4.8"]
    },
    "gh-docker": {
      "command": "docker",
      "args": ["run", "-i", "--rm", "ghcr.io/github/github-mcp-server:v1.0.0"]
    },
    "stripe": {"type": "http", "url": "https://mcp.stripe.com/"},
    "linear": {"command": "npx", "args": ["-y", "mcp-remote", "https://mcp.linear.app/sse"]},
    "git": {"command": "uvx", "args": ["mcp-server-git==2025.1.14", "--repository", "."]}
  }
})");
  const auto& github = server(graph, "github");
  CHECK(texts(github.attrs.get("capabilities")) ==
        Names{"untrusted_input", "private_data", "sends_out"});
  CHECK(github.attrs.get("catalog_entry")->text == "mcp-github-archived");
  CHECK(github.attrs.get("capability_source")->text == "catalog");
  // The version suffix stays out of the name; the capability points at the package argument.
  CHECK(github.attrs.get("capabilities")->items.front().loc.line() == 5);
  CHECK(github.attrs.get("catalog_entry")->loc.line() == 5);

  const auto& docker = server(graph, "gh-docker");
  CHECK(docker.attrs.get("catalog_entry")->text == "github-mcp-server");
  CHECK(texts(docker.attrs.get("capabilities")).back() == "modifies_infrastructure");
  CHECK(docker.attrs.get("catalog_entry")->loc.line() == 9);

  const auto& stripe = server(graph, "stripe");
  CHECK(stripe.attrs.get("catalog_entry")->text == "stripe");
  CHECK(texts(stripe.attrs.get("capabilities")) ==
        Names{"private_data", "sends_out", "spends_money"});
  CHECK(stripe.attrs.get("capabilities")->items.back().loc.line() == 11);

  // A bridge is not the server: the bridged host identifies it.
  const auto& linear = server(graph, "linear");
  CHECK(linear.attrs.get("catalog_entry")->text == "linear");
  CHECK(linear.attrs.get("catalog_entry")->loc.line() == 12);

  CHECK(server(graph, "git").attrs.get("catalog_entry")->text == "mcp-git");
}

TEST_CASE("capabilities: an unknown server gets the conservative default") {
  const auto graph = derived_config(R"({
  "mcpServers": {
    "internal": {"command": "npx", "args": ["-y", "@acme/internal-mcp@1.2.3"]},
    "remote": {"type": "http", "url": "https://mcp.acme.example/mcp"},
    "inline": {"command": "sh", "args": ["-c", "node server.js | tee log"]},
    "piped": {"command": "bash", "args": ["-c", "curl -fsSL https://acme.example/i.sh | sh"]}
  }
})");
  const auto& internal = server(graph, "internal");
  CHECK(texts(internal.attrs.get("capabilities")) == Names{"untrusted_input", "sends_out"});
  CHECK(internal.attrs.get("capability_source")->text == "default");
  CHECK(internal.attrs.get("catalog_entry")->text.empty());
  CHECK(internal.attrs.get("catalog_entry")->loc.line() == 3);

  const auto& remote = server(graph, "remote");
  CHECK(remote.attrs.get("capability_source")->text == "default");
  CHECK(remote.attrs.get("capabilities")->loc.line() == 4);

  CHECK(texts(server(graph, "inline").attrs.get("capabilities")) ==
        Names{"untrusted_input", "code_execution", "sends_out"});
  CHECK(texts(server(graph, "piped").attrs.get("capabilities")) ==
        Names{"untrusted_input", "code_execution", "sends_out"});
}

TEST_CASE("capabilities: registry identifiers, Docker catalog names, and nothing to go by") {
  model::Graph graph;
  auto add_server = [&](const std::string& name, uint32_t line) -> model::Entity& {
    const core::SourceLoc at{"server.json", {line, 3, line, 20}};
    model::Entity& server = graph.add(model::EntityKind::kMcpServer, name, at);
    server.attrs.set("name", Value::of_string(name, at));
    return server;
  };
  auto registry = [](const std::string& type, const std::string& identifier, uint32_t line) {
    const core::SourceLoc at{"server.json", {line, 21, line, 40}};
    Value record = Value::record(at);
    record.set("registry_type", Value::of_string(type, at));
    record.set("identifier", Value::of_string(identifier, at));
    return record;
  };
  add_server("npm-entry", 2).attrs.set("registry", registry("npm", "kubernetes-mcp-server", 12));
  add_server("oci-entry", 3)
      .attrs.set("registry", registry("oci", "docker.io/mongodb/mongodb-mcp-server:3.0.0", 14));
  add_server("docker:github-official", 4);
  add_server("github", 5);
  // A parser that names the entity but records no name attribute: the entity's place stands in.
  graph.add(model::EntityKind::kMcpServer, "docker:context7", {"agent.yaml", {9, 9, 9, 30}});
  derive::derive_capabilities(graph, shipped_catalog());

  const auto& npm = graph.entities()[0].attrs;
  CHECK(npm.get("catalog_entry")->text == "kubernetes-mcp-server");
  CHECK(npm.get("catalog_entry")->loc.line() == 12);
  const auto& oci = graph.entities()[1].attrs;
  CHECK(oci.get("catalog_entry")->text == "mongodb");
  CHECK(oci.get("capabilities")->items.front().loc.line() == 14);
  const auto& named = graph.entities()[2].attrs;
  CHECK(named.get("catalog_entry")->text == "github-mcp-server");
  CHECK(named.get("capability_source")->text == "catalog");
  CHECK(named.get("catalog_entry")->loc.line() == 4);
  // A bare name proves nothing: "github" could be any server.
  const auto& bare = graph.entities()[3].attrs;
  CHECK(bare.get("capability_source")->text == "default");
  CHECK(texts(bare.get("capabilities")) == Names{"untrusted_input", "sends_out"});
  CHECK(bare.get("capabilities")->loc.line() == 5);
  const auto& unnamed = graph.entities()[4].attrs;
  CHECK(unnamed.get("catalog_entry")->text == "context7");
  CHECK(unnamed.get("catalog_entry")->loc.line() == 9);
}

TEST_CASE("capabilities: agent tools by catalog name, else by kind; MCP tools carry none") {
  model::Graph graph;
  model::Entity& agent = graph.add(model::EntityKind::kAgent, "researcher", {});
  Value tools = Value::list();
  auto tool = [&](const std::string& name, const std::string& kind, uint32_t line) {
    const core::SourceLoc at{"agents.yaml", {line, 7, line, 20}};
    Value record = Value::record(at);
    record.set("name", Value::of_string(name, at));
    record.set("kind", Value::of_string(kind, at));
    tools.push(std::move(record));
  };
  tool("SerperDevTool", "builtin", 3);
  tool("crewai_tools.CodeInterpreterTool", "code", 4);
  tool("run_bash", "shell", 5);
  tool("files", "filesystem", 6);
  tool("web", "fetch", 7);
  tool("fetch", "mcp", 8);
  tool("summarise", "function", 9);
  agent.attrs.set("tools", std::move(tools));
  derive::derive_capabilities(graph, shipped_catalog());

  const auto& items = graph.entities().front().attrs.get("tools")->items;
  REQUIRE(items.size() == 7);
  CHECK(texts(items[0].get("capabilities")) == Names{"untrusted_input", "sends_out"});
  CHECK(items[0].get("capabilities")->items.front().loc.line() == 3);
  CHECK(texts(items[1].get("capabilities")) == Names{"code_execution"});
  CHECK(texts(items[2].get("capabilities")) == Names{"code_execution"});
  CHECK(texts(items[3].get("capabilities")) == Names{"private_data", "writes_files"});
  CHECK(texts(items[4].get("capabilities")) == Names{"untrusted_input", "sends_out"});
  CHECK(texts(items[5].get("capabilities")).empty());
  CHECK(texts(items[6].get("capabilities")).empty());
}

TEST_CASE("capability catalog: mistakes are errors at their line") {
  core::DiagnosticSink sink;
  const auto catalog = derive::parse_capability_catalog("c.yaml", R"(entries:
  - id: good
    name: Good
    match: {packages: [good-mcp]}
    capabilities: [private_data]
    source: https://example.com/good
  - id: bad
    name: Bad
    match: {packages: [bad-mcp], colours: [red]}
    capabilities: [reads_minds, sends_out]
    source: https://example.com/bad
  - id: good
    name: Again
    match: {packages: [GOOD_mcp]}
    capabilities: []
    source: http://example.com/again
  - id: Not_Kebab
    match: {}
    capabilities: sends_out
    source: https://example.com/x
)",
                                                        sink);
  std::vector<std::pair<uint32_t, std::string>> seen;
  for (const auto& d : sink.items()) {
    CHECK(d.code == core::DiagCode::kCatalogInvalid);
    CHECK(d.loc.file == "c.yaml");
    seen.emplace_back(d.loc.line(), d.message);
  }
  auto has = [&](uint32_t line, const std::string& part) {
    return std::any_of(seen.begin(), seen.end(), [&](const auto& s) {
      return s.first == line && s.second.find(part) != std::string::npos;
    });
  };
  CHECK(has(9, "unknown match key 'colours'"));
  CHECK(has(10, "unknown capability 'reads_minds'"));
  CHECK(has(12, "duplicate id 'good'"));
  CHECK(has(16, "https://"));
  CHECK(has(17, "not kebab-case"));
  CHECK(has(17, "missing 'name'"));
  CHECK(has(18, "names nothing"));
  CHECK(has(19, "'capabilities' must be a list"));
  // The good and bad entries are kept (bad without its unknown capability).
  REQUIRE(catalog.entries.size() >= 2);
  CHECK(catalog.entries[1].capabilities == std::vector<std::string>{"sends_out"});

  core::DiagnosticSink clash;
  derive::parse_capability_catalog("c.yaml", R"(entries:
  - id: one
    name: One
    match: {hosts: [mcp.example.com]}
    capabilities: []
    source: https://example.com/one
  - id: two
    name: Two
    match: {hosts: [MCP.example.com.]}
    capabilities: []
    source: https://example.com/two
)",
                                   clash);
  REQUIRE(clash.items().size() == 1);
  CHECK(clash.items().front().loc.line() == 9);
  CHECK(clash.items().front().message.find("already matched by entry 'one'") != std::string::npos);
}

TEST_CASE("docs/capability-catalog.md lists every catalog entry, generated from the catalog") {
  const std::string path = std::string(FERMATA_SOURCE_DIR) + "/docs/capability-catalog.md";
  const std::string begin_marker = "<!-- catalog-table:begin -->\n";
  const std::string end_marker = "<!-- catalog-table:end -->";
  std::string doc = slurp(path);
  const size_t begin = doc.find(begin_marker);
  const size_t end = doc.find(end_marker);
  REQUIRE_MESSAGE((begin != std::string::npos && end != std::string::npos && begin < end),
                  "docs/capability-catalog.md lacks the catalog-table markers");
  const size_t body = begin + begin_marker.size();
  const std::string expected = catalog_table(shipped_catalog());
  if (std::getenv("FERMATA_UPDATE_GOLDEN") != nullptr) {
    doc.replace(body, end - body, expected);
    std::ofstream(path, std::ios::binary) << doc;
    return;
  }
  CHECK_MESSAGE(doc.substr(body, end - body) == expected,
                "docs/capability-catalog.md is stale: rerun the tests with "
                "FERMATA_UPDATE_GOLDEN=1, or paste this table between the markers:\n"
                    << expected);
}
