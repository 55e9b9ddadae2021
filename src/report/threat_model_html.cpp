// report: the threat model as one self-contained HTML page (`fermata report --format html`):
// inline CSS with a print stylesheet, the topology as an inline SVG laid out here, no script
// and no external resource (a Content-Security-Policy forbids any fetch). Every text from the
// repository or from rule files is escaped: html_escape() for all of it, remediation shown as
// preformatted text, never as markup.
#include <algorithm>
#include <map>
#include <sstream>

#include "report/graph_writer.hpp"
#include "report/threat_model.hpp"

namespace fermata::report {
namespace {

constexpr size_t kMaxNamesShown = 8;

// ---- diagram geometry (pixels) ----------------------------------------------------------
constexpr int kBoxWidth = 190;
constexpr int kColumnGap = 60;
constexpr int kLineHeight = 15;
constexpr int kBoxPadding = 8;
constexpr int kRowGap = 14;
constexpr int kMargin = 20;
constexpr int kHeaderHeight = 28;
/// Characters of a line in a box at the diagram's font size, with some room to spare.
constexpr size_t kLineChars = 25;

constexpr std::array<std::string_view, 6> kColumnTitles = {
    "Agents",    "MCP servers & tools", "Services",
    "Workloads", "Identities",          "Cloud identities & grants"};

std::string where(const core::SourceLoc& loc) { return loc.file.empty() ? "" : to_string(loc); }

/// Up to `max_lines` lines of at most kLineChars code points; the last one ends in "…" when
/// anything was cut. Cuts at a space when one is near.
std::vector<std::string> wrap(std::string_view text, size_t max_lines) {
  std::vector<std::string> lines;
  std::string rest(text);
  while (!rest.empty() && lines.size() < max_lines) {
    std::string line = truncate_code_points(rest, kLineChars);
    const bool cut = line.size() < rest.size() || line != rest;
    if (!cut) {
      lines.push_back(rest);
      rest.clear();
      break;
    }
    // truncate_code_points appended "…": drop it, then prefer a break at a space.
    line = line.substr(0, line.size() - std::string_view("…").size());
    const size_t space = line.rfind(' ');
    if (space != std::string::npos && space > kLineChars / 2) line.resize(space);
    rest = rest.substr(line.size());
    while (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
    lines.push_back(line);
  }
  if (!rest.empty() && !lines.empty()) lines.back() += "…";
  return lines;
}

size_t column_of(const Topology& topology, size_t index) {
  const std::string& kind = topology.nodes[index].kind;
  if (kind == "agent" || kind == "task") return 0;
  if (kind == "mcp_server" || kind == "tool" || kind == "gateway") return 1;
  if (kind == "endpoint") return 2;
  if (kind == "workload") return 3;
  if (kind == "identity") {
    // An identity another identity becomes (a service account's cloud role) sits further right.
    for (const TopologyEdge& edge : topology.edges) {
      if (edge.to == index && topology.nodes[edge.from].kind == "identity") return 5;
    }
    return 4;
  }
  return 5;  // grants, policies and any kind added later
}

struct Box {
  int x = 0;
  int y = 0;
  int height = 0;
  std::vector<std::string> lines;  ///< label lines, then detail lines
  size_t label_lines = 0;
};

class PageWriter {
 public:
  PageWriter(const Report& report, const ThreatModel& model, std::ostream& out)
      : report_(report), model_(model), out_(out) {}

  void write() {
    const std::string title = "Threat model: " + model_.system_name;
    out_ << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         << R"(<meta http-equiv="Content-Security-Policy" content="default-src 'none'; )"
            "style-src 'unsafe-inline'\">\n"
         << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         << R"(<meta name="generator" content=")" << html_escape(report_.tool_name) << " "
         << html_escape(report_.tool_version) << "\">\n"
         << "<title>" << html_escape(title) << "</title>\n<style>\n"
         << kStyle << "</style>\n</head>\n<body>\n<main>\n";
    out_ << "<header><h1>" << html_escape(title) << "</h1>\n<p class=\"lede\">A MAESTRO threat "
         << "model (the seven layers of an agentic system, Cloud Security Alliance) computed by "
         << html_escape(report_.tool_name) << " " << html_escape(report_.tool_version)
         << " from the repository's configuration. Every statement points at the line that "
            "justifies it.</p></header>\n";
    summary();
    contents();
    inventory();
    layers();
    cross_layer();
    mitigations();
    set_aside();
    if (model_.compared) changes();
    compliance();
    out_ << "</main>\n</body>\n</html>\n";
  }

 private:
  static constexpr std::string_view kStyle =
      "body{margin:0;background:#fff;color:#212529;font:15px/1.5 system-ui,-apple-system,"
      "'Segoe UI',Roboto,Helvetica,Arial,sans-serif}\n"
      "main{max-width:1280px;margin:0 auto;padding:24px}\nfigure{margin:16px 0}\n"
      "h1{font-size:28px;margin:0 0 4px}h2{font-size:22px;border-bottom:2px solid #dee2e6;"
      "padding-bottom:4px;margin-top:36px}h3{font-size:17px;margin-top:24px}\n"
      ".lede{color:#495057;margin-top:0}\n"
      "code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}\n"
      "code{background:#f1f3f5;padding:1px 4px;border-radius:3px;overflow-wrap:anywhere}\n"
      "pre{background:#f8f9fa;border:1px solid #dee2e6;padding:10px;white-space:pre-wrap;"
      "overflow-wrap:anywhere}\n"
      "table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:14px}\n"
      "th,td{border:1px solid #dee2e6;padding:4px 8px;text-align:left;vertical-align:top}\n"
      "th{background:#f1f3f5}td{overflow-wrap:anywhere}\n"
      ".sev{display:inline-block;min-width:58px;text-align:center;border-radius:10px;"
      "padding:0 8px;font-size:12px;font-weight:600;border:1px solid}\n"
      ".sev-critical{background:#f8d7da;border-color:#b00020;color:#7a0016}\n"
      ".sev-high{background:#fde2cf;border-color:#d9480f;color:#8a2c06}\n"
      ".sev-medium{background:#fff3bf;border-color:#e67700;color:#6b3a00}\n"
      ".sev-low{background:#e7f5ff;border-color:#1971c2;color:#0b4a85}\n"
      ".sev-info{background:#f1f3f5;border-color:#868e96;color:#495057}\n"
      ".verdict{font-size:17px;padding:10px 14px;border-left:5px solid #b00020;"
      "background:#fff5f5}\n.verdict.clean{border-color:#2b8a3e;background:#ebfbee}\n"
      ".risks li{margin:4px 0}\n"
      ".finding{border:1px solid #dee2e6;border-radius:6px;padding:8px 12px;margin:10px 0;"
      "break-inside:avoid}\n.finding p{margin:4px 0}\n.meta{color:#495057;font-size:13px}\n"
      ".diagram{overflow-x:auto;border:1px solid #dee2e6;border-radius:6px;padding:8px;"
      "margin:12px 0}\n.diagram svg{display:block;max-width:100%;height:auto}\n"
      "nav ol{columns:2}\n.clean-list li{color:#2b8a3e}\n.muted{color:#868e96}\n"
      "@media print{body{font-size:11pt}main{max-width:none;padding:0}"
      "section.major{break-before:page}nav{break-after:page}"
      ".diagram{overflow:visible;border:none}.diagram svg{max-width:100%;height:auto}"
      "a{color:inherit;text-decoration:none}h2,h3{break-after:avoid}}\n";

  std::string badge(core::Severity severity) const {
    const std::string name(core::to_string(severity));
    return R"(<span class="sev sev-)" + name + R"(">)" + name + "</span>";
  }

  std::string loc_code(const core::SourceLoc& loc) const {
    return loc.file.empty() ? "" : "<code>" + html_escape(where(loc)) + "</code>";
  }

  std::string finding_ref(size_t index) const {
    const rules::Finding& finding = report_.findings[index];
    return R"(<a href="#f)" + std::to_string(model_.numbers[index]) + R"(">F)" +
           std::to_string(model_.numbers[index]) + "</a> " + badge(finding.severity) + " " +
           html_escape(finding.message) + " " + loc_code(finding.loc) + " <code>" +
           html_escape(finding.rule_id) + "</code>";
  }

  static std::string plural(size_t count, std::string_view one, std::string_view many) {
    return std::to_string(count) + " " + std::string(count == 1 ? one : many);
  }

  static std::string severity_counts(const SeverityCounts& counts) {
    std::string out;
    for (core::Severity severity : kSeveritiesWorstFirst) {
      const size_t count = counts[severity_index(severity)];
      if (count == 0) continue;
      out += (out.empty() ? "" : ", ") + std::to_string(count) + " " +
             std::string(core::to_string(severity));
    }
    return out.empty() ? "none" : out;
  }

  /// ": a, b and 3 more", or "" for an empty list.
  static std::string named(const std::vector<std::string>& list) {
    return list.empty() ? "" : ": " + names(list);
  }

  void summary() {
    const Inventory& inventory = model_.inventory;
    out_ << "<section id=\"summary\">\n<h2>Summary</h2>\n<p>" << html_escape(model_.system_name)
         << " is an agent system of " << plural(inventory.agents.size(), "agent", "agents") << " ("
         << inventory.fully_autonomous << " fully autonomous"
         << named(inventory.fully_autonomous_names) << "), "
         << plural(inventory.servers.size(), "MCP server", "MCP servers") << ", "
         << plural(inventory.tools.size(), "tool or gateway", "tools and gateways") << ", "
         << plural(inventory.workloads.size(), "workload", "workloads") << ", "
         << plural(inventory.identities.size(), "identity", "identities") << " and "
         << plural(inventory.endpoints.size(), "external endpoint", "external endpoints")
         << ".</p>\n";
    out_ << R"(<p class="verdict)" << (model_.blocking == 0 ? " clean" : "")
         << R"("><strong>Verdict: )" << plural(model_.blocking, "finding blocks", "findings block")
         << "</strong> a merge at the configured threshold; "
         << plural(model_.open, "finding is", "findings are") << " open ("
         << severity_counts(model_.residual) << "), "
         << plural(model_.cross_layer.size(), "of them crosses", "of them cross") << " layers, and "
         << model_.set_aside.size() << " are suppressed or baselined.</p>\n";
    if (!model_.top_risks.empty()) {
      out_ << "<h3>Top risks</h3>\n<ol class=\"risks\">\n";
      for (size_t index : model_.top_risks) {
        const rules::Finding& finding = report_.findings[index];
        out_ << "<li>" << badge(finding.severity) << " " << html_escape(finding.message) << " — "
             << loc_code(finding.loc) << "</li>\n";
      }
      out_ << "</ol>\n";
    }
    out_ << "<figure id=\"diagram\">\n<h3>Topology</h3>\n<p class=\"meta\">Agents on the left, "
            "what they reach to the right. Boxes are coloured by their worst open finding; thick "
            "red links are risky.</p>\n<div class=\"diagram\">\n";
    write_topology_svg(model_.topology, out_);
    out_ << "</div>\n</figure>\n</section>\n";
  }

  void contents() {
    out_ << "<nav id=\"contents\">\n<h2>Contents</h2>\n<ol>\n"
         << "<li><a href=\"#summary\">Summary</a></li>\n"
         << "<li><a href=\"#inventory\">Inventory</a></li>\n"
         << "<li><a href=\"#layers\">Layer by layer</a><ol>\n";
    for (const LayerAssessment& layer : model_.layers) {
      out_ << R"(<li><a href="#layer-)" << layer.layer << R"(">)" << layer.layer << " "
           << html_escape(layer.name) << "</a></li>\n";
    }
    out_ << "</ol></li>\n<li><a href=\"#cross-layer\">Cross-layer threats</a></li>\n"
         << "<li><a href=\"#mitigations\">Mitigations and residual risk</a></li>\n"
         << "<li><a href=\"#suppressed\">Suppressed and baselined findings</a></li>\n";
    if (model_.compared) out_ << "<li><a href=\"#changes\">What changed</a></li>\n";
    out_ << "<li><a href=\"#compliance\">Appendix: compliance mapping</a></li>\n</ol>\n</nav>\n";
  }

  void items(std::string_view title, std::string_view column,
             const std::vector<InventoryItem>& list) {
    out_ << "<h3>" << title << "</h3>\n";
    if (list.empty()) {
      out_ << "<p class=\"muted\">None found.</p>\n";
      return;
    }
    out_ << "<table>\n<tr><th>name</th><th>" << column
         << "</th><th>details</th><th>where</th></tr>\n";
    for (const InventoryItem& item : list) {
      out_ << "<tr><td>" << html_escape(item.name) << "</td><td>" << html_escape(item.summary)
           << "</td><td>";
      for (size_t i = 0; i < item.details.size(); ++i) {
        out_ << (i == 0 ? "" : "<br>") << html_escape(item.details[i]);
      }
      out_ << "</td><td>" << loc_code(item.loc) << "</td></tr>\n";
    }
    out_ << "</table>\n";
  }

  void inventory() {
    const Inventory& inventory = model_.inventory;
    out_ << "<section id=\"inventory\" class=\"major\">\n<h2>Inventory</h2>\n";
    items("Agents", "autonomy", inventory.agents);
    items("MCP servers", "capabilities", inventory.servers);
    items("Tools and gateways", "kind", inventory.tools);
    items("Workloads", "what", inventory.workloads);
    items("Identities", "effective permissions", inventory.identities);
    items("External endpoints", "transport", inventory.endpoints);
    out_ << "</section>\n";
  }

  static std::string names(const std::vector<std::string>& list) {
    std::string out;
    for (size_t i = 0; i < list.size() && i < kMaxNamesShown; ++i) {
      out += (i == 0 ? "" : ", ") + html_escape(list[i]);
    }
    if (list.size() > kMaxNamesShown) {
      out += " and " + std::to_string(list.size() - kMaxNamesShown) + " more";
    }
    return out;
  }

  /// "7 agents, 2 workloads": what a layer's rules ran over.
  static std::string assessed(const LayerAssessment& layer) {
    std::string out;
    for (const auto& [kind, count] : layer.assessed_kinds) {
      out += (out.empty() ? "" : ", ") + count_of_kind(count, kind);
    }
    return out.empty() ? "nothing" : html_escape(out);
  }

  void layers() {
    out_ << "<section id=\"layers\" class=\"major\">\n<h2>Layer by layer</h2>\n";
    for (const LayerAssessment& layer : model_.layers) {
      out_ << R"(<section id="layer-)" << layer.layer << "\">\n<h3>" << layer.layer << " "
           << html_escape(layer.name) << "</h3>\n";
      const size_t ran = layer.rules.size() - layer.not_applicable.size();
      out_ << "<p>Assessed: " << plural(ran, "rule", "rules") << " of this layer ran over "
           << assessed(layer) << "; open findings: " << severity_counts(layer.open_by_severity)
           << ".</p>\n";
      if (!layer.open_findings.empty()) {
        out_ << "<ul>\n";
        for (size_t i : layer.open_findings) out_ << "<li>" << finding_ref(i) << "</li>\n";
        out_ << "</ul>\n";
      }
      if (!layer.clean.empty()) {
        out_ << "<p>Assessed and clean:</p>\n<ul class=\"clean-list\">\n";
        for (size_t r : layer.clean) {
          const RuleAssessment& rule = layer.rules[r];
          out_ << "<li><code>" << html_escape(rule.rule_id) << "</code> " << html_escape(rule.title)
               << " — checked " << html_escape(count_of_kind(rule.entity_count, rule.entity_kind))
               << ": " << names(rule.entity_names) << "</li>\n";
        }
        out_ << "</ul>\n";
      }
      if (!layer.not_applicable.empty()) {
        out_ << R"(<p class="muted">Not applicable (nothing of their kind in this system):)";
        for (size_t r : layer.not_applicable) {
          out_ << " <code>" << html_escape(layer.rules[r].rule_id) << "</code>";
        }
        out_ << "</p>\n";
      }
      out_ << "</section>\n";
    }
    out_ << "</section>\n";
  }

  void chain(const rules::Finding& finding) {
    if (finding.evidence.empty()) return;
    out_ << "<ol class=\"chain\">\n";
    for (const rules::Evidence& evidence : finding.evidence) {
      out_ << "<li>" << html_escape(report_.redactor.redact(evidence.message));
      if (!evidence.loc.file.empty()) out_ << " — " << loc_code(evidence.loc);
      out_ << "</li>\n";
    }
    out_ << "</ol>\n";
  }

  std::string layer_list(const rules::RuleMeta* rule) const {
    std::string out;
    if (rule == nullptr) return out;
    for (const std::string& layer : rule->maestro) {
      out +=
          (out.empty() ? "" : ", ") + layer + " " + html_escape(rules::maestro_layer_name(layer));
    }
    return out;
  }

  void cross_layer() {
    out_ << "<section id=\"cross-layer\" class=\"major\">\n<h2>Cross-layer threats</h2>\n";
    if (model_.cross_layer.empty()) {
      out_ << "<p class=\"muted\">None open: no threat found chains facts across layers.</p>\n";
    }
    for (size_t i : model_.cross_layer) {
      const rules::Finding& finding = report_.findings[i];
      out_ << "<div class=\"finding\">\n<p>" << finding_ref(i) << "</p>\n<p class=\"meta\">"
           << layer_list(report_.rule(finding.rule_id)) << "</p>\n";
      chain(finding);
      out_ << "</div>\n";
    }
    out_ << "</section>\n";
  }

  void mitigations() {
    out_ << "<section id=\"mitigations\" class=\"major\">\n<h2>Mitigations and residual risk</h2>\n"
         << "<h3>Residual risk</h3>\n<table>\n<tr><th>severity</th><th>open findings</th></tr>\n";
    for (core::Severity severity : kSeveritiesWorstFirst) {
      out_ << "<tr><td>" << badge(severity) << "</td><td>"
           << model_.residual[severity_index(severity)] << "</td></tr>\n";
    }
    out_ << "</table>\n";
    for (const MitigationGroup& group : model_.mitigation_groups) {
      const rules::RuleMeta* rule = report_.rule(group.rule_id);
      out_ << "<h3>" << badge(group.severity) << " <code>" << html_escape(group.rule_id)
           << "</code>" << (rule != nullptr ? " " + html_escape(rule->title) : "") << "</h3>\n";
      if (rule != nullptr) {
        std::string owasp;
        for (const std::string& id : rule->owasp) owasp += (owasp.empty() ? "" : ", ") + id;
        out_ << R"(<p class="meta">Layers: )" << layer_list(rule)
             << ". OWASP: " << html_escape(owasp) << ".</p>\n";
      }
      for (size_t i : group.findings) {
        const rules::Finding& finding = report_.findings[i];
        out_ << R"(<div class="finding" id="f)" << model_.numbers[i] << "\">\n<p><strong>F"
             << model_.numbers[i] << "</strong> " << badge(finding.severity) << " "
             << html_escape(finding.message) << (finding.blocking ? " <em>(blocking)</em>" : "")
             << "</p>\n<p class=\"meta\">at " << loc_code(finding.loc) << "</p>\n";
        chain(finding);
        out_ << "</div>\n";
      }
      if (rule != nullptr && !rule->remediation.empty()) {
        out_ << "<p><strong>Mitigation</strong></p>\n<pre>" << html_escape(rule->remediation)
             << "</pre>\n";
      }
    }
    out_ << "</section>\n";
  }

  void set_aside() {
    out_ << "<section id=\"suppressed\" class=\"major\">\n<h2>Suppressed and baselined "
            "findings</h2>\n";
    if (model_.set_aside.empty()) {
      out_ << "<p class=\"muted\">None: every finding is open.</p>\n</section>\n";
      return;
    }
    out_ << "<table>\n<tr><th>state</th><th>severity</th><th>finding</th><th>where</th>"
            "<th>justification</th></tr>\n";
    for (size_t i : model_.set_aside) {
      const rules::Finding& finding = report_.findings[i];
      out_ << "<tr><td>"
           << (finding.state == rules::FindingState::kSuppressed ? "suppressed" : "baselined")
           << "</td><td>" << badge(finding.severity) << "</td><td>" << html_escape(finding.message)
           << " <code>" << html_escape(finding.rule_id) << "</code></td><td>"
           << loc_code(finding.loc) << "</td><td>"
           << html_escape(finding.suppression_reason.empty() ? "(none given)"
                                                             : finding.suppression_reason)
           << "</td></tr>\n";
    }
    out_ << "</table>\n</section>\n";
  }

  void changes() {
    out_ << "<section id=\"changes\" class=\"major\">\n<h2>What changed</h2>\n<p>Compared with "
         << html_escape(report_.compared_with) << ": "
         << plural(model_.added.size(), "threat", "threats") << " added, "
         << plural(report_.fixed.size(), "threat", "threats") << " removed.</p>\n";
    if (!model_.added.empty()) {
      out_ << "<h3>Added</h3>\n<ul>\n";
      for (size_t i : model_.added) out_ << "<li>" << finding_ref(i) << "</li>\n";
      out_ << "</ul>\n";
    }
    if (!report_.fixed.empty()) {
      out_ << "<h3>Removed</h3>\n<ul>\n";
      for (const rules::Finding& finding : report_.fixed) {
        out_ << "<li>" << badge(finding.severity) << " " << html_escape(finding.message) << " "
             << loc_code(finding.loc) << " <code>" << html_escape(finding.rule_id)
             << "</code></li>\n";
      }
      out_ << "</ul>\n";
    }
    out_ << "</section>\n";
  }

  void compliance() {
    out_ << "<section id=\"compliance\" class=\"major\">\n<h2>Appendix: compliance mapping</h2>\n"
         << "<p>An indicative mapping by fermata, not an audit or a legal reading: it relates the "
            "MAESTRO layers and OWASP agentic threats of each finding to the headings of five "
            "frameworks, following MAESTRO's view of L6 Security and Compliance as the layer "
            "that cuts across all others (<code>rules/catalog/compliance-map.yaml</code> lists "
            "the sources and the exact relation). Findings are numbered as in the mitigations "
            "section.</p>\n";
    for (const ComplianceFramework& framework : model_.compliance) {
      out_ << "<h3>" << html_escape(framework.name) << "</h3>\n";
      if (!framework.source.empty()) {
        out_ << R"(<p class="meta">Source: )" << html_escape(framework.source) << "</p>\n";
      }
      out_ << "<table>\n<tr><th>heading</th><th>relates to</th><th>open findings</th></tr>\n";
      for (const ComplianceHeading& heading : framework.headings) {
        out_ << "<tr><td><strong>" << html_escape(heading.id) << "</strong> "
             << html_escape(heading.title) << "</td><td>" << html_escape(relation_text(heading))
             << "</td><td>";
        if (heading.open_findings.empty()) out_ << "none";
        for (size_t k = 0; k < heading.open_findings.size(); ++k) {
          const size_t number = model_.numbers[heading.open_findings[k]];
          out_ << (k == 0 ? "" : ", ") << R"(<a href="#f)" << number << R"(">F)" << number
               << "</a>";
        }
        out_ << "</td></tr>\n";
      }
      out_ << "</table>\n";
    }
    out_ << "</section>\n";
  }

  const Report& report_;
  const ThreatModel& model_;
  std::ostream& out_;
};

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\n':
      case '\t': out += c; break;
      default:
        // Other control characters are not allowed in HTML text (nor in XML for the SVG).
        out += static_cast<unsigned char>(c) < 0x20 || c == 0x7F ? ' ' : c;
    }
  }
  return out;
}

void write_topology_svg(const Topology& topology, std::ostream& out) {
  std::array<std::vector<size_t>, kColumnTitles.size()> columns;
  for (size_t i = 0; i < topology.nodes.size(); ++i) {
    columns[column_of(topology, i)].push_back(i);
  }
  // Only columns with nodes are drawn, side by side.
  std::vector<Box> boxes(topology.nodes.size());
  std::vector<std::pair<size_t, int>> titles;  // column, x
  int x = kMargin;
  int height = kMargin + kHeaderHeight;
  for (size_t column = 0; column < columns.size(); ++column) {
    if (columns[column].empty()) continue;
    titles.emplace_back(column, x);
    int y = kMargin + kHeaderHeight;
    for (size_t index : columns[column]) {
      const TopologyNode& node = topology.nodes[index];
      Box& box = boxes[index];
      box.lines = wrap(node.label, 2);
      box.label_lines = box.lines.size();
      std::string notes;
      for (const std::string& note : node.notes) notes += (notes.empty() ? "" : ", ") + note;
      for (std::string& line : wrap(notes, 2)) box.lines.push_back(std::move(line));
      if (node.severity) {
        box.lines.push_back(std::string(core::to_string(*node.severity)) + " · " +
                            std::to_string(node.findings) +
                            (node.findings == 1 ? " finding" : " findings"));
      }
      box.x = x;
      box.y = y;
      box.height = static_cast<int>(box.lines.size()) * kLineHeight + 2 * kBoxPadding;
      y += box.height + kRowGap;
    }
    height = std::max(height, y);
    x += kBoxWidth + kColumnGap;
  }
  const bool omitted = topology.omitted_nodes > 0 || topology.omitted_edges > 0;
  const int width = std::max(x - kColumnGap + kMargin, 2 * kMargin + kBoxWidth);
  height += omitted ? 2 * kLineHeight + kMargin : kMargin;
  if (topology.nodes.empty()) height += kLineHeight;

  out << R"(<svg xmlns="http://www.w3.org/2000/svg" class="topology" role="img" width=")" << width
      << R"(" height=")" << height << R"(" viewBox="0 0 )" << width << " " << height
      << "\" font-family=\"system-ui, Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
      << "<title>Topology: " << topology.nodes.size() << " nodes, " << topology.edges.size()
      << " links</title>\n<defs>\n"
      << R"(<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" )"
         R"(markerUnits="userSpaceOnUse" markerWidth="8" markerHeight="8" )"
         R"(orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" )"
         "fill=\"#868e96\"/></marker>\n"
      << R"(<marker id="arrow-risky" viewBox="0 0 10 10" refX="10" refY="5" )"
         R"(markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" )"
         R"(orient="auto-start-reverse"><path )"
         R"(d="M0,0L10,5L0,10z" fill=")"
      << kRiskyLinkColour << "\"/></marker>\n</defs>\n";
  for (const auto& [column, left] : titles) {
    out << R"(<text class="column" x=")" << left << R"(" y=")" << kMargin + 12
        << R"(" font-size="12" font-weight="600" fill="#495057">)"
        << html_escape(kColumnTitles[column]) << "</text>\n";
  }
  // Links first, so boxes cover their ends; risky ones last, so they stay on top.
  for (int pass = 0; pass < 2; ++pass) {
    for (const TopologyEdge& edge : topology.edges) {
      if (edge.risky != (pass == 1)) continue;
      const Box& from = boxes[edge.from];
      const Box& to = boxes[edge.to];
      const int from_mid = from.y + from.height / 2;
      const int to_mid = to.y + to.height / 2;
      int x1 = from.x + kBoxWidth;
      int x2 = to.x;
      int bend1 = kColumnGap / 2;
      int bend2 = -kColumnGap / 2;
      if (to.x < from.x) {  // backwards: leave on the left, arrive on the right
        x1 = from.x;
        x2 = to.x + kBoxWidth;
        bend1 = -kColumnGap / 2;
        bend2 = kColumnGap / 2;
      } else if (to.x == from.x) {  // same column: a loop out to the right
        x2 = to.x + kBoxWidth;
        bend1 = kColumnGap / 2;
        bend2 = kColumnGap / 2;
      }
      out << R"(<path class="link)" << (edge.risky ? " risky" : "") << R"(" d="M)" << x1 << ","
          << from_mid << " C" << x1 + bend1 << "," << from_mid << " " << x2 + bend2 << "," << to_mid
          << " " << x2 << "," << to_mid << R"(" fill="none" stroke=")"
          << (edge.risky ? kRiskyLinkColour : std::string_view("#adb5bd")) << R"(" stroke-width=")"
          << (edge.risky ? 3 : 1.2) << R"(" marker-end="url(#)"
          << (edge.risky ? "arrow-risky" : "arrow") << R"~()"><title>)~"
          << html_escape(edge.label + (edge.risky ? ": " + edge.why : "")) << "</title></path>\n";
    }
  }
  for (size_t i = 0; i < topology.nodes.size(); ++i) {
    const TopologyNode& node = topology.nodes[i];
    const Box& box = boxes[i];
    const SeverityColours colours = severity_colours(node.severity);
    out << R"(<g class="node" data-kind=")" << html_escape(node.kind) << R"("><title>)"
        << html_escape(node.label + (node.loc.file.empty() ? "" : " — " + to_string(node.loc)))
        << "</title>\n<rect class=\"node-box\" x=\"" << box.x << R"(" y=")" << box.y
        << R"(" width=")" << kBoxWidth << R"(" height=")" << box.height << R"(" rx=")"
        << (node.kind == "agent" ? 14 : 4) << R"(" fill=")" << colours.fill << R"(" stroke=")"
        << colours.stroke << R"(" stroke-width=")" << (node.severity ? 2 : 1) << "\"/>\n";
    for (size_t line = 0; line < box.lines.size(); ++line) {
      const bool label = line < box.label_lines;
      out << R"(<text x=")" << box.x + kBoxPadding << R"(" y=")"
          << box.y + kBoxPadding + static_cast<int>(line + 1) * kLineHeight - 3 << R"(")"
          << (label ? R"( font-weight="600" fill="#212529")" : R"( fill="#495057")") << ">"
          << html_escape(box.lines[line]) << "</text>\n";
    }
    out << "</g>\n";
  }
  if (topology.nodes.empty()) {
    out << R"(<text x=")" << kMargin << R"(" y=")" << kMargin + kHeaderHeight + kLineHeight
        << "\" fill=\"#495057\">No agents, MCP servers or workloads found.</text>\n";
  }
  if (omitted) {
    out << R"(<text class="omitted" x=")" << kMargin << R"(" y=")" << height - kMargin
        << R"(" fill="#495057">Showing the riskiest part: )" << topology.omitted_nodes
        << " more nodes and " << topology.omitted_edges
        << " more links not drawn (fermata graph --format json lists them all).</text>\n";
  }
  out << "</svg>\n";
}

void write_threat_model_html(const Report& report, const ThreatModel& model, std::ostream& out) {
  PageWriter(report, model, out).write();
}

}  // namespace fermata::report
