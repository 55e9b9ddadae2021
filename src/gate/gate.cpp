#include "gate/gate.hpp"

#include <algorithm>

namespace fermata::gate {

int apply_gate(std::vector<rules::Finding>& findings,
               const std::vector<core::Diagnostic>& diagnostics, const GatePolicy& policy) {
  bool blocking = false;
  for (auto& finding : findings) {
    // Findings already present in the baseline or at the earlier revision do not block;
    // new and incomparable ones (a side that did not parse) do.
    const bool existing = finding.baseline_state == rules::BaselineState::kUnchanged ||
                          finding.baseline_state == rules::BaselineState::kUpdated;
    finding.blocking = !policy.fail_on_none && finding.state == rules::FindingState::kOpen &&
                       !existing && finding.severity >= policy.fail_on;
    blocking = blocking || finding.blocking;
  }
  const bool unreadable = std::any_of(diagnostics.begin(), diagnostics.end(), [](const auto& d) {
    return d.level == core::DiagLevel::kError;
  });
  if (unreadable && !policy.allow_parse_errors && !policy.fail_on_none) blocking = true;
  return blocking ? kExitBlocking : kExitClean;
}

}  // namespace fermata::gate
