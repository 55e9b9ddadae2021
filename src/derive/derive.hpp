// derive: computed attributes that rules read — a server's parsed endpoint, what its
// command launches, how it authenticates, and every literal classified as secret or not.
// Runs after all parsers and before rules; each derived value keeps the location of the
// fact it was computed from.
#pragma once

#include <string>
#include <vector>

#include "derive/capabilities.hpp"
#include "derive/iam.hpp"
#include "derive/secrets.hpp"
#include "model/graph.hpp"
#include "model/value.hpp"

namespace fermata::derive {

/// Parses `url` into the schema's endpoint record (every field located at `url.loc`).
model::Value parse_endpoint(const model::Value& url);

/// Derives every entity's computed attributes. Returns the secret values found, so that
/// reporters can mask them wherever they appear. Without a privilege catalog, IAM grants
/// get no escalation or admin-equivalence verdicts; without a capability catalog, every MCP
/// server gets the default capabilities of an unknown server. `jobs` threads share the
/// per-server work; the result does not depend on their number.
std::vector<std::string> derive_all(model::Graph& graph, const SecretClassifier& secrets,
                                    const PrivilegeCatalog* privileges = nullptr,
                                    const CapabilityCatalog* capabilities = nullptr,
                                    unsigned jobs = 1);

}  // namespace fermata::derive
