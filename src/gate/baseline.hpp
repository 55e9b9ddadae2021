// gate: comparing findings with an earlier state — a baseline file recorded with
// `fermata baseline create`, or a scan of an earlier git revision (--new-since). A finding
// is matched by rule, file (followed through renames) and its line-free match key, never by
// resource name alone. A side whose file could not be parsed makes the comparison
// impossible: such findings are incomparable, never "fixed".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "rules/finding.hpp"

namespace fermata::gate {

struct BaselineEntry {
  std::string rule_id;
  std::string file;
  std::string match_key;
  std::string fingerprint;
  std::string entity;
  std::string message;
  core::Severity severity = core::Severity::kMedium;
  core::Span span;  ///< where it was, for reports of fixed findings
};

struct Baseline {
  std::string origin;  ///< "baseline FILE" or "revision REV" (for messages)
  std::vector<BaselineEntry> entries;
  std::vector<std::string> unparsed_files;  ///< files that could not be parsed then
};

/// The state to compare against later: open and suppressed findings, and the files whose
/// parse failed.
Baseline baseline_of(const std::vector<rules::Finding>& findings,
                     const std::vector<core::Diagnostic>& diagnostics, std::string origin);

/// The baseline file format (documented in docs/baselines.md).
std::string write_baseline(const Baseline& baseline, std::string_view tool_version);
std::optional<Baseline> read_baseline(std::string_view path, std::string_view text,
                                      core::DiagnosticSink& sink);

struct ComparisonResult {
  std::vector<rules::Finding> absent;  ///< in the earlier state, gone now (fixed)
};

/// Sets each current finding's baseline_state (new, unchanged, updated, incomparable) and,
/// when `mark_baselined`, moves matched ones to state kBaselined. `renames` maps earlier
/// paths to current ones. Earlier entries whose file cannot be parsed now are reported as
/// baseline.incomparable diagnostics, not as fixed.
ComparisonResult compare_with(std::vector<rules::Finding>& current,
                              const std::vector<core::Diagnostic>& current_diagnostics,
                              const Baseline& earlier,
                              const std::map<std::string, std::string>& renames,
                              bool mark_baselined, core::DiagnosticSink& sink);

}  // namespace fermata::gate
