// core: resource bounds applied to hostile input. Each has a safe default and is
// configurable; exceeding one is a diagnostic naming the file, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fermata::core {

/// The deepest nesting a user may allow. The readers keep their own stacks, but yaml-cpp
/// recurses per level (and stops at 500 on its own) and a Node tree is freed recursively, so
/// depth costs call stack; 1000 levels stay far inside any thread's stack, sanitizers included.
inline constexpr uint32_t kMaxDepthCeiling = 1000;

struct Limits {
  uint64_t max_file_bytes = 8ULL * 1024 * 1024;  ///< larger files are skipped
  uint32_t max_depth = 200;                      ///< JSON/YAML/TOML nesting
  uint64_t max_nodes = 2'000'000;                ///< values per file (bounds alias expansion)
  uint32_t max_documents = 10'000;               ///< YAML documents per file
  uint64_t max_files = 1'000'000;                ///< files per scan
  /// Longest line, in bytes, of a file a parser claims; such a file is skipped. Configuration
  /// lines run to a few hundred bytes (the longest in the shared real-world corpus is 22 KiB,
  /// an embedded dashboard), and per-line work (snippets, line hashes, masking, columns)
  /// scales with line length, so 1 MiB leaves ample room while bounding that work.
  uint64_t max_line_bytes = 1ULL << 20U;
};

}  // namespace fermata::core
