#include "derive/k8s.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace fermata::derive {
namespace {

using model::EntityId;
using model::EntityKind;
using model::Value;
using model::ValueKind;

using model::text_of;

const std::string& attr_text(const model::Entity& entity, std::string_view name) {
  return text_of(entity.attrs.get(name));
}

/// Objects without a namespace are applied wherever the deployer points them, so they are
/// taken to share a namespace with anything; named namespaces must agree.
bool same_namespace(const std::string& a, const std::string& b) {
  return a == b || a.empty() || b.empty();
}

const Value* label(const Value& labels, std::string_view key) {
  for (const auto& entry : labels.items) {
    if (text_of(entry.get("key")) == key) return entry.get("value");
  }
  return nullptr;
}

bool has_item(const Value* list, std::string_view text) {
  if (list == nullptr) return false;
  return std::any_of(list->items.begin(), list->items.end(),
                     [&](const Value& item) { return item.text == text; });
}

Value& list_attr(model::Entity& entity, const std::string& name, const core::SourceLoc& loc) {
  Value* existing = entity.attrs.get_mut(name);
  if (existing != nullptr && existing->kind == ValueKind::kList) return *existing;
  return entity.attrs.set(name, Value::list(loc));
}

void push_ref_once(model::Entity& entity, const std::string& name, EntityId id,
                   const core::SourceLoc& loc) {
  Value& list = list_attr(entity, name, entity.loc);
  const bool present = std::any_of(list.items.begin(), list.items.end(),
                                   [&](const Value& item) { return item.ref == id; });
  if (!present) list.push(Value::of_ref(id, loc));
}

/// Appends a reference the caller knows is not in the list yet (each pair is visited once).
void push_ref(model::Entity& entity, const std::string& name, EntityId id,
              const core::SourceLoc& loc) {
  list_attr(entity, name, entity.loc).push(Value::of_ref(id, loc));
}

/// A label as an index key: "key=value".
std::string label_key(const Value& entry) {
  std::string key = text_of(entry.get("key"));
  key += '=';
  key += text_of(entry.get("value"));
  return key;
}

/// A role as an index key: "Role/name" or "ClusterRole/name" (a kind holds no '/').
std::string role_key(std::string_view kind, std::string_view name) {
  std::string key(kind);
  key += '/';
  key += name;
  return key;
}

/// The ids of `index[key]`, or none.
const std::vector<EntityId>& ids_at(
    const std::unordered_map<std::string, std::vector<EntityId>>& index, const std::string& key) {
  static const std::vector<EntityId> kNone;
  const auto it = index.find(key);
  return it == index.end() ? kNone : it->second;
}

class K8sDeriver {
 public:
  K8sDeriver(model::Graph& graph, const SecretClassifier& secrets, std::vector<std::string>& found)
      : graph_(graph), secrets_(secrets), found_(found) {}

  void run() {
    // Entities are added below (implicit ServiceAccounts): work on ids, not iterators.
    const auto count = static_cast<EntityId>(graph_.size());
    for (EntityId id = 0; id < count; ++id) {
      const model::Entity& e = graph_.at(id);
      if (attr_text(e, "kind").empty()) continue;
      switch (e.kind) {
        case EntityKind::kWorkload: workloads_.push_back(id); break;
        case EntityKind::kIdentity:
          if (attr_text(e, "kind") == "ServiceAccount") accounts_.push_back(id);
          break;
        case EntityKind::kGrant:
          if (attr_text(e, "source") == "kubernetes") grants_.push_back(id);
          break;
        case EntityKind::kEndpoint: endpoints_.push_back(id); break;
        case EntityKind::kPolicy: policies_.push_back(id); break;
        default: break;
      }
    }
    build_indexes();
    for (EntityId id : grants_) init_grant(graph_.at_mut(id));
    for (EntityId id : policies_) {
      const std::string& kind = attr_text(graph_.at(id), "kind");
      if (kind == "RoleBinding" || kind == "ClusterRoleBinding") {
        list_attr(graph_.at_mut(id), "grants", graph_.at(id).loc);
        bind(id);
      }
    }
    for (EntityId id : grants_) finish_grant(graph_.at_mut(id));
    for (EntityId id : workloads_) workload(id);
    for (EntityId id : endpoints_) service(id);
    for (EntityId id : policies_) list_attr(graph_.at_mut(id), "selects", graph_.at(id).loc);
    for (EntityId id : workloads_) policies_for(id);
    // Rules count these lists (len(identity.grants) == 0): every one exists, empty or not.
    for (EntityId id : accounts_) {
      for (const char* field : {"grants", "roles", "workloads"})
        list_attr(graph_.at_mut(id), field, graph_.at(id).loc);
    }
  }

 private:
  // ---- indexes -------------------------------------------------------------------------
  // Every join below looks its partners up by name, namespace or label instead of scanning
  // every entity of the kind, so that deriving stays linear in the size of the repository.
  // Each index lists ids in ascending order, the order the scans used to visit them in.

  void build_indexes() {
    for (EntityId id : accounts_) accounts_by_name_[attr_text(graph_.at(id), "name")].push_back(id);
    for (EntityId id : grants_) {
      const model::Entity& grant = graph_.at(id);
      const std::string& role_kind = attr_text(grant, "role_kind");
      grants_by_role_[role_key(role_kind, attr_text(grant, "role"))].push_back(id);
      if (role_kind == "ClusterRole" && grant.attrs.get("role_labels") != nullptr) {
        labelled_cluster_roles_.push_back(id);
      }
    }
    for (EntityId id : workloads_) {
      const Value* labels = graph_.at(id).attrs.get("labels");
      if (labels == nullptr) continue;
      for (const auto& entry : labels->items) {
        auto& ids = workloads_by_label_[label_key(entry)];
        if (ids.empty() || ids.back() != id) ids.push_back(id);
      }
    }
    for (EntityId id : policies_) {
      const model::Entity& policy = graph_.at(id);
      const std::string& kind = attr_text(policy, "kind");
      if (kind == "PeerAuthentication") any_peer_authentication_ = true;
      if (kind == "Namespace") {
        namespaces_by_name_[attr_text(policy, "name")].push_back(id);
        continue;
      }
      if (kind != "NetworkPolicy" && kind != "PeerAuthentication" &&
          kind != "AuthorizationPolicy") {
        continue;
      }
      // A selector that requires a label can only select workloads carrying that label; the
      // others (none, empty, expressions only) are tried on every workload in reach.
      const Value* selector = policy.attrs.get("selector");
      const Value* labels = selector != nullptr && selector->kind == ValueKind::kRecord
                                ? selector->get("labels")
                                : nullptr;
      if (labels != nullptr && !labels->items.empty()) {
        policies_by_label_[label_key(labels->items.front())].push_back(id);
      } else {
        broad_policies_.push_back(id);
      }
    }
  }

  // ---- service accounts ----------------------------------------------------------------

  /// The ServiceAccount `name` in `ns`: a declared one (an exact namespace first), else one
  /// created for the reference so that every workload and binding has an identity to join.
  EntityId account(const std::string& ns, const std::string& name, const core::SourceLoc& loc) {
    std::optional<EntityId> loose;
    for (EntityId id : ids_at(accounts_by_name_, name)) {
      const model::Entity& sa = graph_.at(id);
      const std::string& sa_ns = attr_text(sa, "namespace");
      if (sa_ns == ns) return id;
      if (!loose && same_namespace(sa_ns, ns)) loose = id;
    }
    if (loose) return *loose;
    std::string entity_name = "ServiceAccount/";
    if (!ns.empty()) entity_name += ns + "/";
    entity_name += name;
    model::Entity& sa = graph_.add(EntityKind::kIdentity, entity_name, loc);
    sa.attrs.set("name", Value::of_string(name, loc));
    sa.attrs.set("kind", Value::of_string("ServiceAccount", loc));
    sa.attrs.set("namespace", Value::of_string(ns, loc));
    sa.attrs.set("declared", Value::of_bool(false, loc));
    sa.attrs.set("automount_token", Value::null(loc));
    sa.attrs.set("annotations", Value::list(loc));
    sa.attrs.set("cloud_identity", Value::null(loc));
    accounts_.push_back(sa.id);
    accounts_by_name_[name].push_back(sa.id);
    return sa.id;
  }

  // ---- RBAC ------------------------------------------------------------------------------

  void init_grant(model::Entity& grant) {
    Value wildcards = Value::list(grant.loc);
    for (const auto& [field, key] :
         {std::pair{"api_groups", "apiGroups"}, std::pair{"resources", "resources"},
          std::pair{"verbs", "verbs"}, std::pair{"non_resource_urls", "nonResourceURLs"}}) {
      const Value* list = grant.attrs.get(field);
      if (list == nullptr) continue;
      for (const auto& item : list->items) {
        if (item.text == "*") {
          wildcards.push(Value::of_string(key, item.loc));
          break;
        }
      }
    }
    grant.attrs.set("wildcards", std::move(wildcards));
    grant.attrs.set("bound", Value::of_bool(false, grant.loc));
    grant.attrs.set("subjects", Value::list(grant.loc));
    grant.attrs.set("identities", Value::list(grant.loc));
    grant.attrs.set("bindings", Value::list(grant.loc));
  }

  /// The grants a roleRef resolves to, aggregation included: an aggregated ClusterRole's rules
  /// are those of the ClusterRoles its selectors match, and the built-in admin, edit and view
  /// roles take in every ClusterRole labelled aggregate-to-<name>.
  std::vector<EntityId> resolve_role(const std::string& kind, const std::string& name,
                                     const std::string& ns) {
    std::vector<EntityId> out;
    std::vector<const Value*> selectors;
    bool declared = false;
    for (EntityId id : ids_at(grants_by_role_, role_key(kind, name))) {
      const model::Entity& grant = graph_.at(id);
      if (kind == "Role" && !same_namespace(attr_text(grant, "namespace"), ns)) continue;
      declared = true;
      out.push_back(id);
      if (const Value* aggregation = grant.attrs.get("aggregation")) {
        for (const auto& selector : aggregation->items) selectors.push_back(&selector);
      }
    }
    const bool builtin_aggregate =
        kind == "ClusterRole" && !declared && (name == "admin" || name == "edit" || name == "view");
    if (selectors.empty() && !builtin_aggregate) return out;
    const std::string builtin_label = "rbac.authorization.k8s.io/aggregate-to-" + name;
    for (EntityId id : labelled_cluster_roles_) {
      const model::Entity& grant = graph_.at(id);
      if (attr_text(grant, "role") == name) continue;
      const Value* labels = grant.attrs.get("role_labels");
      if (labels == nullptr) continue;
      bool matched = false;
      if (builtin_aggregate) matched = text_of(label(*labels, builtin_label)) == "true";
      for (const Value* selector : selectors)
        matched = matched || selector_matches(*selector, *labels);
      if (matched && std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
    }
    return out;
  }

  void bind(EntityId binding_id) {
    const model::Entity& binding = graph_.at(binding_id);
    const std::string binding_kind = attr_text(binding, "kind");
    const std::string binding_ns = attr_text(binding, "namespace");
    const std::string role_ref = attr_text(binding, "role_ref");
    const Value* role_ref_value = binding.attrs.get("role_ref");
    const core::SourceLoc role_loc = role_ref_value != nullptr ? role_ref_value->loc : binding.loc;
    std::string role_kind = attr_text(binding, "role_ref_kind");
    if (role_kind.empty()) role_kind = "ClusterRole";
    const std::vector<EntityId> grants = resolve_role(role_kind, role_ref, binding_ns);
    std::vector<Value> subjects;
    if (const Value* list = binding.attrs.get("subjects")) subjects = list->items;

    std::vector<EntityId> identities;
    for (auto& subject : subjects) {
      if (text_of(subject.get("kind")) != "ServiceAccount") continue;
      std::string ns = text_of(subject.get("namespace"));
      if (ns.empty()) {
        ns = binding_ns;
        subject.set("namespace", Value::of_string(ns, subject.loc));
      }
      const EntityId sa = account(ns, text_of(subject.get("name")), subject.loc);
      identities.push_back(sa);
      Value& roles = list_attr(graph_.at_mut(sa), "roles", graph_.at(sa).loc);
      if (!has_item(&roles, role_ref)) roles.push(Value::of_string(role_ref, role_loc));
    }
    for (EntityId id : grants) {
      model::Entity& grant = graph_.at_mut(id);
      grant.attrs.set("bound", Value::of_bool(true, role_loc));
      if (binding_kind == "ClusterRoleBinding") cluster_bound_.insert(id);
      Value& held_by = list_attr(grant, "subjects", grant.loc);
      for (const auto& subject : subjects) held_by.push(subject);
      push_ref_once(grant, "bindings", binding_id, role_loc);
      for (EntityId sa : identities) {
        push_ref_once(grant, "identities", sa, role_loc);
        push_ref_once(graph_.at_mut(sa), "grants", id, role_loc);
      }
      push_ref_once(graph_.at_mut(binding_id), "grants", id, role_loc);
    }
  }

  void finish_grant(model::Entity& grant) {
    const bool bound = grant.attrs.get("bound") != nullptr && grant.attrs.get("bound")->boolean;
    const bool by_cluster_binding = cluster_bound_.contains(grant.id);
    const bool cluster_role = attr_text(grant, "role_kind") == "ClusterRole";
    grant.attrs.set("cluster_wide",
                    Value::of_bool(cluster_role && (!bound || by_cluster_binding), grant.loc));
    std::string words;
    const Value* subjects = grant.attrs.get("subjects");
    size_t shown = 0;
    if (subjects != nullptr) {
      for (const auto& subject : subjects->items) {
        if (shown == 3) {
          words += " and " + std::to_string(subjects->items.size() - shown) + " more";
          break;
        }
        words += shown == 0 ? "bound to " : ", ";
        words += text_of(subject.get("kind")) + " ";
        const std::string& ns = text_of(subject.get("namespace"));
        if (!ns.empty()) words += ns + "/";
        words += text_of(subject.get("name"));
        ++shown;
      }
    }
    if (words.empty()) words = "not bound in this repository";
    grant.attrs.set("bound_to", Value::of_string(words, grant.loc));
  }

  // ---- workloads -------------------------------------------------------------------------

  void workload(EntityId id) {
    const std::string ns = attr_text(graph_.at(id), "namespace");
    const Value* sa_value = graph_.at(id).attrs.get("service_account");
    const core::SourceLoc sa_loc = sa_value != nullptr ? sa_value->loc : graph_.at(id).loc;
    const EntityId sa = account(ns, text_of(sa_value), sa_loc);
    push_ref(graph_.at_mut(sa), "workloads", id, sa_loc);
    model::Entity& w = graph_.at_mut(id);
    w.attrs.set("identity", Value::of_ref(sa, sa_loc));

    // The pod's own setting wins over its ServiceAccount's; the API default is to mount.
    const Value* own = w.attrs.get("automount_token");
    const Value* inherited = graph_.at(sa).attrs.get("automount_token");
    Value mounted;
    if (own != nullptr && own->kind == ValueKind::kBool) {
      mounted = Value::of_bool(own->boolean, own->loc);
    } else if (inherited != nullptr && inherited->kind == ValueKind::kBool) {
      mounted = Value::of_bool(inherited->boolean, inherited->loc);
    } else {
      mounted = Value::of_bool(true, own != nullptr ? own->loc : w.loc);
    }
    w.attrs.set("token_mounted", std::move(mounted));

    // Linkerd reads the pod's annotation, else its namespace's.
    const Value* inbound = w.attrs.get("inbound_policy");
    if ((inbound == nullptr || inbound->is_null()) && !ns.empty()) {
      for (EntityId pid : ids_at(namespaces_by_name_, ns)) {
        const model::Entity& policy = graph_.at(pid);
        const Value* annotated = policy.attrs.get("inbound_policy");
        if (annotated != nullptr && annotated->kind == ValueKind::kString) {
          w.attrs.set("inbound_policy", *annotated);
        }
      }
    }

    Value* env = w.attrs.get_mut("env");
    if (env == nullptr) return;
    for (auto& entry : env->items) {
      std::string kind;
      const Value* value = entry.get("value");
      if (text_of(entry.get("source")) == "literal" && value != nullptr &&
          value->kind == ValueKind::kString) {
        if (auto match = secrets_.classify(text_of(entry.get("key")), value->text)) {
          kind = match->kind;
          found_.push_back(match->secret);
        }
      }
      entry.set("secret_kind", Value::of_string(kind, value != nullptr ? value->loc : entry.loc));
    }
  }

  void service(EntityId id) {
    model::Entity& endpoint = graph_.at_mut(id);
    list_attr(endpoint, "workloads", endpoint.loc);
    const Value* selector = endpoint.attrs.get("selector");
    if (selector == nullptr || selector->kind != ValueKind::kRecord) return;
    const Value* labels = selector->get("labels");
    // A Service without selector labels selects no pod (its endpoints are managed by hand).
    if (labels == nullptr || labels->items.empty()) return;
    const Value sel = *selector;
    const std::string ns = attr_text(endpoint, "namespace");
    // Only workloads carrying the selector's first label can match it.
    for (EntityId wid : ids_at(workloads_by_label_, label_key(labels->items.front()))) {
      model::Entity& w = graph_.at_mut(wid);
      const Value* pod_labels = w.attrs.get("labels");
      if (!same_namespace(ns, attr_text(w, "namespace")) || pod_labels == nullptr ||
          !selector_matches(sel, *pod_labels)) {
        continue;
      }
      push_ref(w, "endpoints", id, sel.loc);
      push_ref(graph_.at_mut(id), "workloads", wid, sel.loc);
    }
  }

  // ---- network and mesh policy -----------------------------------------------------------

  bool applies(const model::Entity& policy, const model::Entity& w) const {
    if (!same_namespace(attr_text(policy, "namespace"), attr_text(w, "namespace")) &&
        attr_text(policy, "scope") != "mesh") {
      return false;
    }
    const Value* selector = policy.attrs.get("selector");
    if (selector == nullptr || selector->kind != ValueKind::kRecord) {
      // Istio policies without a selector cover their namespace (or the mesh); a
      // NetworkPolicy without podSelector is invalid and selects nothing.
      return attr_text(policy, "kind") != "NetworkPolicy";
    }
    const Value* labels = w.attrs.get("labels");
    return labels != nullptr && selector_matches(*selector, *labels);
  }

  /// The policies that may select `w`, ascending: those without a required label, and
  /// those requiring a label `w` carries.
  std::vector<EntityId> candidate_policies(const model::Entity& w) const {
    std::vector<EntityId> out = broad_policies_;
    if (const Value* labels = w.attrs.get("labels")) {
      for (const auto& entry : labels->items) {
        const auto& ids = ids_at(policies_by_label_, label_key(entry));
        out.insert(out.end(), ids.begin(), ids.end());
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  static bool dns_only(const Value& rule) {
    const Value* ports = rule.get("ports");
    if (ports == nullptr || ports->items.empty()) return false;
    return std::all_of(ports->items.begin(), ports->items.end(),
                       [](const Value& port) { return port.text == "53"; });
  }

  void policies_for(EntityId wid) {
    const model::Entity& w = graph_.at(wid);
    const core::SourceLoc at = w.loc;
    Value network = Value::list(at);
    std::vector<EntityId> network_ids;
    const model::Entity* workload_pa = nullptr;
    const model::Entity* namespace_pa = nullptr;
    const model::Entity* mesh_pa = nullptr;
    const bool any_pa = any_peer_authentication_;
    for (EntityId pid : candidate_policies(w)) {
      const model::Entity& policy = graph_.at(pid);
      const std::string& kind = attr_text(policy, "kind");
      if (!applies(policy, w)) continue;
      const Value* selector = policy.attrs.get("selector");
      const core::SourceLoc where =
          selector != nullptr && !selector->is_null() ? selector->loc : policy.loc;
      push_ref(graph_.at_mut(pid), "selects", wid, where);
      if (kind == "NetworkPolicy") {
        network.push(Value::of_ref(pid, where));
        network_ids.push_back(pid);
      } else if (kind == "PeerAuthentication") {
        const std::string& scope = attr_text(policy, "scope");
        const bool exact_ns = attr_text(policy, "namespace") == attr_text(w, "namespace");
        const model::Entity** slot = scope == "workload"    ? &workload_pa
                                     : scope == "namespace" ? &namespace_pa
                                                            : &mesh_pa;
        // Istio honours one policy per level; prefer the one in the pod's own namespace.
        if (*slot == nullptr ||
            (exact_ns && attr_text(**slot, "namespace") != attr_text(w, "namespace"))) {
          *slot = &policy;
        }
      }
    }
    Value egress = egress_verdict(w, network_ids);
    Value mtls = Value::list(at);
    if (any_pa && !outside_mesh(w)) mtls = mtls_verdict(w, workload_pa, namespace_pa, mesh_pa);
    model::Entity& wm = graph_.at_mut(wid);
    wm.attrs.set("network_policies", std::move(network));
    wm.attrs.set("egress", std::move(egress));
    wm.attrs.set("mtls", std::move(mtls));
    list_attr(wm, "endpoints", at);
  }

  Value egress_verdict(const model::Entity& w, const std::vector<EntityId>& selecting) const {
    bool isolated = false;
    for (EntityId pid : selecting) {
      isolated = isolated || has_item(graph_.at(pid).attrs.get("policy_types"), "Egress");
    }
    Value verdict = Value::record(w.loc);
    std::string reason;
    core::SourceLoc where = w.loc;
    if (selecting.empty()) {
      reason = "no NetworkPolicy selects it";
    } else if (!isolated) {
      const model::Entity& first = graph_.at(selecting.front());
      const Value* types = first.attrs.get("policy_types");
      where = types != nullptr ? types->loc : first.loc;
      reason = "no NetworkPolicy that selects it restricts egress (NetworkPolicy '" +
               attr_text(first, "name") + "' has no Egress in policyTypes)";
    } else {
      for (EntityId pid : selecting) {
        const model::Entity& policy = graph_.at(pid);
        if (!has_item(policy.attrs.get("policy_types"), "Egress")) continue;
        const Value* rules = policy.attrs.get("egress_rules");
        if (rules == nullptr) continue;
        for (const auto& rule : rules->items) {
          const Value* any = rule.get("any_peer");
          if (any == nullptr || !any->boolean || dns_only(rule)) continue;
          where = any->loc;
          reason = "an egress rule of NetworkPolicy '" + attr_text(policy, "name") +
                   "' allows any destination";
          break;
        }
        if (!reason.empty()) break;
      }
    }
    verdict.loc = where;
    verdict.set("isolated", Value::of_bool(isolated, where));
    verdict.set("open", Value::of_bool(!reason.empty(), where));
    verdict.set("reason", Value::of_string(reason, where));
    return verdict;
  }

  static bool outside_mesh(const model::Entity& w) {
    static constexpr std::array<std::string_view, 2> kFields = {"annotations", "labels"};
    return std::any_of(kFields.begin(), kFields.end(), [&](std::string_view field) {
      const Value* map = w.attrs.get(field);
      return map != nullptr && text_of(label(*map, "sidecar.istio.io/inject")) == "false";
    });
  }

  /// Istio's order: a workload policy, then its namespace's, then the mesh-wide one, each
  /// UNSET mode deferring to the next; with none deciding, Istio accepts PERMISSIVE.
  static Value mtls_verdict(const model::Entity& w, const model::Entity* workload_pa,
                            const model::Entity* namespace_pa, const model::Entity* mesh_pa) {
    Value out = Value::list(w.loc);
    std::string mode;
    std::string scope = "default";
    std::string policy_name;
    std::string decided_by = "no PeerAuthentication covers it; Istio's default applies";
    core::SourceLoc where = w.loc;
    for (const model::Entity* pa : {workload_pa, namespace_pa, mesh_pa}) {
      if (pa == nullptr) continue;
      const Value* m = pa->attrs.get("mtls_mode");
      if (m == nullptr) continue;
      where = m->loc;
      if (m->text == "UNSET" || m->text.empty()) {
        decided_by = "PeerAuthentication '" + attr_text(*pa, "name") +
                     "' leaves it UNSET and no parent policy sets it; Istio's default applies";
        continue;
      }
      mode = m->text;
      scope = attr_text(*pa, "scope");
      policy_name = attr_text(*pa, "name");
      decided_by = scope;
      decided_by.append("-wide PeerAuthentication '").append(policy_name).append("'");
      break;
    }
    if (mode.empty()) mode = "PERMISSIVE";
    auto record = [&](Value port, const std::string& m, const std::string& s, const std::string& p,
                      const std::string& why, const core::SourceLoc& loc) {
      Value r = Value::record(loc);
      r.set("port", std::move(port));
      r.set("mode", Value::of_string(m, loc));
      r.set("scope", Value::of_string(s, loc));
      r.set("policy", Value::of_string(p, loc));
      r.set("decided_by", Value::of_string(why, loc));
      return r;
    };
    out.push(record(Value::null(where), mode, scope, policy_name, decided_by, where));
    if (workload_pa == nullptr) return out;
    const Value* ports = workload_pa->attrs.get("port_modes");
    if (ports == nullptr) return out;
    for (const auto& port : ports->items) {
      const Value* m = port.get("mode");
      if (m == nullptr) continue;
      const std::string port_mode = m->text == "UNSET" || m->text.empty() ? mode : m->text;
      if (port_mode == mode) continue;
      const Value* number = port.get("port");
      const std::string name = attr_text(*workload_pa, "name");
      std::string why = "port-level setting of PeerAuthentication '" + name + "'";
      if (number != nullptr && number->kind == ValueKind::kNumber) {
        why = "port " + std::to_string(static_cast<long>(number->number)) +
              " of PeerAuthentication '" + name + "'";
      }
      out.push(record(number != nullptr ? *number : Value::null(m->loc), port_mode, "workload",
                      name, why, m->loc));
    }
    return out;
  }

  model::Graph& graph_;
  const SecretClassifier& secrets_;
  std::vector<std::string>& found_;
  std::vector<EntityId> workloads_;
  std::vector<EntityId> accounts_;
  std::vector<EntityId> grants_;
  std::vector<EntityId> endpoints_;
  std::vector<EntityId> policies_;
  std::unordered_set<EntityId> cluster_bound_;
  bool any_peer_authentication_ = false;
  std::unordered_map<std::string, std::vector<EntityId>> accounts_by_name_;
  std::unordered_map<std::string, std::vector<EntityId>> grants_by_role_;  ///< "kind/name"
  std::vector<EntityId> labelled_cluster_roles_;  ///< aggregation candidates
  std::unordered_map<std::string, std::vector<EntityId>> workloads_by_label_;  ///< "key=value"
  std::unordered_map<std::string, std::vector<EntityId>> namespaces_by_name_;
  std::unordered_map<std::string, std::vector<EntityId>> policies_by_label_;  ///< first label
  std::vector<EntityId> broad_policies_;
};

}  // namespace

bool selector_matches(const Value& selector, const Value& labels) {
  if (const Value* match = selector.get("labels")) {
    for (const auto& entry : match->items) {
      const Value* actual = label(labels, text_of(entry.get("key")));
      if (actual == nullptr || actual->text != text_of(entry.get("value"))) return false;
    }
  }
  const Value* expressions = selector.get("expressions");
  if (expressions == nullptr) return true;
  for (const auto& expr : expressions->items) {
    const std::string& op = text_of(expr.get("operator"));
    const Value* actual = label(labels, text_of(expr.get("key")));
    const bool listed = actual != nullptr && has_item(expr.get("values"), actual->text);
    bool ok = false;
    if (op == "In") ok = listed;
    if (op == "NotIn") ok = !listed;
    if (op == "Exists") ok = actual != nullptr;
    if (op == "DoesNotExist") ok = actual == nullptr;
    if (!ok) return false;
  }
  return true;
}

void derive_k8s(model::Graph& graph, const SecretClassifier& secrets,
                std::vector<std::string>& found) {
  K8sDeriver(graph, secrets, found).run();
}

}  // namespace fermata::derive
