#include "gate/gate.hpp"

#include <algorithm>

namespace fermata::gate {

int apply_gate(std::vector<rules::Finding>& findings,
               const std::vector<core::Diagnostic>& diagnostics, const GatePolicy& policy) {
  bool blocking = false;
  for (auto& finding : findings) {
    finding.blocking = !policy.fail_on_none && finding.state == rules::FindingState::kOpen &&
                       finding.severity >= policy.fail_on;
    blocking = blocking || finding.blocking;
  }
  const bool unreadable = std::any_of(diagnostics.begin(), diagnostics.end(), [](const auto& d) {
    return d.level == core::DiagLevel::kError;
  });
  if (unreadable && !policy.allow_parse_errors && !policy.fail_on_none) blocking = true;
  return blocking ? kExitBlocking : kExitClean;
}

}  // namespace fermata::gate
