// derive: the Kubernetes joins that cross documents and files — which ServiceAccount a
// workload runs as, which bindings give which Role rules to whom (aggregation included),
// which Services, NetworkPolicies and Istio or Linkerd policies apply to which pods — and
// the verdicts rules read from them (token mounted, egress open, effective mutual TLS), each
// located at the line that decides it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "derive/secrets.hpp"
#include "model/graph.hpp"
#include "model/value.hpp"

namespace fermata::derive {

/// Does `selector` (the schema's {labels, expressions} record) match `labels` (a list of
/// {key, value} entries)? An empty selector matches everything.
bool selector_matches(const model::Value& selector, const model::Value& labels);

/// Adds the derived Kubernetes attributes; literal secrets found in env values are appended
/// to `found` so that reporters mask them.
void derive_k8s(model::Graph& graph, const SecretClassifier& secrets,
                std::vector<std::string>& found);

}  // namespace fermata::derive
