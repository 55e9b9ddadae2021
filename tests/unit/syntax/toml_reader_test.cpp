#include "parsers/syntax/toml_reader.hpp"

#include <doctest/doctest.h>

#include <string>

namespace fermata::syntax {
namespace {

using core::DiagnosticSink;
using core::Limits;

std::string span_text(const core::Span& span) {
  return std::to_string(span.line) + ":" + std::to_string(span.column) + "-" +
         std::to_string(span.end_line) + ":" + std::to_string(span.end_column);
}

Node parse_ok(std::string_view text, const Limits& limits = {}) {
  DiagnosticSink sink;
  auto document = read_toml(".codex/config.toml", text, limits, sink);
  INFO("input: " << text);
  std::string reported;
  for (const auto& item : sink.items()) reported += core::format_diagnostic(item) + "\n";
  INFO("reported: " << reported);
  REQUIRE(document.has_value());
  CHECK(sink.size() == 0);
  CHECK(document->path == ".codex/config.toml");
  REQUIRE(document->roots.size() == 1);
  return std::move(document->roots.front());
}

/// The single diagnostic of a failed parse, as "line:col code: message".
std::string error_of(std::string_view text, const Limits& limits = {}) {
  DiagnosticSink sink;
  auto document = read_toml(".codex/config.toml", text, limits, sink);
  CHECK_FALSE(document.has_value());
  REQUIRE(sink.size() == 1);
  const core::Diagnostic& diagnostic = sink.items().front();
  CHECK(diagnostic.loc.file == ".codex/config.toml");
  return std::to_string(diagnostic.loc.line()) + ":" + std::to_string(diagnostic.loc.column()) +
         " " + std::string(core::code_name(diagnostic.code)) + ": " + diagnostic.message;
}

TEST_CASE("toml reader: scalars, keys and values keep their spans") {
  const Node root = parse_ok(
      "# Codex\n"
      "model = \"o3\"   # trailing\n"
      "approval_policy = 'never'\n"
      "pi = 3.14_15\n"
      "big = 0x10\n"
      "on = true\n"
      "when = 1979-05-27T07:32:00Z\n"
      "day = 1979-05-27\n");
  REQUIRE(root.is_object());
  REQUIRE(root.members.size() == 7);
  CHECK(root.members[0].key == "model");
  CHECK(span_text(root.members[0].key_span) == "2:1-2:5");
  CHECK(root.members[0].value.text == "o3");
  CHECK(span_text(root.members[0].value.span) == "2:9-2:12");
  CHECK(root.members[1].value.text == "never");
  CHECK(span_text(root.members[1].value.span) == "3:19-3:25");
  const Node* pi = root.get("pi");
  REQUIRE(pi != nullptr);
  CHECK(pi->kind == NodeKind::kNumber);
  CHECK(pi->text == "3.1415");
  CHECK(root.get("big")->text == "16");
  CHECK(root.get("on")->kind == NodeKind::kBool);
  CHECK(root.get("on")->text == "true");
  CHECK(root.get("when")->kind == NodeKind::kString);
  CHECK(root.get("when")->text == "1979-05-27T07:32:00Z");
  CHECK(root.get("day")->text == "1979-05-27");
}

TEST_CASE("toml reader: members stay in source order, not toml++'s sorted order") {
  const Node root = parse_ok("zeta = 1\nalpha = 2\nmid = 3\n");
  REQUIRE(root.members.size() == 3);
  CHECK(root.members[0].key == "zeta");
  CHECK(root.members[1].key == "alpha");
  CHECK(root.members[2].key == "mid");
}

TEST_CASE("toml reader: tables, dotted keys, inline tables and arrays of tables") {
  const Node root = parse_ok(
      "a.b = \"dotted\"\n"
      "\n"
      "[mcp_servers.github]\n"
      "url = \"https://é.example/mcp\"\n"
      "http_headers = { \"X-Key\" = \"abc\", b = [1, 2] }\n"
      "\n"
      "[[profiles]]\n"
      "name = \"one\"\n"
      "[[profiles]]\n"
      "name = \"two\"\n");
  const Node* a = root.get("a");
  REQUIRE(a != nullptr);
  REQUIRE(a->is_object());
  CHECK(a->get("b")->text == "dotted");
  const Member* servers = root.member("mcp_servers");
  REQUIRE(servers != nullptr);
  CHECK(span_text(servers->key_span) == "3:2-3:12");
  const Member* github = servers->value.member("github");
  REQUIRE(github != nullptr);
  CHECK(span_text(github->key_span) == "3:14-3:19");
  const Node& url = *github->value.get("url");
  // Columns count code points: the é is one column.
  CHECK(span_text(url.span) == "4:7-4:29");
  const Node& headers = *github->value.get("http_headers");
  REQUIRE(headers.is_object());
  CHECK(span_text(headers.member("X-Key")->key_span) == "5:18-5:24");
  CHECK(headers.get("b")->is_array());
  CHECK(headers.get("b")->items.size() == 2);
  const Node* profiles = root.get("profiles");
  REQUIRE(profiles != nullptr);
  REQUIRE(profiles->is_array());
  REQUIRE(profiles->items.size() == 2);
  CHECK(profiles->items[1].get("name")->text == "two");
  CHECK(profiles->items[1].get("name")->span.line == 10);
}

TEST_CASE("toml reader: TOML 1.1 inline tables across lines, as Codex reads them") {
  const Node root = parse_ok(
      "[mcp_servers.github]\n"
      "http_headers = {\n"
      "  \"X-MCP-Toolsets\" = \"repos,issues\",\n"
      "}\n");
  const Node* headers = root.get("mcp_servers")->get("github")->get("http_headers");
  REQUIRE(headers != nullptr);
  CHECK(headers->get("X-MCP-Toolsets")->text == "repos,issues");
  CHECK(headers->get("X-MCP-Toolsets")->span.line == 3);
}

TEST_CASE("toml reader: an empty file and a BOM") {
  CHECK(parse_ok("").members.empty());
  const Node root = parse_ok("\xEF\xBB\xBFx = 1.5e3\n");
  CHECK(root.get("x")->text == "1.5e3");
  CHECK(span_text(root.member("x")->key_span) == "1:1-1:1");
}

TEST_CASE("toml reader: syntax errors carry toml++'s reason at their line") {
  CHECK(error_of("a = 1\n[a]\nx = 1\n").rfind("2:1 parse.toml.syntax: ", 0) == 0);
  CHECK(error_of("a = \"\"\"never closed\nb = 1\n").rfind("2:7 parse.toml.syntax: ", 0) == 0);
  const std::string unterminated = error_of("x = 1\na = \"open\nb = 1\n");
  CHECK(unterminated.rfind("2:", 0) == 0);
  CHECK(unterminated.find("parse.toml.syntax") != std::string::npos);
  // An unquoted credential is never quoted back.
  const std::string bare = error_of("token = ghp_abcdefghijklmnopqrstuvwxyz0123456789\n");
  CHECK(bare.rfind("1:", 0) == 0);
  CHECK(bare.find("ghp_abc") == std::string::npos);
}

TEST_CASE("toml reader: a table header without a key is a syntax error, not toml++'s assertion") {
  CHECK(error_of("[=a]\nx=1\n") ==
        "1:2 parse.toml.syntax: expected a key in the table header, found '='");
  CHECK(error_of("x = 1\n[[ \t.a]]\n") ==
        "2:5 parse.toml.syntax: expected a key in the table header, found '.'");
  CHECK(error_of("[\xC3\xA9]\n") ==
        "1:2 parse.toml.syntax: expected a key in the table header, found byte 0xC3");
  CHECK(error_of("x = [1,\n }]\n") ==
        "2:2 parse.toml.syntax: expected a value, ',' or ']' in the array, found '}'");
  parse_ok("x = [\"}\", '}', { a = \"}\" }, \"\"\"}\"\"\"]  # }\n");
  CHECK(error_of("[[[a]]]\n") ==
        "1:3 parse.toml.syntax: expected a key in the table header, found '['");
  parse_ok("[ \"quoted.key\" ]\n[[ 'lit' ]]\n[-_9]\n");
}

TEST_CASE("toml reader: input that trips toml++'s own assertions is a syntax error") {
  CHECK(error_of("dt = 1979-05-27tps://x\n") ==
        "1:1 parse.toml.syntax: not valid TOML: the TOML reader met a character it does not "
        "expect in this place");
}

TEST_CASE("toml reader: other than ASCII only in strings and comments") {
  CHECK(error_of("x = 1\ncafé = 1\n") ==
        "2:4 parse.toml.syntax: a character other than ASCII outside a string or comment; "
        "quote the key or value");
  CHECK(error_of("x =\xC2\xA0"
                 "1\n")
            .rfind("1:4 parse.toml.syntax: a character other than ASCII", 0) == 0);
  CHECK(
      error_of("x = 1\\\"é\"\n").rfind("1:8 parse.toml.syntax: a character other than ASCII", 0) ==
      0);
  CHECK(error_of("[a.bé]\n").rfind("1:5 parse.toml.syntax: a character other than ASCII", 0) == 0);
  const Node root = parse_ok("[\"é\".x]\n# café\n\"café\" = 'thé' # é\nm = \"\"\"é\n\"\"\"\n");
  CHECK(root.get("é")->get("x")->get("café")->text == "thé");
}

TEST_CASE("toml reader: encoding problems are parse.encoding") {
  CHECK(error_of("a = \"\xFF\"\n") ==
        "1:6 parse.encoding: invalid UTF-8 byte 0xFF; fermata reads UTF-8");
  CHECK(error_of(std::string("\xFF\xFE"
                             "a\0",
                             4))
            .find("UTF-16") != std::string::npos);
}

TEST_CASE("toml reader: hostile nesting is refused before toml++ builds it") {
  std::string dotted = "a";
  for (int i = 0; i < 100000; ++i) dotted += ".a";
  CHECK(error_of(dotted + " = 1\n").find("parse.depth-limit") != std::string::npos);
  std::string header = "[a";
  for (int i = 0; i < 100000; ++i) header += ".a";
  CHECK(error_of(header + "]\nx = 1\n") == "1:1 parse.depth-limit: nesting deeper than 200 levels");
  const std::string arrays = "x = " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  CHECK(error_of(arrays).find("parse.depth-limit") != std::string::npos);
  // A dot inside a quoted key or a float is no nesting.
  std::string quoted = "\"";
  for (int i = 0; i < 1000; ++i) quoted += "a.";
  const Node root = parse_ok(quoted + "\" = [1.5, 2.5]\n");
  CHECK(root.members.size() == 1);
}

TEST_CASE("toml reader: depth limit is configurable") {
  Limits limits;
  limits.max_depth = 3;
  parse_ok("a = [[1]]\n", limits);
  CHECK(error_of("a = [[[1]]]\n", limits).find("parse.depth-limit") != std::string::npos);
  CHECK(error_of("[a.b.c]\nx = 1\n", limits).find("parse.depth-limit") != std::string::npos);
}

TEST_CASE("toml reader: huge arrays hit the node limit") {
  Limits limits;
  limits.max_nodes = 1000;
  std::string big = "x = [";
  for (int i = 0; i < 2000; ++i) big += "0,";
  big += "]\n";
  CHECK(error_of(big, limits).find("parse.node-limit: more than 1000 values") != std::string::npos);
}

}  // namespace
}  // namespace fermata::syntax
