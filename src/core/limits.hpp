// core: resource bounds applied to hostile input. Each has a safe default and is
// configurable; exceeding one is a diagnostic naming the file, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fermata::core {

struct Limits {
  uint64_t max_file_bytes = 8ULL * 1024 * 1024;  ///< larger files are skipped
  uint32_t max_depth = 200;                      ///< JSON/YAML/TOML nesting
  uint64_t max_nodes = 2'000'000;                ///< values per file (bounds alias expansion)
  uint32_t max_documents = 10'000;               ///< YAML documents per file
  uint64_t max_files = 1'000'000;                ///< files per scan
};

}  // namespace fermata::core
