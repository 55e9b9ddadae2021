// Conformance with KICS's public test cases (../shared/corpus/peers/kics): for every KICS
// query with a fermata counterpart (kics-map.tsv), fermata runs only that rule on each
// sample file alone and must flag every line KICS expects in the positive samples and
// nothing in the negative ones. Where fermata deliberately differs, the difference is listed
// with its reason in docs/kics-conformance.md; this test accepts exactly those: a new
// divergence fails, and so does a listed one that no longer happens, until it is removed.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "discover/file_provider.hpp"
#include "rules/rule_set.hpp"
#include "scan/scanner.hpp"

namespace fs = std::filesystem;
using namespace fermata;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

/// One sample file handed to the pipeline on its own, as if it were the whole repository.
class OneFile final : public discover::FileProvider {
 public:
  OneFile(std::string name, std::string text) : name_(std::move(name)), text_(std::move(text)) {}
  std::vector<discover::FileEntry> list(core::DiagnosticSink& /*sink*/) override {
    return {{name_, text_.size()}};
  }
  std::optional<std::string> read(const discover::FileEntry& /*entry*/,
                                  core::DiagnosticSink& /*sink*/) override {
    return text_;
  }

 private:
  std::string name_;
  std::string text_;
};

struct Mapping {
  std::string platform;
  std::string query;
  std::string rule;
};

std::vector<Mapping> read_map(const fs::path& file) {
  std::vector<Mapping> out;
  std::ifstream in(file);
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::stringstream row(line);
    Mapping m;
    std::getline(row, m.platform, '\t');
    std::getline(row, m.query, '\t');
    std::getline(row, m.rule, '\t');
    out.push_back(m);
  }
  return out;
}

/// "query|file:line|missed" (an expected line fermata does not flag) or
/// "query|file:line|flagged" (a finding in a negative sample).
using Divergence = std::string;

/// The divergences docs/kics-conformance.md lists: rows of its "Divergences" table whose
/// first three cells are `query`, `file:line` and missed|flagged.
std::set<Divergence> listed_divergences(const fs::path& doc) {
  std::set<Divergence> out;
  std::ifstream in(doc);
  std::string line;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## Divergences";
    if (!in_section || line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream row(line.substr(1));
    std::string cell;
    while (std::getline(row, cell, '|')) {
      cell.erase(0, cell.find_first_not_of(" `"));
      cell.erase(cell.find_last_not_of(" `") + 1);
      cells.push_back(cell);
    }
    if (cells.size() >= 3) out.insert(cells[0] + "|" + cells[1] + "|" + cells[2]);
  }
  return out;
}

}  // namespace

TEST_CASE("KICS conformance: fermata agrees with KICS's samples, or the difference is documented") {
  const fs::path kics = fs::path(FERMATA_SHARED_DIR) / "corpus" / "peers" / "kics";
  REQUIRE_MESSAGE(fs::is_directory(kics), "the KICS samples are missing: " << kics.string());
  const fs::path source = FERMATA_SOURCE_DIR;
  const auto mappings = read_map(source / "tests" / "conformance" / "kics-map.tsv");
  REQUIRE(!mappings.empty());

  core::DiagnosticSink sink;
  rules::RuleSet all;
  REQUIRE(all.load_builtin(sink));
  derive::SecretClassifier secrets = scan::builtin_secret_classifier(sink);

  std::set<Divergence> actual;
  size_t checks = 0;
  size_t agreed = 0;
  size_t negative_files = 0;
  size_t same_resource = 0;  ///< agreed, or flagged inside the resource KICS points at
  for (const auto& m : mappings) {
    INFO("KICS query " << m.query << " -> " << m.rule);
    const fs::path tests = kics / m.platform / m.query / "test";
    REQUIRE_MESSAGE(fs::is_directory(tests), tests.string());
    REQUIRE_MESSAGE(all.find(m.rule) != nullptr, "no fermata rule " << m.rule);
    rules::RuleSet one;
    REQUIRE(one.load_builtin(sink));
    one.retain({m.rule});

    std::vector<std::string> positives;
    std::vector<std::string> negatives;
    for (const auto& entry : fs::directory_iterator(tests)) {
      const std::string name = entry.path().filename().string();
      if (name == "positive_expected_result.json") continue;
      if (name.rfind("positive", 0) == 0) positives.push_back(name);
      if (name.rfind("negative", 0) == 0) negatives.push_back(name);
    }
    std::sort(positives.begin(), positives.end());
    std::sort(negatives.begin(), negatives.end());

    // The lines of the findings, and the lines that declare the entities they are about:
    // KICS often reports the resource (a PolicyDocument key), fermata the line inside it.
    std::map<std::string, std::set<uint32_t>> declared;
    auto lines_flagged = [&](const std::string& file) {
      OneFile provider(file, slurp(tests / file));
      scan::ScanResult result = scan::run_scan(provider, one, secrets, {});
      for (const auto& diagnostic : result.diagnostics) {
        CHECK_MESSAGE(diagnostic.level == core::DiagLevel::kNote,
                      file << ": " << core::format_diagnostic(diagnostic));
      }
      std::set<uint32_t> lines;
      for (const auto& finding : result.findings) {
        lines.insert(finding.loc.line());
        for (const auto& entity : result.graph.entities()) {
          if (entity.key == finding.entity_key) declared[file].insert(entity.loc.line());
        }
      }
      return lines;
    };

    // Which positive file an expected result belongs to: KICS writes fileName (and, in a
    // few files, filename or fineName); with a single positive file it often writes none.
    const auto expected = nlohmann::json::parse(slurp(tests / "positive_expected_result.json"));
    std::map<std::string, std::set<uint32_t>> flagged;
    for (const auto& file : positives) flagged[file] = lines_flagged(file);
    for (const auto& result : expected) {
      std::string file;
      for (const char* key : {"fileName", "filename", "fineName"}) {
        if (result.contains(key)) file = result[key].get<std::string>();
      }
      if (file.empty()) file = positives.size() == 1 ? positives.front() : "positive.yaml";
      const auto line = result["line"].get<uint32_t>();
      ++checks;
      if (flagged[file].count(line) != 0) {
        ++agreed;
        ++same_resource;
      } else {
        actual.insert(m.query + "|" + file + ":" + std::to_string(line) + "|missed");
        if (declared[file].count(line) != 0) ++same_resource;
      }
    }
    for (const auto& file : negatives) {
      ++checks;
      ++negative_files;
      const auto lines = lines_flagged(file);
      if (lines.empty()) {
        ++agreed;
        ++same_resource;
      }
      for (uint32_t line : lines)
        actual.insert(m.query + "|" + file + ":" + std::to_string(line) + "|flagged");
    }
  }

  const auto listed = listed_divergences(source / "docs" / "kics-conformance.md");
  for (const auto& d : actual) {
    CHECK_MESSAGE(listed.count(d) == 1, "undocumented divergence from KICS: " << d);
  }
  for (const auto& d : listed) {
    CHECK_MESSAGE(actual.count(d) == 1,
                  "documented divergence no longer happens, remove it from the doc: " << d);
  }
  MESSAGE("KICS conformance: " << mappings.size() << " queries, " << agreed << " of " << checks
                               << " checks agree (" << (100 * agreed + checks / 2) / checks
                               << "%: " << checks - negative_files << " expected lines, "
                               << negative_files << " negative files); " << same_resource
                               << " agree on the resource flagged; " << actual.size()
                               << " documented divergences");
}
