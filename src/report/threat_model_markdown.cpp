// report: the threat model as Markdown (`fermata report --format markdown`). Prints the
// ThreatModel as computed; every text from the repository goes through md() or code(), so a
// hostile name can neither inject HTML nor break a table.
#include <sstream>

#include "report/graph_writer.hpp"
#include "report/threat_model.hpp"

namespace fermata::report {
namespace {

/// At most this many names of the entities a rule ran over are listed.
constexpr size_t kMaxNamesShown = 8;

/// Text for a Markdown paragraph or table cell: one line, HTML and Markdown syntax inert.
std::string md(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '|': out += "\\|"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '*':
      case '_':
      case '[':
      case ']':
      case '`':
      case '#':
      case '\\':
        out += '\\';
        out += c;
        break;
      case '\n':
      case '\r':
      case '\t': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

/// A location or an identifier as code: backticks inside cannot close the span.
std::string code(std::string_view text) {
  std::string out = "`";
  for (char c : text) {
    if (c == '`') {
      out += '\'';
    } else if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "`";
}

std::string where(const core::SourceLoc& loc) { return loc.file.empty() ? "" : to_string(loc); }

std::string plural(size_t count, std::string_view one, std::string_view many) {
  return std::to_string(count) + " " + std::string(count == 1 ? one : many);
}

std::string severity_counts(const SeverityCounts& counts) {
  std::string out;
  for (core::Severity severity : kSeveritiesWorstFirst) {
    const size_t count = counts[severity_index(severity)];
    if (count == 0) continue;
    out += (out.empty() ? "" : ", ") + std::to_string(count) + " " +
           std::string(core::to_string(severity));
  }
  return out.empty() ? "none" : out;
}

std::string layers_of(const Report& report, const rules::Finding& finding) {
  const rules::RuleMeta* rule = report.rule(finding.rule_id);
  std::string out;
  if (rule == nullptr) return out;
  for (const std::string& layer : rule->maestro) out += (out.empty() ? "" : ", ") + layer;
  return out;
}

class MarkdownWriter {
 public:
  MarkdownWriter(const Report& report, const ThreatModel& model, std::ostream& out)
      : report_(report), model_(model), out_(out) {}

  void write() {
    out_ << "# Threat model: " << md(model_.system_name) << "\n\n";
    out_ << "_A MAESTRO threat model (CSA's seven layers of an agentic system) computed by "
         << md(report_.tool_name) << " " << md(report_.tool_version)
         << " from the repository's configuration. Every statement points at the line that "
            "justifies it._\n\n";
    summary();
    contents();
    inventory();
    layers();
    cross_layer();
    mitigations();
    set_aside();
    if (model_.compared) changes();
    compliance();
  }

 private:
  std::string finding_ref(size_t index) const {
    const rules::Finding& finding = report_.findings[index];
    return "F" + std::to_string(model_.numbers[index]) + " " +
           std::string(core::to_string(finding.severity)) + ": " + md(finding.message) + " (" +
           code(where(finding.loc)) + ", " + code(finding.rule_id) + ")";
  }

  /// ": a, b and 3 more", or "" for an empty list.
  static std::string named(const std::vector<std::string>& list) {
    return list.empty() ? "" : ": " + names(list);
  }

  void summary() {
    const Inventory& inventory = model_.inventory;
    out_ << "## Summary\n\n";
    out_ << md(model_.system_name) << " is an agent system of "
         << plural(inventory.agents.size(), "agent", "agents") << " (" << inventory.fully_autonomous
         << " fully autonomous" << named(inventory.fully_autonomous_names) << "), "
         << plural(inventory.servers.size(), "MCP server", "MCP servers") << ", "
         << plural(inventory.tools.size(), "tool or gateway", "tools and gateways") << ", "
         << plural(inventory.workloads.size(), "workload", "workloads") << ", "
         << plural(inventory.identities.size(), "identity", "identities") << " and "
         << plural(inventory.endpoints.size(), "external endpoint", "external endpoints") << ". ";
    out_ << "**Verdict: " << plural(model_.blocking, "finding blocks", "findings block")
         << "** a merge at the configured threshold; " << plural(model_.open, "finding", "findings")
         << " are open (" << severity_counts(model_.residual) << "), "
         << plural(model_.cross_layer.size(), "of them crosses", "of them cross") << " layers, and "
         << model_.set_aside.size() << " are suppressed or baselined.\n\n";
    if (!model_.top_risks.empty()) {
      out_ << "Top risks:\n\n";
      for (size_t i = 0; i < model_.top_risks.size(); ++i) {
        const rules::Finding& finding = report_.findings[model_.top_risks[i]];
        out_ << i + 1 << ". **" << core::to_string(finding.severity) << "** " << md(finding.message)
             << " — " << code(where(finding.loc)) << "\n";
      }
      out_ << "\n";
    }
    out_ << "### Topology\n\n";
    if (model_.topology.nodes.empty()) {
      out_ << "No agents, MCP servers or workloads were found.\n\n";
      return;
    }
    out_ << "Boxes are coloured by their worst open finding; thick red links are risky.\n\n";
    out_ << "```mermaid\n";
    write_mermaid(model_.topology, out_);
    out_ << "```\n\n";
  }

  void contents() {
    out_ << "## Contents\n\n"
            "1. [Inventory](#inventory)\n"
            "2. [Layer by layer](#layer-by-layer)\n"
            "3. [Cross-layer threats](#cross-layer-threats)\n"
            "4. [Mitigations and residual risk](#mitigations-and-residual-risk)\n"
            "5. [Suppressed and baselined findings](#suppressed-and-baselined-findings)\n";
    size_t n = 6;
    if (model_.compared) out_ << n++ << ". [What changed](#what-changed)\n";
    out_ << n << ". [Appendix: compliance mapping](#appendix-compliance-mapping)\n\n";
  }

  void items(std::string_view title, std::string_view column,
             const std::vector<InventoryItem>& list) {
    out_ << "### " << title << "\n\n";
    if (list.empty()) {
      out_ << "None found.\n\n";
      return;
    }
    out_ << "| name | " << column << " | details | where |\n|---|---|---|---|\n";
    for (const InventoryItem& item : list) {
      std::string details;
      for (const std::string& detail : item.details)
        details += (details.empty() ? "" : "; ") + detail;
      out_ << "| " << md(item.name) << " | " << md(item.summary) << " | " << md(details) << " | "
           << code(where(item.loc)) << " |\n";
    }
    out_ << "\n";
  }

  void inventory() {
    const Inventory& inventory = model_.inventory;
    out_ << "## Inventory\n\n";
    items("Agents", "autonomy", inventory.agents);
    items("MCP servers", "capabilities", inventory.servers);
    items("Tools and gateways", "kind", inventory.tools);
    items("Workloads", "what", inventory.workloads);
    items("Identities", "effective permissions", inventory.identities);
    items("External endpoints", "transport", inventory.endpoints);
  }

  /// "7 agents, 2 workloads": what a layer's rules ran over.
  static std::string assessed(const LayerAssessment& layer) {
    std::string out;
    for (const auto& [kind, count] : layer.assessed_kinds) {
      out += (out.empty() ? "" : ", ") + count_of_kind(count, kind);
    }
    return out.empty() ? "nothing" : md(out);
  }

  void layers() {
    out_ << "## Layer by layer\n\n";
    for (const LayerAssessment& layer : model_.layers) {
      out_ << "### " << layer.layer << " " << md(layer.name) << "\n\n";
      const size_t ran = layer.rules.size() - layer.not_applicable.size();
      out_ << "Assessed: " << plural(ran, "rule", "rules") << " of this layer ran over "
           << assessed(layer) << "; open findings: " << severity_counts(layer.open_by_severity)
           << ".\n\n";
      if (!layer.open_findings.empty()) {
        out_ << "Findings:\n\n";
        for (size_t i : layer.open_findings) out_ << "- " << finding_ref(i) << "\n";
        out_ << "\n";
      }
      if (!layer.clean.empty()) {
        out_ << "Assessed and clean:\n\n";
        for (size_t r : layer.clean) {
          const RuleAssessment& rule = layer.rules[r];
          out_ << "- " << code(rule.rule_id) << " " << md(rule.title) << " — checked "
               << md(count_of_kind(rule.entity_count, rule.entity_kind)) << ": "
               << names(rule.entity_names) << "\n";
        }
        out_ << "\n";
      }
      if (!layer.not_applicable.empty()) {
        out_ << "Not applicable (nothing of their kind in this system):";
        for (size_t r : layer.not_applicable) out_ << " " << code(layer.rules[r].rule_id);
        out_ << "\n\n";
      }
    }
  }

  static std::string names(const std::vector<std::string>& list) {
    std::string out;
    for (size_t i = 0; i < list.size() && i < kMaxNamesShown; ++i) {
      out += (i == 0 ? "" : ", ") + md(list[i]);
    }
    if (list.size() > kMaxNamesShown) {
      out += " and " + std::to_string(list.size() - kMaxNamesShown) + " more";
    }
    return out;
  }

  void chain(const rules::Finding& finding, std::string_view indent) {
    size_t step = 1;
    for (const rules::Evidence& evidence : finding.evidence) {
      out_ << indent << step++ << ". " << md(report_.redactor.redact(evidence.message));
      if (!evidence.loc.file.empty()) out_ << " — " << code(where(evidence.loc));
      out_ << "\n";
    }
  }

  void cross_layer() {
    out_ << "## Cross-layer threats\n\n";
    if (model_.cross_layer.empty()) {
      out_ << "None open: no threat found chains facts across layers.\n\n";
      return;
    }
    for (size_t i : model_.cross_layer) {
      const rules::Finding& finding = report_.findings[i];
      out_ << "- **" << finding_ref(i) << "** — layers " << layers_of(report_, finding) << "\n";
      chain(finding, "   ");
    }
    out_ << "\n";
  }

  void mitigations() {
    out_ << "## Mitigations and residual risk\n\n";
    out_ << "Residual risk (open findings by severity):\n\n| severity | open |\n|---|---|\n";
    for (core::Severity severity : kSeveritiesWorstFirst) {
      out_ << "| " << core::to_string(severity) << " | "
           << model_.residual[severity_index(severity)] << " |\n";
    }
    out_ << "\n";
    for (const MitigationGroup& group : model_.mitigation_groups) {
      const rules::RuleMeta* rule = report_.rule(group.rule_id);
      out_ << "### " << code(group.rule_id);
      if (rule != nullptr) out_ << " " << md(rule->title);
      out_ << "\n\n";
      if (rule != nullptr) {
        std::string owasp;
        for (const std::string& id : rule->owasp) owasp += (owasp.empty() ? "" : ", ") + id;
        out_ << "Layers " << layers_of(report_, report_.findings[group.findings.front()])
             << "; OWASP " << owasp << ".\n\n";
      }
      for (size_t i : group.findings) {
        out_ << "- " << finding_ref(i) << (report_.findings[i].blocking ? " — blocking" : "")
             << "\n";
        chain(report_.findings[i], "   ");
      }
      out_ << "\n";
      if (rule != nullptr && !rule->remediation.empty()) {
        // Remediation text comes from rule files, which may come with a pull request: quoted
        // as a code block, never interpreted.
        out_ << "Mitigation:\n\n```text\n" << fenced(rule->remediation) << "\n```\n\n";
      }
    }
  }

  static std::string fenced(std::string_view text) {
    std::string out(text);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    // A line of three backticks would end the fence early.
    for (size_t at = out.find("```"); at != std::string::npos; at = out.find("```", at + 3)) {
      out.replace(at, 3, "'''");
    }
    return out;
  }

  void set_aside() {
    out_ << "## Suppressed and baselined findings\n\n";
    if (model_.set_aside.empty()) {
      out_ << "None: every finding is open.\n\n";
      return;
    }
    out_ << "| state | severity | finding | where | justification |\n|---|---|---|---|---|\n";
    for (size_t i : model_.set_aside) {
      const rules::Finding& finding = report_.findings[i];
      out_ << "| "
           << (finding.state == rules::FindingState::kSuppressed ? "suppressed" : "baselined")
           << " | " << core::to_string(finding.severity) << " | " << md(finding.message) << " ("
           << code(finding.rule_id) << ") | " << code(where(finding.loc)) << " | "
           << md(finding.suppression_reason.empty() ? "(none given)" : finding.suppression_reason)
           << " |\n";
    }
    out_ << "\n";
  }

  void changes() {
    out_ << "## What changed\n\n";
    out_ << "Compared with " << md(report_.compared_with) << ": "
         << plural(model_.added.size(), "threat", "threats") << " added, "
         << plural(report_.fixed.size(), "threat", "threats") << " removed.\n\n";
    if (!model_.added.empty()) {
      out_ << "Added:\n\n";
      for (size_t i : model_.added) out_ << "- " << finding_ref(i) << "\n";
      out_ << "\n";
    }
    if (!report_.fixed.empty()) {
      out_ << "Removed:\n\n";
      for (const rules::Finding& finding : report_.fixed) {
        out_ << "- " << core::to_string(finding.severity) << ": " << md(finding.message) << " ("
             << code(where(finding.loc)) << ", " << code(finding.rule_id) << ")\n";
      }
      out_ << "\n";
    }
  }

  void compliance() {
    out_ << "## Appendix: compliance mapping\n\n";
    out_ << "An indicative mapping by fermata, not an audit or a legal reading: it relates the "
            "MAESTRO layers and OWASP agentic threats of each finding to the headings of five "
            "frameworks, following MAESTRO's view of L6 Security and Compliance as the layer "
            "that cuts across all others (rules/catalog/compliance-map.yaml lists the sources "
            "and the exact relation). Findings are numbered as in the mitigations section.\n\n";
    for (const ComplianceFramework& framework : model_.compliance) {
      out_ << "### " << md(framework.name) << "\n\n";
      if (!framework.source.empty()) out_ << "Source: <" << md(framework.source) << ">\n\n";
      out_ << "| heading | relates to | open findings |\n|---|---|---|\n";
      for (const ComplianceHeading& heading : framework.headings) {
        std::string found;
        for (size_t i : heading.open_findings) {
          found +=
              (found.empty() ? "" : ", ") + std::string("F") + std::to_string(model_.numbers[i]);
        }
        out_ << "| " << md(heading.id) << " " << md(heading.title) << " | "
             << md(relation_text(heading)) << " | " << (found.empty() ? "none" : found) << " |\n";
      }
      out_ << "\n";
    }
  }

  const Report& report_;
  const ThreatModel& model_;
  std::ostream& out_;
};

}  // namespace

void write_threat_model_markdown(const Report& report, const ThreatModel& model,
                                 std::ostream& out) {
  MarkdownWriter(report, model, out).write();
}

}  // namespace fermata::report
