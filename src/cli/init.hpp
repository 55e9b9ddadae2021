// cli: `fermata init` — the files a repository needs to start using fermata: a commented
// configuration, and on request the GitHub workflow, the GitLab include or the pre-commit
// hook entry. It never overwrites a file: what it cannot write, it prints for the user to
// merge by hand.
#pragma once

#include <iosfwd>
#include <string>

namespace fermata::cli {

struct InitOptions {
  std::string root = ".";
  bool github = false;
  bool gitlab = false;
  bool pre_commit = false;
};

/// Writes the files; returns 0, or 2 when the root is missing or a file cannot be written.
int run_init(const InitOptions& options, std::ostream& out, std::ostream& err);

/// The text of each file `fermata init` writes (paths relative to the root), for tests and
/// for the documentation that shows them.
std::string init_config_text();
std::string init_github_workflow_text();
std::string init_gitlab_ci_text();
std::string init_pre_commit_config_text();

}  // namespace fermata::cli
