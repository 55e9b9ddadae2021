// fermata must read every real configuration file in the shared corpus without a crash or
// a spurious diagnostic: each file is parsed or, if no parser claims it, left alone.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "discover/working_tree.hpp"
#include "rules/rule_set.hpp"
#include "scan/scanner.hpp"

namespace fs = std::filesystem;
using namespace fermata;

namespace {

/// local_path -> format, from SOURCES.tsv.
std::map<std::string, std::string> corpus_formats(const fs::path& corpus) {
  std::map<std::string, std::string> formats;
  std::ifstream in(corpus / "SOURCES.tsv");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    std::string cell;
    while (std::getline(row, cell, '\t')) cells.push_back(cell);
    if (cells.size() >= 6) formats[cells[0]] = cells[5];
  }
  return formats;
}

bool mcp_client_format(const std::string& format) {
  return format.rfind("mcp-", 0) == 0 && format != "mcp-registry";
}

}  // namespace

TEST_CASE("the real corpus scans without a crash or a spurious diagnostic") {
  const fs::path corpus = fs::path(FERMATA_SHARED_DIR) / "corpus";
  REQUIRE_MESSAGE(fs::is_directory(corpus / "real"),
                  "the shared corpus is missing: " << corpus.string());
  core::DiagnosticSink sink;
  rules::RuleSet rule_set;
  REQUIRE(rule_set.load_builtin(sink));
  derive::SecretClassifier secrets = scan::builtin_secret_classifier(sink);
  discover::WalkOptions walk;
  walk.honour_gitignore = false;
  discover::WorkingTreeProvider files(corpus, walk);
  scan::ScanResult result = scan::run_scan(files, rule_set, secrets, {});

  for (const auto& diagnostic : result.diagnostics) {
    FAIL_CHECK("spurious diagnostic: " << core::format_diagnostic(diagnostic));
  }
  std::set<std::string> parsed;
  for (const auto& artifact : result.artifacts) {
    if (artifact.format == "mcp-client-config") parsed.insert(artifact.path);
  }

  // Every MCP client configuration is recognised, wherever it sits; the one exception is a
  // documentation file that nests example configurations under other keys.
  const std::set<std::string> not_a_config = {
      "real/skymoore__perplexica-mcp-open-webui/config/mcp-config-examples.json"};
  size_t clients = 0;
  for (const auto& [path, format] : corpus_formats(corpus)) {
    if (!mcp_client_format(format) && format != "gemini-settings" && format != "gemini-extension")
      continue;
    if (not_a_config.count(path) != 0) {
      CHECK_MESSAGE(parsed.count(path) == 0, path);
      continue;
    }
    ++clients;
    CHECK_MESSAGE(parsed.count(path) == 1, "not recognised as an MCP client config: " << path);
  }
  CHECK(clients >= 60);
  // No other format is mistaken for an MCP client config.
  for (const auto& path : parsed) {
    const auto format = corpus_formats(corpus)[path];
    CHECK_MESSAGE((mcp_client_format(format) || format.rfind("gemini", 0) == 0 ||
                   format == "claude-code-settings"),
                  path << " (" << format << ") was read as an MCP client config");
  }
  MESSAGE("corpus: " << result.files_discovered << " files, " << parsed.size()
                     << " MCP client configs, " << result.findings.size() << " findings");
}
