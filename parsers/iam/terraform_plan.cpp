#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/text.hpp"
#include "parsers/iam/iam_parsers.hpp"
#include "parsers/iam/policy_document.hpp"

namespace fermata::parsers {
namespace {

using core::starts_with;

using model::Value;
using syntax::Member;
using syntax::Node;

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

class PlanReader {
 public:
  PlanReader(const syntax::Document& document, model::Graph& graph)
      : document_(document), graph_(graph) {}

  /// Reads a module of planned_values (or of a state's values), its child modules included.
  void module(const Node& mod, uint32_t depth) {
    if (const Node* resources = mod.get("resources");
        resources != nullptr && resources->is_array()) {
      for (const auto& resource : resources->items) {
        if (resource.is_object()) this->resource(resource);
      }
    }
    const Node* children = mod.get("child_modules");
    if (children == nullptr || !children->is_array() || depth > 32) return;
    for (const auto& child : children->items) {
      if (child.is_object()) module(child, depth + 1);
    }
  }

  /// The configuration says which attachment refers to which planned policy or role, since
  /// their ARNs and names are only known after apply.
  void configuration(const Node& config, const std::string& prefix, uint32_t depth) {
    if (const Node* resources = config.get("resources");
        resources != nullptr && resources->is_array()) {
      for (const auto& resource : resources->items) {
        const Node* address = resource.is_object() ? resource.get("address") : nullptr;
        const Node* expressions = resource.is_object() ? resource.get("expressions") : nullptr;
        if (address == nullptr || !address->is_scalar() || expressions == nullptr ||
            !expressions->is_object()) {
          continue;
        }
        for (const auto& expression : expressions->members) {
          const Node* refs =
              expression.value.is_object() ? expression.value.get("references") : nullptr;
          if (refs == nullptr || !refs->is_array()) continue;
          for (const auto& ref : refs->items) {
            if (ref.is_scalar())
              references_[prefix + address->text][expression.key].push_back(prefix + ref.text);
          }
        }
      }
    }
    const Node* calls = config.get("module_calls");
    if (calls == nullptr || !calls->is_object() || depth > 32) return;
    for (const auto& call : calls->members) {
      if (const Node* inner = call.value.is_object() ? call.value.get("module") : nullptr;
          inner != nullptr && inner->is_object()) {
        configuration(*inner, prefix + "module." + call.key + ".", depth + 1);
      }
    }
  }

  void attach() {
    for (const auto& [address, values] : attachments_) {
      const Node& v = *values;
      const auto refs = references_.find(address);
      auto referenced = [&](std::string_view field, std::string_view kind) -> std::string {
        if (refs == references_.end()) return "";
        const auto found = refs->second.find(std::string(field));
        if (found == refs->second.end()) return "";
        for (const auto& ref : found->second) {
          // "aws_iam_policy.reader.arn" names the resource "aws_iam_policy.reader".
          const size_t kind_at = ref.find(std::string(kind) + ".");
          if (kind_at == std::string::npos) continue;
          const std::string rest = ref.substr(kind_at);
          const size_t dot = rest.find('.', kind.size() + 1);
          return ref.substr(0, kind_at) + rest.substr(0, dot);
        }
        return "";
      };
      const Node* arn = v.get("policy_arn");
      const core::SourceLoc at = document_.loc(arn != nullptr ? arn->span : v.span);
      std::string policy = referenced("policy_arn", "aws_iam_policy");
      std::vector<std::pair<std::string, std::string>> holders;  // principal type, name
      for (const auto& [field, kind] :
           {std::pair{"role", "aws_iam_role"}, std::pair{"user", "aws_iam_user"},
            std::pair{"group", "aws_iam_group"}, std::pair{"roles", "aws_iam_role"},
            std::pair{"users", "aws_iam_user"}, std::pair{"groups", "aws_iam_group"}}) {
        const Node* holder = v.get(field);
        if (holder == nullptr) continue;
        const Value names = iam::string_list(document_, holder, at);
        for (const auto& name : names.items) holders.emplace_back(kind, name.text);
        if (names.items.empty()) {
          if (const std::string ref = referenced(field, kind); !ref.empty()) {
            if (const auto found = principal_names_.find(ref); found != principal_names_.end())
              holders.emplace_back(kind, found->second);
          }
        }
      }
      for (const auto& [kind, name] : holders) {
        if (!policy.empty()) {
          if (const auto found = policies_.find(policy); found != policies_.end())
            found->second->attrs.get_mut("attached_to")->push(Value::of_string(name, at));
          continue;
        }
        if (arn == nullptr || !arn->is_scalar()) continue;
        std::string key = kind;
        key.append("/").append(name);
        if (const auto found = principals_.find(key); found != principals_.end())
          found->second->attrs.get_mut("managed_policies")->push(Value::of_string(arn->text, at));
      }
    }
  }

  [[nodiscard]] bool any() const { return any_; }

 private:
  std::string text(const Node& values, std::string_view key, const std::string& fallback) const {
    const Node* node = values.get(key);
    return node != nullptr && node->is_scalar() ? node->text : fallback;
  }

  void policy(const Node& values, std::string_view key, const std::string& name,
              const std::string& type, std::vector<Value> attached, const std::string& carrier,
              const std::string& address) {
    const Member* doc = values.member(key);
    if (doc == nullptr || !doc->value.is_string()) return;
    iam::PolicySource source;
    source.name = name;
    source.policy_type = type;
    source.attached_to = std::move(attached);
    source.carrier = carrier;
    source.loc = document_.loc(doc->value.span);
    if (model::Entity* grant = iam::add_aws_policy(document_, doc->value, source, graph_)) {
      if (!address.empty()) policies_[address] = grant;
      any_ = true;
    }
  }

  void resource(const Node& resource) {
    const Node* type_node = resource.get("type");
    const Node* values = resource.get("values");
    const Node* address_node = resource.get("address");
    if (type_node == nullptr || !type_node->is_scalar() || values == nullptr ||
        !values->is_object()) {
      return;
    }
    const std::string& type = type_node->text;
    const std::string address =
        address_node != nullptr && address_node->is_scalar() ? address_node->text : type;
    const core::SourceLoc at = document_.loc(resource.span);
    const Node& v = *values;
    if (type == "aws_iam_role" || type == "aws_iam_user" || type == "aws_iam_group") {
      const std::string name = text(v, "name", address);
      Value managed = Value::list(at);
      if (const Member* arns = v.member("managed_policy_arns"))
        managed = iam::string_list(document_, &arns->value, document_.loc(arns->key_span));
      model::Entity& principal = iam::add_aws_principal(graph_, type, name, at, std::move(managed));
      principals_[type + "/" + name] = &principal;
      principal_names_[address] = name;
      any_ = true;
      const Value holder = Value::of_string(name, at);
      policy(v, "assume_role_policy", name + " (trust)", "trust", {holder}, type, "");
      if (const Node* inline_policies = v.get("inline_policy");
          inline_policies != nullptr && inline_policies->is_array()) {
        for (const auto& item : inline_policies->items) {
          if (!item.is_object()) continue;
          policy(item, "policy", name + "/" + text(item, "name", "inline"), "identity", {holder},
                 type, "");
        }
      }
      return;
    }
    if (type == "aws_iam_policy") {
      policy(v, "policy", text(v, "name", address), "identity", {}, type, address);
      return;
    }
    for (const auto& [kind, field] :
         {std::pair{"aws_iam_role_policy", "role"}, std::pair{"aws_iam_user_policy", "user"},
          std::pair{"aws_iam_group_policy", "group"}}) {
      if (type != kind) continue;
      std::vector<Value> attached;
      if (const Node* holder = v.get(field); holder != nullptr && holder->is_scalar())
        attached.push_back(Value::of_string(holder->text, document_.loc(holder->span)));
      policy(v, "policy", text(v, "name", address), "identity", std::move(attached), type, "");
      return;
    }
    if (starts_with(type, "aws_iam_") && ends_with(type, "policy_attachment")) {
      attachments_.emplace_back(address, &v);
      return;
    }
    if (starts_with(type, "google_") &&
        (ends_with(type, "_iam_binding") || ends_with(type, "_iam_member"))) {
      const Node* role = v.get("role");
      if (role == nullptr || !role->is_scalar()) return;
      const core::SourceLoc role_loc = document_.loc(role->span);
      const Member* members = v.member("members");
      if (members == nullptr) members = v.member("member");
      Value condition = Value::of_string("", role_loc);
      if (const Node* cond = v.get("condition"); cond != nullptr && cond->is_array() &&
                                                 !cond->items.empty() &&
                                                 cond->items[0].is_object()) {
        if (const Node* expression = cond->items[0].get("expression");
            expression != nullptr && expression->is_scalar()) {
          condition = Value::of_string(expression->text, document_.loc(expression->span));
        }
      }
      iam::add_gcp_binding(graph_, type, Value::of_string(role->text, role_loc),
                           members != nullptr ? iam::string_list(document_, &members->value,
                                                                 document_.loc(members->key_span))
                                              : Value::list(role_loc),
                           std::move(condition), role_loc);
      any_ = true;
      return;
    }
    if (starts_with(type, "google_") && ends_with(type, "_iam_policy")) {
      const Node* data = v.get("policy_data");
      if (data == nullptr) return;
      auto inner = iam::embedded_json(document_, *data);
      if (!inner || inner->roots.empty() || !inner->roots.front().is_object()) return;
      const Node* bindings = inner->roots.front().get("bindings");
      if (bindings == nullptr || !bindings->is_array()) return;
      for (const auto& binding : bindings->items) {
        const Node* role = binding.is_object() ? binding.get("role") : nullptr;
        if (role == nullptr || !role->is_scalar()) continue;
        const core::SourceLoc role_loc = document_.loc(role->span);
        iam::add_gcp_binding(graph_, type, Value::of_string(role->text, role_loc),
                             iam::string_list(document_, binding.get("members"), role_loc),
                             Value::of_string("", role_loc), role_loc);
        any_ = true;
      }
      return;
    }
    if (type == "azurerm_role_definition") {
      const Node* name = v.get("name");
      const core::SourceLoc name_loc = document_.loc(name != nullptr ? name->span : v.span);
      iam::AzurePermissions p{Value::list(name_loc), Value::list(name_loc), Value::list(name_loc),
                              Value::list(name_loc),
                              iam::string_list(document_, v.get("assignable_scopes"), name_loc)};
      if (const Node* permissions = v.get("permissions");
          permissions != nullptr && permissions->is_array()) {
        for (const auto& block : permissions->items) {
          if (!block.is_object()) continue;
          for (const auto& [field, into] :
               {std::pair{"actions", &p.actions}, std::pair{"not_actions", &p.not_actions},
                std::pair{"data_actions", &p.data_actions},
                std::pair{"not_data_actions", &p.not_data_actions}}) {
            const Member* list = block.member(field);
            if (list == nullptr) continue;
            Value items = iam::string_list(document_, &list->value, document_.loc(list->key_span));
            if (into->items.empty()) into->loc = items.loc;
            for (auto& item : items.items) into->push(std::move(item));
          }
        }
      }
      iam::add_azure_role(
          graph_, type,
          Value::of_string(name != nullptr && name->is_scalar() ? name->text : "", name_loc),
          std::move(p), name_loc);
      any_ = true;
    }
  }

  const syntax::Document& document_;
  model::Graph& graph_;
  bool any_ = false;
  std::map<std::string, model::Entity*> policies_;      ///< address of aws_iam_policy -> grant
  std::map<std::string, model::Entity*> principals_;    ///< "aws_iam_role/<name>" -> identity
  std::map<std::string, std::string> principal_names_;  ///< address -> name
  std::vector<std::pair<std::string, const Node*>> attachments_;
  /// address -> expression field -> referenced addresses
  std::map<std::string, std::map<std::string, std::vector<std::string>>> references_;
};

}  // namespace

Claim TerraformPlanParser::claims(std::string_view path, std::string_view text) const {
  if (!iam::path_ends_with(path, ".json")) return {};
  if (iam::has_json_key(text, "format_version") && iam::has_json_key(text, "terraform_version") &&
      (iam::has_json_key(text, "planned_values") || iam::has_json_key(text, "values"))) {
    return {true, Syntax::kJson, true, false};
  }
  return {};
}

bool TerraformPlanParser::parse(const syntax::Document& document, model::Graph& graph,
                                core::DiagnosticSink& /*sink*/) const {
  if (document.roots.empty() || !document.roots.front().is_object()) return false;
  const Node& root = document.roots.front();
  const Node* values = root.get("planned_values");
  if (values == nullptr) values = root.get("values");
  if (values == nullptr || !values->is_object()) return false;
  PlanReader reader(document, graph);
  if (const Node* mod = values->get("root_module"); mod != nullptr && mod->is_object())
    reader.module(*mod, 0);
  if (const Node* config = root.get("configuration"); config != nullptr && config->is_object()) {
    if (const Node* mod = config->get("root_module"); mod != nullptr && mod->is_object())
      reader.configuration(*mod, "", 0);
  }
  reader.attach();
  return true;
}

}  // namespace fermata::parsers
