// Fuzz target: the whole pipeline on one in-memory file — discover, parse, derive (launch
// commands, endpoints, secrets), every shipped rule, every registered reporter and the graph
// writers. Besides crashes it checks fermata's promise about secrets: no value the scan
// classified as a secret may appear in any output; and that no name can add a statement to
// the Mermaid diagram.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "derive/derive.hpp"
#include "discover/working_tree.hpp"
#include "fuzz_check.hpp"
#include "parsers/mcp/mcp_client_config.hpp"
#include "parsers/syntax/json_reader.hpp"
#include "report/graph_writer.hpp"
#include "report/reporter.hpp"
#include "report/topology.hpp"
#include "rules/rule_set.hpp"
#include "scan/scanner.hpp"

using namespace fermata;

namespace {

/// Secrets shorter than this could occur in fixed report text by chance (a rule's
/// description, a key name), so the oracle leaves them out.
constexpr size_t kOracleMinSecret = 8;
constexpr size_t kOracleMaxSearches = 256;

struct Shipped {
  rules::RuleSet rules;
  derive::SecretClassifier secrets;
};

const Shipped& shipped() {
  static const Shipped kShipped = [] {
    core::DiagnosticSink sink;
    rules::RuleSet rule_set;
    fuzz::require(rule_set.load_builtin(sink), "the shipped rules load");
    derive::SecretClassifier secrets = scan::builtin_secret_classifier(sink);
    fuzz::require(!sink.has_errors(), "the shipped catalog loads");
    return Shipped{std::move(rule_set), std::move(secrets)};
  }();
  return kShipped;
}

/// `secret` as a JSON string writes it (the form a source line shows).
std::string escaped(std::string_view secret) {
  std::string out;
  for (const char c : secret) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

/// The secrets in `text` found by a pipeline of its own, independent of the redactor, in
/// every form an output could quote: decoded, escaped, and line by line.
std::vector<std::string> secrets_in(const std::string& path, std::string_view text) {
  core::DiagnosticSink sink;
  auto document = syntax::read_json(path, text, core::Limits{}, sink);
  if (!document) return {};
  model::Graph graph;
  parsers::McpClientConfigParser().parse(*document, graph, sink);
  std::vector<std::string> forms;
  for (const auto& secret : derive::derive_all(graph, shipped().secrets)) {
    forms.push_back(secret);
    forms.push_back(escaped(secret));
    size_t start = 0;
    while (start < secret.size()) {
      size_t end = secret.find('\n', start);
      if (end == std::string::npos) end = secret.size();
      if (end - start >= kOracleMinSecret && end - start < secret.size()) {
        forms.push_back(secret.substr(start, end - start));
      }
      start = end + 1;
    }
  }
  return forms;
}

/// Every line of the diagram is one the writer makes: a name may only ever sit inside the
/// quotes of its own label, so a node line has exactly one pair of quotes.
void check_mermaid(const std::string& diagram) {
  std::istringstream lines(diagram);
  std::string line;
  while (std::getline(lines, line)) {
    if (line == "flowchart LR" || line.rfind("  %% ", 0) == 0 ||
        line.rfind("  linkStyle ", 0) == 0 || line.rfind("  classDef ", 0) == 0 ||
        line.rfind("  class ", 0) == 0)
      continue;
    fuzz::require(line.rfind("  n", 0) == 0 || line.rfind("  empty[", 0) == 0 ||
                      line.rfind("  omitted[", 0) == 0,
                  "a Mermaid line is a node or a link");
    fuzz::require(std::count(line.begin(), line.end(), '"') == 2,
                  "a Mermaid label is one quoted string");
    fuzz::require(line.find('`') == std::string::npos && line.find('%') == std::string::npos,
                  "no backtick or percent sign in a Mermaid label");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Shipped& tools = shipped();
  const std::string path = ".mcp.json";
  std::string text(reinterpret_cast<const char*>(data), size);

  discover::MemoryProvider files;
  files.add(path, text);
  scan::ScanResult result = scan::run_scan(files, tools.rules, tools.secrets, {});

  report::Report report;
  report.tool_version = "0.0.0-fuzz";
  report.scan_root = ".";
  // Only the rules that found something: the reporters' handling of rule metadata does not
  // depend on the input, and writing all of it for every input would slow fuzzing tenfold.
  for (const auto& rule : tools.rules.rules()) {
    const bool found = std::any_of(result.findings.begin(), result.findings.end(),
                                   [&](const auto& f) { return f.rule_id == rule.meta.id; });
    if (found) report.rules.push_back(rule.meta);
  }
  report.findings = std::move(result.findings);
  report.diagnostics = std::move(result.diagnostics);
  report.artifacts = std::move(result.artifacts);
  report.files_discovered = result.files_discovered;
  report.sources = result.sources;
  report.redactor = std::move(result.redactor);

  report.topology = std::make_shared<const report::Topology>(
      report::build_topology(result.graph, report.findings, report.redactor));
  std::vector<std::pair<std::string_view, std::string>> outputs;
  for (const auto& reporter : report::reporters()) {
    std::ostringstream out;
    reporter.write(report, out, report::ReporterOptions{});
    outputs.emplace_back(reporter.name, out.str());
  }
  report::TopologyOptions every_entity;
  every_entity.all_entities = true;
  for (const auto& options : {report::TopologyOptions{}, every_entity}) {
    const report::Topology topology =
        report::build_topology(result.graph, report.findings, report.redactor, options);
    std::ostringstream mermaid;
    std::ostringstream dot;
    std::ostringstream json;
    report::write_mermaid(topology, mermaid);
    report::write_dot(topology, dot);
    report::write_graph_json(topology, json);
    check_mermaid(mermaid.str());
    outputs.emplace_back("graph mermaid", mermaid.str());
    outputs.emplace_back("graph dot", dot.str());
    outputs.emplace_back("graph json", json.str());
  }

  const std::vector<std::string> secrets = secrets_in(path, text);
  for (const auto& [name, written] : outputs) {
    // A sample when there are many: the search here is quadratic, the pipeline must not be.
    const size_t stride = secrets.size() / kOracleMaxSearches + 1;
    for (size_t i = 0; i < secrets.size(); i += stride) {
      const std::string& secret = secrets[i];
      if (secret.size() >= kOracleMinSecret && written.find(secret) != std::string::npos) {
        std::fprintf(stderr, "secret of %zu bytes printed by the %.*s reporter\n", secret.size(),
                     static_cast<int>(name.size()), name.data());
        fuzz::broken("a secret never appears in any output");
      }
    }
  }
  return 0;
}
