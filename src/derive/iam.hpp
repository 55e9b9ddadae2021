// derive: what cloud IAM grants amount to — which privilege-escalation action sets an AWS
// policy allows, which roles are admin-equivalent — read from the data catalog
// rules/catalog/iam-privilege.yaml, and which policies attach to which AWS role, user or
// group. Each derived value keeps the location of the statement or reference behind it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "model/graph.hpp"

namespace fermata::derive {

/// The privilege catalog: escalation action sets and admin-equivalent roles.
struct PrivilegeCatalog {
  struct EscalationSet {
    std::string id;
    std::string name;
    std::vector<std::string> actions;
  };
  struct AdminRole {
    std::string id;   ///< a managed policy ARN or a role name
    std::string why;  ///< what makes it admin-equivalent
  };
  std::vector<EscalationSet> escalation_sets;
  std::vector<AdminRole> aws_admin_policies;
  std::vector<AdminRole> gcp_admin_roles;
};

/// Parses the catalog's YAML; problems are catalog.invalid diagnostics with file:line.
PrivilegeCatalog parse_privilege_catalog(std::string_view path, std::string_view yaml_text,
                                         core::DiagnosticSink& sink);

/// Does the IAM action pattern (`s3:Get*`, `iam:*`, `*`, `?` for one character) cover the
/// action? Case-insensitive, as IAM compares actions.
bool action_matches(std::string_view pattern, std::string_view action);

/// Adds the derived IAM attributes to grants (escalations, admin_equivalent) and identities
/// (policies, admin_policies).
void derive_iam(model::Graph& graph, const PrivilegeCatalog& catalog);

}  // namespace fermata::derive
