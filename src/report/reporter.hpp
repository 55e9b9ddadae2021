// report: the reporter interface and the registry of output formats (one place).
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "report/report.hpp"

namespace fermata::report {

struct ReporterOptions {
  bool color = false;  ///< ANSI colour (text only; the CLI decides: terminal, NO_COLOR)
  bool sarif_keep_suppressed = false;  ///< keep suppressed results in SARIF, with `suppressions`
};

using WriteFn = void (*)(const Report&, std::ostream&, const ReporterOptions&);

struct ReporterInfo {
  std::string_view name;         ///< the --format value
  std::string_view description;  ///< one line for --help
  WriteFn write;
};

/// The registered formats, in the order --help lists them.
const std::vector<ReporterInfo>& reporters();
const ReporterInfo* find_reporter(std::string_view name);

void write_text(const Report& report, std::ostream& out, const ReporterOptions& options);
void write_json(const Report& report, std::ostream& out, const ReporterOptions& options);
void write_sarif(const Report& report, std::ostream& out, const ReporterOptions& options);
void write_github(const Report& report, std::ostream& out, const ReporterOptions& options);
void write_markdown(const Report& report, std::ostream& out, const ReporterOptions& options);
void write_gitlab_codequality(const Report& report, std::ostream& out,
                              const ReporterOptions& options);
void write_gitlab_sast(const Report& report, std::ostream& out, const ReporterOptions& options);

/// "path:line:col: severity: rule-id: message", the one-line form rule fixtures expect
/// (line and column are 0 for a whole-file finding; line breaks in the message become spaces).
std::string canonical_line(const rules::Finding& finding);

}  // namespace fermata::report
