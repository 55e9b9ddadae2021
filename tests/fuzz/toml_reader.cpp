// Fuzz target: the TOML front end on arbitrary bytes. Each input yields a document or exactly
// one located error diagnostic; every span of a document lies inside the file and is ordered.
// A document is then read as an OpenAI Codex configuration: entities and parse.schema
// diagnostics, all located in the file, never a crash.
#include "parsers/syntax/toml_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "parsers/coding/codex_config.hpp"

using namespace fermata;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string_view path = "fuzz/.codex/config.toml";
  const uint32_t lines = fuzz::line_count(text);
  core::DiagnosticSink sink;
  const auto document = syntax::read_toml(path, text, core::Limits{}, sink);
  if (document) {
    fuzz::require(sink.size() == 0, "a document comes without diagnostics");
    fuzz::require(document->roots.size() == 1, "TOML has one root");
    fuzz::check_document(*document, lines);
    model::Graph graph;
    core::DiagnosticSink schema_sink;
    parsers::CodexConfigParser().parse(*document, graph, schema_sink);
    for (const auto& diagnostic : schema_sink.items()) {
      fuzz::require(diagnostic.loc.file == path, "schema diagnostics name the file");
      fuzz::check_span(diagnostic.loc.span, lines);
    }
    for (const auto& entity : graph.entities()) {
      fuzz::require(entity.loc.file == path, "entities are located in the file");
      fuzz::check_span(entity.loc.span, lines);
    }
  } else {
    fuzz::check_failure(sink, path, lines);
  }
  return 0;
}
