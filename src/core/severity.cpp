#include "core/severity.hpp"

namespace fermata::core {

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "info";
}

std::optional<Severity> parse_severity(std::string_view text) {
  if (text == "info") return Severity::kInfo;
  if (text == "low") return Severity::kLow;
  if (text == "medium") return Severity::kMedium;
  if (text == "high") return Severity::kHigh;
  if (text == "critical") return Severity::kCritical;
  return std::nullopt;
}

}  // namespace fermata::core
