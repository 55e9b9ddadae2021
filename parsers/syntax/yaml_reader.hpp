// parsers/syntax: YAML (multi-document) to a positioned Document, through yaml-cpp.
// yaml-cpp's Mark is 0-based; spans here are 1-based. Alias expansion is bounded by
// Limits::max_nodes and nesting by Limits::max_depth (yaml-cpp recurses).
#pragma once

#include <optional>
#include <string_view>

#include "core/diagnostic.hpp"
#include "core/limits.hpp"
#include "parsers/syntax/document.hpp"

namespace fermata::syntax {

/// Parses every document of `text`. On failure reports one diagnostic (parse.yaml.syntax,
/// parse.depth-limit, parse.node-limit, parse.encoding for UTF-16/32 or invalid UTF-8) with
/// line and column, and returns nullopt.
/// Scalars: plain `true`/`false` (YAML 1.2 core schema, any case) become kBool, plain `null`,
/// `~` or empty become kNull, plain numbers kNumber, everything else kString.
std::optional<Document> read_yaml(std::string_view path, std::string_view text,
                                  const core::Limits& limits, core::DiagnosticSink& sink);

}  // namespace fermata::syntax
