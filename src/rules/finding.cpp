#include "rules/finding.hpp"

#include <tuple>

namespace fermata::rules {

std::string_view to_string(BaselineState state) {
  switch (state) {
    case BaselineState::kNone: return "";
    case BaselineState::kNew: return "new";
    case BaselineState::kUnchanged: return "unchanged";
    case BaselineState::kUpdated: return "updated";
    case BaselineState::kAbsent: return "absent";
    case BaselineState::kIncomparable: return "incomparable";
  }
  return "";
}

bool finding_less(const Finding& a, const Finding& b) {
  return std::tie(a.loc.file, a.loc.span.line, a.loc.span.column, a.rule_id, a.message) <
         std::tie(b.loc.file, b.loc.span.line, b.loc.span.column, b.rule_id, b.message);
}

}  // namespace fermata::rules
