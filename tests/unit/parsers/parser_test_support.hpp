// What the parser tests share: reading a format fixture, running one parser over a text as
// the pipeline would (the syntax chosen by the file's extension), and finding what it added.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "model/graph.hpp"
#include "parsers/parser.hpp"
#include "parsers/syntax/json_reader.hpp"
#include "parsers/syntax/yaml_reader.hpp"

namespace fermata::testing {

/// A file under fixtures/formats/, e.g. "agents/cagent/team.yaml".
inline std::string format_fixture(const std::string& relative) {
  std::ifstream in(std::filesystem::path(FERMATA_SOURCE_DIR) / "fixtures/formats" / relative,
                   std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

/// A file under fixtures/formats/agents/.
inline std::string slurp(const std::string& relative) {
  return format_fixture("agents/" + relative);
}

struct Parsed {
  model::Graph graph;
  core::DiagnosticSink sink;
  bool recognised = false;  ///< parse() said the document is the parser's format
};

/// Reads `text` as YAML (.yaml, .yml) or JSON (anything else), then runs `parser` on it.
inline Parsed parse_with(const parsers::Parser& parser, const std::string& path,
                         const std::string& text) {
  Parsed out;
  const bool yaml = path.ends_with(".yaml") || path.ends_with(".yml");
  auto document = yaml ? syntax::read_yaml(path, text, core::Limits{}, out.sink)
                       : syntax::read_json(path, text, core::Limits{}, out.sink);
  REQUIRE(document.has_value());
  out.recognised = parser.parse(*document, out.graph, out.sink);
  return out;
}

/// The entity of that kind and name; fails the test when there is none.
inline const model::Entity& find(const model::Graph& graph, model::EntityKind kind,
                                 const std::string& name) {
  for (const auto& e : graph.entities()) {
    if (e.kind == kind && e.name == name) return e;
  }
  FAIL("no entity " << name);
  return graph.entities().front();
}

/// "line:column" of a value.
inline std::string loc(const model::Value* value) {
  REQUIRE(value != nullptr);
  return std::to_string(value->loc.line()) + ":" + std::to_string(value->loc.column());
}

}  // namespace fermata::testing
