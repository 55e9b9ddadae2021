// Fuzz target: the JSON/JSONC front end on arbitrary bytes. Each input is read strictly and
// leniently; both must return a document or exactly one located diagnostic, and what strict
// JSON accepts JSONC must accept too.
#include "parsers/syntax/json_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"

using namespace fermata;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string_view path = "fuzz/.mcp.json";
  const uint32_t lines = fuzz::line_count(text);
  const core::Limits limits;

  core::DiagnosticSink lenient_sink;
  const auto lenient = syntax::read_json(path, text, limits, lenient_sink);
  if (lenient) {
    fuzz::require(lenient_sink.size() == 0, "a document comes without diagnostics");
    fuzz::require(lenient->roots.size() == 1, "JSON has one root");
    fuzz::check_document(*lenient, lines);
  } else {
    fuzz::check_failure(lenient_sink, path, lines);
  }

  core::DiagnosticSink strict_sink;
  const syntax::JsonOptions strict{false, false};
  const auto parsed = syntax::read_json(path, text, limits, strict_sink, strict);
  if (parsed) {
    fuzz::require(lenient.has_value(), "JSONC accepts all JSON");
    fuzz::check_document(*parsed, lines);
  } else {
    fuzz::check_failure(strict_sink, path, lines);
  }
  return 0;
}
