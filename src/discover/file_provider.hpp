// discover: which files a scan reads, and their bytes. The only module that touches the
// filesystem (and, later, libgit2), so tests and fuzzers hand the pipeline memory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"

namespace fermata::discover {

struct FileEntry {
  std::string path;  ///< relative to the scanned root, '/'-separated, never "./"-prefixed
  uint64_t size = 0;
};

class FileProvider {
 public:
  virtual ~FileProvider() = default;
  /// Every candidate file, sorted by path. Problems (unreadable directory, file over the
  /// size limit, symlink leaving the root, too many files) are diagnostics, not failures.
  virtual std::vector<FileEntry> list(core::DiagnosticSink& sink) = 0;
  /// The file's bytes; nullopt plus a diagnostic when it cannot be read. Called from several
  /// threads at once (for different entries) once list() has returned.
  virtual std::optional<std::string> read(const FileEntry& entry, core::DiagnosticSink& sink) = 0;
};

}  // namespace fermata::discover
