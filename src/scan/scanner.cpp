#include "scan/scanner.hpp"

#include <algorithm>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/parallel.hpp"
#include "derive/derive.hpp"
#include "derive/reach.hpp"
#include "parsers/parser.hpp"
#include "parsers/syntax/json_reader.hpp"
#include "parsers/syntax/toml_reader.hpp"
#include "parsers/syntax/yaml_reader.hpp"

namespace fermata::scan {
namespace {

std::optional<syntax::Document> read_syntax(parsers::Syntax syntax, const std::string& path,
                                            const std::string& text, const core::Limits& limits,
                                            core::DiagnosticSink& sink) {
  switch (syntax) {
    case parsers::Syntax::kJson: return syntax::read_json(path, text, limits, sink);
    case parsers::Syntax::kYaml: return syntax::read_yaml(path, text, limits, sink);
    case parsers::Syntax::kToml: return syntax::read_toml(path, text, limits, sink);
  }
  return std::nullopt;
}

/// A template that does not parse before rendering is no error in the file: it is said to be
/// skipped, at the place the YAML reader stopped, so nobody mistakes silence for a clean scan.
void report_skipped_template(std::vector<core::Diagnostic> syntax_errors, std::string_view parser,
                             core::DiagnosticSink& sink) {
  if (syntax_errors.empty()) return;
  core::Diagnostic& first = syntax_errors.front();
  core::Diagnostic skipped =
      core::make_diagnostic(core::DiagCode::kSkippedTemplate,
                            "unrendered Helm template: not YAML until rendered (" + first.message +
                                "); not scanned — scan the output of `helm template` to check it",
                            first.loc);
  skipped.notes.push_back("read as " + std::string(parser));
  sink.report(std::move(skipped));
}

/// The first line of `text` longer than `max_bytes` (LF, CRLF and a lone CR end a line, as
/// in the source cache): its 1-based number and length.
std::optional<std::pair<uint32_t, uint64_t>> overlong_line(std::string_view text,
                                                           uint64_t max_bytes) {
  uint32_t line = 1;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = text.size();
    if (end - start > max_bytes) return std::make_pair(line, static_cast<uint64_t>(end - start));
    if (end == text.size()) break;
    start = end + (text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n' ? 2 : 1);
    ++line;
  }
  return std::nullopt;
}

/// The shipped privilege catalog, read once; its validity is a unit test's business.
const derive::PrivilegeCatalog& builtin_privilege_catalog() {
  static const derive::PrivilegeCatalog kCatalog = [] {
    core::DiagnosticSink ignored;
    derive::PrivilegeCatalog catalog;
    for (const auto& source : rules::builtin_catalog_sources()) {
      if (source.path.find("iam-privilege") == std::string::npos) continue;
      catalog = derive::parse_privilege_catalog(source.path, source.text, ignored);
    }
    return catalog;
  }();
  return kCatalog;
}

/// The shipped capability catalog, read once; its validity is a unit test's business.
const derive::CapabilityCatalog& builtin_capability_catalog() {
  static const derive::CapabilityCatalog kCatalog = [] {
    core::DiagnosticSink ignored;
    derive::CapabilityCatalog catalog;
    for (const auto& source : rules::builtin_catalog_sources()) {
      if (source.path.find("mcp-capabilities") == std::string::npos) continue;
      catalog = derive::parse_capability_catalog(source.path, source.text, ignored);
    }
    return catalog;
  }();
  return kCatalog;
}

/// Parses one file with every parser that claims it; the document of each syntax is
/// parsed once and shared.
void parse_file(const std::string& path, const std::string& text, const core::Limits& limits,
                model::Graph& graph, core::DiagnosticSink& sink,
                std::vector<report::Artifact>& artifacts, bool& keep_source) {
  std::vector<std::pair<parsers::Syntax, std::optional<syntax::Document>>> documents;
  std::vector<parsers::Syntax> failed;
  bool line_checked = false;
  for (const auto& parser : parsers::registry()) {
    const parsers::Claim claim = parser->claims(path, text);
    if (!claim.claimed) continue;
    // Checked once a parser wants the file, so a minified bundle nobody parses stays quiet.
    if (!line_checked) {
      line_checked = true;
      if (const auto overlong = overlong_line(text, limits.max_line_bytes)) {
        core::Diagnostic diagnostic = core::make_diagnostic(
            core::DiagCode::kLineLimit,
            "line " + std::to_string(overlong->first) + " is " + std::to_string(overlong->second) +
                " bytes long, more than the limit of " + std::to_string(limits.max_line_bytes) +
                " (--max-line-length); not parsed",
            core::SourceLoc{path, {overlong->first, 1, overlong->first, 1}});
        if (!claim.certain) diagnostic.level = core::DiagLevel::kWarning;
        diagnostic.notes.push_back("read as " + std::string(parser->id()));
        sink.report(std::move(diagnostic));
        return;
      }
    }
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
        if (claim.templated) {
          report_skipped_template(syntax_sink.take(), parser->id(), sink);
          keep_source = true;
        } else if (claim.certain) {
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

/// What one file adds to a scan, kept apart until the files are combined in path order.
struct FileOutcome {
  model::Graph graph;
  core::DiagnosticSink diagnostics;
  std::vector<report::Artifact> artifacts;
  std::optional<std::string> source;  ///< the text, when a parser recognised the file
};

/// Reads and parses one file; runs on any worker thread, touching nothing shared but the
/// provider (whose reads are thread-safe) and the immutable parser registry.
FileOutcome scan_file(discover::FileProvider& files, const discover::FileEntry& entry,
                      const core::Limits& limits) {
  FileOutcome outcome;
  std::optional<std::string> text = files.read(entry, outcome.diagnostics);
  if (text && text->size() > limits.max_file_bytes) {
    outcome.diagnostics.report(core::DiagCode::kFileTooLarge,
                               std::to_string(text->size()) + " bytes, more than the limit of " +
                                   std::to_string(limits.max_file_bytes) + " (--max-file-size)",
                               core::SourceLoc{entry.path, {}});
    text.reset();
  }
  if (!text) return outcome;
  bool keep_source = false;
  parse_file(entry.path, *text, limits, outcome.graph, outcome.diagnostics, outcome.artifacts,
             keep_source);
  if (keep_source) outcome.source = std::move(text);
  return outcome;
}

/// A file skipped for its size is only a warning, unless its path alone says it is a
/// configuration fermata reads (`.mcp.json`): then padding it past the limit would hide it
/// from the gate, so the skip is an error, which blocks like a file that does not parse.
void escalate_skipped_configuration(core::Diagnostic& diagnostic) {
  if (diagnostic.code != core::DiagCode::kFileTooLarge) return;
  for (const auto& parser : parsers::registry()) {
    if (parser->claims(diagnostic.loc.file, "").certain) {
      diagnostic.level = core::DiagLevel::kError;
      diagnostic.notes.push_back("read as " + std::string(parser->id()));
      return;
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
  std::vector<discover::FileEntry> entries = files.list(sink);
  // Providers apply the file bounds as they list and read; the pipeline repeats them so that
  // no provider (memory, git objects, one still to come) can hand the parsers unbounded input.
  if (entries.size() > options.limits.max_files) {
    sink.report(core::DiagCode::kFileLimit,
                "more than " + std::to_string(options.limits.max_files) +
                    " files (--max-files); this one and the rest were skipped",
                core::SourceLoc{entries[options.limits.max_files].path, {}});
    entries.resize(options.limits.max_files);
  }
  result.files_discovered = entries.size();
  const unsigned jobs = options.jobs == 0 ? core::default_jobs() : options.jobs;

  // Files are read and parsed on every core, each into its own graph and diagnostics; they
  // are combined below in path order, so entity ids, and with them every report, come out
  // byte for byte as in a sequential scan.
  std::vector<FileOutcome> outcomes(entries.size());
  std::mutex progress_mutex;
  size_t done = 0;
  core::parallel_for(entries.size(), jobs, [&](size_t i) {
    outcomes[i] = scan_file(files, entries[i], options.limits);
    if (options.progress) {
      const std::lock_guard<std::mutex> lock(progress_mutex);
      options.progress(++done, entries.size());
    }
  });
  for (size_t i = 0; i < outcomes.size(); ++i) {
    FileOutcome& outcome = outcomes[i];
    result.graph.merge(std::move(outcome.graph));
    for (auto& diagnostic : outcome.diagnostics.take()) sink.report(std::move(diagnostic));
    for (auto& artifact : outcome.artifacts) result.artifacts.push_back(std::move(artifact));
    if (outcome.source) result.sources->put(entries[i].path, std::move(*outcome.source));
    outcome = FileOutcome{};
  }
  outcomes = {};

  for (auto& secret : derive::derive_all(result.graph, secrets, &builtin_privilege_catalog(),
                                         &builtin_capability_catalog(), jobs)) {
    result.redactor.add_secret(std::move(secret));
  }
  for (auto& missing : link::link_topology(result.graph, options.topology)) {
    sink.report(core::DiagCode::kLinkUnresolved, missing.message, missing.loc);
  }
  derive::derive_reach(result.graph);
  result.findings = rules::evaluate(rules, result.graph, jobs);
  for (auto& finding : result.findings) {
    finding.message = result.redactor.redact(finding.message);
    for (auto& step : finding.evidence) step.message = result.redactor.redact(step.message);
  }
  std::sort(result.findings.begin(), result.findings.end(), rules::finding_less);
  result.diagnostics = sink.take();
  for (auto& diagnostic : result.diagnostics) escalate_skipped_configuration(diagnostic);
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
