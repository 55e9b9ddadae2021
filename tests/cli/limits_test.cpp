// Every bound on hostile input, set from the command line: exceeding it is a diagnostic that
// names the file (and the line, where there is one) in the report, the other files are still
// scanned, and nothing crashes or waits without end. The defaults are exercised on inputs far
// past them (deep nesting, alias bombs) by the reader tests and the fuzz corpora.
#include "core/limits.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "discover/working_tree.hpp"
#include "rules/rule_set.hpp"
#include "scan/scanner.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kHealthy =
    "{\"mcpServers\": {\"t\": {\"url\": \"http://tickets.example.com/mcp\"}}}\n";

class Repo {
 public:
  Repo() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("fermata-limits-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path_);
    write("a-healthy/.mcp.json", kHealthy);
  }
  ~Repo() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  Repo(const Repo&) = delete;
  Repo& operator=(const Repo&) = delete;

  void write(const std::string& rel, const std::string& bytes) const {
    fs::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel, std::ios::binary) << bytes;
  }
  [[nodiscard]] std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

struct Result {
  int code = -1;
  json report;
  std::string err;
};

Result scan(const Repo& repo, std::vector<std::string> flags) {
  std::vector<std::string> args = {"fermata", "scan", repo.path(), "--no-progress", "-f", "json"};
  args.insert(args.end(), flags.begin(), flags.end());
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out;
  std::ostringstream err;
  Result result;
  result.code = fermata::cli::run(static_cast<int>(argv.size()), argv.data(), out, err, {});
  result.err = err.str();
  if (result.code != 2) result.report = json::parse(out.str());
  return result;
}

const json* diagnostic(const Result& result, const std::string& code) {
  for (const auto& item : result.report.at("diagnostics")) {
    if (item.at("code") == code) return &item;
  }
  return nullptr;
}

/// The healthy file beside the oversized one was still parsed and judged.
bool healthy_scanned(const Result& result) {
  for (const auto& finding : result.report.at("findings")) {
    if (finding.at("location").at("file") == "a-healthy/.mcp.json") return true;
  }
  return false;
}

void check_bound(const Result& result, const std::string& code, const std::string& file, int line) {
  CHECK(result.code == 1);
  const json* found = diagnostic(result, code);
  REQUIRE_MESSAGE(found != nullptr, "no " << code << " diagnostic");
  CHECK(found->at("location").at("file") == file);
  CHECK(found->at("location").at("line") == line);
  CHECK_FALSE(found->at("message").get<std::string>().empty());
  CHECK(healthy_scanned(result));
}

}  // namespace

TEST_CASE("bounds: --max-file-size skips a larger file with a diagnostic") {
  Repo repo;
  repo.write("big/.mcp.json", kHealthy + std::string(300, ' '));
  repo.write("big/notes.txt", std::string(300, 'n'));
  const Result result = scan(repo, {"--max-file-size", "200"});
  std::map<std::string, std::string> levels;
  for (const auto& item : result.report.at("diagnostics")) {
    if (item.at("code") == "discover.file-too-large") {
      levels[item.at("location").at("file")] = item.at("level");
    }
  }
  // Padding a configuration past the limit must not hide it from the gate: a file whose
  // path names a configuration fermata reads is an error; any other file, a warning.
  CHECK(levels["big/.mcp.json"] == "error");
  CHECK(levels["big/notes.txt"] == "warning");
  CHECK(healthy_scanned(result));
  CHECK(scan(repo, {"--max-file-size", "200", "--fail-on", "critical"}).code == 1);
}

TEST_CASE("bounds: --max-depth refuses deeper nesting, at the bracket that goes too deep") {
  Repo repo;
  repo.write("deep/.mcp.json", "{\"mcpServers\": {\"a\": {\"args\": [\n[[[1]]]]}}}\n");
  check_bound(scan(repo, {"--max-depth", "5"}), "parse.depth-limit", "deep/.mcp.json", 2);
  // Far past the default: an error, not a stack overflow.
  repo.write("deep/.mcp.json", std::string(100000, '[') + std::string(100000, ']'));
  check_bound(scan(repo, {}), "parse.depth-limit", "deep/.mcp.json", 1);
}

TEST_CASE("bounds: --max-depth has a ceiling that keeps it a bound") {
  Repo repo;
  CHECK(scan(repo, {"--max-depth", std::to_string(fermata::core::kMaxDepthCeiling)}).code == 1);
  CHECK(scan(repo, {"--max-depth", std::to_string(fermata::core::kMaxDepthCeiling + 1)}).code == 2);
  CHECK(scan(repo, {"--max-depth", "0"}).code == 2);
}

TEST_CASE("bounds: --max-nodes refuses a file with more values") {
  Repo repo;
  repo.write("many/.mcp.json", "{\"mcpServers\": {\n\"a\": {\"args\": [1, 2, 3, 4, 5, 6]}}}\n");
  check_bound(scan(repo, {"--max-nodes", "6"}), "parse.node-limit", "many/.mcp.json", 2);
}

TEST_CASE("bounds: --max-files stops the listing with a diagnostic") {
  Repo repo;
  repo.write("b/.mcp.json", kHealthy);
  repo.write("c/.mcp.json", kHealthy);
  const Result result = scan(repo, {"--max-files", "2"});
  const json* found = diagnostic(result, "discover.file-limit");
  REQUIRE(found != nullptr);
  CHECK(healthy_scanned(result));
  CHECK(result.report.at("scan").at("files_discovered") == 2);
}

TEST_CASE("bounds: --max-line-length skips a file with a longer line, naming the line") {
  Repo repo;
  repo.write("long/.mcp.json",
             "{\"mcpServers\": {\n\"a\": {\"command\": \"" + std::string(100, 'x') + "\"}}}\n");
  check_bound(scan(repo, {"--max-line-length", "64"}), "parse.line-limit", "long/.mcp.json", 2);
  // A file no parser claims is not read for its lines: a minified bundle stays quiet.
  Repo quiet;
  quiet.write("dist/app.min.js", std::string(200, 'x'));
  const Result result = scan(quiet, {"--max-line-length", "64"});
  CHECK(result.code == 1);
  CHECK(result.report.at("diagnostics").empty());
}

TEST_CASE("bounds: --max-documents is accepted and reaches the YAML reader") {
  // No YAML format is registered through the CLI yet, so the pipeline is driven directly
  // with a limit on documents; once a YAML format lands, test it through a scan as above.
  Repo repo;
  CHECK(scan(repo, {"--max-documents", "3"}).code == 1);
  CHECK(scan(repo, {"--max-documents", "0"}).code == 2);
}

TEST_CASE("bounds: the pipeline repeats the file bounds for providers that do not apply them") {
  fermata::discover::MemoryProvider files;
  files.add("a/.mcp.json", kHealthy);
  files.add("b/.mcp.json", kHealthy + std::string(100, ' '));
  files.add("c/.mcp.json", kHealthy);
  fermata::core::DiagnosticSink sink;
  fermata::rules::RuleSet rule_set;
  REQUIRE(rule_set.load_builtin(sink));
  const auto secrets = fermata::scan::builtin_secret_classifier(sink);
  fermata::scan::ScanOptions options;
  options.limits.max_file_bytes = 100;
  options.limits.max_files = 2;
  const auto result = fermata::scan::run_scan(files, rule_set, secrets, options);
  REQUIRE(result.diagnostics.size() == 2);
  CHECK(fermata::core::code_name(result.diagnostics[0].code) == "discover.file-too-large");
  CHECK(result.diagnostics[0].loc.file == "b/.mcp.json");
  CHECK(fermata::core::code_name(result.diagnostics[1].code) == "discover.file-limit");
  CHECK(result.diagnostics[1].loc.file == "c/.mcp.json");
  CHECK(result.files_discovered == 2);
}

TEST_CASE("bounds: a rule directory cannot read files elsewhere nor without bound") {
  // A pull request may bring the rule directory CI passes to --rules: a link in it to a file
  // of the runner (credentials) or a huge file is refused, and refusing is fatal (exit 2).
  Repo outside;
  outside.write("credentials.yaml", "id: not-a-rule\n");
  Repo rules;
  fs::create_symlink(fs::path(outside.path()) / "credentials.yaml",
                     fs::path(rules.path()) / "mcp-linked.yaml");
  Repo scanned;
  auto run = [&](const std::string& dir) {
    std::vector<std::string> args = {"fermata",       "scan",    scanned.path(),
                                     "--no-progress", "--rules", dir};
    std::vector<const char*> argv;
    for (const auto& arg : args) argv.push_back(arg.c_str());
    std::ostringstream out;
    std::ostringstream err;
    const int code = fermata::cli::run(static_cast<int>(argv.size()), argv.data(), out, err, {});
    return std::make_pair(code, err.str());
  };
  const auto linked = run(rules.path());
  CHECK(linked.first == 2);
  CHECK(linked.second.find("symbolic link out of its rule directory") != std::string::npos);

  Repo big;
  big.write("mcp-big.yaml", "id: mcp-big\n" + std::string(2U << 20U, '#'));
  const auto huge = run(big.path());
  CHECK(huge.first == 2);
  CHECK(huge.second.find("rule file larger than 1 MiB") != std::string::npos);
}
