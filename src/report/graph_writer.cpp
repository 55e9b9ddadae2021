#include "report/graph_writer.hpp"

#include <nlohmann/json.hpp>
#include <vector>

namespace fermata::report {
namespace {

using Json = nlohmann::ordered_json;

// Raise only for a change that removes, renames or retypes a field; docs/graph.md.
constexpr int kGraphSchemaVersion = 1;

constexpr std::string_view kRiskyColour = kRiskyLinkColour;

struct SeverityStyle {
  core::Severity severity;
  std::string_view fill;
  std::string_view stroke;
};

constexpr SeverityStyle kSeverityStyles[] = {
    {core::Severity::kCritical, "#f8d7da", "#b00020"},
    {core::Severity::kHigh, "#fde2cf", "#d9480f"},
    {core::Severity::kMedium, "#fff3bf", "#e67700"},
    {core::Severity::kLow, "#e7f5ff", "#1971c2"},
    {core::Severity::kInfo, "#f1f3f5", "#868e96"},
};

const SeverityStyle& style_of(core::Severity severity) {
  for (const SeverityStyle& style : kSeverityStyles) {
    if (style.severity == severity) return style;
  }
  return kSeverityStyles[4];
}

/// Mermaid's opening and closing brackets of each kind's shape (the text goes quoted between).
std::pair<std::string_view, std::string_view> mermaid_shape(std::string_view kind) {
  if (kind == "agent") return {"([", "])"};
  if (kind == "task") return {"(", ")"};
  if (kind == "gateway") return {"[/", "\\]"};
  if (kind == "mcp_server") return {"[[", "]]"};
  if (kind == "tool") return {">", "]"};
  if (kind == "endpoint") return {"[/", "/]"};
  if (kind == "identity") return {"{{", "}}"};
  if (kind == "policy") return {"[\\", "\\]"};
  if (kind == "grant") return {"[(", ")]"};
  return {"[", "]"};  // workload, and any kind added later
}

std::string_view dot_shape(std::string_view kind) {
  if (kind == "agent") return "box";  // drawn rounded
  if (kind == "task") return "note";
  if (kind == "gateway") return "trapezium";
  if (kind == "mcp_server") return "component";
  if (kind == "tool") return "cds";
  if (kind == "endpoint") return "parallelogram";
  if (kind == "identity") return "hexagon";
  if (kind == "policy") return "folder";
  if (kind == "grant") return "cylinder";
  return "box3d";
}

/// The lines under a node's label: what it holds, then its worst finding.
std::vector<std::string> detail_lines(const TopologyNode& node) {
  std::vector<std::string> lines;
  if (!node.notes.empty()) {
    std::string notes;
    for (const std::string& note : node.notes) notes += (notes.empty() ? "" : ", ") + note;
    lines.push_back(notes);
  }
  if (node.severity) {
    lines.push_back(std::string(core::to_string(*node.severity)) + " · " +
                    std::to_string(node.findings) +
                    (node.findings == 1 ? " finding" : " findings"));
  }
  return lines;
}

std::string omitted_text(const Topology& topology) {
  return std::to_string(topology.omitted_nodes) + " more nodes and " +
         std::to_string(topology.omitted_edges) +
         " more links not drawn; fermata graph --format json lists them all";
}

void write_mermaid_capped(const Topology& topology, std::ostream& out) {
  size_t risky = 0;
  for (const TopologyEdge& edge : topology.edges) risky += edge.risky ? 1 : 0;
  out << "flowchart LR\n";
  out << "  %% fermata topology: " << topology.nodes.size() << " nodes, " << topology.edges.size()
      << " links, " << risky << " risky\n";
  for (const TopologyNode& node : topology.nodes) {
    const auto [open, close] = mermaid_shape(node.kind);
    out << "  " << node.id << open << '"' << mermaid_text(node.label);
    for (const std::string& line : detail_lines(node)) out << "<br/>" << mermaid_text(line);
    out << '"' << close << "\n";
  }
  if (topology.nodes.empty()) {
    out << "  empty[\"no agents, MCP servers or workloads found\"]\n";
  }
  if (topology.omitted_nodes > 0 || topology.omitted_edges > 0) {
    out << "  omitted[\"" << mermaid_text(omitted_text(topology)) << "\"]\n";
    out << "  classDef note fill:#fff,stroke:#868e96,stroke-dasharray:4 3,color:#495057\n";
    out << "  class omitted note\n";
  }
  std::vector<size_t> risky_links;
  for (size_t i = 0; i < topology.edges.size(); ++i) {
    const TopologyEdge& edge = topology.edges[i];
    const std::string& from = topology.nodes[edge.from].id;
    const std::string& to = topology.nodes[edge.to].id;
    if (edge.risky) {
      out << "  %% risky: " << mermaid_text(edge.why) << "\n";
      risky_links.push_back(i);
    }
    out << "  " << from << (edge.risky ? " ==>" : " -->") << "|\"" << mermaid_text(edge.label)
        << "\"| " << to << "\n";
  }
  if (!risky_links.empty()) {
    out << "  linkStyle ";
    for (size_t i = 0; i < risky_links.size(); ++i) out << (i == 0 ? "" : ",") << risky_links[i];
    out << " stroke:" << kRiskyColour << ",stroke-width:3px,color:" << kRiskyColour << "\n";
  }
  for (const SeverityStyle& style : kSeverityStyles) {
    std::string members;
    for (const TopologyNode& node : topology.nodes) {
      if (node.severity == style.severity) members += (members.empty() ? "" : ",") + node.id;
    }
    if (members.empty()) continue;
    out << "  classDef " << core::to_string(style.severity) << " fill:" << style.fill
        << ",stroke:" << style.stroke << ",stroke-width:2px,color:#000\n";
    out << "  class " << members << " " << core::to_string(style.severity) << "\n";
  }
}

Json location_json(const core::SourceLoc& loc) {
  if (loc.file.empty()) return nullptr;
  return {{"file", loc.file},
          {"line", loc.span.line},
          {"column", loc.span.column},
          {"end_line", loc.span.end_line},
          {"end_column", loc.span.end_column}};
}

std::string where(const core::SourceLoc& loc) { return loc.file.empty() ? "" : to_string(loc); }

}  // namespace

SeverityColours severity_colours(std::optional<core::Severity> severity) {
  if (!severity) return {"#ffffff", "#868e96"};
  const SeverityStyle& style = style_of(*severity);
  return {style.fill, style.stroke};
}

std::string mermaid_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '"': out += "#quot;"; break;
      // '#' starts Mermaid's own entity codes; '%' could open a %%{init}%% directive, which
      // Mermaid looks for anywhere in the text; a backtick would start a Markdown string.
      case '#': out += "#35;"; break;
      case '%': out += "#37;"; break;
      case '`': out += "#96;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '\n':
      case '\r':
      case '\t': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

std::string dot_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      // A backslash would start an escape of DOT's own (\N is the node's name, \l a line end).
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      // Graphviz reads entities in labels: "&lt;" must stay as written, not become "<".
      case '&': out += "&amp;"; break;
      case '\n':
      case '\r':
      case '\t': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

void write_mermaid(const Topology& topology, std::ostream& out) {
  if (topology.nodes.size() > kMermaidMaxNodes || topology.edges.size() > kMermaidMaxEdges) {
    write_mermaid_capped(riskiest_subgraph(topology, kMermaidMaxNodes, kMermaidMaxEdges), out);
    return;
  }
  write_mermaid_capped(topology, out);
}

void write_dot(const Topology& topology, std::ostream& out) {
  out << "digraph fermata {\n";
  out << "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, labelloc=t, label=\"fermata "
         "topology";
  if (topology.omitted_nodes > 0 || topology.omitted_edges > 0)
    out << ": " << dot_text(omitted_text(topology));
  out << "\"];\n";
  out << "  node [fontname=\"Helvetica\", fontsize=10, style=filled, fillcolor=\"#ffffff\"];\n";
  out << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  for (const TopologyNode& node : topology.nodes) {
    std::string label = dot_text(node.label);
    for (const std::string& line : detail_lines(node)) label += "\\n" + dot_text(line);
    out << "  " << node.id << " [label=\"" << label << "\", shape=" << dot_shape(node.kind);
    if (node.kind == "agent") out << ", style=\"rounded,filled\"";
    if (node.severity) {
      const SeverityStyle& style = style_of(*node.severity);
      out << ", fillcolor=\"" << style.fill << "\", color=\"" << style.stroke << "\", penwidth=2";
    }
    out << ", tooltip=\"" << dot_text(where(node.loc)) << "\"];\n";
  }
  for (const TopologyEdge& edge : topology.edges) {
    out << "  " << topology.nodes[edge.from].id << " -> " << topology.nodes[edge.to].id
        << " [label=\"" << dot_text(edge.label) << "\"";
    if (edge.risky) {
      out << ", color=\"" << kRiskyColour << "\", fontcolor=\"" << kRiskyColour
          << "\", penwidth=2.5, style=bold, tooltip=\"" << dot_text(edge.why) << "\"";
    }
    out << "];\n";
  }
  out << "}\n";
}

void write_graph_json(const Topology& topology, std::ostream& out) {
  Json doc;
  doc["schema_version"] = kGraphSchemaVersion;
  doc["nodes"] = Json::array();
  for (const TopologyNode& node : topology.nodes) {
    Json item;
    item["id"] = node.id;
    item["kind"] = node.kind;
    item["name"] = node.name;
    item["label"] = node.label;
    item["key"] = node.key;
    item["notes"] = node.notes;
    item["location"] = location_json(node.loc);
    item["severity"] = node.severity ? Json(core::to_string(*node.severity)) : Json(nullptr);
    item["findings"] = node.findings;
    doc["nodes"].push_back(std::move(item));
  }
  doc["edges"] = Json::array();
  for (const TopologyEdge& edge : topology.edges) {
    doc["edges"].push_back({{"from", topology.nodes[edge.from].id},
                            {"to", topology.nodes[edge.to].id},
                            {"relation", edge.label},
                            {"location", location_json(edge.loc)},
                            {"risky", edge.risky},
                            {"why", edge.why}});
  }
  doc["omitted"] = {{"nodes", topology.omitted_nodes}, {"edges", topology.omitted_edges}};
  out << doc.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
}

}  // namespace fermata::report
