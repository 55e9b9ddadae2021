#include <string>

#include "parsers/iam/iam_parsers.hpp"
#include "parsers/iam/policy_document.hpp"

namespace fermata::parsers {

Claim AwsPolicyFileParser::claims(std::string_view path, std::string_view text) const {
  if (!iam::path_ends_with(path, ".json")) return {};
  if (!iam::has_json_key(text, "Statement") || !iam::has_json_key(text, "Effect")) return {};
  return {true, Syntax::kJson, false, false};
}

bool AwsPolicyFileParser::parse(const syntax::Document& document, model::Graph& graph,
                                core::DiagnosticSink& /*sink*/) const {
  if (document.roots.empty() || !document.roots.front().is_object()) return false;
  const syntax::Node& root = document.roots.front();
  if (root.get("Statement") == nullptr) return false;
  std::string name = document.path.substr(document.path.rfind('/') + 1);
  name = name.substr(0, name.rfind('.'));
  iam::PolicySource source;
  source.name = name;
  source.carrier = "policy file";
  source.loc = document.loc(root.member("Statement")->key_span);
  return iam::add_aws_policy(document, root, source, graph) != nullptr;
}

}  // namespace fermata::parsers
