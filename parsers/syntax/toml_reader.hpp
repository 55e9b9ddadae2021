// parsers/syntax: TOML to a positioned Document, through toml++. toml++ positions are 1-based
// and count code points, as ours do. Nesting and the number of values are bounded before
// toml++ builds its tree, so hostile files cannot exhaust the stack or memory.
#pragma once

#include <optional>
#include <string_view>

#include "core/diagnostic.hpp"
#include "core/limits.hpp"
#include "parsers/syntax/document.hpp"

namespace fermata::syntax {

/// Parses `text` (the bytes of the file at `path`) into one root object. On failure reports
/// one diagnostic (parse.toml.syntax with toml++'s reason, parse.depth-limit,
/// parse.node-limit, parse.encoding) at its line and column, and returns nullopt.
/// Tables (headers, dotted keys, inline tables) become objects with members in source order,
/// arrays of tables arrays, integers decimal numbers, floats numbers as written (without
/// digit separators; inf and nan spelled so), booleans "true"/"false", dates and times
/// strings in RFC 3339 form. A UTF-8 BOM is skipped. TOML 1.0 is read with the TOML 1.1
/// additions toml++ knows (inline tables across lines with a trailing comma, `\e` and `\xHH`
/// escapes, times without seconds), as Codex reads them.
std::optional<Document> read_toml(std::string_view path, std::string_view text,
                                  const core::Limits& limits, core::DiagnosticSink& sink);

}  // namespace fermata::syntax
