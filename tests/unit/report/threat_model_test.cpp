// The threat model (`fermata report`): the per-layer assessment (rules, what they ran over,
// clean and not applicable), the cross-layer selection, residual risk, the compliance map, and
// the writers' escaping of hostile names and determinism.
#include "report/threat_model.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "model/graph.hpp"
#include "rules/rule_set.hpp"

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

Value endpoint(const std::string& scheme, const std::string& host, bool loopback) {
  Value record = Value::record(at(".mcp.json", 5));
  record.set("scheme", Value::of_string(scheme));
  record.set("host", Value::of_string(host));
  record.set("loopback", Value::of_bool(loopback));
  return record;
}

rules::RuleMeta rule(const std::string& id, std::vector<std::string> layers,
                     const std::string& entity) {
  rules::RuleMeta meta;
  meta.id = id;
  meta.title = "title of " + id;
  meta.maestro = std::move(layers);
  meta.owasp = {"ASI02"};
  meta.entity = entity;
  meta.remediation = "Pin it. <b>never</b> raw";
  return meta;
}

rules::Finding finding(const std::string& rule_id, core::Severity severity, uint32_t line,
                       std::string message, bool with_chain) {
  rules::Finding f;
  f.rule_id = rule_id;
  f.severity = severity;
  f.loc = at("a.yaml", line);
  f.message = std::move(message);
  if (with_chain) f.evidence.push_back({"step <one>", at("b.yaml", 2)});
  return f;
}

constexpr const char* kHostile = "<script>alert(\"x\")</script> & 'quoted'";

struct Sample {
  model::Graph graph;
  Report report;
};

Sample make_sample() {
  Sample s;
  auto& helper = add(s.graph, EntityKind::kAgent, "helper", ".mcp.json", 1);
  helper.attrs.set("autonomy", Value::of_string("fully-autonomous"));
  helper.attrs.set("autonomy_reasons", Value::list());
  helper.attrs.get_mut("autonomy_reasons")->push(Value::of_string("approval: never at x:1"));
  auto& hostile = add(s.graph, EntityKind::kAgent, kHostile, ".mcp.json", 2);
  hostile.attrs.set("autonomy", Value::of_string("limited"));
  auto& tickets = add(s.graph, EntityKind::kMcpServer, "tickets", ".mcp.json", 4);
  tickets.attrs.set("endpoint", endpoint("http", "tickets.example.com", false));
  tickets.attrs.set("capabilities", Value::list());
  tickets.attrs.get_mut("capabilities")->push(Value::of_string("sends_out"));
  auto& local = add(s.graph, EntityKind::kMcpServer, "inspector", ".mcp.json", 8);
  local.attrs.set("endpoint", endpoint("http", "127.0.0.1", true));
  add(s.graph, EntityKind::kWorkload, "tickets-mcp", "k8s/deploy.yaml", 3);

  s.report.scan_root = "/tmp/somewhere/demo/";
  s.report.rules = {rule("agent-e", {"L7", "L3"}, "agent"), rule("iam-d", {"L6"}, "identity"),
                    rule("k8s-c", {"L4"}, "workload"), rule("mcp-a", {"L7", "L2"}, "mcp_server"),
                    rule("topology-b", {"L4", "L7"}, "agent")};
  std::vector<rules::Finding> findings = {
      finding("mcp-a", core::Severity::kHigh, 4, "tickets is reached over plain HTTP", true),
      finding("topology-b", core::Severity::kCritical, 9, kHostile, false),
      finding("mcp-a", core::Severity::kLow, 12, "a second one, no chain", false),
      finding("agent-e", core::Severity::kMedium, 20, "suppressed one", true)};
  findings[1].blocking = true;
  findings[0].blocking = true;
  findings[3].state = rules::FindingState::kSuppressed;
  findings[3].suppression_reason = "accepted <risk> until Q3";
  std::sort(findings.begin(), findings.end(), rules::finding_less);
  s.report.findings = findings;
  return s;
}

const LayerAssessment& layer(const ThreatModel& model, const std::string& id) {
  for (const LayerAssessment& assessment : model.layers) {
    if (assessment.layer == id) return assessment;
  }
  FAIL("no layer " << id);
  return model.layers.front();
}

std::vector<std::string> rule_ids(const LayerAssessment& assessment,
                                  const std::vector<size_t>& indices) {
  std::vector<std::string> out;
  for (size_t i : indices) out.push_back(assessment.rules[i].rule_id);
  return out;
}

}  // namespace

TEST_CASE("threat model: inventory, layers, clean and not-applicable rules, residual risk") {
  Sample s = make_sample();
  const ThreatModel model = build_threat_model(s.report, s.graph);
  CHECK(model.system_name == "demo");
  CHECK(model.inventory.agents.size() == 2);
  CHECK(model.inventory.fully_autonomous == 1);
  CHECK(model.inventory.fully_autonomous_names == std::vector<std::string>{"helper"});
  CHECK(model.inventory.servers.size() == 2);
  REQUIRE(model.inventory.endpoints.size() == 1);  // the loopback inspector is not external
  CHECK(model.inventory.endpoints[0].name == "http://tickets.example.com");
  CHECK(model.inventory.workloads.size() == 1);

  REQUIRE(model.layers.size() == 7);
  CHECK(model.layers[0].name == "Foundation Models");
  const LayerAssessment& l4 = layer(model, "L4");
  CHECK(rule_ids(l4, {0, 1}) == std::vector<std::string>{"k8s-c", "topology-b"});
  CHECK(rule_ids(l4, l4.clean) == std::vector<std::string>{"k8s-c"});
  CHECK(l4.rules[0].entity_names == std::vector<std::string>{"tickets-mcp"});
  CHECK(l4.open_by_severity[severity_index(core::Severity::kCritical)] == 1);
  // topology-b runs over the two agents, k8s-c over the workload.
  CHECK(l4.assessed_kinds ==
        std::vector<std::pair<std::string, size_t>>{{"agent", 2}, {"workload", 1}});
  CHECK(count_of_kind(1, "mcp_server") == "1 MCP server");
  CHECK(count_of_kind(3, "identity") == "3 identities");
  CHECK(count_of_kind(2, "agent") == "2 agents");
  const LayerAssessment& l6 = layer(model, "L6");
  CHECK(rule_ids(l6, l6.not_applicable) == std::vector<std::string>{"iam-d"});
  CHECK(l6.clean.empty());
  const LayerAssessment& l7 = layer(model, "L7");
  // The suppressed finding of agent-e counts: that rule found something, so it is not clean.
  CHECK(l7.clean.empty());
  CHECK(l7.open_findings.size() == 3);
  CHECK(layer(model, "L3").open_findings.empty());

  CHECK(model.open == 3);
  CHECK(model.blocking == 2);
  CHECK(model.residual[severity_index(core::Severity::kCritical)] == 1);
  CHECK(model.residual[severity_index(core::Severity::kHigh)] == 1);
  CHECK(model.residual[severity_index(core::Severity::kMedium)] == 0);
  CHECK(model.residual[severity_index(core::Severity::kLow)] == 1);
  REQUIRE(model.set_aside.size() == 1);
  CHECK(s.report.findings[model.set_aside[0]].suppression_reason == "accepted <risk> until Q3");
}

TEST_CASE("threat model: cross-layer threats, top risks, mitigation groups, numbering") {
  Sample s = make_sample();
  const ThreatModel model = build_threat_model(s.report, s.graph);
  // A topology rule's finding, and one of a two-layer rule with a chain; not the chainless one.
  REQUIRE(model.cross_layer.size() == 2);
  CHECK(s.report.findings[model.cross_layer[0]].rule_id == "topology-b");
  CHECK(s.report.findings[model.cross_layer[1]].severity == core::Severity::kHigh);
  REQUIRE(model.top_risks.size() == 3);
  CHECK(s.report.findings[model.top_risks[0]].rule_id == "topology-b");
  CHECK(s.report.findings[model.top_risks[2]].severity == core::Severity::kLow);
  REQUIRE(model.mitigation_groups.size() == 2);
  CHECK(model.mitigation_groups[0].rule_id == "topology-b");
  CHECK(model.mitigation_groups[1].findings.size() == 2);
  CHECK(model.numbers[model.mitigations[0]] == 1);
  CHECK(model.numbers[model.set_aside[0]] == 0);
  CHECK_FALSE(model.compared);
}

TEST_CASE("compliance map: findings fall under headings by layer, OWASP id or cross-layer") {
  Sample s = make_sample();
  core::DiagnosticSink sink;
  const ComplianceMap map = parse_compliance_map("map.yaml",
                                                 "frameworks:\n"
                                                 "  - id: f\n"
                                                 "    name: Framework\n"
                                                 "    headings:\n"
                                                 "      - id: A\n"
                                                 "        title: infrastructure\n"
                                                 "        layers: [L4]\n"
                                                 "      - id: B\n"
                                                 "        title: chains\n"
                                                 "        cross_layer: true\n"
                                                 "      - id: C\n"
                                                 "        title: nothing here\n"
                                                 "        owasp: [T99]\n",
                                                 sink);
  CHECK_FALSE(sink.has_errors());
  const ThreatModel model = build_threat_model(s.report, s.graph, map);
  REQUIRE(model.compliance.size() == 1);
  const auto& headings = model.compliance[0].headings;
  REQUIRE(headings.size() == 3);
  CHECK(headings[0].open_findings.size() == 1);
  CHECK(headings[1].open_findings.size() == 2);
  CHECK(headings[2].open_findings.empty());

  core::DiagnosticSink bad_sink;
  parse_compliance_map("bad.yaml",
                       "frameworks:\n  - id: f\n    name: F\n    headings:\n"
                       "      - id: A\n        title: t\n        layers: [L9]\n      - nope\n",
                       bad_sink);
  REQUIRE(bad_sink.items().size() == 2);
  CHECK(bad_sink.items()[0].loc.span.line == 7);
  CHECK(bad_sink.items()[0].message.find("L9") != std::string::npos);

  // The shipped map parses cleanly and names the five frameworks.
  for (const auto& source : rules::builtin_catalog_sources()) {
    if (source.path.find("compliance-map") == std::string::npos) continue;
    core::DiagnosticSink builtin_sink;
    const ComplianceMap builtin = parse_compliance_map(source.path, source.text, builtin_sink);
    CHECK(builtin_sink.items().empty());
    CHECK(builtin.frameworks.size() == 5);
  }
  CHECK(builtin_compliance_map().frameworks.size() == 5);
}

TEST_CASE("the HTML and Markdown threat models escape hostile names and are deterministic") {
  Sample s = make_sample();
  const ThreatModel model = build_threat_model(s.report, s.graph);
  std::ostringstream html;
  write_threat_model_html(s.report, model, html);
  const std::string page = html.str();
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;") !=
        std::string::npos);
  CHECK(page.find("<b>never</b>") == std::string::npos);
  CHECK(page.find("&lt;b&gt;never&lt;/b&gt;") != std::string::npos);
  CHECK(page.find("accepted &lt;risk&gt; until Q3") != std::string::npos);
  CHECK(page.find("step &lt;one&gt;") != std::string::npos);
  for (const char* id : {"summary", "inventory", "diagram", "layer-L1", "layer-L7", "cross-layer",
                         "mitigations", "suppressed", "compliance"}) {
    CHECK_MESSAGE(page.find("id=\"" + std::string(id) + "\"") != std::string::npos, id);
  }
  size_t boxes = 0;
  for (size_t at = page.find("<rect class=\"node-box\""); at != std::string::npos;
       at = page.find("<rect class=\"node-box\"", at + 1)) {
    ++boxes;
  }
  CHECK(boxes == model.topology.nodes.size());
  CHECK(boxes >= 4);

  std::ostringstream markdown;
  write_threat_model_markdown(s.report, model, markdown);
  CHECK(markdown.str().find("<script") == std::string::npos);
  CHECK(markdown.str().find("&lt;script&gt;") != std::string::npos);
  CHECK(markdown.str().find("```mermaid\nflowchart LR\n") != std::string::npos);

  Sample again = make_sample();
  const ThreatModel model_again = build_threat_model(again.report, again.graph);
  std::ostringstream html_again;
  write_threat_model_html(again.report, model_again, html_again);
  std::ostringstream markdown_again;
  write_threat_model_markdown(again.report, model_again, markdown_again);
  CHECK(html_again.str() == page);
  CHECK(markdown_again.str() == markdown.str());
}

TEST_CASE("the diagram keeps the riskiest part of a large topology, with a note") {
  Topology topology;
  for (size_t i = 0; i < 150; ++i) {
    TopologyNode node;
    node.id = "n" + std::to_string(i + 1);
    node.kind = i % 2 == 0 ? "agent" : "mcp_server";
    node.label = "node " + std::to_string(i);
    topology.nodes.push_back(node);
  }
  for (size_t i = 0; i + 1 < 150; i += 2) {
    TopologyEdge edge;
    edge.from = i;
    edge.to = i + 1;
    edge.label = "uses-server";
    topology.edges.push_back(edge);
  }
  const Topology drawn = riskiest_subgraph(topology, kDiagramMaxNodes, kDiagramMaxEdges);
  std::ostringstream svg;
  write_topology_svg(drawn, svg);
  CHECK(svg.str().find("Showing the riskiest part: 90 more nodes") != std::string::npos);
  CHECK(html_escape("a\x01<b>") == "a &lt;b&gt;");
}

}  // namespace fermata::report
