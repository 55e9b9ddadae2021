// core: errors as values with locations. A malformed scanned file becomes a Diagnostic
// and the scan goes on; a bad rule, configuration or flag is fatal (exit 2) at the CLI.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/source_loc.hpp"

namespace fermata::core {

enum class DiagLevel { kError, kWarning, kNote };

enum class DiagCode {
#define X(id, code, level, title) id,
#include "core/diagnostic_codes.def"
#undef X
};

std::string_view code_name(DiagCode code);   ///< "parse.json.syntax"
std::string_view code_title(DiagCode code);  ///< one-line description
DiagLevel default_level(DiagCode code);
std::string_view to_string(DiagLevel level);  ///< "error" | "warning" | "note"

/// One problem with the input (scanned file, rule file, configuration), at a location.
struct Diagnostic {
  DiagCode code{};
  DiagLevel level = DiagLevel::kError;
  std::string message;
  SourceLoc loc;
  std::vector<std::string> notes;  ///< context chain, outermost last ("in rule X")
};

Diagnostic make_diagnostic(DiagCode code, std::string message, SourceLoc loc);

/// Collects diagnostics; stages report into it and never throw across module boundaries.
class DiagnosticSink {
 public:
  void report(Diagnostic diagnostic) { items_.push_back(std::move(diagnostic)); }
  void report(DiagCode code, std::string message, SourceLoc loc) {
    report(make_diagnostic(code, std::move(message), std::move(loc)));
  }
  [[nodiscard]] const std::vector<Diagnostic>& items() const { return items_; }
  [[nodiscard]] std::vector<Diagnostic> take() { return std::move(items_); }
  [[nodiscard]] bool has_errors() const;
  [[nodiscard]] size_t size() const { return items_.size(); }

 private:
  std::vector<Diagnostic> items_;
};

/// "file:line:col: error: message [code]" — the canonical one-line form.
std::string format_diagnostic(const Diagnostic& diagnostic);

}  // namespace fermata::core
