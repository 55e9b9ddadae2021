// link: the references that cross files and formats — an MCP server's URL to the Kubernetes
// Service and workloads behind it, a coding assistant's MCP configuration to the settings
// that govern it, a cloud identity to the policy files a team maps to it, and each agent to
// what its team declares it should be. Every link keeps the locations that justify it;
// references that resolve to nothing are left visible as information.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/source_loc.hpp"
#include "model/graph.hpp"

namespace fermata::link {

struct SpendingCap {
  double amount = 0;
  std::string currency;
  std::string period;
  core::SourceLoc loc;
};

/// What a team declares an agent is meant to do (`agents:` in .fermata.yaml).
struct DeclaredIntent {
  std::string agent;
  std::string autonomy;  ///< "" when undeclared
  std::vector<std::string> tools;
  std::vector<std::string> data_scopes;
  std::optional<SpendingCap> spending_cap;
  core::SourceLoc loc;
};

/// A cloud identity and the policy files of the repository that grant it permissions
/// (`identities:` in .fermata.yaml).
struct IdentityMapping {
  std::string identity;
  std::vector<std::string> policy_files;
  core::SourceLoc loc;
};

struct TopologyInputs {
  std::vector<DeclaredIntent> intents;
  std::vector<IdentityMapping> identities;
};

/// A reference the linker could not resolve, for an information diagnostic.
struct Unresolved {
  std::string message;
  core::SourceLoc loc;
};

/// Adds the cross-file links to `graph` (after the per-format derive steps) and returns
/// the references it could not resolve.
std::vector<Unresolved> link_topology(model::Graph& graph, const TopologyInputs& inputs);

}  // namespace fermata::link
