// report: a Markdown summary for a GitHub job summary ($GITHUB_STEP_SUMMARY) or a pull-
// request comment: the verdict, counts by severity and MAESTRO layer, the new findings
// first, then the rest, and the topology as a Mermaid diagram when there is one. Text from scanned
// files is escaped so it cannot inject HTML or break the tables, and the document stays well under
// GitHub's 1 MiB per step.
#include <algorithm>
#include <array>
#include <sstream>

#include "report/graph_writer.hpp"
#include "report/reporter.hpp"
#include "report/topology.hpp"

namespace fermata::report {
namespace {

constexpr size_t kMaxRows = 300;
/// A larger diagram is unreadable in a job summary or a comment: `fermata graph` draws it.
constexpr size_t kMaxDiagramNodes = 120;

/// Table-cell text: no line breaks, pipes and HTML escaped, backticks neutralised.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '|': out += "\\|"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '`': out += "'"; break;
      case '\n':
      case '\r': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

size_t layer_index(const Report& report, const rules::Finding& finding) {
  const rules::RuleMeta* meta = report.rule(finding.rule_id);
  if (meta == nullptr || meta->maestro.empty()) return 7;
  const std::string& layer = meta->maestro.front();
  if (layer.size() == 2 && layer[0] == 'L' && layer[1] >= '1' && layer[1] <= '7') {
    return static_cast<size_t>(layer[1] - '1');
  }
  return 7;
}

void table(const Report& report, const std::vector<const rules::Finding*>& findings,
           std::ostream& out) {
  out << "| severity | rule | location | message |\n|---|---|---|---|\n";
  size_t rows = 0;
  for (const rules::Finding* finding : findings) {
    if (rows++ == kMaxRows) {
      out << "| | | | " << findings.size() - kMaxRows << " more: see the SARIF or JSON report |\n";
      break;
    }
    out << "| " << core::to_string(finding->severity) << (finding->blocking ? " (blocking)" : "")
        << " | `" << cell(finding->rule_id) << "` | `" << cell(to_string(finding->loc)) << "` | "
        << cell(report.redactor.redact(finding->message)) << " |\n";
  }
}

/// The topology, folded, when it shows agents or MCP servers and stays small enough to read.
/// GitHub renders ```mermaid blocks in job summaries and comments; the labels cannot close the
/// block, since mermaid_text() turns backticks into entity codes.
void topology_section(const Report& report, std::ostream& out) {
  if (report.topology == nullptr) return;
  const Topology& topology = *report.topology;
  if (!topology.has_agent_or_server() || topology.nodes.size() > kMaxDiagramNodes) return;
  size_t risky = 0;
  for (const TopologyEdge& edge : topology.edges) risky += edge.risky ? 1 : 0;
  out << "<details><summary>Topology (" << topology.nodes.size() << " nodes, "
      << topology.edges.size() << " links, " << risky << " risky)</summary>\n\n```mermaid\n";
  write_mermaid(topology, out);
  out << "```\n\nThick red links lead to a node with a high or critical finding, or are part of a "
         "finding's evidence. `fermata graph --format dot` draws the same graph with Graphviz."
         "\n\n</details>\n\n";
}

}  // namespace

void write_markdown(const Report& report, std::ostream& out, const ReporterOptions& /*options*/) {
  std::vector<const rules::Finding*> fresh;
  std::vector<const rules::Finding*> existing;
  std::vector<const rules::Finding*> quiet;
  size_t blocking = 0;
  std::array<std::array<size_t, 5>, 8> by_layer{};
  std::array<size_t, 5> by_severity{};
  for (const auto& finding : report.findings) {
    if (finding.state != rules::FindingState::kOpen) {
      quiet.push_back(&finding);
      continue;
    }
    blocking += finding.blocking ? 1 : 0;
    ++by_severity[static_cast<size_t>(finding.severity)];
    ++by_layer[layer_index(report, finding)][static_cast<size_t>(finding.severity)];
    const bool is_existing = finding.baseline_state == rules::BaselineState::kUnchanged ||
                             finding.baseline_state == rules::BaselineState::kUpdated;
    (is_existing ? existing : fresh).push_back(&finding);
  }
  std::stable_sort(fresh.begin(), fresh.end(),
                   [](const rules::Finding* a, const rules::Finding* b) {
                     if (a->blocking != b->blocking) return a->blocking;
                     return a->severity > b->severity;
                   });

  out << "## fermata: ";
  if (report.exit_code == 2) {
    out << "the scan could not complete\n\n";
  } else if (report.fail_on_none) {
    out << "gate disabled\n\n";
  } else if (report.exit_code == 1) {
    out << "failed: " << blocking << " blocking finding" << (blocking == 1 ? "" : "s")
        << " (threshold: " << core::to_string(report.fail_on) << ")\n\n";
  } else {
    out << "passed (threshold: " << core::to_string(report.fail_on) << ")\n\n";
  }
  if (!report.compared_with.empty()) {
    out << "Compared with the " << cell(report.compared_with) << ": " << fresh.size() << " new, "
        << existing.size() << " existing, " << report.fixed.size() << " fixed.\n\n";
  }
  out << report.files_discovered << " files scanned, " << report.artifacts.size() << " parsed.\n\n";

  const std::array kOrder = {core::Severity::kCritical, core::Severity::kHigh,
                             core::Severity::kMedium, core::Severity::kLow, core::Severity::kInfo};
  out << "| MAESTRO layer | critical | high | medium | low | info |\n|---|---|---|---|---|---|\n";
  for (size_t layer = 0; layer < by_layer.size(); ++layer) {
    size_t total = 0;
    for (size_t count : by_layer[layer]) total += count;
    if (total == 0) continue;
    const std::string id = "L" + std::to_string(layer + 1);
    out << "| " << (layer < 7 ? id + " " + rules::maestro_layer_name(id) : std::string("other"));
    for (auto severity : kOrder) out << " | " << by_layer[layer][static_cast<size_t>(severity)];
    out << " |\n";
  }
  out << "| **all** ";
  for (auto severity : kOrder) out << " | **" << by_severity[static_cast<size_t>(severity)] << "**";
  out << " |\n\n";
  topology_section(report, out);

  if (!fresh.empty()) {
    out << (report.compared_with.empty() ? "### Findings\n\n" : "### New findings\n\n");
    table(report, fresh, out);
    out << "\n";
  }
  if (!existing.empty()) {
    out << "<details><summary>Existing findings (" << existing.size() << ")</summary>\n\n";
    table(report, existing, out);
    out << "\n</details>\n\n";
  }
  if (!report.fixed.empty()) {
    out << "<details><summary>Fixed (" << report.fixed.size() << ")</summary>\n\n";
    std::vector<const rules::Finding*> fixed;
    for (const auto& finding : report.fixed) fixed.push_back(&finding);
    table(report, fixed, out);
    out << "\n</details>\n\n";
  }
  if (!quiet.empty()) {
    out << "<details><summary>Suppressed or baselined (" << quiet.size() << ")</summary>\n\n"
        << "| rule | location | reason |\n|---|---|---|\n";
    for (const rules::Finding* finding : quiet) {
      out << "| `" << cell(finding->rule_id) << "` | `" << cell(to_string(finding->loc)) << "` | "
          << cell(report.redactor.redact(finding->suppression_reason)) << " |\n";
    }
    out << "\n</details>\n\n";
  }
  size_t problems = 0;
  for (const auto& diagnostic : report.diagnostics) {
    if (diagnostic.level != core::DiagLevel::kNote) ++problems;
  }
  if (problems > 0) {
    out << "### Files fermata could not read fully (" << problems << ")\n\n";
    for (const auto& diagnostic : report.diagnostics) {
      if (diagnostic.level == core::DiagLevel::kNote) continue;
      out << "- `" << cell(to_string(diagnostic.loc)) << "` " << core::to_string(diagnostic.level)
          << ": " << cell(report.redactor.redact(diagnostic.message)) << " (`"
          << core::code_name(diagnostic.code) << "`)\n";
    }
    out << "\n";
  }
}

}  // namespace fermata::report
