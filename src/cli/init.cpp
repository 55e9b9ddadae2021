#include "cli/init.hpp"

#include <filesystem>
#include <fstream>
#include <ostream>
#include <string_view>
#include <system_error>
#include <vector>

#ifndef FERMATA_VERSION
#define FERMATA_VERSION "0.0.0"
#endif

namespace fermata::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kRepository = "https://github.com/fermata-dev/fermata";

struct PlannedFile {
  std::string path;  ///< relative to the root
  std::string text;
  /// When the file exists: what to merge into it by hand.
  std::string merge_hint;
};

bool write_new_file(const fs::path& path, const std::string& text, std::ostream& err) {
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  if (error) {
    err << "fermata: cannot create " << path.parent_path().string() << ": " << error.message()
        << "\n";
    return false;
  }
  std::ofstream file(path, std::ios::binary);
  file << text;
  file.close();
  if (!file) {
    err << "fermata: cannot write " << path.string() << "\n";
    return false;
  }
  return true;
}

}  // namespace

std::string init_config_text() {
  return R"(# fermata configuration (docs/configuration.md in the fermata repository).
# Every key is optional; a misspelt key or an unknown rule id is an error, never ignored.
version: 1

# Lowest severity that fails the build: critical | high | medium | low | none.
fail_on: high

# rules:
#   disable:                      # rules that never run here
#     - mcp-remote-server-without-auth
#   severity:                     # severity overrides, by rule id
#     mcp-server-unpinned-package: high
#   directories:                  # your own rules, relative to this file
#     - policy/rules

# ignore_paths:                   # gitignore syntax, relative to this directory
#   - examples/

# baseline: .fermata-baseline.json   # `fermata baseline create . -o .fermata-baseline.json`

# Accepted findings in files that cannot hold a comment (JSON). In YAML or TOML, write
# `# fermata:ignore RULE-ID reason` on the line instead.
# suppressions:
#   - rule: mcp-remote-server-insecure-transport
#     path: .vscode/mcp.json      # gitignore-style glob
#     entity: lab                 # the server or agent name
#     reason: The lab server is only reachable on the isolated test network
#     until: 2027-03-31           # reported again after this day

# What each agent is meant to be allowed; the topology rules report drift from it.
# agents:
#   helpdesk:
#     autonomy: semi-autonomous   # limited | semi-autonomous | fully-autonomous
#     tools: [tickets, search]
#     data_scopes: [tickets]
#     spending_cap: {amount: 100, currency: USD, period: day}
)";
}

std::string init_github_workflow_text() {
  return R"(# fermata: fails a pull request that adds high-risk threats to agent, MCP, Kubernetes or
# IAM configuration, with annotations on the changed lines and a job summary.
name: fermata
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
  security-events: write # for the SARIF upload to code scanning; drop with the last step
jobs:
  fermata:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0 # --new-since needs the pull request's base in the history
      - uses: fermata-dev/fermata/action@v1
        id: fermata
      # Without code scanning (a private repository without GitHub Advanced Security),
      # remove this step: the annotations and the job summary still show every finding.
      - uses: github/codeql-action/upload-sarif@v3
        if: always()
        with:
          sarif_file: ${{ steps.fermata.outputs.sarif-file }}
          category: fermata
)";
}

std::string init_gitlab_ci_text() {
  return R"(# fermata: a merge-request job with Code Quality and SAST reports; it fails only on
# high-risk findings the merge request adds. Variables: FERMATA_PATH, FERMATA_FAIL_ON.
include:
  - remote: https://raw.githubusercontent.com/fermata-dev/fermata/v1/integrations/gitlab/fermata.gitlab-ci.yml
)";
}

std::string init_pre_commit_config_text() {
  return std::string(R"(# pre-commit (https://pre-commit.com): `pre-commit install` once per clone.
repos:
  - repo: )") +
         std::string(kRepository) + R"(
    rev: v)" FERMATA_VERSION R"( # a release tag or commit of fermata
    hooks:
      - id: fermata
        # args: [--fail-on, critical]
)";
}

int run_init(const InitOptions& options, std::ostream& out, std::ostream& err) {
  const fs::path root(options.root);
  std::error_code error;
  if (!fs::is_directory(root, error)) {
    err << "fermata: " << options.root << " is not a directory\n";
    return 2;
  }
  std::vector<PlannedFile> files;
  files.push_back({".fermata.yaml", init_config_text(), ""});
  if (options.github) {
    files.push_back({".github/workflows/fermata.yml", init_github_workflow_text(),
                     "a workflow of that name exists; compare it with the one in the fermata "
                     "repository's action/README.md"});
  }
  if (options.gitlab) {
    files.push_back({".gitlab-ci.yml", init_gitlab_ci_text(),
                     "add this to its `include:` list:\n  - remote: "
                     "https://raw.githubusercontent.com/fermata-dev/fermata/v1/integrations/"
                     "gitlab/fermata.gitlab-ci.yml"});
  }
  if (options.pre_commit) {
    files.push_back({".pre-commit-config.yaml", init_pre_commit_config_text(),
                     "add this to its `repos:` list:\n  - repo: " + std::string(kRepository) +
                         "\n    rev: v" FERMATA_VERSION "\n    hooks:\n      - id: fermata"});
  }
  bool failed = false;
  for (const auto& file : files) {
    const fs::path path = root / file.path;
    if (fs::exists(fs::symlink_status(path, error))) {
      out << "kept     " << file.path << " (exists, not overwritten)";
      if (!file.merge_hint.empty()) out << ": " << file.merge_hint;
      out << "\n";
      continue;
    }
    if (write_new_file(path, file.text, err)) {
      out << "wrote    " << file.path << "\n";
    } else {
      failed = true;
    }
  }
  if (!failed) {
    out << "next     fermata scan " << options.root
        << "   # then commit the files; docs/configuration.md explains every key\n";
  }
  return failed ? 2 : 0;
}

}  // namespace fermata::cli
