// report: the topology printed for people and tools — a Mermaid flowchart (GitHub renders it in
// Markdown), a Graphviz DOT digraph, and a JSON document (docs/graph.md). Every name from a
// scanned file is escaped for the target syntax, so a hostile name cannot change the diagram.
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "report/topology.hpp"

namespace fermata::report {

/// Mermaid refuses diagrams over 500 links or 50,000 characters, and a browser lays out a few
/// hundred nodes at most in reasonable time: above these, the riskiest part is drawn.
inline constexpr size_t kMermaidMaxNodes = 300;
inline constexpr size_t kMermaidMaxEdges = 400;

/// `flowchart LR`, one shape per kind, a class per severity, risky links thick and red. A
/// topology over the caps is cut with riskiest_subgraph() and a note says what was left out.
void write_mermaid(const Topology& topology, std::ostream& out);
/// A `digraph`, one shape per kind, severities as fill colours, risky links red and bold.
void write_dot(const Topology& topology, std::ostream& out);
/// {"schema_version", "nodes", "edges", "omitted"}: see docs/graph.md.
void write_graph_json(const Topology& topology, std::ostream& out);

/// The colours a node gets for its worst open finding (none: a neutral grey), shared by every
/// drawing so a severity looks the same in each.
struct SeverityColours {
  std::string_view fill;
  std::string_view stroke;
};
SeverityColours severity_colours(std::optional<core::Severity> severity);
/// The colour of a risky link.
inline constexpr std::string_view kRiskyLinkColour = "#c92a2a";

/// Text for inside a quoted Mermaid label: quotes, '#', '%' and backticks as Mermaid entity
/// codes, '<', '>' and '&' as HTML entities.
std::string mermaid_text(std::string_view text);
/// Text for inside a double-quoted DOT string: backslashes and quotes escaped, '&' as "&amp;".
std::string dot_text(std::string_view text);

}  // namespace fermata::report
