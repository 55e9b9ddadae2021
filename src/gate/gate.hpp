// gate: decides which findings block the build, and the process exit code. One function
// computes the exit code: 0 nothing blocks, 1 blocking findings (or an unreadable input),
// 2 usage or configuration error (decided by the CLI before a scan runs).
#pragma once

#include <vector>

#include "core/diagnostic.hpp"
#include "core/severity.hpp"
#include "rules/finding.hpp"

namespace fermata::gate {

struct GatePolicy {
  core::Severity fail_on = core::Severity::kHigh;
  bool fail_on_none = false;        ///< --fail-on none: report, never block on findings
  bool allow_parse_errors = false;  ///< do not block on files that could not be read
};

inline constexpr int kExitClean = 0;
inline constexpr int kExitBlocking = 1;
inline constexpr int kExitUsage = 2;

/// Marks each open finding at or above the threshold as blocking; returns the exit code.
/// A scanned file that could not be parsed blocks too (error-level diagnostic): a gate
/// that cannot read a configuration cannot vouch for it.
int apply_gate(std::vector<rules::Finding>& findings,
               const std::vector<core::Diagnostic>& diagnostics, const GatePolicy& policy);

}  // namespace fermata::gate
