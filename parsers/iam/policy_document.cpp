#include "parsers/iam/policy_document.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "core/limits.hpp"
#include "core/text.hpp"
#include "parsers/syntax/json_reader.hpp"

namespace fermata::parsers::iam {
namespace {

using core::ends_with;

using core::lower;

using model::Value;
using syntax::Member;
using syntax::Node;

void move_spans(Node& node, const core::Span& span) {
  node.span = span;
  for (auto& item : node.items) move_spans(item, span);
  for (auto& member : node.members) {
    member.key_span = span;
    move_spans(member.value, span);
  }
}

/// The value of a one-member object {"Ref": ...} / {"Fn::Sub": ...}: the JSON spelling of
/// CloudFormation's intrinsic functions.
const Member* intrinsic(const Node& node) {
  if (!node.is_object() || node.members.size() != 1) return nullptr;
  const Member& m = node.members.front();
  return m.key == "Ref" || m.key.rfind("Fn::", 0) == 0 ? &m : nullptr;
}

std::optional<std::string> function_text(std::string_view function, const Node& arg) {
  if (function == "Ref" || function == "!Ref") {
    if (!arg.is_scalar()) return std::nullopt;
    return "${" + arg.text + "}";
  }
  if (function == "Fn::GetAtt" || function == "!GetAtt") {
    if (arg.is_scalar()) return "${" + arg.text + "}";
    if (arg.is_array() && arg.items.size() == 2 && arg.items[0].is_scalar() &&
        arg.items[1].is_scalar()) {
      return "${" + arg.items[0].text + "." + arg.items[1].text + "}";
    }
    return std::nullopt;
  }
  if (function == "Fn::Sub" || function == "!Sub") {
    if (arg.is_scalar()) return arg.text;
    if (arg.is_array() && !arg.items.empty() && arg.items[0].is_scalar()) return arg.items[0].text;
    return std::nullopt;
  }
  if (function == "Fn::Join" || function == "!Join") {
    if (!arg.is_array() || arg.items.size() != 2 || !arg.items[0].is_scalar() ||
        !arg.items[1].is_array()) {
      return std::nullopt;
    }
    std::string out;
    for (size_t i = 0; i < arg.items[1].items.size(); ++i) {
      if (i > 0) out += arg.items[0].text;
      const auto part = scalar_text(arg.items[1].items[i]);
      out += part ? *part : "${?}";
    }
    return out;
  }
  return std::nullopt;
}

/// An AWS account id in a principal: the id itself, or the account field of an ARN.
std::string account_of(const std::string& principal) {
  auto digits = [](std::string_view text) {
    return text.size() == 12 &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (digits(principal)) return principal;
  if (principal.rfind("arn:", 0) != 0) return "";
  // arn:partition:service:region:account:resource
  size_t start = 0;
  for (int field = 0; field < 4; ++field) {
    start = principal.find(':', start);
    if (start == std::string::npos) return "";
    ++start;
  }
  const size_t end = principal.find(':', start);
  const std::string account = principal.substr(start, end == std::string::npos ? end : end - start);
  return digits(account) ? account : "";
}

bool assume_action(const std::string& action) {
  const std::string a = lower(action);
  return a.rfind("sts:assumerole", 0) == 0 || a == "sts:tagsession" ||
         a == "sts:setsourceidentity" || a == "sts:*";
}

class StatementReader {
 public:
  explicit StatementReader(const syntax::Document& document) : document_(document) {}

  [[nodiscard]] core::SourceLoc loc(const core::Span& span) const { return document_.loc(span); }

  Value list_at(const Node& statement, std::string_view key) const {
    const Member* member = statement.member(key);
    if (member == nullptr) return Value::list(loc(statement.span));
    return string_list(document_, &member->value, loc(member->key_span));
  }

  /// Principal: "*", or {"AWS"|"Service"|"Federated"|"CanonicalUser": string or list}, each
  /// entry written "AWS:<value>".
  Value principals(const Node& statement, std::string_view key) const {
    const Member* member = statement.member(key);
    if (member == nullptr) return Value::list(loc(statement.span));
    Value list = Value::list(loc(member->key_span));
    const Node& value = member->value;
    if (const auto text = scalar_text(value)) {
      list.push(Value::of_string(*text, loc(value.span)));
      return list;
    }
    if (!value.is_object()) return list;
    for (const auto& kind : value.members) {
      const Value entries = string_list(document_, &kind.value, loc(kind.key_span));
      for (const auto& entry : entries.items) {
        list.push(Value::of_string(kind.key + ":" + entry.text, entry.loc));
      }
    }
    return list;
  }

  Value read(const Node& statement) const {
    const core::SourceLoc at = loc(statement.span);
    Value s = Value::record(at);
    const Node* sid = statement.get("Sid");
    const auto sid_text = sid != nullptr ? scalar_text(*sid) : std::nullopt;
    s.set("sid", Value::of_string(sid_text.value_or(""), sid != nullptr ? loc(sid->span) : at));
    const Node* effect = statement.get("Effect");
    const auto effect_text = effect != nullptr ? scalar_text(*effect) : std::nullopt;
    const std::string effect_value = effect_text.value_or("");
    s.set("effect", Value::of_string(effect_value, effect != nullptr ? loc(effect->span) : at));
    Value actions = list_at(statement, "Action");
    Value not_actions = list_at(statement, "NotAction");
    Value resources = list_at(statement, "Resource");
    Value not_resources = list_at(statement, "NotResource");
    Value who = principals(statement, "Principal");
    Value not_who = principals(statement, "NotPrincipal");

    Value conditions = Value::list(at);
    bool sub_restricted = false;
    if (const Member* condition = statement.member("Condition");
        condition != nullptr && condition->value.is_object()) {
      conditions.loc = loc(condition->key_span);
      for (const auto& op : condition->value.members) {
        if (!op.value.is_object()) continue;
        for (const auto& key : op.value.members) {
          conditions.push(Value::of_string(op.key + ":" + key.key, loc(key.key_span)));
          // A subject condition that admits every subject restricts nothing.
          if (ends_with(lower(key.key), ":sub")) {
            const Value values = string_list(document_, &key.value, loc(key.key_span));
            sub_restricted =
                sub_restricted || std::any_of(values.items.begin(), values.items.end(),
                                              [](const Value& v) { return v.text != "*"; });
          }
        }
      }
    }
    const bool conditioned = !conditions.items.empty();
    const bool allow = effect_value == "Allow";
    const bool any_action = std::any_of(actions.items.begin(), actions.items.end(),
                                        [](const Value& a) { return a.text == "*"; });
    const bool any_resource = std::any_of(resources.items.begin(), resources.items.end(),
                                          [](const Value& r) { return r.text == "*"; });
    s.set("admin",
          Value::of_bool(allow && !conditioned && any_action && any_resource, actions.loc));
    Value wildcards = Value::list(actions.loc);
    for (const auto& action : actions.items) {
      if (action.text == "*" || ends_with(action.text, ":*")) wildcards.push(action);
    }

    std::string open_to;
    core::SourceLoc open_loc = who.loc;
    Value external = Value::list(who.loc);
    if (allow) {
      for (const auto& principal : who.items) {
        if ((principal.text == "*" || principal.text == "AWS:*") && !conditioned) {
          open_to = "any AWS principal";
          open_loc = principal.loc;
          break;
        }
      }
      const bool web_identity =
          std::any_of(actions.items.begin(), actions.items.end(), [](const Value& a) {
            const std::string action = lower(a.text);
            return action == "sts:assumerolewithwebidentity" || action == "sts:*" || action == "*";
          });
      for (const auto& principal : who.items) {
        if (open_to.empty() && web_identity && principal.text.rfind("Federated:", 0) == 0 &&
            !sub_restricted) {
          open_to = "any identity of " + principal.text.substr(10);
          open_loc = principal.loc;
        }
        if (principal.text.rfind("AWS:", 0) == 0) {
          const std::string account = account_of(principal.text.substr(4));
          if (!account.empty()) external.push(Value::of_string(account, principal.loc));
        }
      }
    }
    s.set("open_to", Value::of_string(open_to, open_loc));
    s.set("external_accounts", std::move(external));
    s.set("has_condition", Value::of_bool(conditioned, conditions.loc));
    s.set("wildcard_actions", std::move(wildcards));
    s.set("actions", std::move(actions));
    s.set("not_actions", std::move(not_actions));
    s.set("resources", std::move(resources));
    s.set("not_resources", std::move(not_resources));
    s.set("principals", std::move(who));
    s.set("not_principals", std::move(not_who));
    s.set("conditions", std::move(conditions));
    return s;
  }

 private:
  const syntax::Document& document_;
};

/// Trust policies name a principal and only the actions that assume a role.
std::string infer_type(const Value& statements) {
  bool principal = false;
  bool assume_only = true;
  for (const auto& s : statements.items) {
    const Value* who = s.get("principals");
    const Value* not_who = s.get("not_principals");
    if ((who == nullptr || who->items.empty()) && (not_who == nullptr || not_who->items.empty()))
      continue;
    principal = true;
    const Value* actions = s.get("actions");
    const Value* resources = s.get("resources");
    if (actions == nullptr || actions->items.empty() ||
        (resources != nullptr && !resources->items.empty())) {
      assume_only = false;
      continue;
    }
    for (const auto& action : actions->items)
      assume_only = assume_only && assume_action(action.text);
  }
  if (!principal) return "identity";
  return assume_only ? "trust" : "resource";
}

}  // namespace

bool has_json_key(std::string_view text, std::string_view name) {
  const std::string quoted = "\"" + std::string(name) + "\"";
  size_t at = text.find(quoted);
  while (at != std::string_view::npos) {
    size_t i = at + quoted.size();
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
    if (i < text.size() && text[i] == ':') return true;
    at = text.find(quoted, at + 1);
  }
  return false;
}

bool has_line_key(std::string_view text, std::string_view key) {
  for (size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
    if (at == 0 || text[at - 1] == '\n') return true;
  }
  return false;
}

bool path_ends_with(std::string_view path, std::string_view suffix) {
  return ends_with(lower(path), suffix);
}

std::optional<std::string> scalar_text(const Node& node) {
  if (node.is_scalar()) {
    if (node.tag.empty() || node.tag.rfind("tag:yaml.org", 0) == 0) return node.text;
    if (auto text = function_text(node.tag, node)) return text;
    return node.text;
  }
  if (!node.tag.empty()) return function_text(node.tag, node);
  if (const Member* fn = intrinsic(node)) return function_text(fn->key, fn->value);
  return std::nullopt;
}

model::Value string_list(const syntax::Document& document, const Node* node,
                         const core::SourceLoc& loc) {
  Value list = Value::list(loc);
  if (node == nullptr) return list;
  if (const auto text = scalar_text(*node)) {
    list.push(Value::of_string(*text, document.loc(node->span)));
    return list;
  }
  if (!node->is_array()) return list;
  for (const auto& item : node->items) {
    if (const auto text = scalar_text(item))
      list.push(Value::of_string(*text, document.loc(item.span)));
  }
  return list;
}

std::optional<syntax::Document> embedded_json(const syntax::Document& document,
                                              const Node& string_node) {
  if (!string_node.is_string()) return std::nullopt;
  core::DiagnosticSink ignored;
  auto parsed = syntax::read_json(document.path, string_node.text, core::Limits{}, ignored);
  if (!parsed) return std::nullopt;
  for (auto& root : parsed->roots) move_spans(root, string_node.span);
  return parsed;
}

model::Entity& add_aws_principal(model::Graph& graph, const std::string& kind,
                                 const std::string& name, const core::SourceLoc& loc,
                                 Value managed_policies) {
  model::Entity& identity = graph.add(model::EntityKind::kIdentity, kind + "/" + name, loc);
  identity.attrs.set("name", Value::of_string(name, loc));
  identity.attrs.set("kind", Value::of_string(kind, loc));
  identity.attrs.set("source", Value::of_string("aws-iam", loc));
  identity.attrs.set("managed_policies", std::move(managed_policies));
  return identity;
}

model::Entity& add_gcp_binding(model::Graph& graph, const std::string& carrier, Value role,
                               Value members, Value condition, const core::SourceLoc& loc) {
  // Named by role, numbered among the file's bindings of the same role: the name enters
  // fingerprints, which must not change when unrelated lines move.
  std::string name = carrier;
  name.append("/").append(role.text);
  const auto same = std::count_if(
      graph.entities().begin(), graph.entities().end(),
      [&](const model::Entity& e) { return e.name == name || e.name.rfind(name + "#", 0) == 0; });
  if (same > 0) name.append("#").append(std::to_string(same + 1));
  model::Entity& grant = graph.add(model::EntityKind::kGrant, name, loc);
  Value public_members = Value::list(members.loc);
  for (const auto& member : members.items) {
    if (member.text == "allUsers" || member.text == "allAuthenticatedUsers")
      public_members.push(member);
  }
  grant.attrs.set("name", Value::of_string(role.text, role.loc));
  grant.attrs.set("source", Value::of_string("gcp-iam", loc));
  grant.attrs.set("carrier", Value::of_string(carrier, loc));
  grant.attrs.set("role", std::move(role));
  grant.attrs.set("members", std::move(members));
  grant.attrs.set("public_members", std::move(public_members));
  grant.attrs.set("condition", std::move(condition));
  return grant;
}

model::Entity& add_azure_role(model::Graph& graph, const std::string& carrier, Value name,
                              AzurePermissions permissions, const core::SourceLoc& loc) {
  model::Entity& grant = graph.add(model::EntityKind::kGrant, carrier + "/" + name.text, loc);
  grant.attrs.set("name", name);
  grant.attrs.set("source", Value::of_string("azure-rbac", loc));
  grant.attrs.set("carrier", Value::of_string(carrier, loc));
  grant.attrs.set("role", std::move(name));
  grant.attrs.set("actions", std::move(permissions.actions));
  grant.attrs.set("not_actions", std::move(permissions.not_actions));
  grant.attrs.set("data_actions", std::move(permissions.data_actions));
  grant.attrs.set("not_data_actions", std::move(permissions.not_data_actions));
  grant.attrs.set("assignable_scopes", std::move(permissions.assignable_scopes));
  return grant;
}

model::Entity* add_aws_policy(const syntax::Document& document, const Node& node,
                              const PolicySource& source, model::Graph& graph) {
  if (node.is_string()) {
    // A document written as a JSON string: its facts sit at the string.
    auto inner = embedded_json(document, node);
    if (!inner || inner->roots.empty()) return nullptr;
    const Node root = inner->roots.front();
    return add_aws_policy(document, root, source, graph);
  }
  if (!node.is_object()) return nullptr;
  const Member* statement = node.member("Statement");
  if (statement == nullptr) return nullptr;
  StatementReader reader(document);
  Value statements = Value::list(reader.loc(statement->key_span));
  if (statement->value.is_object()) {
    statements.push(reader.read(statement->value));
  } else if (statement->value.is_array()) {
    for (const auto& item : statement->value.items) {
      if (item.is_object()) statements.push(reader.read(item));
    }
  }
  const std::string type = source.policy_type.empty() ? infer_type(statements) : source.policy_type;
  model::Entity& grant =
      graph.add(model::EntityKind::kGrant, source.carrier + "/" + source.name, source.loc);
  Value& attrs = grant.attrs;
  attrs.set("name", Value::of_string(source.name, source.loc));
  attrs.set("source", Value::of_string("aws-iam", source.loc));
  attrs.set("policy_type", Value::of_string(type, source.loc));
  attrs.set("carrier", Value::of_string(source.carrier, source.loc));
  Value attached = Value::list(source.loc);
  for (const auto& name : source.attached_to) attached.push(name);
  attrs.set("attached_to", std::move(attached));
  attrs.set("statements", std::move(statements));
  return &grant;
}

}  // namespace fermata::parsers::iam
