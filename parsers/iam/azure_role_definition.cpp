#include <string>
#include <utility>

#include "parsers/iam/iam_parsers.hpp"
#include "parsers/iam/policy_document.hpp"

namespace fermata::parsers {
namespace {

using model::Value;
using syntax::Node;

/// A member by any of the spellings the shapes use (Actions, actions).
const syntax::Member* member_of(const Node& node, std::initializer_list<std::string_view> keys) {
  if (!node.is_object()) return nullptr;
  for (auto key : keys) {
    if (const syntax::Member* m = node.member(key)) return m;
  }
  return nullptr;
}

Value list_of(const syntax::Document& document, const Node& node,
              std::initializer_list<std::string_view> keys, const core::SourceLoc& fallback) {
  const syntax::Member* m = member_of(node, keys);
  if (m == nullptr) return Value::list(fallback);
  return iam::string_list(document, &m->value, document.loc(m->key_span));
}

/// One role definition: PowerShell shape (Name, Actions, ..., AssignableScopes) or
/// CLI/REST shape (roleName, permissions[{actions, ...}], assignableScopes).
bool read_role(const syntax::Document& document, const Node& def, const std::string& carrier,
               model::Graph& graph) {
  const syntax::Member* scopes = member_of(def, {"AssignableScopes", "assignableScopes"});
  const syntax::Member* name = member_of(def, {"Name", "roleName", "RoleName", "name"});
  if (scopes == nullptr) return false;
  const core::SourceLoc at =
      name != nullptr ? document.loc(name->value.span) : document.loc(def.span);
  iam::AzurePermissions p{
      Value::list(at), Value::list(at), Value::list(at), Value::list(at),
      iam::string_list(document, &scopes->value, document.loc(scopes->key_span))};
  auto append = [](Value& into, Value from) {
    if (into.items.empty()) into.loc = from.loc;
    for (auto& item : from.items) into.push(std::move(item));
  };
  std::vector<const Node*> sources = {&def};
  if (const syntax::Member* permissions = member_of(def, {"permissions", "Permissions"});
      permissions != nullptr && permissions->value.is_array()) {
    for (const auto& item : permissions->value.items) sources.push_back(&item);
  }
  for (const Node* source : sources) {
    append(p.actions, list_of(document, *source, {"Actions", "actions"}, at));
    append(p.not_actions, list_of(document, *source, {"NotActions", "notActions"}, at));
    append(p.data_actions, list_of(document, *source, {"DataActions", "dataActions"}, at));
    append(p.not_data_actions,
           list_of(document, *source, {"NotDataActions", "notDataActions"}, at));
  }
  const std::string role = name != nullptr && name->value.is_scalar() ? name->value.text : "";
  iam::add_azure_role(graph, carrier, Value::of_string(role, at), std::move(p), at);
  return true;
}

}  // namespace

Claim AzureRoleDefinitionParser::claims(std::string_view path, std::string_view text) const {
  if (!iam::path_ends_with(path, ".json")) return {};
  if (iam::has_json_key(text, "AssignableScopes") || iam::has_json_key(text, "assignableScopes")) {
    return {true, Syntax::kJson, false, false};
  }
  return {};
}

bool AzureRoleDefinitionParser::parse(const syntax::Document& document, model::Graph& graph,
                                      core::DiagnosticSink& /*sink*/) const {
  if (document.roots.empty() || !document.roots.front().is_object()) return false;
  const Node& root = document.roots.front();
  if (read_role(document, root, "azure role", graph)) return true;
  if (const Node* properties = root.get("properties");
      properties != nullptr && read_role(document, *properties, "azure role", graph)) {
    return true;
  }
  // An ARM template: Microsoft.Authorization/roleDefinitions resources.
  bool any = false;
  if (const Node* resources = root.get("resources");
      resources != nullptr && resources->is_array()) {
    for (const auto& resource : resources->items) {
      const Node* type = resource.is_object() ? resource.get("type") : nullptr;
      const Node* properties = resource.is_object() ? resource.get("properties") : nullptr;
      if (type == nullptr || !type->is_scalar() || properties == nullptr ||
          type->text != "Microsoft.Authorization/roleDefinitions") {
        continue;
      }
      any = read_role(document, *properties, "azure role", graph) || any;
    }
  }
  return any;
}

}  // namespace fermata::parsers
