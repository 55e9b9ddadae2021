// Fuzz target: the YAML front end (yaml-cpp underneath) on arbitrary bytes: a document or
// exactly one located diagnostic, bounded time and memory whatever the aliases and nesting.
#include "parsers/syntax/yaml_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"

using namespace fermata;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string_view path = "fuzz/agent.yaml";
  core::DiagnosticSink sink;
  const auto document = syntax::read_yaml(path, text, core::Limits{}, sink);
  // yaml-cpp counts lines at LF only; a lone CR never adds one, so count LF for the bound.
  uint32_t lines = 1;
  for (const char c : text) lines += c == '\n' ? 1 : 0;
  if (document) {
    fuzz::require(sink.size() == 0, "a document comes without diagnostics");
    fuzz::require(!document->roots.empty(), "YAML has at least one (maybe empty) document");
    fuzz::check_document(*document, lines);
  } else {
    fuzz::check_failure(sink, path, lines);
  }
  return 0;
}
