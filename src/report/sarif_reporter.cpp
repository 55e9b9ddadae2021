#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/severity.hpp"
#include "report/line_hash.hpp"
#include "report/reporter.hpp"
#include "rules/rule_meta.hpp"

namespace fermata::report {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr std::string_view kInformationUri = "https://github.com/fermata-dev/fermata";
constexpr std::string_view kSrcRoot = "%SRCROOT%";
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026

// GitHub truncates longer texts (its documented limits are 1024 for both; 1000 keeps a margin
// for the older limit still quoted in places).
constexpr size_t kMaxShortDescription = 1024;
constexpr size_t kMaxFullDescription = 1000;
constexpr size_t kMaxRuleName = 255;
constexpr size_t kMaxTags = 20;  // GitHub rejects a rule with more

// The MAESTRO taxonomy's identity. Fixed forever: consumers join taxa across runs by it.
constexpr std::string_view kMaestroGuid = "7234a91f-dc91-4392-977d-b232f425b5f8";
constexpr std::string_view kMaestroName = "MAESTRO";

std::string_view level_of(core::Severity severity) {
  switch (severity) {
    case core::Severity::kCritical:
    case core::Severity::kHigh: return "error";
    case core::Severity::kMedium: return "warning";
    case core::Severity::kLow:
    case core::Severity::kInfo: return "note";
  }
  return "note";
}

std::string_view problem_severity_of(core::Severity severity) {
  const std::string_view level = level_of(severity);
  return level == "note" ? "recommendation" : level;
}

// Mid-band scores, away from GitHub's band edges (9.0, 7.0, 4.0), so a rounding difference
// can never move a rule into the next band.
std::string_view security_severity_of(core::Severity severity) {
  switch (severity) {
    case core::Severity::kCritical: return "9.5";
    case core::Severity::kHigh: return "8.0";
    case core::Severity::kMedium: return "5.5";
    case core::Severity::kLow: return "2.0";
    case core::Severity::kInfo: return "1.0";
  }
  return "1.0";
}

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

/// Length as GitHub (JavaScript) counts it: UTF-16 code units.
size_t utf16_length(std::string_view text) {
  size_t units = 0;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (is_continuation(c)) continue;
    units += byte >= 0xF0 ? 2 : 1;
  }
  return units;
}

/// `text` within `max` UTF-16 units, cut at a word boundary and ended with an ellipsis.
std::string truncate_words(std::string_view text, size_t max) {
  if (utf16_length(text) <= max) return std::string(text);
  size_t units = 0;
  size_t cut = 0;  // bytes that fit, leaving a unit for the ellipsis
  size_t last_space = std::string_view::npos;
  for (size_t i = 0; i < text.size();) {
    size_t next = i + 1;
    while (next < text.size() && is_continuation(text[next])) ++next;
    const size_t width = static_cast<unsigned char>(text[i]) >= 0xF0 ? 2 : 1;
    if (units + width > max - 1) break;
    units += width;
    if (text[i] == ' ' || text[i] == '\n' || text[i] == '\t') last_space = i;
    i = next;
    cut = next;
  }
  // A word boundary far back would throw away most of the text: cut inside the word then.
  if (last_space != std::string_view::npos && last_space > cut / 2) cut = last_space;
  std::string out(text.substr(0, cut));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n' || out.back() == '\t')) {
    out.pop_back();
  }
  return out + std::string(kEllipsis);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// MAJOR.MINOR.PATCH with an optional "-pre" or "+build" tail (SemVer 2.0, loosely).
bool looks_like_semver(std::string_view version) {
  int parts = 0;
  size_t i = 0;
  while (parts < 3) {
    const size_t start = i;
    while (i < version.size() && is_digit(version[i])) ++i;
    if (i == start) return false;
    ++parts;
    if (parts < 3) {
      if (i >= version.size() || version[i] != '.') return false;
      ++i;
    }
  }
  return i == version.size() ||
         ((version[i] == '-' || version[i] == '+') && i + 1 < version.size());
}

/// "mcp-remote-server-without-auth" -> "McpRemoteServerWithoutAuth".
std::string pascal_case(std::string_view id) {
  std::string out;
  bool upper = true;
  for (char c : id) {
    if (c == '-' || c == '_' || c == '.' || c == '/' || c == ' ') {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - ('a' - 'A')) : c;
    upper = false;
  }
  return out.substr(0, kMaxRuleName);
}

/// A repository-relative path as a relative URI reference (RFC 3986): '/' separates segments,
/// everything outside the unreserved and sub-delimiter sets is percent-encoded. ':' is always
/// encoded so that a first segment can never read as a URI scheme.
std::string relative_uri(std::string_view path) {
  while (path.starts_with("./")) path.remove_prefix(2);
  while (path.starts_with("/")) path.remove_prefix(1);
  static constexpr std::string_view kKeep = "-._~!$&'()*+,;=@/";
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || kKeep.find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

class SarifWriter {
 public:
  SarifWriter(const Report& report, const ReporterOptions& options)
      : report_(report), options_(options) {}

  Json document() {
    collect_rules();
    Json run;
    run["tool"] = {{"driver", driver()}};
    run["automationDetails"] = {{"id", text(report_.automation_id)}};
    run["columnKind"] = "unicodeCodePoints";
    run["taxonomies"] = Json::array({maestro_taxonomy()});
    run["invocations"] = Json::array({invocation()});
    run["results"] = Json::array();
    for (const auto& finding : report_.findings) {
      if (finding.state != rules::FindingState::kOpen && !options_.sarif_keep_suppressed) continue;
      run["results"].push_back(result(finding));
    }
    // Findings gone since the baseline or revision: SARIF's "absent" results.
    for (const auto& finding : report_.fixed) run["results"].push_back(result(finding));
    Json doc;
    doc["$schema"] = kSchemaUri;
    doc["version"] = "2.1.0";
    doc["runs"] = Json::array({std::move(run)});
    return doc;
  }

 private:
  [[nodiscard]] std::string text(std::string_view value) const {
    return report_.redactor.redact(value);
  }

  [[nodiscard]] Json text_list(const std::vector<std::string>& values) const {
    Json list = Json::array();
    for (const auto& value : values) list.push_back(text(value));
    return list;
  }

  /// Every rule that ran, plus (defensively) any rule a finding names that the list lacks:
  /// GitHub rejects a result whose rule is not described.
  void collect_rules() {
    std::map<std::string, rules::RuleMeta> by_id;
    for (const auto& meta : report_.rules) by_id.emplace(meta.id, meta);
    for (const auto& finding : report_.findings) {
      if (by_id.contains(finding.rule_id)) continue;
      rules::RuleMeta meta;
      meta.id = finding.rule_id;
      meta.title = finding.rule_id;
      meta.severity = finding.severity;
      by_id.emplace(meta.id, std::move(meta));
    }
    for (auto& [id, meta] : by_id) {
      rule_index_.emplace(id, rules_.size());
      rules_.push_back(std::move(meta));
    }
  }

  [[nodiscard]] Json driver() const {
    Json driver;
    driver["name"] = report_.tool_name;
    // Consumers compare versions, so `version` must start with a digit (the SARIF validator
    // insists); GitHub prefers semanticVersion when it is SemVer.
    std::string version = report_.tool_version;
    if (version.size() > 1 && version[0] == 'v' && is_digit(version[1])) version.erase(0, 1);
    if (version.empty() || !is_digit(version[0])) version = "0.0.0-unknown";
    if (looks_like_semver(version)) driver["semanticVersion"] = version;
    driver["version"] = version;
    driver["informationUri"] = kInformationUri;
    driver["rules"] = Json::array();
    for (const auto& meta : rules_) driver["rules"].push_back(rule(meta));
    driver["supportedTaxonomies"] =
        Json::array({{{"name", kMaestroName}, {"index", 0}, {"guid", kMaestroGuid}}});
    return driver;
  }

  [[nodiscard]] Json rule(const rules::RuleMeta& meta) const {
    const std::string title = meta.title.empty() ? meta.id : meta.title;
    const std::string description = meta.description.empty() ? title : meta.description;
    const std::string short_description = meta.short_description();

    Json rule;
    rule["id"] = text(meta.id);
    rule["name"] = text(pascal_case(meta.id));
    rule["shortDescription"] = {
        {"text", truncate_words(text(short_description.empty() ? title : short_description),
                                kMaxShortDescription)}};
    rule["fullDescription"] = {{"text", truncate_words(text(description), kMaxFullDescription)}};
    std::string help = description;
    if (!meta.remediation.empty()) help += "\n\nRemediation: " + meta.remediation;
    rule["help"] = {{"text", text(help)},
                    {"markdown", text(help_markdown(meta, title, description))}};
    if (!meta.references.empty()) rule["helpUri"] = text(meta.references.front());
    rule["defaultConfiguration"] = {{"level", level_of(meta.severity)}};

    // SARIF requires unique tags; a rule listing a layer twice must not make the log invalid.
    std::vector<std::string> tags = {"security"};
    auto add_tag = [&tags](std::string tag) {
      if (tags.size() < kMaxTags && std::find(tags.begin(), tags.end(), tag) == tags.end()) {
        tags.push_back(std::move(tag));
      }
    };
    for (const auto& layer : meta.maestro) add_tag("maestro/" + layer);
    for (const auto& id : meta.owasp) add_tag("owasp/" + id);
    rule["properties"] = {{"security-severity", security_severity_of(meta.severity)},
                          {"tags", text_list(tags)},
                          {"precision", "high"},
                          {"problem.severity", problem_severity_of(meta.severity)}};

    Json relationships = Json::array();
    std::vector<int> related;
    for (const auto& layer : meta.maestro) {
      const int index = maestro_index(layer);
      if (index < 0 || std::find(related.begin(), related.end(), index) != related.end()) continue;
      related.push_back(index);
      relationships.push_back(
          {{"target",
            {{"id", layer},
             {"index", index},
             {"toolComponent", {{"name", kMaestroName}, {"index", 0}, {"guid", kMaestroGuid}}}}},
           {"kinds", Json::array({"superset"})}});
    }
    if (!relationships.empty()) rule["relationships"] = std::move(relationships);
    return rule;
  }

  static std::string help_markdown(const rules::RuleMeta& meta, const std::string& title,
                                   const std::string& description) {
    std::string md = "## " + title + "\n\n" + description + "\n";
    if (!meta.remediation.empty()) md += "\n### Remediation\n\n" + meta.remediation + "\n";
    if (!meta.references.empty()) {
      md += "\n### References\n\n";
      for (const auto& reference : meta.references) md += "- " + reference + "\n";
    }
    if (!meta.maestro.empty() || !meta.owasp.empty()) md += "\n### Classification\n\n";
    if (!meta.maestro.empty()) {
      md += "- MAESTRO:";
      for (size_t i = 0; i < meta.maestro.size(); ++i) {
        const std::string name = rules::maestro_layer_name(meta.maestro[i]);
        md += (i == 0 ? " " : ", ") + meta.maestro[i] + (name.empty() ? "" : " " + name);
      }
      md += "\n";
    }
    if (!meta.owasp.empty()) {
      md += "- OWASP:";
      for (size_t i = 0; i < meta.owasp.size(); ++i) md += (i == 0 ? " " : ", ") + meta.owasp[i];
      md += "\n";
    }
    return md;
  }

  static int maestro_index(const std::string& layer) {
    if (layer.size() == 2 && layer[0] == 'L' && layer[1] >= '1' && layer[1] <= '7') {
      return layer[1] - '1';
    }
    return -1;
  }

  [[nodiscard]] static Json maestro_taxonomy() {
    Json taxa = Json::array();
    for (int i = 1; i <= 7; ++i) {
      const std::string id = "L" + std::to_string(i);
      const std::string name = rules::maestro_layer_name(id);
      taxa.push_back(
          {{"id", id}, {"name", pascal_case(name)}, {"shortDescription", {{"text", name}}}});
    }
    return {
        {"name", kMaestroName},
        {"guid", kMaestroGuid},
        {"organization", "Cloud Security Alliance"},
        {"shortDescription",
         {{"text", "MAESTRO: the seven layers of an agentic AI system, for threat modelling."}}},
        {"isComprehensive", true},
        {"taxa", std::move(taxa)}};
  }

  [[nodiscard]] Json invocation() const {
    Json notifications = Json::array();
    for (const auto& diagnostic : report_.diagnostics) {
      std::string message = diagnostic.message;
      for (const auto& note : diagnostic.notes) message += " (" + note + ")";
      Json notification;
      notification["level"] = core::to_string(diagnostic.level);
      notification["message"] = {{"text", text(message)}};
      if (!diagnostic.loc.file.empty()) {
        notification["locations"] =
            Json::array({{{"physicalLocation", physical(diagnostic.loc, false)}}});
      }
      notification["descriptor"] = {{"id", core::code_name(diagnostic.code)}};
      notifications.push_back(std::move(notification));
    }
    Json invocation;
    invocation["executionSuccessful"] = report_.exit_code != 2;
    if (!notifications.empty()) invocation["toolExecutionNotifications"] = std::move(notifications);
    return invocation;
  }

  [[nodiscard]] Json physical(const core::SourceLoc& loc, bool with_snippet) const {
    Json physical;
    physical["artifactLocation"] = {{"uri", relative_uri(text(loc.file))}, {"uriBaseId", kSrcRoot}};
    if (!loc.valid()) {
      // A whole-file fact: GitHub needs a startLine, and line 1 is where it hashes such results.
      physical["region"] = {{"startLine", 1}};
      return physical;
    }
    const core::Span& span = loc.span;
    Json region;
    region["startLine"] = span.line;
    if (span.column > 0) region["startColumn"] = span.column;
    const bool has_end =
        span.end_line >= span.line && (span.end_line > span.line || span.end_column >= span.column);
    if (span.end_line > 0 && has_end) {
      region["endLine"] = span.end_line;
      // Our end column is inclusive; SARIF's is exclusive.
      if (span.column > 0 && span.end_column > 0) region["endColumn"] = span.end_column + 1;
    }
    if (with_snippet) {
      const std::string snippet = report_.snippet(loc);
      if (!snippet.empty()) region["snippet"] = {{"text", snippet}};
    }
    physical["region"] = std::move(region);
    return physical;
  }

  const std::vector<std::string>* hashes_for(const std::string& path) {
    auto it = hash_cache_.find(path);
    if (it != hash_cache_.end()) return &it->second;
    const std::string* source = report_.sources == nullptr ? nullptr : report_.sources->text(path);
    if (source == nullptr) return nullptr;
    return &hash_cache_.emplace(path, line_hashes(*source)).first->second;
  }

  Json result(const rules::Finding& finding) {
    const rules::RuleMeta& meta = rules_[rule_index_.at(finding.rule_id)];
    Json result;
    result["ruleId"] = text(finding.rule_id);
    result["ruleIndex"] = rule_index_.at(finding.rule_id);
    result["level"] = level_of(finding.severity);
    // GitHub rejects an empty message, so fall back on what the rule says about itself.
    std::string message = finding.message;
    if (message.empty()) message = meta.title.empty() ? meta.id : meta.title;
    result["message"] = {{"text", text(message)}};
    const Json primary = physical(finding.loc, true);
    result["locations"] = Json::array({{{"physicalLocation", primary}}});

    Json fingerprints = Json::object();
    const std::vector<std::string>* hashes = hashes_for(finding.loc.file);
    const size_t line = finding.loc.valid() ? finding.loc.span.line : 1;
    if (hashes != nullptr && line <= hashes->size() && !(*hashes)[line - 1].empty()) {
      fingerprints["primaryLocationLineHash"] = (*hashes)[line - 1];
    }
    if (!finding.fingerprint.empty()) fingerprints["fermata/v1"] = text(finding.fingerprint);
    result["partialFingerprints"] = std::move(fingerprints);

    if (!finding.evidence.empty()) {
      Json related = Json::array();
      Json flow = Json::array();
      for (const rules::Evidence& step : finding.evidence) {
        Json location;
        if (!step.loc.file.empty()) location["physicalLocation"] = physical(step.loc, true);
        if (!step.message.empty()) location["message"] = {{"text", text(step.message)}};
        // A step without a file (a derived fact) still tells its part of the story in the
        // flow, but a related location without a physical one is rejected by GitHub's checks.
        if (location.contains("physicalLocation")) {
          Json numbered = {{"id", related.size() + 1}};
          numbered.update(location);
          related.push_back(std::move(numbered));
        }
        flow.push_back({{"location", std::move(location)}});
      }
      flow.push_back(
          {{"location", {{"physicalLocation", primary}, {"message", {{"text", text(message)}}}}}});
      if (!related.empty()) result["relatedLocations"] = std::move(related);
      result["codeFlows"] =
          Json::array({{{"threadFlows", Json::array({{{"locations", std::move(flow)}}})}}});
    }

    if (finding.state != rules::FindingState::kOpen) {
      Json suppression;
      suppression["kind"] = !finding.suppression_kind.empty() ? finding.suppression_kind
                            : finding.state == rules::FindingState::kBaselined ? "external"
                                                                               : "inSource";
      if (!finding.suppression_reason.empty()) {
        suppression["justification"] = text(finding.suppression_reason);
      }
      result["suppressions"] = Json::array({std::move(suppression)});
    }

    if (finding.baseline_state != rules::BaselineState::kNone &&
        finding.baseline_state != rules::BaselineState::kIncomparable) {
      result["baselineState"] = rules::to_string(finding.baseline_state);
    } else if (finding.baseline_state == rules::BaselineState::kIncomparable) {
      // SARIF has no "incomparable": it cannot be shown as existing, so it counts as new.
      result["baselineState"] = "new";
    }
    result["properties"] = {{"severity", core::to_string(finding.severity)},
                            {"maestro", meta.maestro},
                            {"owasp", meta.owasp},
                            {"entity", text(finding.entity_name)}};
    return result;
  }

  const Report& report_;
  const ReporterOptions& options_;
  std::vector<rules::RuleMeta> rules_;
  std::map<std::string, size_t> rule_index_;
  std::map<std::string, std::vector<std::string>> hash_cache_;
};

}  // namespace

void write_sarif(const Report& report, std::ostream& out, const ReporterOptions& options) {
  out << SarifWriter(report, options).document().dump(2, ' ', false, Json::error_handler_t::replace)
      << "\n";
}

}  // namespace fermata::report
