// report: the MAESTRO threat model of a scanned agent system (`fermata report`) — what the
// system is, what was assessed on each of the seven layers, what was found, what crosses layers,
// what is left once suppressions and baselines are set aside, and how it relates to governance
// frameworks. Computed once from the graph, the findings, the rules and the topology; the
// Markdown and HTML writers only print it (docs/threat-model.md).
#pragma once

#include <array>
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/severity.hpp"
#include "core/source_loc.hpp"
#include "model/graph.hpp"
#include "report/report.hpp"
#include "report/topology.hpp"

namespace fermata::report {

/// Counts per severity, indexed by severity_index(): critical, high, medium, low, info.
using SeverityCounts = std::array<size_t, 5>;
size_t severity_index(core::Severity severity);
/// The severities in the order SeverityCounts holds them.
inline constexpr std::array<core::Severity, 5> kSeveritiesWorstFirst = {
    core::Severity::kCritical, core::Severity::kHigh, core::Severity::kMedium, core::Severity::kLow,
    core::Severity::kInfo};

/// One entity of the inventory.
struct InventoryItem {
  std::string name;                  ///< secrets masked
  std::string summary;               ///< one line: autonomy, capabilities, permissions, URL...
  std::vector<std::string> details;  ///< the facts behind the summary, each with its line
  core::SourceLoc loc;
};

struct Inventory {
  std::vector<InventoryItem> agents;      ///< summary: the derived autonomy level
  std::vector<InventoryItem> servers;     ///< MCP servers; summary: their capabilities
  std::vector<InventoryItem> tools;       ///< tools and gateways agents call
  std::vector<InventoryItem> workloads;   ///< Kubernetes workloads
  std::vector<InventoryItem> identities;  ///< summary: effective permissions
  std::vector<InventoryItem> endpoints;   ///< external endpoints; name = the URL's origin
  size_t fully_autonomous = 0;
  std::vector<std::string> fully_autonomous_names;  ///< sorted, secrets masked
};

/// One rule as applied to a layer.
struct RuleAssessment {
  std::string rule_id;
  std::string title;
  std::string entity_kind;                ///< what it ran over
  size_t entity_count = 0;                ///< how many entities of that kind it ran over
  std::vector<std::string> entity_names;  ///< their names (sorted, each once)
  bool primary = false;                   ///< the layer is the rule's first
  size_t findings = 0;                    ///< of any state
};

struct LayerAssessment {
  std::string layer;                  ///< "L1".."L7"
  std::string name;                   ///< the CSA name ("Foundation Models")
  std::vector<RuleAssessment> rules;  ///< every rule mapped to the layer, by id
  /// What its rules ran over: each entity kind with how many entities it has, by kind.
  std::vector<std::pair<std::string, size_t>> assessed_kinds;
  std::vector<size_t> open_findings;  ///< indices into Report::findings, worst first
  SeverityCounts open_by_severity{};
  /// Indices into `rules`: rules that ran over at least one entity and found nothing.
  std::vector<size_t> clean;
  /// Indices into `rules`: rules with nothing of their kind to check in this system.
  std::vector<size_t> not_applicable;
};

/// One heading of a governance framework and the findings that relate to it.
struct ComplianceHeading {
  std::string id;  ///< "Art. 14", "GOVERN 6", "PR.AA"
  std::string title;
  std::vector<std::string> layers;    ///< the MAESTRO layers it relates to
  std::vector<std::string> owasp;     ///< the OWASP ids it relates to
  std::vector<std::string> rule_ids;  ///< rules it relates to by name (human oversight)
  bool cross_layer = false;           ///< every cross-layer threat relates to it
  std::vector<size_t> open_findings;  ///< indices into Report::findings
};

/// "1 agent", "7 agents", "2 MCP servers", "3 identities": a count of entities of a kind.
std::string count_of_kind(size_t count, std::string_view kind);

/// What a heading relates to, in words: "L2, ASI04, rule topology-toxic-flow, cross-layer";
/// "not assessed from configuration" when nothing.
std::string relation_text(const ComplianceHeading& heading);

struct ComplianceFramework {
  std::string id;
  std::string name;
  std::string source;  ///< the URL of the text
  std::vector<ComplianceHeading> headings;
};

/// The parsed compliance map (rules/catalog/compliance-map.yaml).
struct ComplianceMap {
  std::string path;
  std::vector<ComplianceFramework> frameworks;
};

/// Reads a compliance map; problems are kCatalogInvalid diagnostics with their line.
ComplianceMap parse_compliance_map(std::string_view path, std::string_view yaml_text,
                                   core::DiagnosticSink& sink);
/// The shipped map, read once.
const ComplianceMap& builtin_compliance_map();

/// The open findings of one rule: one remediation for all of them.
struct MitigationGroup {
  std::string rule_id;
  core::Severity severity = core::Severity::kInfo;  ///< the rule's worst open finding
  std::vector<size_t> findings;                     ///< indices into Report::findings
};

struct ThreatModel {
  std::string system_name;  ///< the scanned path's last component
  Inventory inventory;
  size_t open = 0;
  size_t blocking = 0;
  SeverityCounts residual{};            ///< open findings by severity
  std::vector<size_t> top_risks;        ///< up to five open findings, the most urgent first
  std::vector<LayerAssessment> layers;  ///< L1..L7
  std::vector<size_t> cross_layer;      ///< open cross-layer threats, worst first
  std::vector<size_t> mitigations;      ///< every open finding, worst first
  /// Per finding of Report::findings: its number ("F3") in the order of `mitigation_groups`,
  /// 0 when not open.
  std::vector<size_t> numbers;
  std::vector<MitigationGroup> mitigation_groups;  ///< worst rule first, then by rule id
  std::vector<size_t> set_aside;                ///< suppressed or baselined findings, by location
  bool compared = false;                        ///< Report::compared_with is set
  std::vector<size_t> added;                    ///< open findings new since the comparison
  std::vector<ComplianceFramework> compliance;  ///< the map's headings with this scan's findings
  Topology topology;                            ///< as drawn: the riskiest part above the caps
};

/// Above these the diagram shows the riskiest part of the topology (riskiest_subgraph()).
inline constexpr size_t kDiagramMaxNodes = 60;
inline constexpr size_t kDiagramMaxEdges = 120;

/// A cross-layer threat: a topology rule's finding, or one of a rule of two layers or more
/// that carries an evidence chain.
bool is_cross_layer(const rules::Finding& finding, const rules::RuleMeta* rule);

/// Everything the writers print. `report` must hold findings, rules and its topology (a null
/// topology is computed here from `graph`).
ThreatModel build_threat_model(const Report& report, const model::Graph& graph,
                               const ComplianceMap& compliance = builtin_compliance_map());

/// The threat model as one Markdown document (the diagram as a Mermaid block).
void write_threat_model_markdown(const Report& report, const ThreatModel& model, std::ostream& out);
/// The threat model as one self-contained HTML page: inline CSS and an inline SVG diagram,
/// no script, no external resource; every text from the repository escaped.
void write_threat_model_html(const Report& report, const ThreatModel& model, std::ostream& out);

/// `text` with &, <, >, " and ' as HTML entities (valid in text and quoted attributes).
std::string html_escape(std::string_view text);
/// The diagram as an SVG element: columns by kind, left to right, boxes coloured by severity,
/// risky links red and thicker. Deterministic.
void write_topology_svg(const Topology& topology, std::ostream& out);

}  // namespace fermata::report
