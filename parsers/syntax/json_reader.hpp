// parsers/syntax: JSON (and JSONC: comments, trailing commas) to a positioned Document.
// nlohmann 3.11.2 keeps no positions, so this is a small positioned parser of our own.
#pragma once

#include <optional>
#include <string_view>

#include "core/diagnostic.hpp"
#include "core/limits.hpp"
#include "parsers/syntax/document.hpp"

namespace fermata::syntax {

struct JsonOptions {
  bool allow_comments = true;         ///< `//` and `/* */` (VS Code's JSONC)
  bool allow_trailing_commas = true;  ///< `[1,]`, `{"a":1,}`
};

/// Parses `text` (the bytes of the file at `path`). On failure reports one diagnostic
/// (parse.json.syntax, parse.depth-limit, parse.node-limit, parse.encoding) at the exact
/// line and column and returns nullopt. A UTF-8 BOM is skipped. Columns count characters
/// (UTF-8 code points), 1-based.
std::optional<Document> read_json(std::string_view path, std::string_view text,
                                  const core::Limits& limits, core::DiagnosticSink& sink,
                                  const JsonOptions& options = {});

}  // namespace fermata::syntax
