// Shared by the fuzz targets: invariants every front end promises, checked on whatever
// document or diagnostic an input produced. A broken invariant aborts, so libFuzzer (and the
// replay of the committed corpus) report it like a crash.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/diagnostic.hpp"
#include "parsers/syntax/document.hpp"

namespace fermata::fuzz {

[[noreturn]] inline void broken(const char* what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

inline void require(bool holds, const char* what) {
  if (!holds) broken(what);
}

/// Lines in `text` as a reader counts them (LF, CRLF or a lone CR ends one).
inline uint32_t line_count(std::string_view text) {
  uint32_t lines = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    if (text[i] == '\n' || text[i] == '\r') ++lines;
  }
  return lines;
}

/// A located span starts at line 1 or later, inside the file, and never ends before it starts.
inline void check_span(const core::Span& span, uint32_t lines) {
  if (!span.valid()) return;
  require(span.column >= 1, "span column is 1-based");
  require(span.line <= lines, "span starts inside the file");
  require(span.end_line <= lines, "span ends inside the file");
  require(
      span.end_line > span.line || (span.end_line == span.line && span.end_column >= span.column),
      "span ends at or after its start");
}

/// Walks a document with an explicit stack (the input may nest as deep as the limit allows).
inline void check_document(const syntax::Document& document, uint32_t lines) {
  std::vector<const syntax::Node*> pending;
  for (const auto& root : document.roots) pending.push_back(&root);
  while (!pending.empty()) {
    const syntax::Node* node = pending.back();
    pending.pop_back();
    check_span(node->span, lines);
    for (const auto& item : node->items) pending.push_back(&item);
    for (const auto& member : node->members) {
      check_span(member.key_span, lines);
      pending.push_back(&member.value);
    }
  }
}

/// A failed read reports exactly one diagnostic, located in the file it read.
inline void check_failure(const core::DiagnosticSink& sink, std::string_view path, uint32_t lines) {
  require(sink.size() == 1, "a failed read reports exactly one diagnostic");
  const core::Diagnostic& diagnostic = sink.items().front();
  require(diagnostic.loc.file == path, "the diagnostic names the file");
  require(diagnostic.level == core::DiagLevel::kError, "a failed read is an error");
  require(!diagnostic.message.empty(), "the diagnostic says why");
  check_span(diagnostic.loc.span, lines);
}

}  // namespace fermata::fuzz
