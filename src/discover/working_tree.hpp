// discover: the working tree under a root directory, as git would see it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "discover/file_provider.hpp"

namespace fermata::discover {

struct WalkOptions {
  core::Limits limits;
  bool honour_gitignore = true;            ///< .gitignore files at every level, .git/info/exclude
  std::vector<std::string> extra_ignores;  ///< gitignore-syntax patterns from fermata's config
};

/// Walks `root`: skips `.git/`; honours .gitignore; follows a symlink only when its target
/// stays inside the root (and never loops); files above max_file_bytes become a
/// discover.file-too-large diagnostic; more than max_files stops with discover.file-limit.
/// A root that is a single file lists just that file (path = its file name).
class WorkingTreeProvider final : public FileProvider {
 public:
  WorkingTreeProvider(std::filesystem::path root, WalkOptions options);
  std::vector<FileEntry> list(core::DiagnosticSink& sink) override;
  std::optional<std::string> read(const FileEntry& entry, core::DiagnosticSink& sink) override;

 private:
  std::filesystem::path root_;
  std::filesystem::path canonical_root_;  ///< resolved once by list(), read by every read()
  WalkOptions options_;
  bool root_is_file_ = false;
};

/// Files held in memory (tests, fuzzers, later git objects).
class MemoryProvider final : public FileProvider {
 public:
  void add(std::string path, std::string content);
  std::vector<FileEntry> list(core::DiagnosticSink& sink) override;
  std::optional<std::string> read(const FileEntry& entry, core::DiagnosticSink& sink) override;

 private:
  std::vector<std::pair<std::string, std::string>> files_;
};

}  // namespace fermata::discover
