#include "report/threat_model.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "core/limits.hpp"
#include "parsers/syntax/yaml_reader.hpp"
#include "rules/rule_set.hpp"

namespace fermata::report {
namespace {

using model::Entity;
using model::EntityKind;
using model::Value;
using model::ValueKind;

constexpr size_t kTopRisks = 5;
constexpr std::array<std::string_view, 7> kLayers = {"L1", "L2", "L3", "L4", "L5", "L6", "L7"};

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool is_open(const rules::Finding& finding) { return finding.state == rules::FindingState::kOpen; }

/// The entities rules and the topology read: one that stands folded into another is skipped.
std::vector<const Entity*> live_entities(const model::Graph& graph, EntityKind kind) {
  std::vector<const Entity*> out;
  for (const Entity& entity : graph.entities()) {
    if (entity.kind == kind && entity.merged_into == model::kNoEntity) out.push_back(&entity);
  }
  std::sort(out.begin(), out.end(), [](const Entity* a, const Entity* b) {
    return std::tie(a->name, a->key) < std::tie(b->name, b->key);
  });
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

/// The strings of a list attribute (each string item, or each record's `field`).
std::vector<std::string> strings_of(const Value* list, std::string_view field = {}) {
  std::vector<std::string> out;
  if (list == nullptr || list->kind != ValueKind::kList) return out;
  for (const Value& item : list->items) {
    const Value* text = field.empty() ? &item : item.get(field);
    if (text != nullptr && text->kind == ValueKind::kString && !text->text.empty()) {
      out.push_back(text->text);
    }
  }
  return out;
}

std::vector<std::string> unique_sorted(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

class InventoryBuilder {
 public:
  InventoryBuilder(const model::Graph& graph, const Topology& topology, const Redactor& redactor)
      : graph_(graph), redactor_(redactor) {
    for (const TopologyNode& node : topology.nodes) nodes_by_key_[node.key] = &node;
  }

  Inventory build() {
    Inventory inventory;
    for (const Entity* agent : live_entities(graph_, EntityKind::kAgent)) {
      InventoryItem item = item_of(*agent);
      const std::string& autonomy = model::text_of(agent->attrs.get("autonomy"));
      item.summary = autonomy.empty() ? "autonomy not derived" : autonomy;
      if (autonomy == "fully-autonomous") {
        ++inventory.fully_autonomous;
        inventory.fully_autonomous_names.push_back(item.name);
      }
      for (const std::string& reason : strings_of(agent->attrs.get("autonomy_reasons"))) {
        item.details.push_back(clean(reason));
      }
      const auto reach = unique_sorted(strings_of(agent->attrs.get("reach"), "capability"));
      if (!reach.empty()) item.details.push_back("reaches: " + join(reach, ", "));
      inventory.agents.push_back(std::move(item));
    }
    for (const Entity* server : live_entities(graph_, EntityKind::kMcpServer)) {
      InventoryItem item = item_of(*server);
      const auto capabilities = unique_sorted(strings_of(server->attrs.get("capabilities")));
      item.summary = capabilities.empty() ? "no capability known" : join(capabilities, ", ");
      const std::string& entry = model::text_of(server->attrs.get("catalog_entry"));
      if (!entry.empty()) item.details.push_back("capability catalog entry: " + clean(entry));
      inventory.servers.push_back(std::move(item));
    }
    for (EntityKind kind : {EntityKind::kGateway, EntityKind::kTool}) {
      for (const Entity* tool : live_entities(graph_, kind)) {
        InventoryItem item = item_of(*tool);
        const auto capabilities = unique_sorted(strings_of(tool->attrs.get("capabilities")));
        item.summary = kind == EntityKind::kGateway ? "LLM gateway" : "tool";
        if (!capabilities.empty()) item.summary += ": " + join(capabilities, ", ");
        inventory.tools.push_back(std::move(item));
      }
    }
    for (const Entity* workload : live_entities(graph_, EntityKind::kWorkload)) {
      InventoryItem item = item_of(*workload);
      item.summary = label_of(*workload);
      inventory.workloads.push_back(std::move(item));
    }
    for (const Entity* identity : live_entities(graph_, EntityKind::kIdentity)) {
      InventoryItem item = item_of(*identity);
      const auto found = nodes_by_key_.find(identity->key);
      const std::vector<std::string> notes =
          found != nodes_by_key_.end() ? found->second->notes : std::vector<std::string>{};
      item.summary = notes.empty() ? "no privileged permission found" : join(notes, ", ");
      const auto roles = strings_of(identity->attrs.get("roles"));
      if (!roles.empty()) item.details.push_back("bound roles: " + clean(join(roles, ", ")));
      const Value* cloud_role = identity->attrs.get("cloud_role");
      if (cloud_role != nullptr && cloud_role->kind == ValueKind::kRef &&
          cloud_role->ref < graph_.size()) {
        item.details.push_back("assumes the cloud role " + clean(graph_.at(cloud_role->ref).name));
      }
      const auto acting_for = strings_of(identity->attrs.get("acting_for"));
      if (!acting_for.empty()) item.details.push_back("acts for " + clean(join(acting_for, ", ")));
      inventory.identities.push_back(std::move(item));
    }
    inventory.endpoints = external_endpoints();
    return inventory;
  }

 private:
  std::string clean(std::string_view text) const { return redactor_.redact(text); }

  InventoryItem item_of(const Entity& entity) const {
    InventoryItem item;
    item.name = clean(entity.name);
    item.loc = entity.loc;
    return item;
  }

  std::string label_of(const Entity& entity) const {
    const auto found = nodes_by_key_.find(entity.key);
    if (found == nodes_by_key_.end()) return std::string(model::to_string(entity.kind));
    std::string summary = found->second->label;
    if (!found->second->notes.empty()) summary += "; " + join(found->second->notes, ", ");
    return summary;
  }

  /// Every remote origin an entity's `endpoint` names, with who uses it; loopback and URLs
  /// whose host is only a variable are not external endpoints.
  std::vector<InventoryItem> external_endpoints() const {
    std::map<std::string, InventoryItem> by_origin;
    for (const Entity& entity : graph_.entities()) {
      if (entity.merged_into != model::kNoEntity) continue;
      const Value* endpoint = entity.attrs.get("endpoint");
      if (endpoint == nullptr || endpoint->kind != ValueKind::kRecord) continue;
      const std::string& host = model::text_of(endpoint->get("host"));
      const std::string& scheme = model::text_of(endpoint->get("scheme"));
      if (host.empty() || model::is_true(endpoint->get("loopback")) ||
          host.find("${") != std::string::npos ||
          (scheme != "http" && scheme != "https" && scheme != "ws" && scheme != "wss")) {
        continue;
      }
      std::string origin = scheme;
      origin += "://";
      origin += host;
      const Value* port = endpoint->get("port");
      if (port != nullptr && port->kind == ValueKind::kNumber) {
        origin += ":" + std::to_string(static_cast<long long>(port->number));
      }
      origin = clean(origin);
      InventoryItem& item = by_origin[origin];
      if (item.name.empty()) {
        item.name = origin;
        item.loc = endpoint->loc.valid() ? endpoint->loc : entity.loc;
      }
      item.details.push_back(std::string(model::to_string(entity.kind)) + " '" +
                             clean(entity.name) + "'");
    }
    std::vector<InventoryItem> out;
    for (auto& [origin, item] : by_origin) {
      item.details = unique_sorted(std::move(item.details));
      for (std::string& user : item.details) user.insert(0, "used by ");
      item.summary = (origin.rfind("http://", 0) == 0 || origin.rfind("ws://", 0) == 0)
                         ? "plain text"
                         : "encrypted (TLS)";
      out.push_back(std::move(item));
    }
    return out;
  }

  const model::Graph& graph_;
  const Redactor& redactor_;
  std::map<std::string, const TopologyNode*> nodes_by_key_;
};

/// Open findings worst first; the report's order (by location) breaks ties.
std::vector<size_t> worst_first(const std::vector<rules::Finding>& findings,
                                std::vector<size_t> indices) {
  std::stable_sort(indices.begin(), indices.end(),
                   [&](size_t a, size_t b) { return findings[a].severity > findings[b].severity; });
  return indices;
}

std::vector<std::string> node_list(const syntax::Node* node) {
  std::vector<std::string> out;
  if (node == nullptr || !node->is_array()) return out;
  for (const syntax::Node& item : node->items) {
    if (item.is_scalar()) out.push_back(item.text);
  }
  return out;
}

bool relates(const ComplianceHeading& heading, const rules::RuleMeta* rule, bool cross_layer) {
  if (heading.cross_layer && cross_layer) return true;
  if (rule == nullptr) return false;
  if (contains(heading.rule_ids, rule->id)) return true;
  const auto in_layers = [&](const std::string& layer) { return contains(heading.layers, layer); };
  const auto in_owasp = [&](const std::string& id) { return contains(heading.owasp, id); };
  return std::any_of(rule->maestro.begin(), rule->maestro.end(), in_layers) ||
         std::any_of(rule->owasp.begin(), rule->owasp.end(), in_owasp);
}

/// What a reader calls the system: the scanned directory's name, however the path was written,
/// so the document does not depend on where it was generated.
std::string system_name_of(const std::string& scan_root) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::path path = fs::path(scan_root.empty() ? "." : scan_root).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();
  if (path.empty() || path.filename() == "." || path.filename() == "..") {
    path = fs::weakly_canonical(path.empty() ? fs::path(".") : path, error);
  }
  const std::string name = path.filename().string();
  return name.empty() ? scan_root : name;
}

}  // namespace

size_t severity_index(core::Severity severity) {
  return static_cast<size_t>(core::Severity::kCritical) - static_cast<size_t>(severity);
}

std::string count_of_kind(size_t count, std::string_view kind) {
  std::string noun = kind == "mcp_server" ? "MCP server" : std::string(kind);
  std::replace(noun.begin(), noun.end(), '_', ' ');
  if (count != 1) {
    if (noun.size() > 1 && noun.back() == 'y') {
      noun.replace(noun.size() - 1, 1, "ies");
    } else {
      noun += 's';
    }
  }
  return std::to_string(count) + " " + noun;
}

std::string relation_text(const ComplianceHeading& heading) {
  std::vector<std::string> parts = heading.layers;
  parts.insert(parts.end(), heading.owasp.begin(), heading.owasp.end());
  for (const std::string& id : heading.rule_ids) parts.push_back("rule " + id);
  if (heading.cross_layer) parts.emplace_back("cross-layer threats");
  return parts.empty() ? "not assessed from configuration" : join(parts, ", ");
}

bool is_cross_layer(const rules::Finding& finding, const rules::RuleMeta* rule) {
  if (finding.rule_id.rfind("topology-", 0) == 0) return true;
  return rule != nullptr && rule->maestro.size() >= 2 && !finding.evidence.empty();
}

ComplianceMap parse_compliance_map(std::string_view path, std::string_view yaml_text,
                                   core::DiagnosticSink& sink) {
  ComplianceMap map;
  map.path = std::string(path);
  core::DiagnosticSink yaml_sink;
  const auto doc = syntax::read_yaml(path, yaml_text, core::Limits{}, yaml_sink);
  for (const auto& diagnostic : yaml_sink.items()) {
    sink.report(core::DiagCode::kCatalogInvalid, "compliance map: " + diagnostic.message,
                diagnostic.loc);
  }
  if (!doc) return map;
  auto problem = [&](const core::Span& span, const std::string& message) {
    sink.report(core::DiagCode::kCatalogInvalid, "compliance map: " + message,
                core::SourceLoc{std::string(path), span});
  };
  const syntax::Node* frameworks =
      doc->roots.size() == 1 ? doc->roots.front().get("frameworks") : nullptr;
  if (frameworks == nullptr || !frameworks->is_array()) {
    problem({1, 1, 1, 1}, "expected one mapping with a list 'frameworks'");
    return map;
  }
  for (const syntax::Node& item : frameworks->items) {
    const syntax::Node* headings = item.get("headings");
    if (!item.is_object() || item.get("id") == nullptr || item.get("name") == nullptr ||
        headings == nullptr || !headings->is_array()) {
      problem(item.span, "a framework needs an id, a name and a list 'headings'");
      continue;
    }
    ComplianceFramework framework;
    framework.id = item.get("id")->text;
    framework.name = item.get("name")->text;
    if (const syntax::Node* source = item.get("source")) framework.source = source->text;
    for (const syntax::Node& entry : headings->items) {
      if (!entry.is_object() || entry.get("id") == nullptr || entry.get("title") == nullptr) {
        problem(entry.span, "a heading needs an id and a title");
        continue;
      }
      ComplianceHeading heading;
      heading.id = entry.get("id")->text;
      heading.title = entry.get("title")->text;
      heading.layers = node_list(entry.get("layers"));
      heading.owasp = node_list(entry.get("owasp"));
      heading.rule_ids = node_list(entry.get("rules"));
      for (const std::string& layer : heading.layers) {
        if (!contains({kLayers.begin(), kLayers.end()}, layer)) {
          problem(entry.get("layers")->span, "unknown MAESTRO layer '" + layer + "'");
        }
      }
      if (const syntax::Node* cross = entry.get("cross_layer")) {
        heading.cross_layer = cross->as_bool(false);
      }
      framework.headings.push_back(std::move(heading));
    }
    map.frameworks.push_back(std::move(framework));
  }
  return map;
}

const ComplianceMap& builtin_compliance_map() {
  static const ComplianceMap kMap = [] {
    core::DiagnosticSink ignored;  // its validity is a unit test's business
    ComplianceMap map;
    for (const auto& source : rules::builtin_catalog_sources()) {
      if (source.path.find("compliance-map") == std::string::npos) continue;
      map = parse_compliance_map(source.path, source.text, ignored);
    }
    return map;
  }();
  return kMap;
}

ThreatModel build_threat_model(const Report& report, const model::Graph& graph,
                               const ComplianceMap& compliance) {
  ThreatModel model;
  Topology full_topology = report.topology != nullptr
                               ? *report.topology
                               : build_topology(graph, report.findings, report.redactor);
  model.system_name = report.redactor.redact(system_name_of(report.scan_root));
  model.inventory = InventoryBuilder(graph, full_topology, report.redactor).build();
  model.topology =
      full_topology.nodes.size() > kDiagramMaxNodes || full_topology.edges.size() > kDiagramMaxEdges
          ? riskiest_subgraph(full_topology, kDiagramMaxNodes, kDiagramMaxEdges)
          : std::move(full_topology);

  const std::vector<rules::Finding>& findings = report.findings;
  std::vector<size_t> open;
  std::vector<bool> cross(findings.size(), false);
  for (size_t i = 0; i < findings.size(); ++i) {
    const rules::Finding& finding = findings[i];
    cross[i] = is_cross_layer(finding, report.rule(finding.rule_id));
    if (!is_open(finding)) {
      model.set_aside.push_back(i);
      continue;
    }
    open.push_back(i);
    ++model.residual[severity_index(finding.severity)];
    if (finding.blocking) ++model.blocking;
    if (finding.baseline_state == rules::BaselineState::kNew) model.added.push_back(i);
  }
  model.open = open.size();
  model.compared = !report.compared_with.empty();
  model.mitigations = worst_first(findings, open);
  for (size_t i : model.mitigations) {
    if (cross[i]) model.cross_layer.push_back(i);
  }
  model.added = worst_first(findings, model.added);
  std::map<std::string, size_t> group_of_rule;
  for (size_t i : model.mitigations) {
    const auto [found, inserted] =
        group_of_rule.emplace(findings[i].rule_id, model.mitigation_groups.size());
    if (inserted) {
      model.mitigation_groups.push_back({findings[i].rule_id, findings[i].severity, {}});
    }
    model.mitigation_groups[found->second].findings.push_back(i);
  }
  std::stable_sort(model.mitigation_groups.begin(), model.mitigation_groups.end(),
                   [](const MitigationGroup& a, const MitigationGroup& b) {
                     if (a.severity != b.severity) return a.severity > b.severity;
                     return a.rule_id < b.rule_id;
                   });
  // Findings are numbered in the order the mitigations section lists them.
  model.numbers.assign(findings.size(), 0);
  size_t number = 0;
  for (const MitigationGroup& group : model.mitigation_groups) {
    for (size_t i : group.findings) model.numbers[i] = ++number;
  }

  // The most urgent first: blocking, then severity, then a threat that crosses layers; one
  // finding per rule before any rule gets a second, so five findings name five problems.
  std::vector<size_t> ranked = open;
  std::stable_sort(ranked.begin(), ranked.end(), [&](size_t a, size_t b) {
    return std::make_tuple(findings[a].blocking, findings[a].severity, cross[a]) >
           std::make_tuple(findings[b].blocking, findings[b].severity, cross[b]);
  });
  std::set<std::string> ranked_rules;
  for (size_t i : ranked) {
    if (model.top_risks.size() < kTopRisks && ranked_rules.insert(findings[i].rule_id).second) {
      model.top_risks.push_back(i);
    }
  }
  for (size_t i : ranked) {
    if (model.top_risks.size() >= kTopRisks) break;
    if (std::find(model.top_risks.begin(), model.top_risks.end(), i) == model.top_risks.end()) {
      model.top_risks.push_back(i);
    }
  }

  std::map<std::string, std::vector<std::string>> names_by_kind;
  std::map<std::string, size_t> count_by_kind;
  for (EntityKind kind : model::kAllEntityKinds) {
    std::vector<std::string> names;
    for (const Entity* entity : live_entities(graph, kind)) {
      names.push_back(report.redactor.redact(entity->name));
    }
    count_by_kind[std::string(model::to_string(kind))] = names.size();
    names_by_kind[std::string(model::to_string(kind))] = unique_sorted(std::move(names));
  }
  std::map<std::string, size_t> findings_by_rule;
  for (const rules::Finding& finding : findings) ++findings_by_rule[finding.rule_id];

  for (std::string_view layer : kLayers) {
    LayerAssessment assessment;
    assessment.layer = std::string(layer);
    assessment.name = rules::maestro_layer_name(assessment.layer);
    for (const rules::RuleMeta& rule : report.rules) {
      if (!contains(rule.maestro, layer)) continue;
      RuleAssessment applied;
      applied.rule_id = rule.id;
      applied.title = rule.title;
      applied.entity_kind = rule.entity;
      applied.entity_names = names_by_kind[rule.entity];
      applied.entity_count = count_by_kind[rule.entity];
      applied.primary = rule.maestro.front() == layer;
      applied.findings = findings_by_rule[rule.id];
      const size_t index = assessment.rules.size();
      if (applied.entity_count == 0) {
        assessment.not_applicable.push_back(index);
      } else if (applied.findings == 0) {
        assessment.clean.push_back(index);
      }
      assessment.rules.push_back(std::move(applied));
    }
    std::map<std::string, size_t> kinds;
    for (const RuleAssessment& applied : assessment.rules) {
      if (applied.entity_count > 0) kinds[applied.entity_kind] = applied.entity_count;
    }
    assessment.assessed_kinds.assign(kinds.begin(), kinds.end());
    for (size_t i : model.mitigations) {
      const rules::RuleMeta* rule = report.rule(findings[i].rule_id);
      if (rule == nullptr || !contains(rule->maestro, layer)) continue;
      assessment.open_findings.push_back(i);
      ++assessment.open_by_severity[severity_index(findings[i].severity)];
    }
    model.layers.push_back(std::move(assessment));
  }

  for (const ComplianceFramework& source : compliance.frameworks) {
    ComplianceFramework framework = source;
    for (ComplianceHeading& heading : framework.headings) {
      for (size_t i : model.mitigations) {
        if (relates(heading, report.rule(findings[i].rule_id), cross[i])) {
          heading.open_findings.push_back(i);
        }
      }
    }
    model.compliance.push_back(std::move(framework));
  }
  return model;
}

}  // namespace fermata::report
