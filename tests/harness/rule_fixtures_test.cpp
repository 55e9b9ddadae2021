// The rule-fixture harness: every shipped rule has positive and negative cases under
// fixtures/rules/<rule-id>/, each a mini repository. A positive case lists its expected
// findings in expected.txt (the canonical one-line form, paths relative to the case);
// the case fails on any missing or extra line. A negative case has no expected.txt and must
// produce nothing. `TODO ` lines mark known gaps: they pass while absent and fail once
// found, so they get promoted. FERMATA_UPDATE_GOLDEN=1 rewrites expected.txt files.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "discover/working_tree.hpp"
#include "gate/config.hpp"
#include "report/reporter.hpp"
#include "rules/rule_set.hpp"
#include "scan/scanner.hpp"

namespace fs = std::filesystem;
using namespace fermata;

namespace {

std::vector<std::string> read_lines(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

struct CaseResult {
  std::vector<std::string> findings;
  std::vector<std::string> errors;
};

CaseResult run_case(const std::string& rule_id, const fs::path& dir,
                    const derive::SecretClassifier& secrets) {
  core::DiagnosticSink sink;
  rules::RuleSet rule_set;
  REQUIRE(rule_set.load_builtin(sink));
  rule_set.retain({rule_id});
  REQUIRE(rule_set.rules().size() == 1);
  discover::WalkOptions walk;
  walk.honour_gitignore = false;
  discover::WorkingTreeProvider files(dir, walk);
  // A case may declare agents and identities in its own .fermata.yaml, as a repository does.
  scan::ScanOptions options;
  const fs::path config_path = dir / ".fermata.yaml";
  if (fs::exists(config_path)) {
    std::ifstream in(config_path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    core::DiagnosticSink config_sink;
    auto config = gate::parse_config(config_path.generic_string(), text.str(), dir.generic_string(),
                                     config_sink);
    REQUIRE_MESSAGE(config.has_value(), config_path.string());
    options.topology = gate::topology_inputs(*config, ".fermata.yaml");
  }
  scan::ScanResult result = scan::run_scan(files, rule_set, secrets, options);
  CaseResult out;
  for (const auto& finding : result.findings)
    out.findings.push_back(report::canonical_line(finding));
  std::sort(out.findings.begin(), out.findings.end());
  for (const auto& diagnostic : result.diagnostics) {
    if (diagnostic.level != core::DiagLevel::kNote)
      out.errors.push_back(core::format_diagnostic(diagnostic));
  }
  return out;
}

}  // namespace

TEST_CASE("every shipped rule has positive and negative fixtures that hold") {
  const fs::path root = fs::path(FERMATA_SOURCE_DIR) / "fixtures" / "rules";
  core::DiagnosticSink sink;
  rules::RuleSet all;
  REQUIRE(all.load_builtin(sink));
  derive::SecretClassifier secrets = scan::builtin_secret_classifier(sink);
  REQUIRE_FALSE(sink.has_errors());
  const bool update = std::getenv("FERMATA_UPDATE_GOLDEN") != nullptr;

  std::set<std::string> rule_ids;
  for (const auto& rule : all.rules()) rule_ids.insert(rule.meta.id);
  for (const auto& entry : fs::directory_iterator(root)) {
    INFO("fixture folder " << entry.path().filename().string());
    CHECK_MESSAGE(rule_ids.count(entry.path().filename().string()) == 1,
                  "a fixture folder must be named after a shipped rule");
  }

  for (const auto& rule : all.rules()) {
    const std::string& id = rule.meta.id;
    const fs::path dir = root / id;
    INFO("rule " << id);
    REQUIRE_MESSAGE(fs::is_directory(dir), "no fixtures for rule " << id);
    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator(dir)) cases.push_back(entry.path());
    std::sort(cases.begin(), cases.end());
    int positives = 0;
    int negatives = 0;
    for (const auto& case_dir : cases) {
      const std::string name = case_dir.filename().string();
      INFO("case " << name);
      const bool positive = name.rfind("pos-", 0) == 0;
      REQUIRE_MESSAGE((positive || name.rfind("neg-", 0) == 0),
                      "case folders start with pos- or neg-");
      positive ? ++positives : ++negatives;
      const CaseResult result = run_case(id, case_dir, secrets);
      CHECK_MESSAGE(result.errors.empty(), "unexpected diagnostics: " << result.errors.front());
      const fs::path expected_file = case_dir / "expected.txt";
      if (!positive) {
        CHECK_MESSAGE(!fs::exists(expected_file), "a negative case has no expected.txt");
        CHECK_MESSAGE(result.findings.empty(),
                      "negative case reported: " << result.findings.front());
        continue;
      }
      if (update) {
        std::ofstream out(expected_file);
        for (const auto& line : result.findings) out << line << "\n";
      }
      REQUIRE_MESSAGE(fs::exists(expected_file), "a positive case needs expected.txt");
      std::vector<std::string> expected;
      std::vector<std::string> todo;
      for (auto& line : read_lines(expected_file)) {
        if (line.rfind("TODO ", 0) == 0) {
          todo.push_back(line.substr(5));
        } else {
          expected.push_back(line);
        }
      }
      std::sort(expected.begin(), expected.end());
      CHECK_MESSAGE(!expected.empty(), "a positive case expects at least one finding");
      for (const auto& line : expected) {
        CHECK_MESSAGE(std::count(result.findings.begin(), result.findings.end(), line) == 1,
                      "missing: " << line);
      }
      for (const auto& line : result.findings) {
        CHECK_MESSAGE(std::count(expected.begin(), expected.end(), line) == 1,
                      "unexpected: " << line);
      }
      for (const auto& line : todo) {
        CHECK_MESSAGE(std::count(result.findings.begin(), result.findings.end(), line) == 0,
                      "known gap now found, promote it: " << line);
      }
    }
    CHECK_MESSAGE(positives >= 1, "rule " << id << " has no positive case");
    CHECK_MESSAGE(negatives >= 1, "rule " << id << " has no negative case");
  }
}

TEST_CASE("shipped rule metadata is complete") {
  core::DiagnosticSink sink;
  rules::RuleSet all;
  REQUIRE(all.load_builtin(sink));
  CHECK(all.rules().size() >= 6);
  for (const auto& rule : all.rules()) {
    INFO("rule " << rule.meta.id);
    CHECK(!rule.meta.maestro.empty());
    CHECK(!rule.meta.owasp.empty());
    CHECK(!rule.meta.references.empty());
    CHECK(rule.meta.short_description().size() <= 1024);
    CHECK(rule.meta.source.file == "rules/" + rule.meta.source.file.substr(6));
  }
}
