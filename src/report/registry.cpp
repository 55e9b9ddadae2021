#include "report/reporter.hpp"

namespace fermata::report {

const std::vector<ReporterInfo>& reporters() {
  // One explicit list: the order here is the order --help shows.
  static const std::vector<ReporterInfo> kReporters = {
      {"text", "human-readable findings grouped by MAESTRO layer, with source lines", &write_text},
      {"json", "versioned JSON document (see docs/json-output.md)", &write_json},
      {"sarif", "SARIF 2.1.0 for GitHub code scanning and other SARIF viewers", &write_sarif},
      {"github", "GitHub Actions annotations (workflow commands), most severe first",
       &write_github},
      {"markdown", "Markdown summary for a job summary or a pull-request comment", &write_markdown},
      {"gitlab-codequality", "GitLab Code Quality report (artifacts:reports:codequality)",
       &write_gitlab_codequality},
      {"gitlab-sast", "GitLab SAST security report, schema 15.2.1 (artifacts:reports:sast)",
       &write_gitlab_sast},
  };
  return kReporters;
}

const ReporterInfo* find_reporter(std::string_view name) {
  for (const auto& info : reporters()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

}  // namespace fermata::report
