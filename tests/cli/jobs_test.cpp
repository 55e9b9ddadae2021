// Parallel scans must not change a byte of any report: the same findings, diagnostics and
// ids in the same order with one thread or several (issue 9).
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "core/parallel.hpp"
#include "discover/working_tree.hpp"
#include "report/reporter.hpp"
#include "rules/rule_set.hpp"
#include "scan/scanner.hpp"

namespace fs = std::filesystem;
using fermata::testing::run_cli;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

/// GitLab's SAST report says when the scan ran; nothing else in any report may differ.
std::string without_timestamps(const std::string& text) {
  static const std::regex kTimestamp(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)");
  return std::regex_replace(text, kTimestamp, "<time>");
}

/// Scans `root` once with `jobs` threads, writing every report format into `dir`.
void scan_all_formats(const std::string& root, const std::string& jobs, const fs::path& dir) {
  fs::create_directories(dir);
  std::vector<std::string> args = {"scan",       root,        "--jobs", jobs,           "--today",
                                   "2025-01-01", "--fail-on", "none",   "--no-progress"};
  for (const auto& reporter : fermata::report::reporters()) {
    args.emplace_back("--format");
    args.emplace_back(reporter.name);
    args.emplace_back("--output");
    args.push_back((dir / reporter.name).string());
  }
  const auto run = run_cli(args);
  REQUIRE_MESSAGE(run.code == 0, run.err);
}

void check_same_reports(const std::string& root) {
  const fs::path dir = fs::temp_directory_path() / ("fermata-jobs-" + std::to_string(::getpid()));
  scan_all_formats(root, "1", dir / "sequential");
  scan_all_formats(root, "4", dir / "parallel");
  for (const auto& reporter : fermata::report::reporters()) {
    const std::string name(reporter.name);
    CAPTURE(name);
    const std::string sequential = slurp(dir / "sequential" / name);
    CHECK_FALSE(sequential.empty());
    CHECK(without_timestamps(sequential) == without_timestamps(slurp(dir / "parallel" / name)));
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace

TEST_CASE("every report is byte-identical with --jobs 1 and --jobs 4") {
  SUBCASE("the demo agent system") { check_same_reports("fixtures/demo"); }
  SUBCASE("every fixture at once: cross-file joins, hostile and malformed files") {
    check_same_reports("fixtures");
  }
  SUBCASE("the real corpus") {
    const fs::path corpus = fs::path(FERMATA_SHARED_DIR) / "corpus" / "real";
    REQUIRE_MESSAGE(fs::is_directory(corpus), "the shared corpus is missing: " << corpus.string());
    check_same_reports(corpus.string());
  }
}

TEST_CASE("progress counts every file once, in order, from a parallel scan") {
  fermata::discover::MemoryProvider files;
  for (int i = 0; i < 50; ++i) {
    files.add("dir" + std::to_string(i) + "/.mcp.json",
              R"({"mcpServers": {"s": {"command": "npx", "args": ["-y", "pkg"]}}})");
  }
  fermata::core::DiagnosticSink sink;
  fermata::rules::RuleSet rule_set;
  REQUIRE(rule_set.load_builtin(sink));
  const auto secrets = fermata::scan::builtin_secret_classifier(sink);
  fermata::scan::ScanOptions options;
  options.jobs = 4;
  std::vector<size_t> seen;
  options.progress = [&](size_t done, size_t total) {
    CHECK(total == 50);
    seen.push_back(done);
  };
  const auto result = fermata::scan::run_scan(files, rule_set, secrets, options);
  REQUIRE(seen.size() == 50);
  for (size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == i + 1);
  CHECK(result.artifacts.size() == 50);
}

TEST_CASE("parallel_for runs each index once and passes on a task's exception") {
  std::vector<std::atomic<int>> runs(1000);
  fermata::core::parallel_for(runs.size(), 4, [&](size_t i) { ++runs[i]; });
  for (const auto& count : runs) CHECK(count.load() == 1);

  CHECK_THROWS_AS(fermata::core::parallel_for(100, 4,
                                              [](size_t i) {
                                                if (i == 42) throw std::runtime_error("task 42");
                                              }),
                  std::runtime_error);
  size_t in_order = 0;
  fermata::core::parallel_for(10, 1, [&](size_t i) { CHECK(i == in_order++); });
  CHECK(in_order == 10);
}
