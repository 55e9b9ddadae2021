#include "core/diagnostic.hpp"

#include <algorithm>
#include <array>

namespace fermata::core {
namespace {

struct CodeInfo {
  std::string_view name;
  DiagLevel level;
  std::string_view title;
};

constexpr DiagLevel error = DiagLevel::kError;
constexpr DiagLevel warning = DiagLevel::kWarning;
constexpr DiagLevel note = DiagLevel::kNote;

constexpr std::array kCodes = {
#define X(id, code, level, title) CodeInfo{code, level, title},
#include "core/diagnostic_codes.def"
#undef X
};

}  // namespace

std::string_view code_name(DiagCode code) { return kCodes.at(static_cast<size_t>(code)).name; }
std::string_view code_title(DiagCode code) { return kCodes.at(static_cast<size_t>(code)).title; }
DiagLevel default_level(DiagCode code) { return kCodes.at(static_cast<size_t>(code)).level; }

std::string_view to_string(DiagLevel level) {
  switch (level) {
    case DiagLevel::kError: return "error";
    case DiagLevel::kWarning: return "warning";
    case DiagLevel::kNote: return "note";
  }
  return "error";
}

Diagnostic make_diagnostic(DiagCode code, std::string message, SourceLoc loc) {
  return Diagnostic{code, default_level(code), std::move(message), std::move(loc), {}};
}

bool DiagnosticSink::has_errors() const {
  return std::any_of(items_.begin(), items_.end(),
                     [](const Diagnostic& d) { return d.level == DiagLevel::kError; });
}

std::string format_diagnostic(const Diagnostic& diagnostic) {
  std::string out = to_string(diagnostic.loc);
  out += ": ";
  out += to_string(diagnostic.level);
  out += ": ";
  out += diagnostic.message;
  out += " [";
  out += code_name(diagnostic.code);
  out += "]";
  for (const auto& note_text : diagnostic.notes) {
    out += "\n  note: ";
    out += note_text;
  }
  return out;
}

}  // namespace fermata::core
