// `fermata init`: what it writes is usable as written, and it never overwrites a file.
#include "cli/init.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli_runner.hpp"

namespace {

namespace fs = std::filesystem;
using fermata::testing::run_cli;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Scratch {
  fs::path root = fs::temp_directory_path() / ("fermata-init-" + std::to_string(::getpid()));
  Scratch() {
    fs::remove_all(root);
    fs::create_directories(root);
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
};

/// The first ```yaml block of a Markdown file.
std::string first_yaml_block(const std::string& markdown) {
  const std::string open = "```yaml\n";
  const size_t start = markdown.find(open);
  if (start == std::string::npos) return "";
  const size_t end = markdown.find("```", start + open.size());
  return markdown.substr(start + open.size(), end - start - open.size());
}

}  // namespace

TEST_CASE("init writes a configuration that loads, and nothing else by default") {
  Scratch scratch;
  const auto init = run_cli({"init", scratch.root.string()});
  CHECK(init.code == 0);
  CHECK(init.out.find("wrote    .fermata.yaml") != std::string::npos);
  CHECK(fs::exists(scratch.root / ".fermata.yaml"));
  CHECK(!fs::exists(scratch.root / ".github"));
  CHECK(!fs::exists(scratch.root / ".gitlab-ci.yml"));
  CHECK(!fs::exists(scratch.root / ".pre-commit-config.yaml"));
  // The written configuration is read by the scan without a single diagnostic.
  const auto scan = run_cli({"scan", scratch.root.string(), "--format", "json", "--no-progress"});
  CHECK(scan.code == 0);
  CHECK(scan.out.find("\"diagnostics\": []") != std::string::npos);
}

TEST_CASE("init --github --gitlab --pre-commit writes each integration, and never overwrites") {
  Scratch scratch;
  std::ofstream(scratch.root / ".gitlab-ci.yml") << "stages: [build]\n";
  const auto init =
      run_cli({"init", scratch.root.string(), "--github", "--gitlab", "--pre-commit"});
  CHECK(init.code == 0);
  CHECK(slurp(scratch.root / ".github/workflows/fermata.yml") ==
        fermata::cli::init_github_workflow_text());
  CHECK(slurp(scratch.root / ".pre-commit-config.yaml") ==
        fermata::cli::init_pre_commit_config_text());
  // An existing file is kept as it is, and the lines to merge into it are printed.
  CHECK(slurp(scratch.root / ".gitlab-ci.yml") == "stages: [build]\n");
  CHECK(init.out.find("kept     .gitlab-ci.yml") != std::string::npos);
  CHECK(init.out.find("integrations/gitlab/fermata.gitlab-ci.yml") != std::string::npos);

  std::ofstream(scratch.root / ".fermata.yaml") << "version: 1\nfail_on: critical\n";
  const auto again = run_cli({"init", scratch.root.string(), "--github", "--pre-commit"});
  CHECK(again.code == 0);
  CHECK(again.out.find("wrote") == std::string::npos);
  CHECK(slurp(scratch.root / ".fermata.yaml") == "version: 1\nfail_on: critical\n");
}

TEST_CASE("init refuses a root that is not a directory") {
  const auto init = run_cli({"init", "/nonexistent/fermata-init-root"});
  CHECK(init.code == 2);
  CHECK(init.err.find("is not a directory") != std::string::npos);
}

TEST_CASE("the workflow init writes is the one the action's README shows") {
  const std::string readme = slurp(fs::path(FERMATA_SOURCE_DIR) / "action/README.md");
  CHECK(first_yaml_block(readme) ==
        "# .github/workflows/fermata.yml\n" + fermata::cli::init_github_workflow_text());
}
