// bench: synthetic monorepos for the benchmark — Kubernetes services, agents with MCP client
// configurations, AWS IAM, and the ordinary source files around them. Deterministic: the
// same size and seed give the same bytes, so runs on different days compare.
#pragma once

#include <cstdint>
#include <filesystem>

namespace fermata::bench {

/// What a generated repository holds, by family, for the benchmark's report.
struct RepoStats {
  uint64_t files = 0;
  uint64_t bytes = 0;
  uint64_t kubernetes = 0;  ///< manifests (each a multi-document YAML file)
  uint64_t mcp = 0;         ///< .mcp.json, .cursor/mcp.json, .vscode/mcp.json
  uint64_t iam = 0;         ///< AWS policy documents and CloudFormation templates
  uint64_t other = 0;       ///< source, docs, JSON and YAML that configure nothing fermata reads
};

/// Writes exactly `file_count` files under `root` (created; must not exist yet).
RepoStats generate_repository(const std::filesystem::path& root, uint64_t file_count,
                              uint64_t seed);

}  // namespace fermata::bench
