#include "derive/iam.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/limits.hpp"
#include "core/text.hpp"
#include "parsers/syntax/yaml_reader.hpp"

namespace fermata::derive {
namespace {

using core::lower;

using model::EntityId;
using model::Value;
using model::ValueKind;
using syntax::Node;

using model::text_of;

bool flag(const Value* value) { return value != nullptr && value->boolean; }

const Value* list(const Value& record, std::string_view name) {
  const Value* value = record.get(name);
  return value != nullptr && value->kind == ValueKind::kList ? value : nullptr;
}

bool has_items(const Value& record, std::string_view name) {
  const Value* l = list(record, name);
  return l != nullptr && !l->items.empty();
}

/// The item of `patterns` that covers `action`, if any.
const Value* covering(const Value* patterns, std::string_view action) {
  if (patterns == nullptr) return nullptr;
  for (const auto& pattern : patterns->items) {
    if (action_matches(pattern.text, action)) return &pattern;
  }
  return nullptr;
}

/// Does the statement apply to `action`? Returns where it says so (the Action item, or
/// the NotAction list that leaves the action out).
std::optional<core::SourceLoc> grants(const Value& statement, std::string_view action) {
  if (const Value* hit = covering(list(statement, "actions"), action)) return hit->loc;
  const Value* excluded = list(statement, "not_actions");
  if (excluded != nullptr && !excluded->items.empty() && covering(excluded, action) == nullptr)
    return excluded->loc;
  return std::nullopt;
}

/// A resource broad enough for escalation: "*", an ARN whose resource part has a wildcard
/// (role/*), or everything but a list. A wildcard account or region alone does not widen
/// "user/${aws:username}", which is the caller's own user.
bool broad_resource(const Value& statement) {
  if (has_items(statement, "not_resources")) return true;
  const Value* resources = list(statement, "resources");
  if (resources == nullptr) return false;
  return std::any_of(resources->items.begin(), resources->items.end(), [](const Value& r) {
    size_t start = 0;
    if (r.text.rfind("arn:", 0) == 0) {
      for (int field = 0; field < 5 && start != std::string::npos; ++field) {
        start = r.text.find(':', start);
        if (start != std::string::npos) ++start;
      }
      if (start == std::string::npos) return false;
    }
    return r.text.find('*', start) != std::string::npos;
  });
}

Value escalations_of(const Value& statements, const PrivilegeCatalog& catalog,
                     const core::SourceLoc& fallback) {
  Value out = Value::list(fallback);
  // An administrator policy allows every set; the admin rule reports it once instead.
  if (std::any_of(statements.items.begin(), statements.items.end(),
                  [](const Value& s) { return flag(s.get("admin")); })) {
    return out;
  }
  auto allowed = [&](const std::string& action) -> std::optional<core::SourceLoc> {
    std::optional<core::SourceLoc> where;
    for (const auto& s : statements.items) {
      const std::string& effect = text_of(s.get("effect"));
      const auto hit = grants(s, action);
      if (!hit) continue;
      // An explicit Deny without a condition takes the action away whatever allows it.
      if (effect == "Deny" && !flag(s.get("has_condition"))) return std::nullopt;
      if (effect == "Allow" && !flag(s.get("has_condition")) && broad_resource(s) && !where)
        where = hit;
    }
    return where;
  };
  for (const auto& set : catalog.escalation_sets) {
    std::optional<core::SourceLoc> first;
    bool all = !set.actions.empty();
    for (const auto& action : set.actions) {
      const auto where = allowed(action);
      if (!where) {
        all = false;
        break;
      }
      if (!first) first = where;
    }
    if (!all) continue;
    Value record = Value::record(*first);
    record.set("id", Value::of_string(set.id, *first));
    record.set("name", Value::of_string(set.name, *first));
    Value actions = Value::list(*first);
    for (const auto& action : set.actions) actions.push(Value::of_string(action, *first));
    record.set("actions", std::move(actions));
    out.push(std::move(record));
  }
  if (!out.items.empty()) out.loc = out.items.front().loc;
  return out;
}

const PrivilegeCatalog::AdminRole* admin_role(const std::vector<PrivilegeCatalog::AdminRole>& roles,
                                              const std::string& id) {
  const std::string wanted = lower(id);
  for (const auto& role : roles) {
    if (lower(role.id) == wanted) return &role;
  }
  return nullptr;
}

/// The role name of an IAM role ARN (arn:aws:iam::111122223333:role/path/name), or "".
std::string role_name(const std::string& arn) {
  const size_t role = arn.find(":role/");
  if (role == std::string::npos) return "";
  return arn.substr(arn.rfind('/') + 1);
}

/// EKS IRSA: a Kubernetes ServiceAccount annotated with a role ARN acts as that AWS role —
/// the edge from an agent's pod to its cloud permissions, when the role is in the repository.
void link_workload_identities(model::Graph& graph) {
  // The first role of each name, looked up by name rather than by a scan per account.
  std::unordered_map<std::string, EntityId> roles_by_name;
  for (const auto& role : graph.entities()) {
    const std::string& kind = text_of(role.attrs.get("kind"));
    if (role.kind == model::EntityKind::kIdentity &&
        (kind == "AWS::IAM::Role" || kind == "aws_iam_role")) {
      roles_by_name.emplace(text_of(role.attrs.get("name")), role.id);
    }
  }
  for (auto& sa : graph.entities_mut()) {
    if (sa.kind != model::EntityKind::kIdentity ||
        text_of(sa.attrs.get("kind")) != "ServiceAccount")
      continue;
    const Value* cloud = sa.attrs.get("cloud_identity");
    Value link = Value::null(sa.loc);
    if (cloud != nullptr && text_of(cloud->get("provider")) == "aws") {
      const Value* arn = cloud->get("id");
      const std::string name = role_name(text_of(arn));
      const auto role = roles_by_name.find(name);
      if (!name.empty() && role != roles_by_name.end())
        link = Value::of_ref(role->second, arn->loc);
    }
    sa.attrs.set("cloud_role", std::move(link));
  }
}

}  // namespace

bool action_matches(std::string_view pattern, std::string_view action) {
  // Glob with '*' (any run) and '?' (one character), case-insensitive; the backtracking
  // keeps only the last star, which makes the match linear in practice.
  size_t p = 0;
  size_t a = 0;
  size_t star = std::string_view::npos;
  size_t resume = 0;
  auto same = [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  };
  while (a < action.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || same(pattern[p], action[a]))) {
      ++p;
      ++a;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = a;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      a = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

PrivilegeCatalog parse_privilege_catalog(std::string_view path, std::string_view yaml_text,
                                         core::DiagnosticSink& sink) {
  PrivilegeCatalog catalog;
  auto report = [&](const core::SourceLoc& loc, std::string message) {
    sink.report(core::DiagCode::kCatalogInvalid, "privilege catalog: " + std::move(message), loc);
  };
  core::DiagnosticSink yaml_sink;
  const auto doc = syntax::read_yaml(path, yaml_text, core::Limits{}, yaml_sink);
  for (const auto& d : yaml_sink.items()) report(d.loc, d.message);
  if (!doc) return catalog;
  if (doc->roots.size() != 1 || !doc->roots.front().is_object()) {
    report({std::string(path), {1, 1, 1, 1}}, "expected one mapping");
    return catalog;
  }
  const Node& root = doc->roots.front();
  for (const auto& m : root.members) {
    if (m.key != "aws_escalation_sets" && m.key != "admin_equivalent")
      report(doc->loc(m.key_span), "unknown field '" + m.key + "'");
  }
  auto text = [&](const Node& item, std::string_view key) -> std::string {
    const Node* value = item.get(key);
    if (value == nullptr || !value->is_scalar() || value->text.empty()) {
      report(doc->loc(item.span), "missing '" + std::string(key) + "'");
      return "";
    }
    return value->text;
  };
  std::vector<std::string> ids;
  if (const Node* sets = root.get("aws_escalation_sets"); sets != nullptr && sets->is_array()) {
    for (const auto& item : sets->items) {
      if (!item.is_object()) {
        report(doc->loc(item.span), "an escalation set is a mapping");
        continue;
      }
      PrivilegeCatalog::EscalationSet set{text(item, "id"), text(item, "name"), {}};
      if (std::find(ids.begin(), ids.end(), set.id) != ids.end())
        report(doc->loc(item.span), "duplicate id '" + set.id + "'");
      ids.push_back(set.id);
      const Node* actions = item.get("actions");
      if (actions == nullptr || !actions->is_array() || actions->items.empty()) {
        report(doc->loc(item.span), "'actions' must be a non-empty list");
        continue;
      }
      for (const auto& action : actions->items) {
        if (!action.is_scalar() || action.text.find(':') == std::string::npos) {
          report(doc->loc(action.span), "an action is written service:Action");
          continue;
        }
        set.actions.push_back(action.text);
      }
      catalog.escalation_sets.push_back(std::move(set));
    }
  } else {
    report(doc->loc(root.span), "missing list 'aws_escalation_sets'");
  }
  const Node* admin = root.get("admin_equivalent");
  if (admin == nullptr || !admin->is_object()) {
    report(doc->loc(root.span), "missing mapping 'admin_equivalent'");
    return catalog;
  }
  for (const auto& m : admin->members) {
    std::vector<PrivilegeCatalog::AdminRole>* into = nullptr;
    if (m.key == "aws_managed_policies") into = &catalog.aws_admin_policies;
    if (m.key == "gcp_roles") into = &catalog.gcp_admin_roles;
    if (into == nullptr || !m.value.is_array()) {
      report(doc->loc(m.key_span), "unknown or malformed list '" + m.key + "'");
      continue;
    }
    for (const auto& item : m.value.items) {
      if (!item.is_object()) {
        report(doc->loc(item.span), "an admin-equivalent role is a mapping with id and why");
        continue;
      }
      into->push_back({text(item, "id"), text(item, "why")});
    }
  }
  return catalog;
}

void derive_iam(model::Graph& graph, const PrivilegeCatalog& catalog) {
  // AWS grants by file: names join within one template or plan (see below).
  std::unordered_map<std::string, std::vector<const model::Entity*>> aws_grants_by_file;
  for (auto& entity : graph.entities_mut()) {
    if (entity.kind != model::EntityKind::kGrant) continue;
    const std::string& source = text_of(entity.attrs.get("source"));
    if (source == "aws-iam") {
      aws_grants_by_file[entity.loc.file].push_back(&entity);
      const Value* statements = entity.attrs.get("statements");
      const bool identity = text_of(entity.attrs.get("policy_type")) == "identity";
      entity.attrs.set("escalations", identity && statements != nullptr
                                          ? escalations_of(*statements, catalog, entity.loc)
                                          : Value::list(entity.loc));
    } else if (source == "gcp-iam") {
      const Value* role = entity.attrs.get("role");
      const auto* admin = admin_role(catalog.gcp_admin_roles, text_of(role));
      const core::SourceLoc at = role != nullptr ? role->loc : entity.loc;
      entity.attrs.set("admin_equivalent", Value::of_bool(admin != nullptr, at));
      entity.attrs.set("admin_reason", Value::of_string(admin != nullptr ? admin->why : "", at));
    }
  }
  for (auto& entity : graph.entities_mut()) {
    if (entity.kind != model::EntityKind::kIdentity ||
        text_of(entity.attrs.get("source")) != "aws-iam") {
      continue;
    }
    const std::string& name = text_of(entity.attrs.get("name"));
    Value policies = Value::list(entity.loc);
    Value trust = Value::null(entity.loc);
    // Names join within one template or plan: the same role name elsewhere may be another
    // account's.
    static const std::vector<const model::Entity*> kNoGrants;
    const auto in_file = aws_grants_by_file.find(entity.loc.file);
    for (const model::Entity* grant :
         in_file == aws_grants_by_file.end() ? kNoGrants : in_file->second) {
      const Value* attached = grant->attrs.get("attached_to");
      if (attached == nullptr) continue;
      const bool holds = std::any_of(attached->items.begin(), attached->items.end(),
                                     [&](const Value& v) { return v.text == name; });
      if (!holds) continue;
      if (text_of(grant->attrs.get("policy_type")) == "trust") {
        trust = Value::of_ref(grant->id, grant->loc);
      } else {
        policies.push(Value::of_ref(grant->id, grant->loc));
      }
    }
    Value admin_policies = Value::list(entity.loc);
    if (const Value* managed = entity.attrs.get("managed_policies")) {
      for (const auto& arn : managed->items) {
        const auto* admin = admin_role(catalog.aws_admin_policies, arn.text);
        if (admin == nullptr) continue;
        Value record = Value::record(arn.loc);
        record.set("arn", arn);
        record.set("why", Value::of_string(admin->why, arn.loc));
        admin_policies.push(std::move(record));
      }
    }
    entity.attrs.set("policies", std::move(policies));
    entity.attrs.set("trust_policy", std::move(trust));
    entity.attrs.set("admin_policies", std::move(admin_policies));
  }
  link_workload_identities(graph);
}

}  // namespace fermata::derive
