// parsers: the interface every format implements. A parser first says cheaply whether a
// file may be its format (path, extension, a sniff of the text), then turns the positioned
// document into graph facts. Syntax (JSON/YAML/TOML) is parsed once by the pipeline.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "model/graph.hpp"
#include "parsers/syntax/document.hpp"

namespace fermata::parsers {

enum class Syntax { kJson, kYaml, kToml };

struct Claim {
  bool claimed = false;
  Syntax syntax = Syntax::kJson;
  /// The path (or content) leaves no doubt this is the parser's format, so a syntax error
  /// is worth a diagnostic. Uncertain claims that fail to parse are dropped silently.
  bool certain = false;
  /// The text holds template actions (Helm's `{{ }}`): when it does not parse, it is an
  /// unrendered template, reported as skipped (a note), never as a syntax error.
  bool templated = false;
};

class Parser {
 public:
  virtual ~Parser() = default;
  [[nodiscard]] virtual std::string_view id() const = 0;
  /// Cheap: no full parse. `text` is the whole file.
  [[nodiscard]] virtual Claim claims(std::string_view path, std::string_view text) const = 0;
  /// Adds the document's facts to `graph`. Returns false when the document turns out not
  /// to be this format (silently); shape problems inside a recognised document are
  /// parse.schema diagnostics and the rest of the document is still read.
  virtual bool parse(const syntax::Document& document, model::Graph& graph,
                     core::DiagnosticSink& sink) const = 0;
};

/// Every parser, in registration order (parsers/registry.cpp).
const std::vector<std::unique_ptr<Parser>>& registry();

}  // namespace fermata::parsers
