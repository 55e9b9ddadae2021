// derive: what the agent-manifest formats leave implicit — each agent's autonomy level and
// the facts that decide it, its delegates and tasks joined across files, its endpoint, and
// the credentials written into agent, task and gateway configurations.
#pragma once

#include <string>
#include <vector>

#include "derive/secrets.hpp"
#include "model/graph.hpp"
#include "model/value.hpp"

namespace fermata::derive {

/// The autonomy level of one agent and the facts that decided it, each located at the
/// setting it comes from. The decision list is documented in docs/autonomy.md.
struct Autonomy {
  std::string level;  ///< limited | semi-autonomous | fully-autonomous
  std::vector<model::Value> reasons;
};

/// Decides the autonomy level from an agent's attributes (approval, sandbox, permission
/// rules, code execution, tools and human input on its tasks).
Autonomy assess_autonomy(const model::Entity& agent, bool human_reviews_tasks);

/// How the level is decided, in Markdown: printed by `fermata explain autonomy` and kept in
/// docs/autonomy.md. It states the decision list assess_autonomy applies.
std::string autonomy_explanation();

/// Adds the derived agent, task and gateway attributes; classified secrets are appended to
/// `found` so that reporters mask them.
void derive_agents(model::Graph& graph, const SecretClassifier& secrets,
                   std::vector<std::string>& found);

}  // namespace fermata::derive
