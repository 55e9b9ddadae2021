// gate: suppressions — inline comments (`fermata:ignore RULE-ID reason [until=YYYY-MM-DD]`
// on the finding's line, or on a comment line just above it) in any format with comments
// (YAML, TOML, JSONC), and suppressions in .fermata.yaml by rule, path and entity for
// formats without comments. A reason is required; an expired suppression stops
// suppressing and says so; an unused one is reported as information.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "gate/config.hpp"
#include "report/report.hpp"
#include "rules/finding.hpp"

namespace fermata::gate {

struct InlineSuppression {
  std::vector<std::string> rules;
  std::string reason;
  std::optional<Date> until;
  core::SourceLoc loc;
  bool comment_only_line = false;  ///< applies to the next non-comment line too
};

/// Every well-formed inline suppression in `text`; malformed ones (no rule id, no reason, a
/// bad date) are suppression.invalid diagnostics and suppress nothing.
std::vector<InlineSuppression> find_inline_suppressions(std::string_view path,
                                                        std::string_view text,
                                                        core::DiagnosticSink& sink);

/// Marks suppressed findings (state kSuppressed, reason, kind) and reports expired and
/// unused suppressions. `aliases` maps former rule ids to current ones.
void apply_suppressions(std::vector<rules::Finding>& findings, const report::SourceCache& sources,
                        const std::vector<ConfigSuppression>& configured,
                        const std::vector<std::pair<std::string, std::string>>& aliases,
                        const Date& today, core::DiagnosticSink& sink);

}  // namespace fermata::gate
