// Fuzz target: JSON text to MCP client configuration facts, as each client's file. The schema
// parser must turn any document into entities or parse.schema diagnostics, never a crash.
#include "parsers/mcp/mcp_client_config.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "parsers/syntax/json_reader.hpp"

using namespace fermata;

namespace {

/// One path per client dialect: the path decides the client and which keys count.
constexpr std::array<std::string_view, 9> kPaths = {".mcp.json",
                                                    ".claude/settings.json",
                                                    ".vscode/mcp.json",
                                                    ".cursor/mcp.json",
                                                    ".gemini/settings.json",
                                                    "claude_desktop_config.json",
                                                    ".codeium/windsurf/mcp_config.json",
                                                    "gemini-extension.json",
                                                    "tools/servers.json"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  core::DiagnosticSink syntax_sink;
  auto document = syntax::read_json("fuzz.json", text, core::Limits{}, syntax_sink);
  if (!document) return 0;
  const parsers::McpClientConfigParser parser;
  const uint32_t lines = fuzz::line_count(text);
  for (const std::string_view path : kPaths) {
    document->path = std::string(path);
    model::Graph graph;
    core::DiagnosticSink sink;
    parser.parse(*document, graph, sink);
    for (const auto& diagnostic : sink.items()) {
      fuzz::require(diagnostic.loc.file == path, "schema diagnostics name the file");
      fuzz::check_span(diagnostic.loc.span, lines);
    }
    for (const auto& entity : graph.entities()) {
      fuzz::require(entity.loc.file == path, "entities are located in the file");
      fuzz::check_span(entity.loc.span, lines);
    }
  }
  return 0;
}
