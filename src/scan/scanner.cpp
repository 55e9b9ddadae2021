#include "scan/scanner.hpp"

#include <algorithm>
#include <optional>

#include "derive/derive.hpp"
#include "parsers/parser.hpp"
#include "parsers/syntax/json_reader.hpp"
#include "parsers/syntax/yaml_reader.hpp"

namespace fermata::scan {
namespace {

std::optional<syntax::Document> read_syntax(parsers::Syntax syntax, const std::string& path,
                                            const std::string& text, const core::Limits& limits,
                                            core::DiagnosticSink& sink) {
  switch (syntax) {
    case parsers::Syntax::kJson: return syntax::read_json(path, text, limits, sink);
    case parsers::Syntax::kYaml: return syntax::read_yaml(path, text, limits, sink);
    case parsers::Syntax::kToml: break;
  }
  return std::nullopt;
}

/// Parses one file with every parser that claims it; the document of each syntax is
/// parsed once and shared.
void parse_file(const std::string& path, const std::string& text, const core::Limits& limits,
                model::Graph& graph, core::DiagnosticSink& sink,
                std::vector<report::Artifact>& artifacts, bool& keep_source) {
  std::vector<std::pair<parsers::Syntax, std::optional<syntax::Document>>> documents;
  std::vector<parsers::Syntax> failed;
  for (const auto& parser : parsers::registry()) {
    const parsers::Claim claim = parser->claims(path, text);
    if (!claim.claimed) continue;
    if (std::find(failed.begin(), failed.end(), claim.syntax) != failed.end()) continue;
    const syntax::Document* document = nullptr;
    for (auto& [syntax, doc] : documents) {
      if (syntax == claim.syntax && doc) document = &*doc;
    }
    if (document == nullptr) {
      core::DiagnosticSink syntax_sink;
      auto parsed = read_syntax(claim.syntax, path, text, limits, syntax_sink);
      if (!parsed) {
        failed.push_back(claim.syntax);
        if (claim.certain) {
          for (auto diagnostic : syntax_sink.take()) {
            diagnostic.notes.push_back("read as " + std::string(parser->id()));
            sink.report(std::move(diagnostic));
          }
          keep_source = true;
        }
        continue;
      }
      documents.emplace_back(claim.syntax, std::move(parsed));
      document = &*documents.back().second;
    }
    model::Graph file_graph;
    if (parser->parse(*document, file_graph, sink)) {
      artifacts.push_back(report::Artifact{path, std::string(parser->id())});
      graph.merge(std::move(file_graph));
      keep_source = true;
    }
  }
}

bool diagnostic_less(const core::Diagnostic& a, const core::Diagnostic& b) {
  if (!(a.loc == b.loc)) return a.loc < b.loc;
  return a.message < b.message;
}

}  // namespace

ScanResult run_scan(discover::FileProvider& files, const rules::RuleSet& rules,
                    const derive::SecretClassifier& secrets, const ScanOptions& options) {
  ScanResult result;
  result.sources = std::make_shared<report::SourceCache>();
  core::DiagnosticSink sink;
  const std::vector<discover::FileEntry> entries = files.list(sink);
  result.files_discovered = entries.size();
  size_t done = 0;
  for (const auto& entry : entries) {
    std::optional<std::string> text = files.read(entry, sink);
    if (text) {
      bool keep_source = false;
      parse_file(entry.path, *text, options.limits, result.graph, sink, result.artifacts,
                 keep_source);
      if (keep_source) result.sources->put(entry.path, std::move(*text));
    }
    ++done;
    if (options.progress) options.progress(done, entries.size());
  }
  for (auto& secret : derive::derive_all(result.graph, secrets)) {
    result.redactor.add_secret(std::move(secret));
  }
  result.findings = rules::evaluate(rules, result.graph);
  for (auto& finding : result.findings) finding.message = result.redactor.redact(finding.message);
  std::sort(result.findings.begin(), result.findings.end(), rules::finding_less);
  result.diagnostics = sink.take();
  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(), diagnostic_less);
  std::sort(result.artifacts.begin(), result.artifacts.end(),
            [](const report::Artifact& a, const report::Artifact& b) { return a.path < b.path; });
  return result;
}

derive::SecretClassifier builtin_secret_classifier(core::DiagnosticSink& sink) {
  std::vector<derive::SecretPattern> patterns;
  for (const auto& source : rules::builtin_catalog_sources()) {
    if (source.path.find("secret-patterns") == std::string::npos) continue;
    auto parsed = derive::parse_secret_catalog(source.path, source.text, sink);
    patterns.insert(patterns.end(), parsed.begin(), parsed.end());
  }
  return {std::move(patterns), "rules/catalog/secret-patterns.yaml", sink};
}

}  // namespace fermata::scan
