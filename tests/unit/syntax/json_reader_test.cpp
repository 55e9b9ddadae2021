#include "parsers/syntax/json_reader.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fermata::syntax {
namespace {

using core::DiagnosticSink;
using core::Limits;

std::string span_text(const core::Span& span) {
  return std::to_string(span.line) + ":" + std::to_string(span.column) + "-" +
         std::to_string(span.end_line) + ":" + std::to_string(span.end_column);
}

Node parse_ok(std::string_view text, const JsonOptions& options = {}, const Limits& limits = {}) {
  DiagnosticSink sink;
  auto document = read_json("dir/file.json", text, limits, sink, options);
  INFO("input: " << text);
  std::string reported;
  for (const auto& item : sink.items()) reported += core::format_diagnostic(item) + "\n";
  INFO("reported: " << reported);
  REQUIRE(document.has_value());
  CHECK(sink.size() == 0);
  CHECK(document->path == "dir/file.json");
  REQUIRE(document->roots.size() == 1);
  return std::move(document->roots.front());
}

/// The single diagnostic of a failed parse, as "line:col code: message".
std::string error_of(std::string_view text, const JsonOptions& options = {},
                     const Limits& limits = {}) {
  DiagnosticSink sink;
  const auto document = read_json("f.json", text, limits, sink, options);
  INFO("input: " << text);
  CHECK_FALSE(document.has_value());
  REQUIRE(sink.size() == 1);
  const auto& diagnostic = sink.items().front();
  CHECK(diagnostic.loc.file == "f.json");
  return std::to_string(diagnostic.loc.span.line) + ":" +
         std::to_string(diagnostic.loc.span.column) + " " +
         std::string(core::code_name(diagnostic.code)) + ": " + diagnostic.message;
}

JsonOptions strict() { return JsonOptions{false, false}; }

TEST_CASE("json: values, kinds and spans across lines and multibyte characters") {
  const std::string text =
      "{\n"
      "  \"name\": \"caf\xC3\xA9\",\n"
      "  \"\xE2\x82\xAC\xF0\x9F\x98\x80\": -12.5e+3,\n"
      "  \"list\": [true, false, null, \"\xC3\xA9\", 0],\n"
      "  \"obj\": {}\n"
      "}";
  const Node root = parse_ok(text);
  REQUIRE(root.is_object());
  CHECK(span_text(root.span) == "1:1-6:1");
  REQUIRE(root.members.size() == 4);

  CHECK(root.members[0].key == "name");
  CHECK(span_text(root.members[0].key_span) == "2:3-2:8");
  CHECK(root.members[0].value.text == "caf\xC3\xA9");
  CHECK(root.members[0].value.kind == NodeKind::kString);
  CHECK(span_text(root.members[0].value.span) == "2:11-2:16");

  CHECK(root.members[1].key == "\xE2\x82\xAC\xF0\x9F\x98\x80");
  CHECK(span_text(root.members[1].key_span) == "3:3-3:6");
  CHECK(root.members[1].value.kind == NodeKind::kNumber);
  CHECK(root.members[1].value.text == "-12.5e+3");
  CHECK(span_text(root.members[1].value.span) == "3:9-3:16");

  const Node& list = root.members[2].value;
  REQUIRE(list.is_array());
  CHECK(span_text(list.span) == "4:11-4:37");
  REQUIRE(list.items.size() == 5);
  CHECK(list.items[0].kind == NodeKind::kBool);
  CHECK(list.items[0].text == "true");
  CHECK(span_text(list.items[0].span) == "4:12-4:15");
  CHECK(list.items[1].text == "false");
  CHECK(list.items[2].kind == NodeKind::kNull);
  CHECK(span_text(list.items[2].span) == "4:25-4:28");
  CHECK(span_text(list.items[3].span) == "4:31-4:33");
  CHECK(span_text(list.items[4].span) == "4:36-4:36");

  CHECK(root.get("obj")->is_object());
  CHECK(root.get("obj")->members.empty());
  CHECK(span_text(root.get("obj")->span) == "5:10-5:11");
}

TEST_CASE("json: CRLF, CR and LF are each one line break") {
  for (const std::string_view newline : {"\n", "\r\n", "\r"}) {
    CAPTURE(newline.size());
    std::string text = "{";
    text.append(newline).append("\"a\":").append(newline).append("  [1,").append(newline);
    text += " 2]}";
    const Node root = parse_ok(text);
    CHECK(span_text(root.members[0].key_span) == "2:1-2:3");
    CHECK(span_text(root.members[0].value.span) == "3:3-4:3");
    CHECK(span_text(root.members[0].value.items[1].span) == "4:2-4:2");
    CHECK(span_text(root.span) == "1:1-4:4");
  }
}

TEST_CASE("json: every escape decodes to UTF-8") {
  const Node node = parse_ok(R"("\"\\\/\b\f\n\r\t|\u0041\u00e9\u20AC\ud83d\ude00|\u0000")");
  CHECK(node.text == std::string("\"\\/\b\f\n\r\t|A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80|") +
                         std::string(1, '\0'));
  CHECK(parse_ok(R"("\uDBFF\uDFFF")").text == "\xF4\x8F\xBF\xBF");
  CHECK(parse_ok("\"\xF0\x9F\x98\x80 raw\"").text == "\xF0\x9F\x98\x80 raw");
  CHECK(parse_ok(R"({"k\u00e9y": 1})").members[0].key == "k\xC3\xA9y");
}

TEST_CASE("json: escape and surrogate errors are reported at the backslash") {
  CHECK(error_of(R"(["ab\x"])") == "1:5 parse.json.syntax: invalid escape '\\x' in string");
  CHECK(error_of(R"(["\u12G4"])") ==
        "1:3 parse.json.syntax: invalid \\u escape: expected four hex digits");
  CHECK(error_of(R"("\u12")") ==
        "1:2 parse.json.syntax: invalid \\u escape: expected four hex digits");
  CHECK(error_of(R"( "x\ud83dy")") ==
        "1:4 parse.json.syntax: lone high surrogate \\uD83D in string: expected a low surrogate "
        "escape after it");
  CHECK(error_of(R"("\ud83d\u0041")") ==
        "1:2 parse.json.syntax: lone high surrogate \\uD83D in string: expected a low surrogate "
        "escape after it");
  CHECK(error_of(R"("\ud83d\ud83d")") ==
        "1:2 parse.json.syntax: lone high surrogate \\uD83D in string: expected a low surrogate "
        "escape after it");
  CHECK(error_of(R"("ok\ude00")") == "1:4 parse.json.syntax: lone low surrogate \\uDE00 in string");
  CHECK(error_of("\"a\\\x01\"") ==
        "1:3 parse.json.syntax: invalid escape: '\\' followed by control character U+0001");
}

TEST_CASE("json: JSONC comments and trailing commas") {
  const std::string text =
      "// VS Code settings\n"
      "{\n"
      "  /* block\n"
      "     comment */ \"servers\": { // trailing\n"
      "    \"a\": [1, 2, /* inside */ 3,],\n"
      "  },\n"
      "}\n"
      "// end";
  const Node root = parse_ok(text);
  const Node* servers = root.get("servers");
  REQUIRE(servers != nullptr);
  CHECK(span_text(root.members[0].key_span) == "4:17-4:25");
  REQUIRE(servers->get("a") != nullptr);
  CHECK(servers->get("a")->items.size() == 3);
  CHECK(span_text(servers->get("a")->items[2].span) == "5:30-5:30");
  CHECK(parse_ok("[1,]").items.size() == 1);
  CHECK(parse_ok("{\"a\":1,}").members.size() == 1);
  CHECK(parse_ok("1 // c").text == "1");
  CHECK(parse_ok("/**/1/***/").text == "1");

  CHECK(error_of("[1, // c\n 2,]", strict()) ==
        "1:5 parse.json.syntax: comments are not allowed in this file");
  CHECK(error_of("[1,\n 2,]", strict()) ==
        "2:4 parse.json.syntax: trailing comma before ']' is not allowed");
  CHECK(error_of("{\"a\": 1 , }", strict()) ==
        "1:11 parse.json.syntax: trailing comma before '}' is not allowed");
  CHECK(error_of("[1, /* never\n closed") ==
        "2:8 parse.json.syntax: unterminated block comment started at line 1, column 5");
  CHECK(error_of("[1 / 2]") ==
        "1:5 parse.json.syntax: expected '/' or '*' after '/' to start a comment, found ' '");
  CHECK(error_of("[1,,2]") == "1:4 parse.json.syntax: expected a value, found ','");
  CHECK(error_of("[,]") == "1:2 parse.json.syntax: expected a value, found ','");
}

TEST_CASE("json: structural errors name what was found, where") {
  CHECK(error_of("{\"a\": 1 ]") ==
        "1:9 parse.json.syntax: expected ',' or '}' after object member, found ']'");
  CHECK(error_of("[1 2]") ==
        "1:4 parse.json.syntax: expected ',' or ']' after array element, found '2'");
  CHECK(error_of("{\"a\" 1}") == "1:6 parse.json.syntax: expected ':' after object key, found '1'");
  CHECK(error_of("{1: 2}") == "1:2 parse.json.syntax: expected a string key or '}', found '1'");
  CHECK(error_of("{\"a\": 1, 2}") ==
        "1:10 parse.json.syntax: expected a string key after ',', found '2'");
  CHECK(error_of("{\"a\": }") == "1:7 parse.json.syntax: expected a value, found '}'");
  CHECK(error_of("\n\n[\n  1,\n  2,\n") ==
        "6:1 parse.json.syntax: unexpected end of file in array started at line 3, column 1");
  CHECK(error_of("[{\"a\": [1]") ==
        "1:11 parse.json.syntax: unexpected end of file in object started at line 1, column 2");
  CHECK(error_of("{\"a\":") ==
        "1:6 parse.json.syntax: unexpected end of file in object started at line 1, column 1");
  CHECK(error_of("[") ==
        "1:2 parse.json.syntax: unexpected end of file in array started at line 1, column 1");
  CHECK(error_of("{} x") ==
        "1:4 parse.json.syntax: expected end of file after the root value, found 'x'");
  CHECK(error_of("{}{}") ==
        "1:3 parse.json.syntax: expected end of file after the root value, found '{'");
  CHECK(error_of("]") == "1:1 parse.json.syntax: expected a value, found ']'");
  CHECK(error_of("['a']") ==
        "1:2 parse.json.syntax: expected a value, found '''; JSON strings use double quotes");
  CHECK(error_of("[\xC2\xA0]") ==
        "1:2 parse.json.syntax: expected a value, found '\xC2\xA0' (U+00A0)");
  CHECK(error_of("[\x01]") ==
        "1:2 parse.json.syntax: expected a value, found control character U+0001");
}

TEST_CASE("json: string errors") {
  CHECK(error_of("{\"a\": \"abc") ==
        "1:11 parse.json.syntax: unterminated string started at line 1, column 7");
  CHECK(error_of("[\"ab\ncd\"]") ==
        "1:5 parse.json.syntax: unterminated string started at line 1, column 2 (a line break "
        "inside a string is written \\n)");
  CHECK(error_of("[\"a\tb\"]") ==
        "1:4 parse.json.syntax: control character U+0009 in string must be escaped");
  CHECK(error_of("\"\\") ==
        "1:3 parse.json.syntax: unterminated string started at line 1, column 1");
}

TEST_CASE("json: numbers follow the RFC 8259 grammar and keep their text") {
  for (const char* number :
       {"0", "-0", "12", "-0.0", "1.5", "1e5", "1E-5", "-12.25e+10", "0.0e0"}) {
    const Node node = parse_ok(number);
    CHECK(node.kind == NodeKind::kNumber);
    CHECK(node.text == number);
  }
  CHECK(error_of("01") == "1:2 parse.json.syntax: invalid number: leading zeros are not allowed");
  CHECK(error_of("[-]") ==
        "1:3 parse.json.syntax: invalid number: expected a digit after '-', found ']'");
  CHECK(error_of("1.") ==
        "1:3 parse.json.syntax: invalid number: expected a digit after '.', found end of file");
  CHECK(error_of("1.e5") ==
        "1:3 parse.json.syntax: invalid number: expected a digit after '.', found 'e'");
  CHECK(error_of("[1e+]") ==
        "1:5 parse.json.syntax: invalid number: expected a digit after the exponent, found ']'");
  CHECK(error_of(".5") == "1:1 parse.json.syntax: expected a value, found '.'");
  CHECK(error_of("+1") == "1:1 parse.json.syntax: expected a value, found '+'");
  CHECK(error_of("[1x]") ==
        "1:3 parse.json.syntax: expected ',' or ']' after array element, found 'x'");
}

TEST_CASE("json: literals") {
  CHECK(parse_ok(" true ").kind == NodeKind::kBool);
  CHECK(parse_ok("false").text == "false");
  CHECK(parse_ok("null").kind == NodeKind::kNull);
  CHECK(error_of("[True]") ==
        "1:2 parse.json.syntax: invalid literal 'True'; JSON literals are true, false and null");
  CHECK(error_of("nul") ==
        "1:1 parse.json.syntax: invalid literal 'nul'; JSON literals are true, false and null");
  CHECK(error_of("{\"a\": undefined}") ==
        "1:7 parse.json.syntax: invalid literal 'undefined'; JSON literals are true, false and "
        "null");
  CHECK(error_of("truex") ==
        "1:1 parse.json.syntax: invalid literal 'truex'; JSON literals are true, false and null");
}

TEST_CASE("json: an unquoted credential is described, never quoted back") {
  // The file fails to parse, so no secret is ever classified in it and nothing downstream
  // could mask a value the message repeated.
  const std::string message =
      error_of("{\"env\": {\"TOKEN\": ghp_Zx81Qm0PaLw2Rt7Yk4Nc5Vb6Hs3Jd9Fg1Ue0}}");
  CHECK(message ==
        "1:19 parse.json.syntax: unquoted word of 40 characters; JSON strings take double "
        "quotes, and the literals are true, false and null");
  CHECK(message.find("Zx81") == std::string::npos);
  CHECK(error_of("[Trueish]").find("Trueish") == std::string::npos);
}

TEST_CASE("json: empty documents") {
  CHECK(error_of("") == "1:1 parse.json.syntax: empty document");
  CHECK(error_of(" \n\t\r\n") == "1:1 parse.json.syntax: empty document");
  CHECK(error_of("// nothing\n/* here */") == "1:1 parse.json.syntax: empty document");
  CHECK(error_of("\xEF\xBB\xBF") == "1:1 parse.json.syntax: empty document");
}

TEST_CASE("json: duplicate keys are kept in order; lookup takes the last") {
  const Node root = parse_ok(R"({"a": 1, "b": 2, "a": 3})");
  REQUIRE(root.members.size() == 3);
  CHECK(root.members[0].key == "a");
  CHECK(root.members[2].key == "a");
  CHECK(root.get("a")->text == "3");
  CHECK(span_text(root.member("a")->key_span) == "1:18-1:20");
}

TEST_CASE("json: depth limit") {
  Limits limits;
  limits.max_depth = 3;
  CHECK(parse_ok("[[{\"a\": 1}]]", {}, limits).items.size() == 1);
  CHECK(error_of("[[{\"a\": []}]]", {}, limits) ==
        "1:9 parse.depth-limit: nesting deeper than 3 levels");
  CHECK(error_of("[\n [\n  [\n   [1]]]]", {}, limits) ==
        "4:4 parse.depth-limit: nesting deeper than 3 levels");

  // Far beyond any stack: the default limit stops it without recursion.
  const std::string deep(1'000'000, '[');
  CHECK(error_of(deep) == "1:201 parse.depth-limit: nesting deeper than 200 levels");
  std::string nested;
  for (int i = 0; i < 200; ++i) nested += "{\"k\":";
  nested += "[]";
  for (int i = 0; i < 200; ++i) nested += "}";
  CHECK(error_of(nested) == "1:1001 parse.depth-limit: nesting deeper than 200 levels");
}

TEST_CASE("json: node limit counts every value") {
  Limits limits;
  limits.max_nodes = 4;
  CHECK(parse_ok("[1, {\"a\": 2}]", {}, limits).items.size() == 2);
  CHECK(error_of("[1, {\"a\": 2}, 3]", {}, limits) == "1:15 parse.node-limit: more than 4 values");
  limits.max_nodes = 0;
  CHECK(error_of("1", {}, limits) == "1:1 parse.node-limit: more than 0 values");
}

TEST_CASE("json: BOM is skipped and positions start after it") {
  const Node root = parse_ok("\xEF\xBB\xBF{\"a\": 1}");
  CHECK(span_text(root.span) == "1:1-1:8");
  CHECK(span_text(root.members[0].key_span) == "1:2-1:4");
  CHECK(error_of("\xEF\xBB\xBF[1 2]") ==
        "1:4 parse.json.syntax: expected ',' or ']' after array element, found '2'");
}

TEST_CASE("json: encodings other than UTF-8 are named") {
  using namespace std::string_literals;
  CHECK(error_of("\xFF\xFE{\0}\0"s) == "1:1 parse.encoding: file is UTF-16; fermata reads UTF-8");
  CHECK(error_of("\xFE\xFF\0{\0}"s) == "1:1 parse.encoding: file is UTF-16; fermata reads UTF-8");
  CHECK(error_of("{\0\"\0a\0\"\0"s) == "1:1 parse.encoding: file is UTF-16; fermata reads UTF-8");
  CHECK(error_of("\0{\0\"\0a"s) == "1:1 parse.encoding: file is UTF-16; fermata reads UTF-8");
  CHECK(error_of("\xFF\xFE\0\0{\0\0\0"s) ==
        "1:1 parse.encoding: file is UTF-32; fermata reads UTF-8");
  CHECK(error_of("{\n  \"a\": \"x\xC3(\"}") ==
        "2:10 parse.encoding: invalid UTF-8 byte 0xC3; fermata reads UTF-8");
  CHECK(error_of("[\"\xC0\xAF\"]") ==
        "1:3 parse.encoding: invalid UTF-8 byte 0xC0; fermata reads UTF-8");
  CHECK(error_of("[\"\xED\xA0\x80\"]") ==
        "1:3 parse.encoding: invalid UTF-8 byte 0xED; fermata reads UTF-8");
  CHECK(error_of("[\"\xF4\x90\x80\x80\"]") ==
        "1:3 parse.encoding: invalid UTF-8 byte 0xF4; fermata reads UTF-8");
  CHECK(error_of("[1] \xE2\x82") ==
        "1:5 parse.encoding: invalid UTF-8 byte 0xE2; fermata reads UTF-8");
  // Invalid bytes in a comment or after the root still make the file unusable.
  CHECK(error_of("[1] // \xFF") ==
        "1:8 parse.encoding: invalid UTF-8 byte 0xFF; fermata reads UTF-8");
  CHECK(error_of("\xE2\x82\xAC\r\n\xFF") ==
        "2:1 parse.encoding: invalid UTF-8 byte 0xFF; fermata reads UTF-8");
}

TEST_CASE("json: hostile and random input never crashes") {
  const std::vector<std::string> seeds = {
      R"({"a": [1, -2.5e3, "x\u00e9\ud83d\ude00", true, null, {"b": {}}], /* c */ "d": "e",})",
      "[[[[[[[[[[]]]]]]]]]]", "\"\\", "// x\n{\"a\":\n", "\xEF\xBB\xBF[\"\xE2\x82\xAC\"]"};
  uint64_t state = 0x9E3779B97F4A7C15ULL;
  auto next = [&state]() {
    state ^= state << 13U;
    state ^= state >> 7U;
    state ^= state << 17U;
    return state;
  };
  const std::string alphabet = "{}[],:\"\\/*-+.0123456789eEtrufalsn \n\r\tu\xC3\xA9\xFF";
  Limits limits;
  limits.max_depth = 16;
  limits.max_nodes = 64;
  size_t parsed = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text = seeds[next() % seeds.size()];
    const size_t edits = 1 + next() % 4;
    for (size_t e = 0; e < edits; ++e) {
      const size_t at = text.empty() ? 0 : next() % text.size();
      switch (next() % 3) {
        case 0: text.insert(at, 1, alphabet[next() % alphabet.size()]); break;
        case 1:
          if (!text.empty()) text.erase(at, 1);
          break;
        default:
          if (!text.empty()) text[at] = alphabet[next() % alphabet.size()];
          break;
      }
    }
    DiagnosticSink sink;
    const auto document = read_json("fuzz.json", text, limits, sink);
    // Success and failure are both fine; one diagnostic exactly when it fails.
    CHECK(document.has_value() == (sink.size() == 0));
    if (!document) CHECK(sink.size() == 1);
    if (!document) CHECK(sink.items().front().loc.span.line >= 1);
    parsed += document.has_value() ? 1 : 0;
  }
  MESSAGE(parsed << " of 20000 mutated inputs parsed");
}

#ifdef FERMATA_SHARED_DIR
TEST_CASE("json: every .json file of the real-world corpus parses") {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(FERMATA_SHARED_DIR) / "corpus" / "real";
  REQUIRE(fs::is_directory(root));
  size_t files = 0;
  std::string failures;
  const auto started = std::chrono::steady_clock::now();
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string relative = fs::relative(entry.path(), root).generic_string();
    DiagnosticSink sink;
    if (!read_json(relative, text, Limits{}, sink)) {
      for (const auto& item : sink.items()) failures += "\n  " + core::format_diagnostic(item);
    }
    ++files;
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  MESSAGE(files << " corpus .json files read in " << elapsed.count() << " ms");
  CHECK(files > 0);
  CHECK_MESSAGE(failures.empty(), "corpus files that failed to parse:" << failures);
}
#endif

}  // namespace
}  // namespace fermata::syntax
