// parsers/agents: shared reading helpers for the agent-card, gateway and registry parsers —
// cheap text sniffs for claims(), and typed field access that reports shape problems as
// parse.schema diagnostics at the offending value while the rest of the document is read.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/diagnostic.hpp"
#include "core/text.hpp"
#include "model/value.hpp"
#include "parsers/syntax/document.hpp"

namespace fermata::parsers::agents {

using core::basename;
using core::ends_with;
using core::lower;
using core::starts_with;
/// The name of the directory that holds `path` ("" at the top).
std::string_view parent_name(std::string_view path);
/// A JSON key `"name"` followed by `:` somewhere in the text.
bool has_json_key(std::string_view text, std::string_view name);
/// A YAML key written at the start of a line (a top-level key of a block mapping).
bool has_line_start_key(std::string_view text, std::string_view key);
/// The text holds template syntax a build fills in ($(Var), <<Var>>, {{ var }}, ${VAR}).
bool is_templated(std::string_view text);

/// Typed access to the members of a positioned document. A member of the wrong type is a
/// parse.schema diagnostic naming `what` ("A2A agent card") and the field, and reads as absent.
class FieldReader {
 public:
  FieldReader(const syntax::Document& document, core::DiagnosticSink& sink, std::string what)
      : document_(document), sink_(sink), what_(std::move(what)) {}

  [[nodiscard]] core::SourceLoc loc(const core::Span& span) const { return document_.loc(span); }
  void warn(const std::string& message, const core::Span& span) const;

  /// The string (or number, or boolean, kept as written) under `key`; null when absent or
  /// written as null.
  [[nodiscard]] const syntax::Node* scalar(const syntax::Node& object, std::string_view key,
                                           std::string_view field) const;
  [[nodiscard]] const syntax::Node* object(const syntax::Node& object, std::string_view key,
                                           std::string_view field) const;
  [[nodiscard]] const syntax::Node* array(const syntax::Node& object, std::string_view key,
                                          std::string_view field) const;
  /// A scalar as a positioned string value, or nullopt.
  [[nodiscard]] std::optional<model::Value> string_value(const syntax::Node& object,
                                                         std::string_view key,
                                                         std::string_view field) const;
  /// A number, also when written as a numeric string ("100"); anything else is a diagnostic.
  [[nodiscard]] std::optional<model::Value> number_value(const syntax::Node& object,
                                                         std::string_view key,
                                                         std::string_view field) const;

 private:
  const syntax::Document& document_;
  core::DiagnosticSink& sink_;
  std::string what_;
};

}  // namespace fermata::parsers::agents
