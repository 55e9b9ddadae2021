#include <array>
#include <nlohmann/json.hpp>
#include <string>

#include "core/diagnostic.hpp"
#include "core/severity.hpp"
#include "report/reporter.hpp"

namespace fermata::report {
namespace {

using Json = nlohmann::ordered_json;

// Raise only for a change that removes, renames or retypes a field; docs/json-output.md.
constexpr int kSchemaVersion = 1;

std::string_view state_name(rules::FindingState state) {
  switch (state) {
    case rules::FindingState::kOpen: return "open";
    case rules::FindingState::kSuppressed: return "suppressed";
    case rules::FindingState::kBaselined: return "baselined";
  }
  return "open";
}

class JsonWriter {
 public:
  explicit JsonWriter(const Report& report) : report_(report) {}

  Json document() const {
    Json doc;
    doc["schema_version"] = kSchemaVersion;
    doc["tool"] = {{"name", report_.tool_name}, {"version", report_.tool_version}};
    doc["scan"] = scan();
    doc["summary"] = summary();
    doc["findings"] = Json::array();
    for (const auto& finding : report_.findings) doc["findings"].push_back(finding_json(finding));
    if (!report_.compared_with.empty()) {
      doc["comparison"] = {{"with", text(report_.compared_with)}, {"fixed", Json::array()}};
      for (const auto& finding : report_.fixed) {
        doc["comparison"]["fixed"].push_back({{"rule_id", finding.rule_id},
                                              {"severity", core::to_string(finding.severity)},
                                              {"message", text(finding.message)},
                                              {"location", location(finding.loc)},
                                              {"fingerprint", finding.fingerprint}});
      }
    }
    doc["diagnostics"] = Json::array();
    for (const auto& diagnostic : report_.diagnostics) {
      doc["diagnostics"].push_back(diagnostic_json(diagnostic));
    }
    doc["artifacts"] = Json::array();
    for (const auto& artifact : report_.artifacts) {
      doc["artifacts"].push_back(
          {{"path", text(artifact.path)}, {"format", text(artifact.format)}});
    }
    return doc;
  }

 private:
  [[nodiscard]] std::string text(std::string_view value) const {
    return report_.redactor.redact(value);
  }

  [[nodiscard]] Json scan() const {
    size_t blocking = 0;
    for (const auto& finding : report_.findings) {
      if (finding.blocking && finding.state == rules::FindingState::kOpen) ++blocking;
    }
    Json scan;
    scan["root"] = text(report_.scan_root);
    scan["files_discovered"] = report_.files_discovered;
    scan["files_parsed"] = report_.artifacts.size();
    scan["fail_on"] = report_.fail_on_none ? "none" : std::string(core::to_string(report_.fail_on));
    scan["exit_code"] = report_.exit_code;
    scan["blocking"] = blocking;
    return scan;
  }

  [[nodiscard]] Json summary() const {
    std::array<size_t, 5> open{};
    size_t suppressed = 0;
    size_t baselined = 0;
    for (const auto& finding : report_.findings) {
      switch (finding.state) {
        case rules::FindingState::kOpen: ++open[static_cast<size_t>(finding.severity)]; break;
        case rules::FindingState::kSuppressed: ++suppressed; break;
        case rules::FindingState::kBaselined: ++baselined; break;
      }
    }
    Json summary;
    for (auto severity : {core::Severity::kCritical, core::Severity::kHigh, core::Severity::kMedium,
                          core::Severity::kLow, core::Severity::kInfo}) {
      summary[std::string(core::to_string(severity))] = open[static_cast<size_t>(severity)];
    }
    summary["suppressed"] = suppressed;
    summary["baselined"] = baselined;
    return summary;
  }

  [[nodiscard]] Json location(const core::SourceLoc& loc) const {
    return {{"file", text(loc.file)},
            {"line", loc.span.line},
            {"column", loc.span.column},
            {"end_line", loc.span.end_line},
            {"end_column", loc.span.end_column}};
  }

  [[nodiscard]] Json finding_json(const rules::Finding& finding) const {
    const rules::RuleMeta* meta = report_.rule(finding.rule_id);
    Json out;
    out["rule_id"] = text(finding.rule_id);
    out["title"] = meta == nullptr ? std::string() : text(meta->title);
    out["severity"] = core::to_string(finding.severity);
    out["maestro"] = meta == nullptr ? Json::array() : Json(meta->maestro);
    out["owasp"] = meta == nullptr ? Json::array() : Json(meta->owasp);
    out["message"] = text(finding.message);
    out["location"] = location(finding.loc);
    out["snippet"] = report_.snippet(finding.loc);
    out["entity"] = {{"kind", text(finding.entity_kind)},
                     {"name", text(finding.entity_name)},
                     {"key", text(finding.entity_key)}};
    out["evidence"] = Json::array();
    for (const auto& step : finding.evidence) {
      out["evidence"].push_back(
          {{"message", text(step.message)}, {"location", location(step.loc)}});
    }
    out["fingerprint"] = text(finding.fingerprint);
    out["state"] = state_name(finding.state);
    if (finding.state != rules::FindingState::kOpen) {
      out["suppression_reason"] = text(finding.suppression_reason);
      out["suppression_kind"] = finding.suppression_kind;
    }
    if (finding.baseline_state != rules::BaselineState::kNone) {
      out["baseline_state"] = rules::to_string(finding.baseline_state);
    }
    out["blocking"] = finding.blocking && finding.state == rules::FindingState::kOpen;
    return out;
  }

  [[nodiscard]] Json diagnostic_json(const core::Diagnostic& diagnostic) const {
    Json out;
    out["code"] = core::code_name(diagnostic.code);
    out["level"] = core::to_string(diagnostic.level);
    out["message"] = text(diagnostic.message);
    out["location"] = location(diagnostic.loc);
    out["notes"] = Json::array();
    for (const auto& note : diagnostic.notes) out["notes"].push_back(text(note));
    return out;
  }

  const Report& report_;
};

}  // namespace

void write_json(const Report& report, std::ostream& out, const ReporterOptions& /*options*/) {
  // Replacing invalid UTF-8 (a file name or snippet from the scanned tree) keeps the output
  // valid JSON instead of throwing halfway through writing it.
  out << JsonWriter(report).document().dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
}

}  // namespace fermata::report
