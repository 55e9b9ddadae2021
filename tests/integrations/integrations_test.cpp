// The integrations as users copy them: the pre-commit hook installed by Debian's pre-commit
// from this repository's .pre-commit-hooks.yaml, and the commands of the plain-shell,
// Jenkins and Azure Pipelines recipes, each run as written against scratch git
// repositories with an origin, a default branch holding an old finding, and a change.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Shell {
  int code = -1;
  std::string output;
};

std::string quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

/// Runs `command` with bash in `dir`, fermata's build directory first on PATH, standard
/// error folded into the output.
Shell run(const fs::path& dir, const std::string& command,
          const std::map<std::string, std::string>& env = {}) {
  std::string line = "cd " + quote(dir.string()) +
                     " && export PATH=" + quote(fs::path(FERMATA_BINARY).parent_path().string()) +
                     ":\"$PATH\"";
  for (const auto& [name, value] : env) line += " " + name + "=" + quote(value);
  line += " && ( " + command + " ) 2>&1";
  Shell result;
  FILE* pipe = popen(("bash -c " + quote(line)).c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  size_t count = 0;
  while ((count = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.output.append(buffer.data(), count);
  }
  const int status = pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const char* const kGitIdentity =
    "git config user.email ci@example.com && git config user.name CI && "
    "git config commit.gpgsign false";

// An old finding the default branch already has: it must never block a change.
const char* const kLegacyServer =
    R"({"mcpServers": {"legacy": {"url": "http://legacy.example.com/mcp"}}})";
// What the risky change adds: a second plain-http server.
const char* const kRiskyServers = R"({"mcpServers": {
  "legacy": {"url": "http://legacy.example.com/mcp"},
  "tickets": {"url": "http://tickets.example.com:8080/mcp"}
}})";

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(fs::temp_directory_path() / ("fermata-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// origin (bare) with `main` holding the legacy finding, and a clone at `work` on a branch
/// `change`; `change_text` is what the change writes to .mcp.json.
fs::path pull_request(const ScratchDir& scratch, const std::string& change_text) {
  const fs::path origin = scratch.path() / "origin.git";
  const fs::path work = scratch.path() / "work";
  REQUIRE(run(scratch.path(), "git init -q --bare -b main origin.git").code == 0);
  REQUIRE(run(scratch.path(), "git clone -q origin.git work").code == 0);
  write(work / ".mcp.json", kLegacyServer);
  REQUIRE(run(work, std::string(kGitIdentity) +
                        " && git checkout -q -b main && git add -A && git commit -qm legacy && "
                        "git push -q origin main && git checkout -q -b change")
              .code == 0);
  write(work / ".mcp.json", change_text);
  write(work / "README.md", "# a change\n");
  REQUIRE(run(work, "git add -A && git commit -qm change").code == 0);
  return work;
}

/// The SARIF a recipe wrote holds the change's finding, and its run says it ran.
void check_sarif(const fs::path& sarif, bool expect_new_finding) {
  REQUIRE(fs::exists(sarif));
  const auto report = nlohmann::json::parse(slurp(sarif));
  CHECK(report.at("version") == "2.1.0");
  bool tickets = false;
  for (const auto& result : report.at("runs").at(0).at("results")) {
    if (result.at("message").at("text").get<std::string>().find("'tickets'") != std::string::npos) {
      tickets = true;
    }
  }
  CHECK(tickets == expect_new_finding);
}

std::string source_file(const std::string& relative) {
  return slurp(fs::path(FERMATA_SOURCE_DIR) / relative);
}

}  // namespace

TEST_CASE("pre-commit installs the hook from this repository and blocks only a risky commit") {
  REQUIRE_MESSAGE(run(fs::temp_directory_path(), "command -v pre-commit").code == 0,
                  "Debian's pre-commit package is needed (scripts/setup.sh --test installs it)");
  ScratchDir scratch("pre-commit");
  // The hook repository holds this checkout's hook definition and entry point as committed
  // files, as pre-commit clones them from a `repo:` URL.
  const fs::path hooks = scratch.path() / "hooks";
  write(hooks / ".pre-commit-hooks.yaml", source_file(".pre-commit-hooks.yaml"));
  write(hooks / "integrations/pre-commit/fermata-hook.sh",
        source_file("integrations/pre-commit/fermata-hook.sh"));
  fs::permissions(hooks / "integrations/pre-commit/fermata-hook.sh", fs::perms::owner_exec,
                  fs::perm_options::add);
  REQUIRE(run(hooks, std::string("git init -q && ") + kGitIdentity +
                         " && git add -A && git commit -qm hooks")
              .code == 0);
  const std::string revision = run(hooks, "git rev-parse HEAD").output.substr(0, 40);

  const fs::path project = scratch.path() / "project";
  write(project / ".pre-commit-config.yaml", "repos:\n  - repo: " + hooks.string() + "\n    rev: " +
                                                 revision + "\n    hooks:\n      - id: fermata\n");
  const std::map<std::string, std::string> env = {
      {"PRE_COMMIT_HOME", (scratch.path() / "cache").string()}};
  REQUIRE(
      run(project, std::string("git init -q && ") + kGitIdentity + " && pre-commit install", env)
          .code == 0);

  write(project / ".mcp.json", kLegacyServer);
  write(project / "notes.txt", "not configuration\n");
  // The first commit of a repository adds everything, so the legacy server blocks it...
  const Shell first = run(project, "git add -A && git commit -qm first", env);
  CHECK(first.code != 0);
  CHECK(first.output.find("mcp-remote-server-insecure-transport") != std::string::npos);
  // ...until it is accepted with an inline suppression; JSON has no comments, so in config.
  write(project / ".fermata.yaml",
        "version: 1\nsuppressions:\n  - rule: mcp-remote-server-insecure-transport\n"
        "    path: .mcp.json\n    entity: legacy\n"
        "    reason: legacy server, migration tracked in OPS-12\n");
  const Shell accepted = run(project, "git add -A && git commit -qm first", env);
  INFO(accepted.output);
  CHECK(accepted.code == 0);

  // A commit that touches no configuration does not run the scan at all.
  write(project / "notes.txt", "still not configuration\n");
  const Shell unrelated = run(project, "git add -A && git commit -qm notes", env);
  CHECK(unrelated.code == 0);
  CHECK(unrelated.output.find("(no files to check)Skipped") != std::string::npos);

  // A clean change to a configuration passes.
  write(project / ".mcp.json",
        R"({"mcpServers": {"legacy": {"url": "http://legacy.example.com/mcp", "headers": {}}}})");
  const Shell clean = run(project, "git add -A && git commit -qm clean", env);
  INFO(clean.output);
  CHECK(clean.code == 0);
  CHECK(clean.output.find("Passed") != std::string::npos);

  // A risky one is refused, with the finding and its line shown.
  write(project / ".mcp.json", kRiskyServers);
  const Shell risky = run(project, "git add -A && git commit -qm risky", env);
  CHECK(risky.code != 0);
  CHECK(risky.output.find("Failed") != std::string::npos);
  CHECK(risky.output.find(".mcp.json:3:") != std::string::npos);
  CHECK(risky.output.find("'tickets'") != std::string::npos);
  CHECK(run(project, "git log --format=%s").output == "clean\nnotes\nfirst\n");

  // What is staged is what is judged: an unstaged fix does not let the risky content through.
  write(project / ".mcp.json", kLegacyServer);
  CHECK(run(project, "git commit -qm risky-staged", env).code != 0);
}

TEST_CASE("pre-commit: the README's local hook for an installed fermata works as written") {
  REQUIRE(run(fs::temp_directory_path(), "command -v pre-commit").code == 0);
  const std::string readme = source_file("README.md");
  const size_t local = readme.find("  - repo: local");
  REQUIRE(local != std::string::npos);
  const size_t start = readme.rfind("```yaml\n", local) + 8;
  const std::string config = readme.substr(start, readme.find("```", local) - start);
  ScratchDir scratch("pre-commit-local");
  const fs::path project = scratch.path() / "project";
  write(project / ".pre-commit-config.yaml", config);
  const std::map<std::string, std::string> env = {
      {"PRE_COMMIT_HOME", (scratch.path() / "cache").string()}};
  REQUIRE(
      run(project, std::string("git init -q && ") + kGitIdentity + " && pre-commit install", env)
          .code == 0);
  // Before the first commit, everything the commit adds is new.
  write(project / ".mcp.json", kRiskyServers);
  const Shell first = run(project, "git add -A && git commit -qm first", env);
  CHECK(first.code != 0);
  CHECK(first.output.find("everything is new") != std::string::npos);
  write(project / ".mcp.json", R"({"mcpServers": {}})");
  CHECK(run(project, "git add -A && git commit -qm first", env).code == 0);
  write(project / ".mcp.json", kRiskyServers);
  const Shell risky = run(project, "git add -A && git commit -qm risky", env);
  CHECK(risky.code != 0);
  CHECK(risky.output.find("'tickets'") != std::string::npos);
}

TEST_CASE("plain shell recipe: fails on what the change adds, keeps the SARIF report") {
  const std::string recipe = (fs::path(FERMATA_SOURCE_DIR) / "integrations/shell/fermata-ci.sh");
  {
    ScratchDir scratch("shell-risky");
    const fs::path work = pull_request(scratch, kRiskyServers);
    const Shell scan = run(work, "sh " + quote(recipe), {{"FERMATA_BASE", "origin/main"}});
    CHECK(scan.code == 1);
    CHECK(scan.output.find("'tickets'") != std::string::npos);
    check_sarif(work / "fermata.sarif", true);
  }
  {
    ScratchDir scratch("shell-clean");
    const fs::path work = pull_request(scratch, kLegacyServer);
    const Shell scan = run(work, "sh " + quote(recipe), {{"FERMATA_BASE", "origin/main"}});
    INFO(scan.output);
    CHECK(scan.code == 0);
    check_sarif(work / "fermata.sarif", false);
    // On the default branch (no base) every open finding counts.
    CHECK(run(work, "sh " + quote(recipe)).code == 1);
  }
}

TEST_CASE("Jenkins recipe: the pipeline's scan command runs as written") {
  const std::string jenkinsfile = source_file("integrations/jenkins/Jenkinsfile");
  const size_t start = jenkinsfile.find("sh '");
  REQUIRE(start != std::string::npos);
  const size_t end = jenkinsfile.find("'\n", start + 4);
  const std::string command = jenkinsfile.substr(start + 4, end - start - 4);
  CHECK(jenkinsfile.find("sarif(pattern: 'fermata.sarif'") != std::string::npos);
  {
    ScratchDir scratch("jenkins-risky");
    const fs::path work = pull_request(scratch, kRiskyServers);
    CHECK(run(work, command, {{"CHANGE_TARGET", "main"}}).code == 1);
    check_sarif(work / "fermata.sarif", true);
  }
  {
    ScratchDir scratch("jenkins-clean");
    const fs::path work = pull_request(scratch, kLegacyServer);
    CHECK(run(work, command, {{"CHANGE_TARGET", "main"}}).code == 0);
    check_sarif(work / "fermata.sarif", false);
  }
}

TEST_CASE("Azure Pipelines recipe: the scan step runs as written and publishes CodeAnalysisLogs") {
  const YAML::Node pipeline =
      YAML::LoadFile((fs::path(FERMATA_SOURCE_DIR) / "integrations/azure/azure-pipelines.yml"));
  std::string script;
  std::string published;
  for (const auto& step : pipeline["steps"]) {
    if (step["displayName"] && step["displayName"].as<std::string>() == "fermata scan") {
      script = step["script"].as<std::string>();
    }
    if (step["task"] && step["task"].as<std::string>() == "PublishBuildArtifacts@1") {
      CHECK(step["inputs"]["ArtifactName"].as<std::string>() == "CodeAnalysisLogs");
      CHECK(step["condition"].as<std::string>() == "succeededOrFailed()");
      published = step["inputs"]["PathtoPublish"].as<std::string>();
    }
  }
  REQUIRE(!script.empty());
  REQUIRE(!published.empty());
  const std::map<std::string, std::string> pull_request_build = {
      {"SYSTEM_PULLREQUEST_TARGETBRANCH", "refs/heads/main"}};
  {
    ScratchDir scratch("azure-risky");
    const fs::path work = pull_request(scratch, kRiskyServers);
    CHECK(run(work, script, pull_request_build).code == 1);
    check_sarif(work / published / "fermata.sarif", true);
  }
  {
    ScratchDir scratch("azure-clean");
    const fs::path work = pull_request(scratch, kLegacyServer);
    CHECK(run(work, script, pull_request_build).code == 0);
    check_sarif(work / published / "fermata.sarif", false);
  }
}
