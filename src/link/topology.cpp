#include "link/topology.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <utility>

namespace fermata::link {
namespace {

using model::Entity;
using model::EntityId;
using model::EntityKind;
using model::has_items;
using model::text_of;
using model::Value;
using model::ValueKind;

std::string parent_directory(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? "" : std::string(path.substr(0, slash));
}

/// The project a coding assistant's file configures: `.claude/settings.json`,
/// `.vscode/mcp.json`, `.codex/config.toml` and `.gemini/settings.json` configure the
/// directory above their dot-directory; `.mcp.json` its own directory.
std::string project_of(const std::string& file) {
  std::string directory = parent_directory(file);
  const std::string_view last = std::string_view(directory).substr(directory.rfind('/') + 1);
  if (!last.empty() && last.front() == '.') directory = parent_directory(directory);
  return directory;
}

/// A file that only lists MCP servers (`.mcp.json`, `.vscode/mcp.json`, ...), as opposed to
/// the settings that decide what the assistant may do (`.claude/settings.json`, Codex's
/// `config.toml`, Gemini CLI's `settings.json`, which also lists servers).
bool lists_servers_only(const Entity& agent) {
  static constexpr std::string_view kServerLists[] = {"claude-code", "claude-desktop", "cursor",
                                                      "vscode",      "windsurf",       "generic"};
  const std::string& format = text_of(agent.attrs.get("config_format"));
  return std::find(std::begin(kServerLists), std::end(kServerLists), format) !=
         std::end(kServerLists);
}

void append_unique_refs(Value& into, const Value* from) {
  if (!has_items(from)) return;
  for (const auto& item : from->items) {
    const bool present =
        std::any_of(into.items.begin(), into.items.end(),
                    [&](const Value& existing) { return existing.ref == item.ref; });
    if (!present) into.push(item);
  }
}

/// One coding assistant per product and project: the MCP servers of `.mcp.json` belong to
/// the Claude Code whose `.claude/settings.json` decides what it may do unasked.
void merge_coding_assistants(model::Graph& graph) {
  std::map<std::pair<std::string, std::string>, std::vector<EntityId>> groups;
  for (const auto& entity : graph.entities()) {
    if (entity.kind != EntityKind::kAgent ||
        text_of(entity.attrs.get("kind")) != "coding-assistant") {
      continue;
    }
    groups[{text_of(entity.attrs.get("client")), project_of(entity.loc.file)}].push_back(entity.id);
  }
  for (const auto& [group, members] : groups) {
    std::vector<EntityId> governing;
    std::vector<EntityId> server_only;
    for (EntityId id : members) {
      (lists_servers_only(graph.at(id)) ? server_only : governing).push_back(id);
    }
    if (governing.empty() || server_only.empty()) continue;
    for (EntityId settings : governing) {
      Entity& agent = graph.at_mut(settings);
      Value servers = agent.attrs.get("servers") != nullptr ? *agent.attrs.get("servers")
                                                            : Value::list(agent.loc);
      for (EntityId config : server_only) {
        append_unique_refs(servers, graph.at(config).attrs.get("servers"));
      }
      graph.at_mut(settings).attrs.set("servers", std::move(servers));
    }
    for (EntityId config : server_only) {
      graph.at_mut(config).merged_into = governing.front();
      for (const auto* edge : graph.edges_from(config)) {
        const model::Edge copy = *edge;
        for (EntityId settings : governing) graph.connect(settings, copy.to, copy.kind, copy.loc);
      }
    }
  }
}

/// Service name and namespace an in-cluster host names: `NAME.NAMESPACE.svc[.cluster.local]`,
/// `NAME.NAMESPACE`, or a bare `NAME`.
struct ServiceName {
  std::string name;
  std::string ns;  ///< "" when the host does not say
  bool cluster_dns = false;
};

std::optional<ServiceName> service_name_of(const std::string& host) {
  if (host.empty()) return std::nullopt;
  std::vector<std::string> labels;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    if (dot == std::string::npos) dot = host.size();
    labels.push_back(host.substr(start, dot - start));
    start = dot + 1;
  }
  if (labels.size() >= 3 && labels[2] == "svc") {
    const bool tail_ok = labels.size() == 3 ||
                         (labels.size() == 5 && labels[3] == "cluster" && labels[4] == "local");
    if (tail_ok) return ServiceName{labels[0], labels[1], true};
    return std::nullopt;
  }
  if (labels.size() == 2) return ServiceName{labels[0], labels[1], false};
  if (labels.size() == 1) return ServiceName{labels[0], "", false};
  return std::nullopt;
}

class ServiceIndex {
 public:
  explicit ServiceIndex(const model::Graph& graph) {
    for (const auto& entity : graph.entities()) {
      if (entity.kind != EntityKind::kEndpoint) continue;
      const std::string& kind = text_of(entity.attrs.get("kind"));
      if (kind == "Service") {
        by_name_[text_of(entity.attrs.get("name"))].push_back(entity.id);
      } else if (kind == "Ingress") {
        if (const Value* hosts = entity.attrs.get("hosts")) {
          for (const auto& host : hosts->items) ingress_hosts_[host.text].push_back(entity.id);
        }
      }
    }
  }

  [[nodiscard]] std::optional<EntityId> service(const model::Graph& graph,
                                                const ServiceName& wanted) const {
    const auto found = by_name_.find(wanted.name);
    if (found == by_name_.end()) return std::nullopt;
    std::vector<EntityId> matches;
    for (EntityId id : found->second) {
      const std::string& ns = text_of(graph.at(id).attrs.get("namespace"));
      if (wanted.ns.empty() || ns == wanted.ns || (ns.empty() && wanted.ns == "default")) {
        matches.push_back(id);
      }
    }
    if (matches.size() == 1) return matches.front();
    return std::nullopt;
  }

  [[nodiscard]] const std::vector<EntityId>* ingresses(const std::string& host) const {
    const auto found = ingress_hosts_.find(host);
    return found == ingress_hosts_.end() ? nullptr : &found->second;
  }

 private:
  std::map<std::string, std::vector<EntityId>> by_name_;
  std::map<std::string, std::vector<EntityId>> ingress_hosts_;
};

void add_workloads_of(const model::Graph& graph, EntityId service, Value& workloads) {
  const Value* selected = graph.at(service).attrs.get("workloads");
  if (!has_items(selected)) return;
  for (const auto& item : selected->items) {
    if (item.ref >= graph.size()) continue;
    const bool present = std::any_of(workloads.items.begin(), workloads.items.end(),
                                     [&](const Value& v) { return v.ref == item.ref; });
    if (!present) workloads.push(Value::of_ref(item.ref, graph.at(item.ref).loc));
  }
}

/// A remote MCP server's URL to the Service (directly, or through an Ingress host) and the
/// workloads that serve it.
void link_servers_to_services(model::Graph& graph, std::vector<Unresolved>& unresolved) {
  const ServiceIndex index(graph);
  for (EntityId id = 0; id < graph.size(); ++id) {
    const Entity& server = graph.at(id);
    if (server.kind != EntityKind::kMcpServer) continue;
    const Value* endpoint = server.attrs.get("endpoint");
    if (endpoint == nullptr || endpoint->kind != ValueKind::kRecord) continue;
    if (model::is_true(endpoint->get("loopback"))) continue;
    const std::string& host = text_of(endpoint->get("host"));
    const core::SourceLoc url_loc = endpoint->loc;
    Value workloads = Value::list(url_loc);
    std::optional<EntityId> service;
    std::vector<EntityId> via_ingress;
    if (const auto* ingresses = index.ingresses(host)) {
      for (EntityId ingress : *ingresses) {
        via_ingress.push_back(ingress);
        const Value* services = graph.at(ingress).attrs.get("services");
        const std::string& ns = text_of(graph.at(ingress).attrs.get("namespace"));
        if (!has_items(services)) continue;
        for (const auto& name : services->items) {
          if (auto target = index.service(graph, ServiceName{name.text, ns, false})) {
            service = service ? service : target;
            add_workloads_of(graph, *target, workloads);
          }
        }
      }
    } else if (const auto wanted = service_name_of(host)) {
      service = index.service(graph, *wanted);
      if (service) {
        add_workloads_of(graph, *service, workloads);
      } else if (wanted->cluster_dns) {
        unresolved.push_back(
            {"MCP server '" + server.name + "' is served by the Kubernetes Service '" +
                 wanted->name + "' in namespace '" + wanted->ns +
                 "', which this repository does not define: its workloads and identities are "
                 "not part of the picture",
             url_loc});
      }
    }
    if (!service && via_ingress.empty()) continue;
    Entity& linked = graph.at_mut(id);
    if (service) {
      linked.attrs.set("service", Value::of_ref(*service, graph.at(*service).loc));
      graph.connect(id, *service, model::EdgeKind::kReaches, url_loc);
    }
    for (EntityId ingress : via_ingress) {
      graph.connect(id, ingress, model::EdgeKind::kReaches, url_loc);
    }
    linked.attrs.set("ingress",
                     via_ingress.empty()
                         ? Value::null(url_loc)
                         : Value::of_ref(via_ingress.front(), graph.at(via_ingress.front()).loc));
    for (const auto& workload : workloads.items) {
      graph.connect(id, workload.ref, model::EdgeKind::kReaches, workload.loc);
    }
    graph.at_mut(id).attrs.set("workloads", std::move(workloads));
  }
}

/// `identities:` in the configuration: the policy files that grant a cloud identity its
/// permissions, joined to the ServiceAccounts whose workload-identity annotation names it.
void map_identities(model::Graph& graph, const std::vector<IdentityMapping>& mappings,
                    std::vector<Unresolved>& unresolved) {
  for (const auto& mapping : mappings) {
    Value grants = Value::list(mapping.loc);
    for (const auto& entity : graph.entities()) {
      if (entity.kind != EntityKind::kGrant) continue;
      if (std::find(mapping.policy_files.begin(), mapping.policy_files.end(), entity.loc.file) !=
          mapping.policy_files.end()) {
        grants.push(Value::of_ref(entity.id, entity.loc));
      }
    }
    if (grants.items.empty()) {
      unresolved.push_back({"no policy of '" + mapping.identity +
                                "' was read from the files the configuration maps to it",
                            mapping.loc});
      continue;
    }
    std::vector<EntityId> holders;
    for (const auto& entity : graph.entities()) {
      if (entity.kind != EntityKind::kIdentity) continue;
      const Value* cloud = entity.attrs.get("cloud_identity");
      if (cloud != nullptr && text_of(cloud->get("id")) == mapping.identity) {
        holders.push_back(entity.id);
      }
    }
    if (holders.empty()) {
      unresolved.push_back({"no ServiceAccount of this repository acts as '" + mapping.identity +
                                "' (no workload-identity annotation names it)",
                            mapping.loc});
      continue;
    }
    // The cloud identity as an entity of its own, declared by the configuration.
    Entity& cloud = graph.add(EntityKind::kIdentity, mapping.identity, mapping.loc);
    const EntityId cloud_id = cloud.id;
    cloud.attrs.set("name", Value::of_string(mapping.identity, mapping.loc));
    cloud.attrs.set("kind", Value::of_string("cloud identity", mapping.loc));
    cloud.attrs.set("declared", Value::of_bool(true, mapping.loc));
    cloud.attrs.set("policies", grants);
    for (const auto& grant : grants.items) {
      graph.connect(cloud_id, grant.ref, model::EdgeKind::kGrants, grant.loc);
    }
    for (EntityId holder : holders) {
      Entity& account = graph.at_mut(holder);
      if (account.attrs.get("cloud_role") != nullptr &&
          account.attrs.get("cloud_role")->kind == ValueKind::kRef) {
        continue;
      }
      const core::SourceLoc loc = account.attrs.get("cloud_identity")->loc;
      account.attrs.set("cloud_role", Value::of_ref(cloud_id, loc));
      graph.connect(holder, cloud_id, model::EdgeKind::kRunsAs, loc);
    }
  }
}

Value strings_at(const std::vector<std::string>& items, const core::SourceLoc& loc) {
  Value list = Value::list(loc);
  for (const auto& item : items) list.push(Value::of_string(item, loc));
  return list;
}

/// `agents:` in the configuration, attached to the agents of that name as `declared`.
void attach_intents(model::Graph& graph, const std::vector<DeclaredIntent>& intents,
                    std::vector<Unresolved>& unresolved) {
  for (const auto& intent : intents) {
    Value declared = Value::record(intent.loc);
    declared.set("autonomy", intent.autonomy.empty()
                                 ? Value::null(intent.loc)
                                 : Value::of_string(intent.autonomy, intent.loc));
    declared.set("tools", strings_at(intent.tools, intent.loc));
    declared.set("data_scopes", strings_at(intent.data_scopes, intent.loc));
    if (intent.spending_cap) {
      const SpendingCap& cap = *intent.spending_cap;
      Value record = Value::record(cap.loc);
      record.set("amount", Value::of_number(cap.amount, cap.loc));
      record.set("currency", Value::of_string(cap.currency, cap.loc));
      record.set("period", Value::of_string(cap.period, cap.loc));
      declared.set("spending_cap", std::move(record));
    } else {
      declared.set("spending_cap", Value::null(intent.loc));
    }
    bool found = false;
    for (auto& entity : graph.entities_mut()) {
      if (entity.kind != EntityKind::kAgent || entity.merged_into != model::kNoEntity) continue;
      if (entity.name != intent.agent) continue;
      entity.attrs.set("declared", declared);
      found = true;
    }
    if (!found) {
      unresolved.push_back({"the configuration declares agent '" + intent.agent +
                                "', but no agent of that name was found",
                            intent.loc});
    }
  }
}

/// Delegates, tasks' agents and named MCP servers that nothing in the repository defines.
void report_unresolved_agent_references(const model::Graph& graph,
                                        std::vector<Unresolved>& unresolved) {
  for (const auto& entity : graph.entities()) {
    if (entity.merged_into != model::kNoEntity) continue;
    if (entity.kind == EntityKind::kTask) {
      const Value* name = entity.attrs.get("agent_name");
      const Value* agent = entity.attrs.get("agent");
      if (!text_of(name).empty() && (agent == nullptr || agent->kind != ValueKind::kRef)) {
        unresolved.push_back({"task '" + entity.name + "' is assigned to agent '" + name->text +
                                  "', which is not defined beside it",
                              name->loc});
      }
      continue;
    }
    if (entity.kind != EntityKind::kAgent) continue;
    const Value* names = entity.attrs.get("delegate_names");
    const Value* delegates = entity.attrs.get("delegates");
    if (has_items(names)) {
      for (const auto& name : names->items) {
        bool found = false;
        if (has_items(delegates)) {
          for (const auto& ref : delegates->items) {
            if (ref.ref >= graph.size()) continue;
            const Entity& target = graph.at(ref.ref);
            const std::string_view file = target.loc.file;
            found = found || target.name == name.text ||
                    (file.size() >= name.text.size() &&
                     file.substr(file.size() - name.text.size()) == name.text) ||
                    ref.loc == name.loc;
          }
        }
        if (!found) {
          unresolved.push_back({"agent '" + entity.name + "' hands work to '" + name.text +
                                    "', which this repository does not define",
                                name.loc});
        }
      }
    }
  }
}

}  // namespace

std::vector<Unresolved> link_topology(model::Graph& graph, const TopologyInputs& inputs) {
  std::vector<Unresolved> unresolved;
  merge_coding_assistants(graph);
  link_servers_to_services(graph, unresolved);
  map_identities(graph, inputs.identities, unresolved);
  attach_intents(graph, inputs.intents, unresolved);
  report_unresolved_agent_references(graph, unresolved);
  return unresolved;
}

}  // namespace fermata::link
