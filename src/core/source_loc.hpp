// core: where a fact came from. Every fact, diagnostic and finding carries one.
// Positions are 1-based (SARIF's base); front ends convert their libraries' bases.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>

namespace fermata::core {

/// A range inside one file: 1-based lines and columns, end inclusive of the last character.
/// A zero line means "no position" (a whole-file fact).
struct Span {
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t end_line = 0;
  uint32_t end_column = 0;

  [[nodiscard]] bool valid() const { return line > 0; }
  friend bool operator==(const Span&, const Span&) = default;
};

/// A span in a named file; `file` is repository-relative with '/' separators.
struct SourceLoc {
  std::string file;
  Span span;

  [[nodiscard]] bool valid() const { return span.valid(); }
  [[nodiscard]] uint32_t line() const { return span.line; }
  [[nodiscard]] uint32_t column() const { return span.column; }
  friend bool operator==(const SourceLoc&, const SourceLoc&) = default;
  friend bool operator<(const SourceLoc& a, const SourceLoc& b) {
    return std::tie(a.file, a.span.line, a.span.column, a.span.end_line, a.span.end_column) <
           std::tie(b.file, b.span.line, b.span.column, b.span.end_line, b.span.end_column);
  }
};

/// "file:line:col", or "file" when there is no position.
std::string to_string(const SourceLoc& loc);

}  // namespace fermata::core
