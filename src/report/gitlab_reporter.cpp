// report: GitLab's merge-request reports. Code Quality (artifacts:reports:codequality) is a
// JSON array in the CodeClimate subset GitLab reads and shows in every tier; SAST
// (artifacts:reports:sast) follows the security report schema 15.2.1, which GitLab
// validates before ingesting. Both carry fermata's stable fingerprint so GitLab tracks a
// finding across pipelines instead of treating a moved line as a new problem.
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/sha256.hpp"
#include "report/reporter.hpp"

namespace fermata::report {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kSastSchemaVersion = "15.2.1";

std::string_view codequality_severity(core::Severity severity) {
  switch (severity) {
    case core::Severity::kCritical: return "blocker";
    case core::Severity::kHigh: return "critical";
    case core::Severity::kMedium: return "major";
    case core::Severity::kLow: return "minor";
    case core::Severity::kInfo: return "info";
  }
  return "info";
}

std::string_view sast_severity(core::Severity severity) {
  switch (severity) {
    case core::Severity::kCritical: return "Critical";
    case core::Severity::kHigh: return "High";
    case core::Severity::kMedium: return "Medium";
    case core::Severity::kLow: return "Low";
    case core::Severity::kInfo: return "Info";
  }
  return "Unknown";
}

/// A deterministic UUID (version 5 layout) from the finding's fingerprint, so the same
/// finding keeps its id from one pipeline to the next.
std::string uuid_of(const std::string& seed) {
  std::string hex = core::sha256_hex("fermata-gitlab\n" + seed).substr(0, 32);
  hex[12] = '5';
  static constexpr char kVariant[] = "89ab";
  hex[16] = kVariant[static_cast<unsigned char>(hex[16]) % 4];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string now_utc() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm parts{};
  gmtime_r(&now, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &parts);
  return buffer;
}

std::string safe_version(const std::string& version) { return version.empty() ? "0.0.0" : version; }

}  // namespace

void write_gitlab_codequality(const Report& report, std::ostream& out,
                              const ReporterOptions& /*options*/) {
  Json issues = Json::array();
  for (const auto& finding : report.findings) {
    if (finding.state != rules::FindingState::kOpen) continue;
    const rules::RuleMeta* meta = report.rule(finding.rule_id);
    Json issue;
    issue["type"] = "issue";
    issue["check_name"] = finding.rule_id;
    issue["description"] = report.redactor.redact(finding.message);
    if (meta != nullptr) issue["content"] = {{"body", report.redactor.redact(meta->remediation)}};
    issue["categories"] = Json::array({"Security"});
    issue["severity"] = codequality_severity(finding.severity);
    issue["fingerprint"] =
        finding.fingerprint.empty() ? uuid_of(canonical_line(finding)) : finding.fingerprint;
    issue["location"] = {{"path", finding.loc.file},
                         {"lines", {{"begin", std::max<uint32_t>(finding.loc.span.line, 1)}}}};
    issues.push_back(std::move(issue));
  }
  out << issues.dump(2) << "\n";
}

void write_gitlab_sast(const Report& report, std::ostream& out,
                       const ReporterOptions& /*options*/) {
  const Json vendor = {{"name", "fermata"}};
  const std::string version = safe_version(report.tool_version);
  Json doc;
  doc["version"] = kSastSchemaVersion;
  Json vulnerabilities = Json::array();
  for (const auto& finding : report.findings) {
    if (finding.state != rules::FindingState::kOpen) continue;
    const rules::RuleMeta* meta = report.rule(finding.rule_id);
    Json vulnerability;
    vulnerability["id"] =
        uuid_of(finding.fingerprint.empty() ? canonical_line(finding) : finding.fingerprint);
    vulnerability["name"] = meta != nullptr ? meta->title : finding.rule_id;
    vulnerability["description"] = report.redactor.redact(finding.message);
    vulnerability["severity"] = sast_severity(finding.severity);
    if (meta != nullptr) {
      std::string solution = report.redactor.redact(meta->remediation);
      if (solution.size() > 7000) solution = solution.substr(0, 6990) + "...";
      vulnerability["solution"] = solution;
    }
    Json identifiers = Json::array();
    Json primary = {
        {"type", "fermata_rule"}, {"name", finding.rule_id}, {"value", finding.rule_id}};
    if (meta != nullptr && !meta->references.empty()) primary["url"] = meta->references.front();
    identifiers.push_back(std::move(primary));
    if (meta != nullptr) {
      for (const auto& id : meta->owasp) {
        identifiers.push_back({{"type", "owasp_agentic"}, {"name", "OWASP " + id}, {"value", id}});
      }
      for (const auto& layer : meta->maestro) {
        identifiers.push_back(
            {{"type", "maestro_layer"},
             {"name", "MAESTRO " + layer + " " + rules::maestro_layer_name(layer)},
             {"value", layer}});
      }
    }
    if (identifiers.size() > 20) identifiers.erase(identifiers.begin() + 20, identifiers.end());
    vulnerability["identifiers"] = std::move(identifiers);
    const uint32_t line = std::max<uint32_t>(finding.loc.span.line, 1);
    vulnerability["location"] = {{"file", finding.loc.file},
                                 {"start_line", line},
                                 {"end_line", std::max(finding.loc.span.end_line, line)}};
    vulnerabilities.push_back(std::move(vulnerability));
  }
  const std::string started = report.started_at.empty() ? now_utc() : report.started_at;
  const std::string finished = report.finished_at.empty() ? started : report.finished_at;
  doc["scan"] = {
      {"analyzer",
       {{"id", "fermata"}, {"name", "fermata"}, {"version", version}, {"vendor", vendor}}},
      {"scanner",
       {{"id", "fermata"},
        {"name", "fermata"},
        {"url", "https://github.com/fermata-dev/fermata"},
        {"version", version},
        {"vendor", vendor}}},
      {"type", "sast"},
      {"start_time", started},
      {"end_time", finished},
      {"status", report.exit_code == 2 ? "failure" : "success"}};
  doc["vulnerabilities"] = std::move(vulnerabilities);
  out << doc.dump(2) << "\n";
}

}  // namespace fermata::report
