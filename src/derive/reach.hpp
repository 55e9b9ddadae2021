// derive: what each agent can really do, across layers — the capabilities it reaches
// through its MCP servers, tools, delegates and the workloads and identities behind them;
// the Kubernetes and cloud powers it can exercise; its toxic flows (untrusted input meeting
// private data or privilege and a way out); its spending power and the caps on it; and the
// drift from what its team declared. Every derived fact carries its chain, step by step,
// each step at the line that makes it true.
#pragma once

#include "model/graph.hpp"

namespace fermata::derive {

/// Runs after linking (link::link_topology) and the capability catalog.
void derive_reach(model::Graph& graph);

}  // namespace fermata::derive
