// Odd files through the real pipeline (working-tree walker, readers, parsers, rules) on
// temporary trees. Each case must end in correct findings or in a diagnostic naming the file
// and, where the file was read, the line; and a healthy file beside it is still scanned.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "discover/working_tree.hpp"
#include "rules/rule_set.hpp"
#include "scan/scanner.hpp"

namespace fermata::scan {
namespace {

namespace fs = std::filesystem;

/// A remote server over plain HTTP: mcp-remote-server-insecure-transport at 4:14.
const std::string kInsecure =
    "{\n"
    "  \"mcpServers\": {\n"
    "    \"tickets\": {\n"
    "      \"url\": \"http://tickets.example.com/mcp\"\n"
    "    }\n"
    "  }\n"
    "}\n";
constexpr const char* kInsecureRule = "mcp-remote-server-insecure-transport";

class Tree {
 public:
  Tree() {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    root_ = fs::temp_directory_path() / ("fermata-odd-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter++) + "-" + std::to_string(stamp));
    fs::create_directories(root_ / "repo");
    // Every tree has one healthy configuration: the scan must still reach it.
    file("healthy/.mcp.json", kInsecure);
  }
  ~Tree() {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root_, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_symlink(ec))
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
    fs::remove_all(root_, ec);
  }
  Tree(const Tree&) = delete;
  Tree& operator=(const Tree&) = delete;

  [[nodiscard]] fs::path repo() const { return root_ / "repo"; }
  [[nodiscard]] fs::path outside() const { return root_ / "outside"; }

  void file(const std::string& rel, const std::string& bytes) const { write(repo() / rel, bytes); }
  static void write(const fs::path& path, const std::string& bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
  }

 private:
  fs::path root_;
};

ScanResult scan_tree(const fs::path& root) {
  core::DiagnosticSink sink;
  static const rules::RuleSet kRules = [] {
    core::DiagnosticSink load_sink;
    rules::RuleSet rule_set;
    REQUIRE(rule_set.load_builtin(load_sink));
    return rule_set;
  }();
  static const derive::SecretClassifier kSecrets = [] {
    core::DiagnosticSink load_sink;
    return builtin_secret_classifier(load_sink);
  }();
  discover::WalkOptions walk;
  discover::WorkingTreeProvider files(root, walk);
  return run_scan(files, kRules, kSecrets, {});
}

const rules::Finding* finding(const ScanResult& result, const std::string& file,
                              const std::string& rule) {
  for (const auto& found : result.findings) {
    if (found.loc.file == file && found.rule_id == rule) return &found;
  }
  return nullptr;
}

const core::Diagnostic* diagnostic(const ScanResult& result, const std::string& file) {
  for (const auto& found : result.diagnostics) {
    if (found.loc.file == file) return &found;
  }
  return nullptr;
}

/// The healthy file was scanned: the odd one did not stop the rest.
void check_rest_scanned(const ScanResult& result) {
  const rules::Finding* healthy = finding(result, "healthy/.mcp.json", kInsecureRule);
  REQUIRE(healthy != nullptr);
  CHECK(healthy->loc.span.line == 4);
  CHECK(healthy->loc.span.column == 14);
}

void check_diagnostic(const ScanResult& result, const std::string& file, std::string_view code,
                      uint32_t line) {
  const core::Diagnostic* found = diagnostic(result, file);
  REQUIRE_MESSAGE(found != nullptr, "no diagnostic for " << file);
  CHECK(core::code_name(found->code) == code);
  CHECK(found->loc.span.line == line);
  CHECK_FALSE(found->message.empty());
}

std::string utf16(const std::string& ascii, bool big_endian) {
  std::string out = big_endian ? "\xFE\xFF" : "\xFF\xFE";
  for (const char c : ascii) {
    if (big_endian) out += '\0';
    out += c;
    if (!big_endian) out += '\0';
  }
  return out;
}

}  // namespace

TEST_CASE("odd files: a binary file named .mcp.json is an encoding diagnostic at its line") {
  Tree tree;
  // The start of an ELF executable: NUL bytes (valid UTF-8, so not yet an error), a line
  // break, then bytes that are not UTF-8 at all.
  static constexpr char kElf[] =
      "\x7F"
      "ELF\x02\x01\x01\x00\x00\x00\n\x03\x00\x3E\x00\xC3\x28\xFF";
  const std::string binary(kElf, sizeof kElf - 1);
  tree.file(".mcp.json", binary);
  const ScanResult result = scan_tree(tree.repo());
  check_diagnostic(result, ".mcp.json", "parse.encoding", 2);
  check_rest_scanned(result);
}

TEST_CASE("odd files: invalid UTF-8 is named with its byte, line and column") {
  Tree tree;
  tree.file(".mcp.json",
            "{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"npx\xC3\x28\"}\n  }\n}\n");
  const ScanResult result = scan_tree(tree.repo());
  check_diagnostic(result, ".mcp.json", "parse.encoding", 3);
  CHECK(diagnostic(result, ".mcp.json")->loc.span.column == 26);
  CHECK(diagnostic(result, ".mcp.json")->message.find("0xC3") != std::string::npos);
  check_rest_scanned(result);
}

TEST_CASE("odd files: a UTF-8 byte order mark is skipped and columns stay exact") {
  Tree tree;
  tree.file(".mcp.json", "\xEF\xBB\xBF" + kInsecure);
  const ScanResult result = scan_tree(tree.repo());
  const rules::Finding* found = finding(result, ".mcp.json", kInsecureRule);
  REQUIRE(found != nullptr);
  CHECK(found->loc.span.line == 4);
  CHECK(found->loc.span.column == 14);
  CHECK(diagnostic(result, ".mcp.json") == nullptr);
  check_rest_scanned(result);
}

TEST_CASE("odd files: UTF-16, little and big endian, is named as such") {
  Tree tree;
  tree.file("le/.mcp.json", utf16(kInsecure, false));
  tree.file("be/.mcp.json", utf16(kInsecure, true));
  const ScanResult result = scan_tree(tree.repo());
  for (const std::string file : {"le/.mcp.json", "be/.mcp.json"}) {
    CAPTURE(file);
    check_diagnostic(result, file, "parse.encoding", 1);
    CHECK(diagnostic(result, file)->message.find("UTF-16") != std::string::npos);
  }
  check_rest_scanned(result);
}

TEST_CASE("odd files: CRLF line endings keep line numbers exact") {
  Tree tree;
  std::string crlf;
  for (const char c : kInsecure) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  tree.file(".mcp.json", crlf);
  tree.file("broken/.mcp.json", "{\r\n  \"mcpServers\": {\r\n    \"a\": {,}\r\n  }\r\n}\r\n");
  const ScanResult result = scan_tree(tree.repo());
  const rules::Finding* found = finding(result, ".mcp.json", kInsecureRule);
  REQUIRE(found != nullptr);
  CHECK(found->loc.span.line == 4);
  CHECK(found->loc.span.column == 14);
  CHECK(result.sources->line(".mcp.json", 4) ==
        "      \"url\": \"http://tickets.example.com/mcp\"");
  check_diagnostic(result, "broken/.mcp.json", "parse.json.syntax", 3);
  CHECK(diagnostic(result, "broken/.mcp.json")->loc.span.column == 11);
  check_rest_scanned(result);
}

TEST_CASE("odd files: an empty .mcp.json and a comments-only JSONC file are diagnostics") {
  Tree tree;
  tree.file(".mcp.json", "");
  tree.file(".vscode/mcp.json", "// servers go here\n/* none yet */\n");
  const ScanResult result = scan_tree(tree.repo());
  check_diagnostic(result, ".mcp.json", "parse.json.syntax", 1);
  check_diagnostic(result, ".vscode/mcp.json", "parse.json.syntax", 1);
  CHECK(diagnostic(result, ".vscode/mcp.json")->message.find("empty") != std::string::npos);
  check_rest_scanned(result);
}

TEST_CASE("odd files: symbolic link loops end the walk with a diagnostic") {
  Tree tree;
  fs::create_symlink("b.json", tree.repo() / "a.json");
  fs::create_symlink("a.json", tree.repo() / "b.json");
  fs::create_directories(tree.repo() / "dir");
  fs::create_directory_symlink("..", tree.repo() / "dir" / "up");
  fs::create_symlink("self/.mcp.json", tree.repo() / "self");
  const ScanResult result = scan_tree(tree.repo());
  CHECK(diagnostic(result, "a.json") != nullptr);
  CHECK(diagnostic(result, "b.json") != nullptr);
  CHECK(diagnostic(result, "self") != nullptr);
  // The directory reached again through dir/up is not scanned a second time.
  CHECK(finding(result, "dir/up/healthy/.mcp.json", kInsecureRule) == nullptr);
  check_rest_scanned(result);
}

TEST_CASE("odd files: a symbolic link out of the root is reported and its target never read") {
  Tree tree;
  Tree::write(tree.outside() / "mcp.json", kInsecure);
  fs::create_symlink(tree.outside() / "mcp.json", tree.repo() / ".mcp.json");
  fs::create_directory_symlink(tree.outside(), tree.repo() / ".cursor");
  fs::create_symlink("../outside/mcp.json", tree.repo() / "relative.mcp.json");
  const ScanResult result = scan_tree(tree.repo());
  for (const std::string file : {".mcp.json", ".cursor", "relative.mcp.json"}) {
    CAPTURE(file);
    const core::Diagnostic* found = diagnostic(result, file);
    REQUIRE(found != nullptr);
    CHECK(core::code_name(found->code) == "discover.symlink-outside-root");
  }
  CHECK(finding(result, ".mcp.json", kInsecureRule) == nullptr);
  CHECK(finding(result, ".cursor/mcp.json", kInsecureRule) == nullptr);
  CHECK(result.sources->text(".mcp.json") == nullptr);
  check_rest_scanned(result);
}

TEST_CASE("odd files: an unreadable file is a diagnostic naming it") {
  Tree tree;
  tree.file(".mcp.json", kInsecure);
  fs::permissions(tree.repo() / ".mcp.json", fs::perms::none);
  const ScanResult result = scan_tree(tree.repo());
  if (::access((tree.repo() / ".mcp.json").c_str(), R_OK) == 0) {
    // Root (or a capability) reads whatever the permissions say: the file is simply scanned.
    MESSAGE("running with permission to read a mode-000 file: the unreadable case is not tested");
    CHECK(finding(result, ".mcp.json", kInsecureRule) != nullptr);
  } else {
    const core::Diagnostic* found = diagnostic(result, ".mcp.json");
    REQUIRE(found != nullptr);
    CHECK(core::code_name(found->code) == "discover.file-unreadable");
  }
  check_rest_scanned(result);
}

TEST_CASE("odd files: names with spaces and non-ASCII characters keep their exact paths") {
  Tree tree;
  const std::vector<std::string> names = {
      "with space/.mcp.json", "caf\xC3\xA9 \xE2\x98\x95/.mcp.json",
      "\xE6\x97\xA5\xE6\x9C\xAC/.cursor/mcp.json", "tab\there/.mcp.json"};
  for (const auto& name : names) tree.file(name, kInsecure);
  const ScanResult result = scan_tree(tree.repo());
  for (const auto& name : names) {
    CAPTURE(name);
    const rules::Finding* found = finding(result, name, kInsecureRule);
    REQUIRE(found != nullptr);
    CHECK(found->loc.span.line == 4);
    CHECK(result.sources->text(name) != nullptr);
  }
  CHECK(result.diagnostics.empty());
  check_rest_scanned(result);
}

}  // namespace fermata::scan
