// discover: the repository as git stores it — a revision's tree or the staging index —
// read from git objects through libgit2, with no checkout and no change to the working
// tree. Paths are relative to the scanned directory, as in the working-tree walk.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "discover/file_provider.hpp"
#include "discover/working_tree.hpp"

namespace fermata::discover {

class GitRepository {
 public:
  /// Opens the repository that contains `scan_root` (searching upwards). A path outside
  /// any repository is a git.not-a-repository diagnostic and nullopt.
  static std::unique_ptr<GitRepository> open(const std::string& scan_root,
                                             core::DiagnosticSink& sink);
  ~GitRepository();
  GitRepository(const GitRepository&) = delete;
  GitRepository& operator=(const GitRepository&) = delete;

  /// The commit to compare with for `--new-since REV`: the merge-base of REV and HEAD (for
  /// a pull request's base branch, the point where the branch left it), or REV itself when
  /// they share no history. Errors explain shallow clones and how to fetch what is missing.
  /// The repository has no commit yet (HEAD names a branch that does not exist).
  [[nodiscard]] bool head_unborn() const;
  std::optional<std::string> comparison_commit(const std::string& revision,
                                               core::DiagnosticSink& sink);

  /// A provider over the tree of `commit` (an object id in hex), honouring the tree's own
  /// .gitignore files and `options` as the working-tree walk does.
  std::unique_ptr<FileProvider> tree_files(const std::string& commit, const WalkOptions& options);
  /// A provider over the index: the content that the next commit will hold.
  std::unique_ptr<FileProvider> staged_files(const WalkOptions& options,
                                             core::DiagnosticSink& sink);

  /// Files renamed since `commit` (earlier path -> current path, relative to the scanned
  /// directory), comparing with the working tree or, when `staged`, with the index.
  std::map<std::string, std::string> renames_since(const std::string& commit, bool staged,
                                                   core::DiagnosticSink& sink);

  /// The scanned directory relative to the work tree ("" at the top, else "a/b/").
  [[nodiscard]] const std::string& prefix() const { return prefix_; }

 private:
  GitRepository() = default;
  struct Handle;
  std::unique_ptr<Handle> handle_;
  std::string prefix_;
};

}  // namespace fermata::discover
