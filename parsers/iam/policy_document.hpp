// parsers/iam: the AWS IAM policy document every carrier shares — raw JSON files,
// CloudFormation templates (with !Ref, !Sub and !GetAtt), Terraform plans (documents as
// JSON strings) — read into a grant entity with one record per statement, and the small
// helpers the IAM carriers share.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/graph.hpp"
#include "parsers/syntax/document.hpp"

namespace fermata::parsers::iam {

/// Where a policy document comes from and what it is attached to.
struct PolicySource {
  std::string name;                       ///< policy name (or a name for the carrier)
  std::string policy_type;                ///< identity | resource | trust; "" to infer
  std::vector<model::Value> attached_to;  ///< names of the roles, users, groups it applies to
  std::string carrier;                    ///< e.g. "AWS::IAM::Role", "aws_iam_policy", "file"
  core::SourceLoc loc;                    ///< the key that holds the document
};

/// The text of a scalar, or of a CloudFormation intrinsic function written in its place:
/// `!Ref X` and `{"Ref": "X"}` read as "${X}", `!GetAtt X.Arn` as "${X.Arn}", `!Sub s` as
/// s, `!Join [d, [a, b]]` as "a" d "b". nullopt for anything else.
std::optional<std::string> scalar_text(const syntax::Node& node);

/// A string or list of strings (each item keeps its position), located at `loc`.
model::Value string_list(const syntax::Document& document, const syntax::Node* node,
                         const core::SourceLoc& loc);

/// The policy document at `node` — an object, or a JSON string holding one (then every
/// fact is located at the string). Returns the grant added to `graph`, or nullptr when
/// `node` is no policy document (no Statement).
model::Entity* add_aws_policy(const syntax::Document& document, const syntax::Node& node,
                              const PolicySource& source, model::Graph& graph);

/// A document parsed from a JSON string value, with every span moved to that value's.
std::optional<syntax::Document> embedded_json(const syntax::Document& document,
                                              const syntax::Node& string_node);

/// An AWS role, user or group (`kind` is the CloudFormation type name, AWS::IAM::Role, ...)
/// with the managed policy ARNs attached to it.
model::Entity& add_aws_principal(model::Graph& graph, const std::string& kind,
                                 const std::string& name, const core::SourceLoc& loc,
                                 model::Value managed_policies);

/// A Google Cloud IAM binding: `role` granted to `members`, under `condition` ("" for none).
model::Entity& add_gcp_binding(model::Graph& graph, const std::string& carrier, model::Value role,
                               model::Value members, model::Value condition,
                               const core::SourceLoc& loc);

/// The permissions of an Azure role definition.
struct AzurePermissions {
  model::Value actions;
  model::Value not_actions;
  model::Value data_actions;
  model::Value not_data_actions;
  model::Value assignable_scopes;
};
model::Entity& add_azure_role(model::Graph& graph, const std::string& carrier, model::Value name,
                              AzurePermissions permissions, const core::SourceLoc& loc);

/// Cheap sniffs for claims(): a JSON key `"name":`, a YAML key at the start of a line, the
/// lower-cased path's extension.
bool has_json_key(std::string_view text, std::string_view name);
bool has_line_key(std::string_view text, std::string_view key);
bool path_ends_with(std::string_view path, std::string_view suffix);

}  // namespace fermata::parsers::iam
