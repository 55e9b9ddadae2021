// The topology view and its writers: which entities become nodes, how links are found in edges
// and reference attributes, what makes a link risky, determinism, the Mermaid cap, and the
// escaping of hostile names in Mermaid, DOT and JSON.
#include "report/topology.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "model/graph.hpp"
#include "report/graph_writer.hpp"
#include "report/reporter.hpp"

namespace fermata::report {
namespace {

using model::EntityKind;
using model::Value;

core::SourceLoc at(std::string file, uint32_t line) {
  return core::SourceLoc{std::move(file), core::Span{line, 3, line, 9}};
}

model::Entity& add(model::Graph& graph, EntityKind kind, const std::string& name,
                   const std::string& file, uint32_t line) {
  model::Entity& entity = graph.add(kind, name, at(file, line));
  entity.key = file + "#" + std::string(model::to_string(kind)) + "/" + name;
  return entity;
}

Value refs(std::initializer_list<model::EntityId> ids, const core::SourceLoc& loc) {
  Value list = Value::list(loc);
  for (model::EntityId id : ids) list.push(Value::of_ref(id, loc));
  return list;
}

/// The demo's shape in miniature: a coding agent and its MCP server, the server's Service,
/// Deployment and ServiceAccount, bound to cluster-admin and mapped to an AWS role with an
/// admin policy; a lone Service; a tool, a RoleBinding.
struct Sample {
  model::Graph graph;
  std::vector<rules::Finding> findings;
  model::EntityId agent = 0, server = 0, service = 0, lone_service = 0, workload = 0, account = 0,
                  role = 0, rbac = 0, policy = 0, tool = 0, binding = 0;
};

Sample make_sample(bool reversed = false) {
  Sample s;
  auto build = [&](int step) {
    switch (step) {
      case 0: {
        auto& e = add(s.graph, EntityKind::kAgent, "helpdesk", ".mcp.json", 1);
        e.attrs.set("client", Value::of_string("Claude Code"));
        s.agent = e.id;
        break;
      }
      case 1: {
        auto& e = add(s.graph, EntityKind::kMcpServer, "tickets", ".mcp.json", 4);
        e.attrs.set("transport", Value::of_string("http"));
        e.attrs.set("remote", Value::of_bool(true));
        s.server = e.id;
        break;
      }
      case 2: {
        auto& e = add(s.graph, EntityKind::kEndpoint, "tickets-mcp", "k8s/svc.yaml", 2);
        e.attrs.set("kind", Value::of_string("Service"));
        e.attrs.set("namespace", Value::of_string("agents"));
        s.service = e.id;
        break;
      }
      case 3: {
        auto& e = add(s.graph, EntityKind::kEndpoint, "unrelated", "k8s/svc.yaml", 20);
        e.attrs.set("kind", Value::of_string("Service"));
        s.lone_service = e.id;
        break;
      }
      case 4: {
        auto& e = add(s.graph, EntityKind::kWorkload, "tickets-mcp", "k8s/deploy.yaml", 3);
        e.attrs.set("kind", Value::of_string("Deployment"));
        e.attrs.set("namespace", Value::of_string("agents"));
        s.workload = e.id;
        break;
      }
      case 5: {
        auto& e = add(s.graph, EntityKind::kIdentity, "tickets", "k8s/deploy.yaml", 30);
        e.attrs.set("kind", Value::of_string("ServiceAccount"));
        e.attrs.set("namespace", Value::of_string("agents"));
        s.account = e.id;
        break;
      }
      case 6: {
        auto& e = add(s.graph, EntityKind::kIdentity, "helpdesk-agent", "iam/role.yaml", 5);
        e.attrs.set("kind", Value::of_string("AWS::IAM::Role"));
        s.role = e.id;
        break;
      }
      case 7: {
        auto& e = add(s.graph, EntityKind::kGrant, "cluster-admin", "k8s/rbac.yaml", 8);
        e.attrs.set("source", Value::of_string("kubernetes"));
        e.attrs.set("role", Value::of_string("cluster-admin"));
        e.attrs.set("wildcards", Value::list()).push(Value::of_string("verbs"));
        s.rbac = e.id;
        break;
      }
      case 8: {
        auto& e = add(s.graph, EntityKind::kGrant, "AdminPolicy", "iam/role.yaml", 12);
        e.attrs.set("source", Value::of_string("aws-iam"));
        Value statement = Value::record();
        statement.set("admin", Value::of_bool(true));
        e.attrs.set("statements", Value::list()).push(statement);
        s.policy = e.id;
        break;
      }
      case 9: s.tool = add(s.graph, EntityKind::kTool, "search", ".mcp.json", 7).id; break;
      case 10:
        s.binding = add(s.graph, EntityKind::kPolicy, "admins", "k8s/rbac.yaml", 15).id;
        break;
      default: break;
    }
  };
  for (int step = 0; step <= 10; ++step) build(reversed ? 10 - step : step);

  auto& g = s.graph;
  g.at_mut(s.agent).attrs.set("servers", refs({s.server}, at(".mcp.json", 4)));
  g.at_mut(s.server).attrs.set("client", Value::of_ref(s.agent, at(".mcp.json", 4)));
  g.connect(s.agent, s.server, model::EdgeKind::kUsesServer, at(".mcp.json", 4));
  // A link added by a later linking stage, under a name this code has never heard of.
  g.at_mut(s.server)
      .attrs.set("backend", Value::record())
      .set("service", Value::of_ref(s.service, at(".mcp.json", 5)));
  g.at_mut(s.service).attrs.set("workloads", refs({s.workload}, at("k8s/svc.yaml", 6)));
  g.at_mut(s.workload).attrs.set("identity", Value::of_ref(s.account, at("k8s/deploy.yaml", 9)));
  g.at_mut(s.account).attrs.set("workloads", refs({s.workload}, at("k8s/deploy.yaml", 30)));
  g.at_mut(s.account).attrs.set("grants", refs({s.rbac}, at("k8s/rbac.yaml", 16)));
  g.at_mut(s.account).attrs.set("cloud_role", Value::of_ref(s.role, at("k8s/deploy.yaml", 31)));
  g.at_mut(s.role).attrs.set("policies", refs({s.policy}, at("iam/role.yaml", 10)));
  g.at_mut(s.binding).attrs.set("grants", refs({s.rbac}, at("k8s/rbac.yaml", 17)));

  rules::Finding critical;
  critical.rule_id = "iam-admin";
  critical.severity = core::Severity::kCritical;
  critical.loc = at("iam/role.yaml", 13);
  critical.entity_key = g.at(s.policy).key;  // on the policy, folded into the role
  s.findings.push_back(critical);
  rules::Finding chain;
  chain.rule_id = "k8s-workload-admin-cloud-role";
  chain.severity = core::Severity::kMedium;
  chain.loc = at("k8s/deploy.yaml", 3);
  chain.entity_key = g.at(s.workload).key;
  chain.evidence.push_back({"its pod runs as", at("k8s/deploy.yaml", 9)});
  s.findings.push_back(chain);
  rules::Finding suppressed;
  suppressed.rule_id = "mcp-remote";
  suppressed.severity = core::Severity::kCritical;
  suppressed.entity_key = g.at(s.server).key;
  suppressed.state = rules::FindingState::kSuppressed;
  s.findings.push_back(suppressed);
  return s;
}

const TopologyNode* node_named(const Topology& topology, const std::string& label) {
  for (const auto& node : topology.nodes) {
    if (node.label == label) return &node;
  }
  return nullptr;
}

const TopologyEdge* edge_between(const Topology& topology, const std::string& from,
                                 const std::string& to) {
  for (const auto& edge : topology.edges) {
    if (topology.nodes[edge.from].label == from && topology.nodes[edge.to].label == to)
      return &edge;
  }
  return nullptr;
}

std::string mermaid(const Topology& topology) {
  std::ostringstream out;
  write_mermaid(topology, out);
  return out.str();
}

std::string dot(const Topology& topology) {
  std::ostringstream out;
  write_dot(topology, out);
  return out.str();
}

TEST_CASE("topology: readable nodes, qualified labels, grants folded into notes") {
  const Sample s = make_sample();
  const Topology topology = build_topology(s.graph, s.findings, Redactor());
  std::vector<std::string> labels;
  for (const auto& node : topology.nodes) labels.push_back(node.label);
  // Flow order: agent, server, Service, workload, identities; the lone Service, the tool, the
  // grants and the binding are not drawn.
  CHECK(labels ==
        std::vector<std::string>{"helpdesk (Claude Code)", "tickets (MCP server, remote http)",
                                 "svc agents/tickets-mcp", "Deployment agents/tickets-mcp",
                                 "role helpdesk-agent", "sa agents/tickets"});
  CHECK(topology.nodes[0].id == "n1");
  CHECK(topology.nodes[5].id == "n6");
  CHECK(topology.has_agent_or_server());

  const TopologyNode* account = node_named(topology, "sa agents/tickets");
  REQUIRE(account != nullptr);
  CHECK(account->notes == std::vector<std::string>{"cluster-admin (*)"});
  CHECK_FALSE(account->severity.has_value());
  const TopologyNode* role = node_named(topology, "role helpdesk-agent");
  REQUIRE(role != nullptr);
  CHECK(role->notes == std::vector<std::string>{"iam admin"});
  CHECK(role->severity == core::Severity::kCritical);  // the policy's finding, folded
  CHECK(role->findings == 1);
  CHECK(role->loc.file == "iam/role.yaml");
  // A suppressed finding does not colour its node.
  CHECK_FALSE(node_named(topology, "tickets (MCP server, remote http)")->severity.has_value());
}

TEST_CASE("topology: links from edges and any reference attribute, each pair once") {
  const Sample s = make_sample();
  const Topology topology = build_topology(s.graph, s.findings, Redactor());
  // The edge and agent.servers and mcp_server.client say the same: one link, the graph edge.
  const TopologyEdge* uses =
      edge_between(topology, "helpdesk (Claude Code)", "tickets (MCP server, remote http)");
  REQUIRE(uses != nullptr);
  CHECK(uses->label == "uses-server");
  CHECK(edge_between(topology, "tickets (MCP server, remote http)", "helpdesk (Claude Code)") ==
        nullptr);
  // An attribute nobody told this code about, nested in a record.
  const TopologyEdge* backend =
      edge_between(topology, "tickets (MCP server, remote http)", "svc agents/tickets-mcp");
  REQUIRE(backend != nullptr);
  CHECK(backend->label == "backend.service");
  CHECK(backend->loc.line() == 5);
  // identity.workloads points back at workload.identity: the flow direction wins.
  CHECK(edge_between(topology, "Deployment agents/tickets-mcp", "sa agents/tickets") != nullptr);
  CHECK(edge_between(topology, "sa agents/tickets", "Deployment agents/tickets-mcp") == nullptr);
  CHECK(edge_between(topology, "sa agents/tickets", "role helpdesk-agent")->label == "cloud_role");
  CHECK(topology.edges.size() == 5);
}

TEST_CASE("topology: risky links lead to high findings or follow an evidence chain") {
  const Sample s = make_sample();
  const Topology topology = build_topology(s.graph, s.findings, Redactor());
  const TopologyEdge* to_role = edge_between(topology, "sa agents/tickets", "role helpdesk-agent");
  REQUIRE(to_role != nullptr);
  CHECK(to_role->risky);
  CHECK(to_role->why == "leads to role helpdesk-agent, which has a critical finding (iam-admin)");
  // The medium finding's evidence names the line of workload.identity.
  const TopologyEdge* runs_as =
      edge_between(topology, "Deployment agents/tickets-mcp", "sa agents/tickets");
  REQUIRE(runs_as != nullptr);
  CHECK(runs_as->risky);
  CHECK(runs_as->why == "in the evidence of k8s-workload-admin-cloud-role");
  CHECK_FALSE(
      edge_between(topology, "helpdesk (Claude Code)", "tickets (MCP server, remote http)")->risky);
}

TEST_CASE("topology: --all draws every entity") {
  const Sample s = make_sample();
  TopologyOptions options;
  options.all_entities = true;
  const Topology topology = build_topology(s.graph, s.findings, Redactor(), options);
  CHECK(topology.nodes.size() == s.graph.size());
  CHECK(node_named(topology, "grant cluster-admin") != nullptr);
  CHECK(node_named(topology, "svc unrelated") != nullptr);
  CHECK(edge_between(topology, "sa agents/tickets", "grant cluster-admin") != nullptr);
  // The finding now sits on the policy's own node, not on the role.
  CHECK(node_named(topology, "grant AdminPolicy")->severity == core::Severity::kCritical);
  CHECK_FALSE(node_named(topology, "role helpdesk-agent")->severity.has_value());
}

TEST_CASE("topology: the output does not depend on the order entities were added") {
  const Sample forward = make_sample(false);
  const Sample backward = make_sample(true);
  const Topology a = build_topology(forward.graph, forward.findings, Redactor());
  const Topology b = build_topology(backward.graph, backward.findings, Redactor());
  CHECK(mermaid(a) == mermaid(b));
  CHECK(dot(a) == dot(b));
  CHECK(mermaid(a) == mermaid(build_topology(forward.graph, forward.findings, Redactor())));
}

TEST_CASE("writers: Mermaid shapes, risky links, severity classes") {
  const Sample s = make_sample();
  const std::string out = mermaid(build_topology(s.graph, s.findings, Redactor()));
  CHECK(out.rfind("flowchart LR\n", 0) == 0);
  CHECK(out.find("  n1([\"helpdesk (Claude Code)\"])\n") != std::string::npos);
  CHECK(out.find("  n2[[\"tickets (MCP server, remote http)\"]]\n") != std::string::npos);
  CHECK(out.find("  n6{{\"sa agents/tickets<br/>cluster-admin (*)\"}}\n") != std::string::npos);
  CHECK(out.find("  n5{{\"role helpdesk-agent<br/>iam admin<br/>critical · 1 finding\"}}\n") !=
        std::string::npos);
  CHECK(out.find("  n1 -->|\"uses-server\"| n2\n") != std::string::npos);
  CHECK(out.find("  n6 ==>|\"cloud_role\"| n5\n") != std::string::npos);
  CHECK(out.find("  linkStyle 3,4 stroke:#c92a2a") != std::string::npos);
  CHECK(out.find("  class n5 critical\n") != std::string::npos);
  CHECK(out.find("  class n4 medium\n") != std::string::npos);
}

TEST_CASE("writers: DOT digraph with red risky links") {
  const Sample s = make_sample();
  const std::string out = dot(build_topology(s.graph, s.findings, Redactor()));
  CHECK(out.rfind("digraph fermata {\n", 0) == 0);
  CHECK(out.find("n6 -> n5 [label=\"cloud_role\", color=\"#c92a2a\"") != std::string::npos);
  CHECK(out.find("n1 -> n2 [label=\"uses-server\"];") != std::string::npos);
  CHECK(out.find("shape=hexagon") != std::string::npos);
  CHECK(out.find("tooltip=\"iam/role.yaml:5:3\"") != std::string::npos);
  CHECK(out.substr(out.size() - 2) == "}\n");
}

TEST_CASE("writers: JSON nodes and edges with locations") {
  const Sample s = make_sample();
  std::ostringstream out;
  write_graph_json(build_topology(s.graph, s.findings, Redactor()), out);
  const auto doc = nlohmann::json::parse(out.str());
  CHECK(doc["schema_version"] == 1);
  REQUIRE(doc["nodes"].size() == 6);
  CHECK(doc["nodes"][4]["kind"] == "identity");
  CHECK(doc["nodes"][4]["severity"] == "critical");
  CHECK(doc["nodes"][4]["location"]["file"] == "iam/role.yaml");
  CHECK(doc["nodes"][4]["location"]["line"] == 5);
  CHECK(doc["nodes"][0]["severity"].is_null());
  REQUIRE(doc["edges"].size() == 5);
  CHECK(doc["edges"][0]["from"] == "n1");
  CHECK(doc["edges"][0]["relation"] == "uses-server");
  CHECK(doc["edges"][0]["location"]["line"] == 4);
  CHECK(doc["omitted"]["nodes"] == 0);
}

const std::string kHostile =
    "x\"] --> evil[\"pwned\n%%{init: {'theme':'dark'}}%%\r`code` <script>&amp; #quot; \\N é 🦀 "
    "]";

TEST_CASE("writers: hostile names stay inside their labels") {
  model::Graph graph;
  auto& agent = add(graph, EntityKind::kAgent, kHostile, "a.json", 1);
  agent.attrs.set("client", Value::of_string("Cursor\"]"));
  auto& server = add(graph, EntityKind::kMcpServer, "s\xff\xfe" + kHostile, "a.json", 2);
  agent.attrs.set("servers", refs({server.id}, at("a.json", 2)));
  const Topology topology = build_topology(graph, {}, Redactor());
  REQUIRE(topology.nodes.size() == 2);
  CHECK(topology.nodes[1].name.find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD

  const std::string text = mermaid(topology);
  // Two node lines and one link line: nothing a name holds starts a statement of its own.
  std::istringstream lines(text);
  std::string line;
  size_t statements = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("  %%", 0) == 0 || line == "flowchart LR") continue;
    ++statements;
    // Inside a label only the closing quote of the label may appear.
    const size_t open = line.find('"');
    if (open != std::string::npos) CHECK(line.find('"', open + 1) != std::string::npos);
    CHECK(line.find('`') == std::string::npos);
    CHECK(line.find('%') == std::string::npos);
    CHECK(line.find("<script") == std::string::npos);
  }
  CHECK(statements == 3);
  CHECK(mermaid_text("a\"b") == "a#quot;b");
  CHECK(mermaid_text("%%{x}%%") == "#37;#37;{x}#37;#37;");
  CHECK(mermaid_text("<b>&") == "&lt;b&gt;&amp;");
  CHECK(mermaid_text("`#") == "#96;#35;");
  CHECK(mermaid_text("é 🦀 ]") == "é 🦀 ]");

  const std::string graphviz = dot(topology);
  CHECK(dot_text("a\"b\\N&") == "a\\\"b\\\\N&amp;");
  CHECK(graphviz.find("\\\"] --> evil[\\\"pwned") != std::string::npos);
  CHECK(graphviz.find('\n' + std::string("%%")) == std::string::npos);

  std::ostringstream json;
  write_graph_json(topology, json);
  const auto doc = nlohmann::json::parse(json.str());
  CHECK(doc["nodes"][0]["name"].get<std::string>().find("pwned") != std::string::npos);
}

TEST_CASE("writers: secrets in names are masked") {
  const std::string secret = "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5";
  model::Graph graph;
  add(graph, EntityKind::kAgent, "agent-" + secret, "a.json", 1);
  Redactor redactor;
  redactor.add_secret(secret);
  const Topology topology = build_topology(graph, {}, redactor);
  std::ostringstream json;
  write_graph_json(topology, json);
  CHECK(mermaid(topology).find(secret) == std::string::npos);
  CHECK(dot(topology).find(secret) == std::string::npos);
  CHECK(json.str().find(secret) == std::string::npos);
  CHECK(mermaid(topology).find("ghp_") != std::string::npos);
}

TEST_CASE("writers: a large graph is cut to its riskiest part for Mermaid") {
  model::Graph graph;
  std::vector<rules::Finding> findings;
  auto& hub = add(graph, EntityKind::kAgent, "hub", "agents.json", 1);
  Value servers = Value::list();
  for (uint32_t i = 0; i < 1000; ++i) {
    auto& server =
        add(graph, EntityKind::kMcpServer, "server-" + std::to_string(i), "servers.json", i + 1);
    servers.push(Value::of_ref(server.id, at("agents.json", 2)));
    if (i % 100 == 7) {
      rules::Finding finding;
      finding.rule_id = "bad";
      finding.severity = core::Severity::kHigh;
      finding.entity_key = server.key;
      findings.push_back(finding);
    }
  }
  graph.at_mut(hub.id).attrs.set("servers", servers);
  const Topology topology = build_topology(graph, findings, Redactor());
  CHECK(topology.nodes.size() == 1001);
  const std::string text = mermaid(topology);
  size_t nodes = 0;
  size_t links = 0;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find("[[\"server-") != std::string::npos) ++nodes;
    if (line.find("-->") != std::string::npos || line.find("==>") != std::string::npos) ++links;
  }
  CHECK(nodes == kMermaidMaxNodes - 1);  // the hub takes one place
  CHECK(links <= kMermaidMaxEdges);
  // The ten servers with findings are kept, and the note says what is missing.
  for (int i = 7; i < 1000; i += 100) {
    CHECK(text.find("server-" + std::to_string(i) + " (MCP") != std::string::npos);
  }
  CHECK(text.find("701 more nodes and 701 more links not drawn") != std::string::npos);
  CHECK(text.size() < 50000);  // Mermaid's default maxTextSize
}

TEST_CASE("markdown: the topology section is folded after the counts") {
  const Sample s = make_sample();
  Report report;
  report.findings = s.findings;
  std::ostringstream without;
  write_markdown(report, without, {});
  CHECK(without.str().find("```mermaid") == std::string::npos);
  report.topology =
      std::make_shared<const Topology>(build_topology(s.graph, s.findings, report.redactor));
  std::ostringstream with;
  write_markdown(report, with, {});
  const std::string out = with.str();
  const size_t counts = out.find("| **all** ");
  const size_t section = out.find(
      "<details><summary>Topology (6 nodes, 5 links, 2 risky)</summary>\n\n```mermaid\n"
      "flowchart LR\n");
  REQUIRE(section != std::string::npos);
  CHECK(counts < section);
  CHECK(out.find("```\n\n", section) < out.find("</details>", section));

  // Only workloads and identities: nothing about agents to show.
  model::Graph k8s_only;
  add(k8s_only, EntityKind::kWorkload, "web", "d.yaml", 1);
  report.topology = std::make_shared<const Topology>(build_topology(k8s_only, {}, Redactor()));
  std::ostringstream plain;
  write_markdown(report, plain, {});
  CHECK(plain.str().find("```mermaid") == std::string::npos);
}

}  // namespace
}  // namespace fermata::report
