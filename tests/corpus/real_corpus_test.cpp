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
    // A reference to something a repository does not define (a Service deployed elsewhere)
    // is information about the picture, not a problem with the file.
    if (diagnostic.code == core::DiagCode::kLinkUnresolved) continue;
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

  // Every Kubernetes manifest is recognised, CRDs and kinds fermata does not model included
  // (silently); the Kubernetes reader claims nothing else but the agent platforms' custom
  // resources, which are Kubernetes objects too, and KICS's samples.
  std::set<std::string> manifests;
  for (const auto& artifact : result.artifacts) {
    if (artifact.format == "k8s-manifest") manifests.insert(artifact.path);
  }
  auto formats = corpus_formats(corpus);
  size_t k8s = 0;
  for (const auto& [path, format] : formats) {
    if (format != "k8s") continue;
    ++k8s;
    CHECK_MESSAGE(manifests.count(path) == 1, "not recognised as a Kubernetes manifest: " << path);
  }
  CHECK(k8s >= 80);
  for (const auto& path : manifests) {
    if (path.rfind("peers/kics/", 0) == 0) continue;
    const auto& format = formats[path];
    CHECK_MESSAGE(
        (format == "k8s" || format == "kagent" || format == "kmcp" || format == "toolhive"),
        path << " (" << format << ") was read as a Kubernetes manifest");
  }

  // Every AWS IAM policy document is recognised; the cloud IAM readers claim nothing else
  // outside KICS's CloudFormation samples.
  std::set<std::string> policies;
  for (const auto& artifact : result.artifacts) {
    const bool iam = artifact.format == "aws-iam-policy" || artifact.format == "cloudformation" ||
                     artifact.format == "terraform-plan" || artifact.format == "gcp-iam-policy" ||
                     artifact.format == "azure-role-definition";
    if (!iam || artifact.path.rfind("peers/kics/", 0) == 0) continue;
    CHECK_MESSAGE(
        formats[artifact.path] == "iam-policy",
        artifact.path << " (" << formats[artifact.path] << ") was read as " << artifact.format);
    if (artifact.format == "aws-iam-policy") policies.insert(artifact.path);
  }
  size_t iam = 0;
  for (const auto& [path, format] : formats) {
    if (format != "iam-policy") continue;
    ++iam;
    CHECK_MESSAGE(policies.count(path) == 1, "not recognised as an AWS IAM policy: " << path);
  }
  CHECK(iam >= 50);
  MESSAGE("corpus: " << result.files_discovered << " files, " << parsed.size()
                     << " MCP client configs, " << manifests.size() << " Kubernetes manifests, "
                     << policies.size() << " IAM policies, " << result.findings.size()
                     << " findings");
}
