#include <string>

#include "parsers/iam/iam_parsers.hpp"
#include "parsers/iam/policy_document.hpp"

namespace fermata::parsers {
namespace {

using model::Value;
using syntax::Node;

}  // namespace

Claim GcpIamPolicyParser::claims(std::string_view path, std::string_view text) const {
  if (iam::path_ends_with(path, ".json")) {
    if (iam::has_json_key(text, "bindings") && iam::has_json_key(text, "members") &&
        iam::has_json_key(text, "role")) {
      return {true, Syntax::kJson, false, false};
    }
    return {};
  }
  if (iam::path_ends_with(path, ".yaml") || iam::path_ends_with(path, ".yml")) {
    if (iam::has_line_key(text, "bindings:") && text.find("members:") != std::string_view::npos &&
        text.find("role:") != std::string_view::npos) {
      return {true, Syntax::kYaml, false, false};
    }
  }
  return {};
}

bool GcpIamPolicyParser::parse(const syntax::Document& document, model::Graph& graph,
                               core::DiagnosticSink& /*sink*/) const {
  if (document.roots.empty() || !document.roots.front().is_object()) return false;
  const Node* bindings = document.roots.front().get("bindings");
  if (bindings == nullptr || !bindings->is_array()) return false;
  bool any = false;
  for (const auto& binding : bindings->items) {
    const Node* role = binding.is_object() ? binding.get("role") : nullptr;
    const syntax::Member* members = binding.is_object() ? binding.member("members") : nullptr;
    if (role == nullptr || !role->is_scalar() || members == nullptr) continue;
    const core::SourceLoc at = document.loc(role->span);
    Value condition = Value::of_string("", at);
    if (const Node* cond = binding.get("condition"); cond != nullptr && cond->is_object()) {
      const Node* expression = cond->get("expression");
      if (expression != nullptr && expression->is_scalar())
        condition = Value::of_string(expression->text, document.loc(expression->span));
    }
    iam::add_gcp_binding(
        graph, "gcp policy", Value::of_string(role->text, at),
        iam::string_list(document, &members->value, document.loc(members->key_span)),
        std::move(condition), at);
    any = true;
  }
  return any;
}

}  // namespace fermata::parsers
