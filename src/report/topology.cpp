#include "report/topology.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "core/text.hpp"

namespace fermata::report {
namespace {

using core::starts_with;

using model::Entity;
using model::EntityId;
using model::EntityKind;
using model::Value;
using model::ValueKind;

/// Names are cut here: a label is read at a glance, and Mermaid refuses long diagrams.
constexpr size_t kMaxNameCodePoints = 60;
constexpr size_t kMaxNotes = 4;
constexpr size_t kMaxNoteCodePoints = 40;

/// Where a kind sits in the flow a request takes (agent -> server -> Service -> workload ->
/// identity -> what it may do). Nodes are listed in this order, and of two references that link
/// the same pair both ways (agent.servers and mcp_server.client), the one from the earlier kind
/// gives the link its direction.
int flow_rank(EntityKind kind) {
  switch (kind) {
    case EntityKind::kAgent: return 0;
    case EntityKind::kTask: return 1;
    case EntityKind::kGateway: return 2;
    case EntityKind::kMcpServer: return 3;
    case EntityKind::kTool: return 4;
    case EntityKind::kEndpoint: return 5;
    case EntityKind::kWorkload: return 6;
    case EntityKind::kIdentity: return 7;
    case EntityKind::kPolicy: return 8;
    case EntityKind::kGrant: return 9;
  }
  return 10;
}

bool shown_by_default(EntityKind kind) {
  switch (kind) {
    case EntityKind::kAgent:
    case EntityKind::kMcpServer:
    case EntityKind::kWorkload:
    case EntityKind::kIdentity:
    case EntityKind::kEndpoint:
    case EntityKind::kGateway:
    case EntityKind::kTask: return true;
    case EntityKind::kTool:
    case EntityKind::kGrant:
    case EntityKind::kPolicy: return false;
  }
  return false;
}

/// Grants and policies are what an identity may do: in the readable view they become notes on
/// the nodes they link to, so a real repository's hundreds of RBAC rules do not bury the picture.
bool summarised(EntityKind kind) {
  return kind == EntityKind::kGrant || kind == EntityKind::kPolicy;
}

/// `text` as valid UTF-8 without control characters: invalid bytes become U+FFFD, control
/// characters (line breaks included) a space, so every writer gets one printable line.
std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      out += (byte < 0x20 || byte == 0x7F) ? ' ' : static_cast<char>(byte);
      ++i;
      continue;
    }
    size_t length = 0;
    uint32_t lowest = 0;
    if ((byte & 0xE0U) == 0xC0U) {
      length = 2;
      lowest = 0x80;
    } else if ((byte & 0xF0U) == 0xE0U) {
      length = 3;
      lowest = 0x800;
    } else if ((byte & 0xF8U) == 0xF0U) {
      length = 4;
      lowest = 0x10000;
    }
    bool valid = length > 0 && i + length <= text.size();
    uint32_t code_point = length > 0 ? byte & (0x7FU >> length) : 0;
    for (size_t k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0U) == 0x80U;
      code_point = (code_point << 6U) | (next & 0x3FU);
    }
    valid = valid && code_point >= lowest && code_point <= 0x10FFFF &&
            (code_point < 0xD800 || code_point > 0xDFFF);
    // C1 controls and the line and paragraph separators break lines too.
    const bool control = valid && ((code_point >= 0x80 && code_point < 0xA0) ||
                                   code_point == 0x2028 || code_point == 0x2029);
    if (!valid) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else if (control) {
      out += ' ';
      i += length;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

std::string text_attr(const Entity& entity, std::string_view name) {
  const Value* value = entity.attrs.get(name);
  return value != nullptr && value->kind == ValueKind::kString ? value->text : std::string();
}

bool bool_attr(const Value& record, std::string_view name) {
  const Value* value = record.get(name);
  return value != nullptr && value->kind == ValueKind::kBool && value->boolean;
}

/// The name without the kind the parsers prefix to keep names unique ("Deployment/agents/web"
/// is drawn as a Deployment named "agents/web").
std::string short_name(const Entity& entity, const std::string& name) {
  for (const char* attribute : {"kind", "carrier"}) {
    const std::string prefix = text_attr(entity, attribute);
    if (!prefix.empty() && name.size() > prefix.size() + 1 && starts_with(name, prefix + "/"))
      return name.substr(prefix.size() + 1);
  }
  return name;
}

std::string namespaced(const Entity& entity, const std::string& name) {
  const std::string ns = text_attr(entity, "namespace");
  return ns.empty() || starts_with(name, ns + "/") ? name : ns + "/" + name;
}

/// The name with what a reviewer needs to tell it from its neighbours, in the words of the
/// product: "helpdesk (Claude Code)", "sa agents/tickets", "role helpdesk-agent".
std::string qualified_label(const Entity& entity, const std::string& full_name) {
  std::string name = short_name(entity, full_name);
  switch (entity.kind) {
    case EntityKind::kAgent: {
      std::string qualifier = text_attr(entity, "client");
      // A client configuration's agent is named after the product: the file tells them apart.
      if (qualifier == name) qualifier = entity.loc.file;
      const std::string profile = text_attr(entity, "profile");
      if (!profile.empty()) qualifier += (qualifier.empty() ? "" : ", ") + ("profile " + profile);
      return qualifier.empty() ? name : name + " (" + qualifier + ")";
    }
    case EntityKind::kMcpServer: {
      std::string how;
      if (bool_attr(entity.attrs, "remote")) {
        const std::string transport = text_attr(entity, "transport");
        how = "remote" + (transport.empty() || transport == "unknown" ? "" : " " + transport);
      } else {
        how = "stdio";
        const Value* launch = entity.attrs.get("launch");
        const Value* launcher = launch != nullptr ? launch->get("launcher") : nullptr;
        if (launcher != nullptr && launcher->kind == ValueKind::kString && !launcher->text.empty())
          how += " " + launcher->text;
      }
      if (bool_attr(entity.attrs, "disabled")) how += ", disabled";
      return name + " (MCP server, " + how + ")";
    }
    case EntityKind::kWorkload: {
      const std::string kind = text_attr(entity, "kind");
      return (kind.empty() ? "workload" : kind) + " " + namespaced(entity, name);
    }
    case EntityKind::kIdentity: {
      const std::string kind = text_attr(entity, "kind");
      if (kind == "ServiceAccount") return "sa " + namespaced(entity, name);
      if (kind == "AWS::IAM::Role" || kind == "aws_iam_role") return "role " + name;
      if (kind == "AWS::IAM::User" || kind == "aws_iam_user") return "user " + name;
      if (kind == "AWS::IAM::Group" || kind == "aws_iam_group") return "group " + name;
      return (kind.empty() ? "identity" : kind) + " " + name;
    }
    case EntityKind::kEndpoint: {
      const std::string kind = text_attr(entity, "kind");
      const std::string type = text_attr(entity, "type");
      std::string label = (kind == "Ingress" ? "ingress " : "svc ") + namespaced(entity, name);
      if (bool_attr(entity.attrs, "external") && kind != "Ingress" && !type.empty())
        label += " (" + type + ")";
      return label;
    }
    case EntityKind::kGateway: {
      const std::string product = text_attr(entity, "product");
      return name + " (" + (product.empty() ? "" : product + " ") + "gateway)";
    }
    case EntityKind::kTask: return "task " + name;
    case EntityKind::kTool: return "tool " + name;
    case EntityKind::kGrant: {
      const std::string role = text_attr(entity, "role");
      return "grant " + (role.empty() || role == name ? name : role + " " + name);
    }
    case EntityKind::kPolicy: {
      const std::string kind = text_attr(entity, "kind");
      return (kind.empty() ? "policy" : kind) + " " + namespaced(entity, name);
    }
  }
  return name;
}

/// What a grant lets its holder do, in a few words; "" when it is unremarkable. Reads the
/// verdicts derive/ already computed (admin, escalations, admin_equivalent, wildcards).
std::string grant_note(const Entity& grant) {
  const std::string source = text_attr(grant, "source");
  if (source == "kubernetes") {
    std::string role = text_attr(grant, "role");
    if (role.empty()) role = grant.name;
    const Value* wildcards = grant.attrs.get("wildcards");
    const bool wild = wildcards != nullptr && !wildcards->items.empty();
    return wild ? role + " (*)" : role;
  }
  if (source == "aws-iam") {
    const Value* statements = grant.attrs.get("statements");
    if (statements != nullptr) {
      for (const Value& statement : statements->items) {
        if (bool_attr(statement, "admin")) return "iam admin";
      }
    }
    const Value* escalations = grant.attrs.get("escalations");
    if (escalations != nullptr && !escalations->items.empty()) {
      const Value* name = escalations->items.front().get("name");
      return "iam escalation" +
             (name != nullptr && name->kind == ValueKind::kString ? ": " + name->text : "");
    }
    std::string wildcards;
    if (statements != nullptr) {
      for (const Value& statement : statements->items) {
        const Value* actions = statement.get("wildcard_actions");
        if (actions == nullptr) continue;
        for (const Value& action : actions->items) {
          if (action.kind != ValueKind::kString) continue;
          if (wildcards.find(action.text) != std::string::npos) continue;
          wildcards += (wildcards.empty() ? "" : " ") + action.text;
        }
      }
    }
    return wildcards.empty() ? "" : "iam " + wildcards;
  }
  if (bool_attr(grant.attrs, "admin_equivalent")) {
    const std::string role = text_attr(grant, "role");
    return "admin" + (role.empty() ? "" : ": " + role);
  }
  return "";
}

/// An identity's own verdicts: the roles bound to it and its admin managed policies.
std::vector<std::string> identity_notes(const Entity& identity) {
  std::vector<std::string> notes;
  if (const Value* roles = identity.attrs.get("roles")) {
    for (const Value& role : roles->items) {
      if (role.kind == ValueKind::kString && !role.text.empty()) notes.push_back(role.text);
    }
  }
  if (const Value* admin = identity.attrs.get("admin_policies")) {
    for (const Value& policy : admin->items) {
      const Value* arn = policy.get("arn");
      if (arn == nullptr || arn->kind != ValueKind::kString) continue;
      const size_t slash = arn->text.rfind('/');
      notes.push_back("admin policy " +
                      (slash == std::string::npos ? arn->text : arn->text.substr(slash + 1)));
    }
  }
  return notes;
}

/// One link between two entities, before deduplication.
struct Link {
  EntityId from = model::kNoEntity;
  EntityId to = model::kNoEntity;
  std::string label;
  core::SourceLoc loc;
  int origin = 0;  ///< 0: a graph edge; 1: a reference attribute
  size_t ordinal = 0;
};

/// Every reference inside `value`, labelled with the path of field names that leads to it
/// ("servers", "cloud_role"): list positions are left out, they say nothing about the relation.
void collect_refs(const Value& value, const std::string& path, EntityId from,
                  std::vector<Link>& links) {
  switch (value.kind) {
    case ValueKind::kRef:
      links.push_back(Link{from, value.ref, path, value.loc, 1, links.size()});
      break;
    case ValueKind::kList:
      for (const Value& item : value.items) collect_refs(item, path, from, links);
      break;
    case ValueKind::kRecord:
      for (const model::Field& field : value.fields) {
        collect_refs(field.value, path.empty() ? field.name : path + "." + field.name, from, links);
      }
      break;
    default: break;
  }
}

/// (file, line): evidence is compared by line, since a chain may point at a key where the
/// link's location is its value.
using LineKey = std::pair<std::string, uint32_t>;
LineKey line_key(const core::SourceLoc& loc) { return {loc.file, loc.line()}; }

/// Bindings name their ServiceAccounts in `subjects` records, not as references; where derive/
/// found no role to hang them on (cluster-admin is built into Kubernetes), this is the only
/// trace of who holds the binding. Links each binding to the ServiceAccounts it names.
void collect_subject_links(const model::Graph& graph, std::vector<Link>& links) {
  std::map<std::pair<std::string, std::string>, std::vector<EntityId>> accounts;
  for (const Entity& entity : graph.entities()) {
    if (entity.kind != EntityKind::kIdentity || text_attr(entity, "kind") != "ServiceAccount")
      continue;
    const std::string name = short_name(entity, entity.name);
    const std::string ns = text_attr(entity, "namespace");
    accounts[{ns, starts_with(name, ns + "/") ? name.substr(ns.size() + 1) : name}].push_back(
        entity.id);
  }
  for (const Entity& entity : graph.entities()) {
    const Value* subjects =
        entity.kind == EntityKind::kPolicy ? entity.attrs.get("subjects") : nullptr;
    if (subjects == nullptr) continue;
    for (const Value& subject : subjects->items) {
      const Value* kind = subject.get("kind");
      const Value* name = subject.get("name");
      const Value* ns = subject.get("namespace");
      if (kind == nullptr || kind->text != "ServiceAccount" || name == nullptr) continue;
      const std::string space =
          ns != nullptr && !ns->text.empty() ? ns->text : text_attr(entity, "namespace");
      auto it = accounts.find({space, name->text});
      if (it == accounts.end()) continue;
      for (EntityId id : it->second) {
        links.push_back(Link{entity.id, id, "subjects", subject.loc, 1, links.size()});
      }
    }
  }
}

class Builder {
 public:
  Builder(const model::Graph& graph, const std::vector<rules::Finding>& findings,
          const Redactor& redactor, const TopologyOptions& options)
      : graph_(graph), findings_(findings), redactor_(redactor), options_(options) {}

  Topology build() {
    choose_nodes();
    const std::vector<Link> links = distinct_links();
    std::vector<Link> shown;
    for (const Link& link : links) {
      const bool from_shown = node_of_.contains(link.from);
      const bool to_shown = node_of_.contains(link.to);
      if (from_shown && to_shown) {
        shown.push_back(link);
      } else if (from_shown && summarised(graph_.at(link.to).kind)) {
        folded_[link.from].insert(link.to);
      } else if (to_shown && summarised(graph_.at(link.from).kind)) {
        folded_[link.to].insert(link.from);
      }
    }
    if (!options_.all_entities) drop_unlinked_endpoints(shown);
    make_nodes();
    attribute_findings();
    make_edges(shown);
    return std::move(topology_);
  }

 private:
  bool included(const Entity& entity) const {
    return options_.all_entities || shown_by_default(entity.kind);
  }

  void choose_nodes() {
    for (const Entity& entity : graph_.entities()) {
      // An entity folded into another (a coding assistant's server list into its settings)
      // is drawn as that one.
      if (included(entity) && entity.merged_into == model::kNoEntity) order_.push_back(entity.id);
    }
    sort_entities(order_);
    for (size_t i = 0; i < order_.size(); ++i) node_of_[order_[i]] = i;
  }

  void sort_entities(std::vector<EntityId>& ids) const {
    std::sort(ids.begin(), ids.end(), [this](EntityId a, EntityId b) {
      const Entity& x = graph_.at(a);
      const Entity& y = graph_.at(b);
      return std::forward_as_tuple(flow_rank(x.kind), x.key, x.id) <
             std::forward_as_tuple(flow_rank(y.kind), y.key, y.id);
    });
  }

  /// Graph edges and reference attributes, one link per pair of entities: where both say the
  /// same thing (an edge and an attribute, or two attributes pointing at each other), the one
  /// from the earlier kind in the flow wins, a graph edge before an attribute.
  std::vector<Link> distinct_links() const {
    std::vector<Link> links;
    for (const model::Edge& edge : graph_.edges()) {
      links.push_back(Link{edge.from, edge.to, std::string(model::to_string(edge.kind)), edge.loc,
                           0, links.size()});
    }
    for (const Entity& entity : graph_.entities()) {
      collect_refs(entity.attrs, "", entity.id, links);
    }
    collect_subject_links(graph_, links);
    const size_t size = graph_.size();
    for (Link& link : links) {
      for (EntityId* end : {&link.from, &link.to}) {
        if (*end < size && graph_.at(*end).merged_into != model::kNoEntity) {
          *end = graph_.at(*end).merged_into;
        }
      }
    }
    links.erase(std::remove_if(links.begin(), links.end(),
                               [size](const Link& link) {
                                 return link.from >= size || link.to >= size ||
                                        link.from == link.to;
                               }),
                links.end());
    std::sort(links.begin(), links.end(), [this](const Link& a, const Link& b) {
      const Entity& x = graph_.at(a.from);
      const Entity& y = graph_.at(b.from);
      return std::forward_as_tuple(flow_rank(x.kind), x.key, a.origin, a.ordinal) <
             std::forward_as_tuple(flow_rank(y.kind), y.key, b.origin, b.ordinal);
    });
    std::set<std::pair<EntityId, EntityId>> seen;
    std::vector<Link> distinct;
    for (const Link& link : links) {
      if (seen.emplace(std::min(link.from, link.to), std::max(link.from, link.to)).second)
        distinct.push_back(link);
    }
    return distinct;
  }

  /// A Service or Ingress that links nothing shown says nothing about the agents.
  void drop_unlinked_endpoints(const std::vector<Link>& shown) {
    std::set<EntityId> linked;
    for (const Link& link : shown) {
      linked.insert(link.from);
      linked.insert(link.to);
    }
    std::vector<EntityId> kept;
    for (EntityId id : order_) {
      if (graph_.at(id).kind != EntityKind::kEndpoint || linked.contains(id)) kept.push_back(id);
    }
    order_ = std::move(kept);
    node_of_.clear();
    for (size_t i = 0; i < order_.size(); ++i) node_of_[order_[i]] = i;
  }

  void make_nodes() {
    for (size_t i = 0; i < order_.size(); ++i) {
      const Entity& entity = graph_.at(order_[i]);
      TopologyNode node;
      node.id = "n" + std::to_string(i + 1);
      node.kind = std::string(model::to_string(entity.kind));
      const std::string name =
          truncate_code_points(printable(redactor_.redact(entity.name)), kMaxNameCodePoints);
      node.name = name;
      node.label = printable(redactor_.redact(qualified_label(entity, name)));
      node.key = printable(redactor_.redact(entity.key));
      node.loc = entity.loc;
      node.loc.file = printable(entity.loc.file);
      std::vector<std::string> notes;
      if (entity.kind == EntityKind::kIdentity) notes = identity_notes(entity);
      std::vector<EntityId> folded(folded_[entity.id].begin(), folded_[entity.id].end());
      sort_entities(folded);
      for (EntityId id : folded) {
        const Entity& other = graph_.at(id);
        if (other.kind == EntityKind::kGrant) notes.push_back(grant_note(other));
      }
      size_t more = 0;
      for (const std::string& note : notes) {
        const std::string shown =
            truncate_code_points(printable(redactor_.redact(note)), kMaxNoteCodePoints);
        if (shown.empty() ||
            std::find(node.notes.begin(), node.notes.end(), shown) != node.notes.end())
          continue;
        if (node.notes.size() == kMaxNotes) {
          ++more;
          continue;
        }
        node.notes.push_back(shown);
      }
      if (more > 0) node.notes.push_back("+" + std::to_string(more) + " more");
      topology_.nodes.push_back(std::move(node));
    }
  }

  /// Which nodes each open finding speaks of: its own entity's node, the node its entity is
  /// folded into, and any node declared on a line of its location or evidence chain.
  void attribute_findings() {
    std::map<std::string, std::vector<size_t>, std::less<>> nodes_by_key;
    std::map<LineKey, std::vector<size_t>> nodes_by_line;
    for (size_t i = 0; i < order_.size(); ++i) {
      const Entity& entity = graph_.at(order_[i]);
      nodes_by_key[entity.key].push_back(i);
      if (entity.loc.valid()) nodes_by_line[line_key(entity.loc)].push_back(i);
      for (EntityId id : folded_[entity.id]) nodes_by_key[graph_.at(id).key].push_back(i);
    }
    touched_.resize(order_.size());
    worst_rule_.resize(order_.size());
    for (size_t f = 0; f < findings_.size(); ++f) {
      const rules::Finding& finding = findings_[f];
      if (finding.state != rules::FindingState::kOpen) continue;
      std::set<size_t> subjects;
      if (auto it = nodes_by_key.find(finding.entity_key); it != nodes_by_key.end())
        subjects.insert(it->second.begin(), it->second.end());
      for (size_t node : subjects) {
        TopologyNode& shown = topology_.nodes[node];
        ++shown.findings;
        if (!shown.severity || finding.severity > *shown.severity) {
          shown.severity = finding.severity;
          worst_rule_[node] = finding.rule_id;
        }
      }
      if (finding.severity < core::Severity::kMedium) continue;
      std::set<size_t> touched = subjects;
      std::vector<core::SourceLoc> chain{finding.loc};
      for (const rules::Evidence& step : finding.evidence) chain.push_back(step.loc);
      for (const core::SourceLoc& loc : chain) {
        if (!loc.valid()) continue;
        const LineKey key = line_key(loc);
        evidence_lines_[key].push_back(f);
        if (auto it = nodes_by_line.find(key); it != nodes_by_line.end())
          touched.insert(it->second.begin(), it->second.end());
      }
      for (size_t node : touched) touched_[node].push_back(f);
    }
  }

  void make_edges(const std::vector<Link>& shown) {
    for (const Link& link : shown) {
      auto from = node_of_.find(link.from);
      auto to = node_of_.find(link.to);
      if (from == node_of_.end() || to == node_of_.end()) continue;
      TopologyEdge edge;
      edge.from = from->second;
      edge.to = to->second;
      edge.label = printable(link.label);
      edge.loc = link.loc;
      edge.why = printable(redactor_.redact(risk(edge)));
      edge.risky = !edge.why.empty();
      edge.loc.file = printable(link.loc.file);
      topology_.edges.push_back(std::move(edge));
    }
    std::stable_sort(topology_.edges.begin(), topology_.edges.end(),
                     [](const TopologyEdge& a, const TopologyEdge& b) {
                       return std::tie(a.from, a.to, a.label) < std::tie(b.from, b.to, b.label);
                     });
  }

  /// Why following this link is dangerous, or "" when nothing says it is.
  std::string risk(const TopologyEdge& edge) const {
    const TopologyNode& target = topology_.nodes[edge.to];
    if (target.severity && *target.severity >= core::Severity::kHigh) {
      return "leads to " + target.label + ", which has a " +
             std::string(core::to_string(*target.severity)) + " finding (" + worst_rule_[edge.to] +
             ")";
    }
    if (edge.loc.valid()) {
      if (auto it = evidence_lines_.find(line_key(edge.loc)); it != evidence_lines_.end()) {
        return "in the evidence of " + findings_[it->second.front()].rule_id;
      }
    }
    // Both ends in one finding's chain: the finding is about the path between them. Both
    // lists are in finding order, so one walk finds a common finding.
    const std::vector<size_t>& a = touched_[edge.from];
    const std::vector<size_t>& b = touched_[edge.to];
    for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
      if (a[i] == b[j]) return "both ends are in the evidence of " + findings_[a[i]].rule_id;
      (a[i] < b[j] ? i : j) += 1;
    }
    return "";
  }

  const model::Graph& graph_;
  const std::vector<rules::Finding>& findings_;
  const Redactor& redactor_;
  const TopologyOptions& options_;
  std::vector<EntityId> order_;
  std::map<EntityId, size_t> node_of_;
  std::map<EntityId, std::set<EntityId>> folded_;  ///< shown entity -> grants, policies it holds
  std::vector<std::vector<size_t>> touched_;       ///< node -> findings whose chain names it
  std::vector<std::string> worst_rule_;
  std::map<LineKey, std::vector<size_t>> evidence_lines_;
  Topology topology_;
};

}  // namespace

bool Topology::has_agent_or_server() const {
  return std::any_of(nodes.begin(), nodes.end(), [](const TopologyNode& node) {
    return node.kind == model::to_string(EntityKind::kAgent) ||
           node.kind == model::to_string(EntityKind::kMcpServer);
  });
}

Topology build_topology(const model::Graph& graph, const std::vector<rules::Finding>& findings,
                        const Redactor& redactor, const TopologyOptions& options) {
  return Builder(graph, findings, redactor, options).build();
}

Topology riskiest_subgraph(const Topology& topology, size_t max_nodes, size_t max_edges) {
  const size_t count = topology.nodes.size();
  std::vector<bool> on_risky_edge(count, false);
  std::vector<size_t> degree(count, 0);
  for (const TopologyEdge& edge : topology.edges) {
    ++degree[edge.from];
    ++degree[edge.to];
    if (edge.risky) on_risky_edge[edge.from] = on_risky_edge[edge.to] = true;
  }
  std::vector<size_t> ranked(count);
  for (size_t i = 0; i < count; ++i) ranked[i] = i;
  auto severity_rank = [&](size_t i) {
    const auto& severity = topology.nodes[i].severity;
    return severity ? static_cast<int>(*severity) + 1 : 0;
  };
  std::stable_sort(ranked.begin(), ranked.end(), [&](size_t a, size_t b) {
    return std::make_tuple(severity_rank(a), on_risky_edge[a], degree[a]) >
           std::make_tuple(severity_rank(b), on_risky_edge[b], degree[b]);
  });
  if (ranked.size() > max_nodes) ranked.resize(max_nodes);
  std::sort(ranked.begin(), ranked.end());

  Topology kept;
  std::vector<size_t> new_index(count, SIZE_MAX);
  for (size_t old : ranked) {
    new_index[old] = kept.nodes.size();
    kept.nodes.push_back(topology.nodes[old]);
    kept.nodes.back().id = "n" + std::to_string(kept.nodes.size());
  }
  std::vector<size_t> edges;
  for (size_t i = 0; i < topology.edges.size(); ++i) {
    const TopologyEdge& edge = topology.edges[i];
    if (new_index[edge.from] != SIZE_MAX && new_index[edge.to] != SIZE_MAX) edges.push_back(i);
  }
  std::stable_sort(edges.begin(), edges.end(), [&](size_t a, size_t b) {
    return topology.edges[a].risky && !topology.edges[b].risky;
  });
  if (edges.size() > max_edges) edges.resize(max_edges);
  std::sort(edges.begin(), edges.end());
  for (size_t i : edges) {
    TopologyEdge edge = topology.edges[i];
    edge.from = new_index[edge.from];
    edge.to = new_index[edge.to];
    kept.edges.push_back(std::move(edge));
  }
  kept.omitted_nodes = topology.omitted_nodes + (count - kept.nodes.size());
  kept.omitted_edges = topology.omitted_edges + (topology.edges.size() - kept.edges.size());
  return kept;
}

}  // namespace fermata::report
