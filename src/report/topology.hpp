// report: the topology of a scanned agent system as a reviewer wants to see it — agents, MCP
// servers, workloads, identities and the links between them, each node with the worst open
// finding on it and each risky link marked. Computed once from the graph and the findings;
// the graph writers (report/graph_writer.hpp) and the Markdown summary only print it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/severity.hpp"
#include "core/source_loc.hpp"
#include "model/graph.hpp"
#include "report/report.hpp"
#include "rules/finding.hpp"

namespace fermata::report {

struct TopologyNode {
  std::string id;     ///< a safe identifier for the writers: "n1", "n2", ... in node order
  std::string kind;   ///< the entity kind ("agent", "mcp_server", ...)
  std::string name;   ///< as written, secrets masked, valid UTF-8
  std::string label;  ///< the name with a short qualifier: "tickets (MCP server, remote http)"
  std::string key;    ///< the entity key ("<file>#<kind>/<name>")
  /// What the node holds that is not drawn as a node of its own: the privileges of an
  /// identity's grants and policies ("cluster-admin", "iam admin").
  std::vector<std::string> notes;
  core::SourceLoc loc;
  /// The worst open finding on the entity or on what its notes summarise; none when clean.
  std::optional<core::Severity> severity;
  size_t findings = 0;  ///< open findings counted in `severity`
};

struct TopologyEdge {
  size_t from = 0;  ///< index into Topology::nodes
  size_t to = 0;
  std::string label;    ///< the relation: an edge kind ("uses-server") or a reference attribute
  core::SourceLoc loc;  ///< the fact that makes the link; invalid when none is known
  bool risky = false;
  std::string why;  ///< why it is risky, "" when it is not
};

struct Topology {
  std::vector<TopologyNode> nodes;  ///< by kind (in flow order), then key
  std::vector<TopologyEdge> edges;  ///< by source node, target node, label
  size_t omitted_nodes = 0;         ///< left out by riskiest_subgraph()
  size_t omitted_edges = 0;

  [[nodiscard]] bool has_agent_or_server() const;
};

struct TopologyOptions {
  /// Every entity becomes a node (tools, grants, policies too), instead of the readable view
  /// that folds grants and policies into notes on their identity.
  bool all_entities = false;
};

/// Builds the topology from the graph's edges and from every reference attribute of every
/// entity (found by walking the attributes, so links added by later linking stages show up
/// without change here). `redactor` masks any secret that reached a name.
Topology build_topology(const model::Graph& graph, const std::vector<rules::Finding>& findings,
                        const Redactor& redactor, const TopologyOptions& options = {});

/// At most `max_nodes` nodes and `max_edges` edges, the riskiest first (severity of the node,
/// then a risky link, then how many links it has), kept in their original order; the counts of
/// what was left out are recorded in omitted_nodes and omitted_edges.
Topology riskiest_subgraph(const Topology& topology, size_t max_nodes, size_t max_edges);

}  // namespace fermata::report
