// core: the severity scale shared by rules, findings, the gate and every reporter.
#pragma once

#include <optional>
#include <string_view>

namespace fermata::core {

/// Ordered from least to most severe, so `a >= b` means "at least as severe".
enum class Severity { kInfo = 0, kLow = 1, kMedium = 2, kHigh = 3, kCritical = 4 };

std::string_view to_string(Severity severity);
std::optional<Severity> parse_severity(std::string_view text);

}  // namespace fermata::core
