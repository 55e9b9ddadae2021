// rules: what evaluation produces — one finding per rule match, with the location a
// reviewer must change and, for cross-file threats, the chain of locations behind it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/severity.hpp"
#include "core/source_loc.hpp"

namespace fermata::rules {

/// One step of the evidence chain ("server 'x' is configured here").
struct Evidence {
  std::string message;
  core::SourceLoc loc;
};

enum class FindingState { kOpen, kSuppressed, kBaselined };

/// How a finding compares with a baseline or an earlier revision (SARIF baselineState).
/// kIncomparable: its file could not be parsed at one side, so it is neither new nor fixed.
enum class BaselineState { kNone, kNew, kUnchanged, kUpdated, kAbsent, kIncomparable };
std::string_view to_string(BaselineState state);

struct Finding {
  std::string rule_id;
  core::Severity severity = core::Severity::kMedium;
  std::string message;  ///< rendered message; secrets already masked
  core::SourceLoc loc;  ///< primary location: the line to change
  std::string entity_kind;
  std::string entity_name;
  std::string entity_key;
  std::vector<Evidence> evidence;  ///< related locations, in chain order
  std::string fingerprint;         ///< fermata/v1: stable across unrelated edits, file included
  std::string match_key;           ///< the same without the file, to follow renames
  FindingState state = FindingState::kOpen;
  std::string suppression_reason;  ///< when suppressed or baselined
  std::string suppression_kind;    ///< "inSource" (a comment) or "external" (config, baseline)
  BaselineState baseline_state = BaselineState::kNone;
  bool blocking = false;  ///< set by the gate
};

/// Sort order every reporter relies on: file, line, column, rule id, message.
bool finding_less(const Finding& a, const Finding& b);

}  // namespace fermata::rules
