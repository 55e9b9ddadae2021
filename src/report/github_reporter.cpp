// report: GitHub Actions workflow commands (`::error file=...::message`), so repositories
// without code scanning still get line annotations on pull requests. GitHub shows at most
// 10 annotations of each level per step (and 50 per job) and silently drops the rest, so
// the most important come first and a last notice says how many were left out.
#include <algorithm>
#include <array>

#include "report/reporter.hpp"

namespace fermata::report {
namespace {

constexpr size_t kPerLevel = 10;

/// Workflow-command escaping (the toolkit's convention): data escapes %, CR and LF;
/// property values also escape ':' and ','.
std::string escape_data(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      default: out += c;
    }
  }
  return out;
}

std::string escape_property(std::string_view text) {
  std::string out;
  for (char c : escape_data(text)) {
    if (c == ':') {
      out += "%3A";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view level_of(core::Severity severity) {
  if (severity >= core::Severity::kHigh) return "error";
  if (severity == core::Severity::kMedium) return "warning";
  return "notice";
}

size_t level_index(std::string_view level) {
  return level == "error" ? 0 : level == "warning" ? 1 : 2;
}

struct Annotation {
  std::string level;
  std::string line;  ///< the whole command
  int priority = 0;  ///< higher first
  core::Severity severity = core::Severity::kInfo;
  core::SourceLoc loc;
};

std::string properties(const core::SourceLoc& loc, const std::string& title) {
  std::string out;
  if (!loc.file.empty()) out += "file=" + escape_property(loc.file);
  if (loc.span.valid()) {
    out += ",line=" + std::to_string(loc.span.line);
    out += ",endLine=" + std::to_string(std::max(loc.span.end_line, loc.span.line));
    out += ",col=" + std::to_string(loc.span.column);
    if (loc.span.end_line == loc.span.line && loc.span.end_column >= loc.span.column) {
      out += ",endColumn=" + std::to_string(loc.span.end_column + 1);
    }
  }
  out += std::string(out.empty() ? "" : ",") + "title=" + escape_property(title);
  return out;
}

}  // namespace

void write_github(const Report& report, std::ostream& out, const ReporterOptions& /*options*/) {
  std::vector<Annotation> annotations;
  for (const auto& finding : report.findings) {
    if (finding.state != rules::FindingState::kOpen) continue;
    const rules::RuleMeta* meta = report.rule(finding.rule_id);
    const std::string title =
        "fermata " + finding.rule_id + (meta != nullptr ? ": " + meta->title : "");
    std::string message = finding.message;
    if (finding.baseline_state == rules::BaselineState::kNew) message = "[new] " + message;
    Annotation annotation;
    annotation.level = std::string(level_of(finding.severity));
    annotation.severity = finding.severity;
    annotation.loc = finding.loc;
    // Blocking findings first, then new ones, then by severity.
    annotation.priority =
        (finding.blocking ? 4 : 0) + (finding.baseline_state == rules::BaselineState::kNew ? 2 : 0);
    annotation.line = "::" + annotation.level + " " +
                      properties(finding.loc, report.redactor.redact(title)) +
                      "::" + escape_data(report.redactor.redact(message));
    annotations.push_back(std::move(annotation));
  }
  for (const auto& diagnostic : report.diagnostics) {
    if (diagnostic.level == core::DiagLevel::kNote) continue;
    Annotation annotation;
    annotation.level = diagnostic.level == core::DiagLevel::kError ? "error" : "warning";
    annotation.severity = diagnostic.level == core::DiagLevel::kError ? core::Severity::kHigh
                                                                      : core::Severity::kMedium;
    annotation.loc = diagnostic.loc;
    annotation.priority = diagnostic.level == core::DiagLevel::kError ? 3 : 0;
    annotation.line =
        "::" + annotation.level + " " +
        properties(diagnostic.loc, "fermata " + std::string(core::code_name(diagnostic.code))) +
        "::" + escape_data(report.redactor.redact(diagnostic.message));
    annotations.push_back(std::move(annotation));
  }
  std::stable_sort(annotations.begin(), annotations.end(),
                   [](const Annotation& a, const Annotation& b) {
                     if (a.priority != b.priority) return a.priority > b.priority;
                     if (a.severity != b.severity) return a.severity > b.severity;
                     return a.loc < b.loc;
                   });
  std::array<size_t, 3> shown{};
  size_t omitted = 0;
  std::vector<const Annotation*> kept;
  for (const auto& annotation : annotations) {
    size_t& count = shown[level_index(annotation.level)];
    if (count >= kPerLevel) {
      ++omitted;
      continue;
    }
    ++count;
    kept.push_back(&annotation);
  }
  // The closing notice needs a notice slot of its own.
  if (omitted > 0 && shown[2] == kPerLevel) {
    for (auto it = kept.rbegin(); it != kept.rend(); ++it) {
      if ((*it)->level == "notice") {
        kept.erase(std::next(it).base());
        ++omitted;
        break;
      }
    }
  }
  for (const Annotation* annotation : kept) out << annotation->line << "\n";
  if (omitted > 0) {
    out << "::notice title=fermata::" << omitted
        << " more findings are not annotated (GitHub shows at most 10 of each level per step). "
           "See the job summary (fermata scan --format markdown >> $GITHUB_STEP_SUMMARY) or the "
           "SARIF report.\n";
  }
}

}  // namespace fermata::report
