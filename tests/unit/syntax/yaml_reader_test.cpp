#include "parsers/syntax/yaml_reader.hpp"

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

using core::DiagCode;
using core::DiagnosticSink;
using core::Limits;

std::string span_text(const core::Span& span) {
  return std::to_string(span.line) + ":" + std::to_string(span.column) + "-" +
         std::to_string(span.end_line) + ":" + std::to_string(span.end_column);
}

std::string start_of(const core::Span& span) {
  return std::to_string(span.line) + ":" + std::to_string(span.column);
}

std::vector<Node> parse_ok(std::string_view text, const Limits& limits = {}) {
  DiagnosticSink sink;
  auto document = read_yaml("dir/file.yaml", text, limits, sink);
  INFO("input: " << text);
  std::string reported;
  for (const auto& item : sink.items()) reported += core::format_diagnostic(item) + "\n";
  INFO("reported: " << reported);
  REQUIRE(document.has_value());
  CHECK(sink.size() == 0);
  CHECK(document->path == "dir/file.yaml");
  return std::move(document->roots);
}

Node parse_one(std::string_view text, const Limits& limits = {}) {
  auto roots = parse_ok(text, limits);
  REQUIRE(roots.size() == 1);
  return std::move(roots.front());
}

/// The single diagnostic of a failed read, as "line:col code: message".
std::string error_of(std::string_view text, const Limits& limits = {}) {
  DiagnosticSink sink;
  const auto document = read_yaml("f.yaml", text, limits, sink);
  INFO("input: " << text);
  CHECK_FALSE(document.has_value());
  REQUIRE(sink.size() == 1);
  const auto& diagnostic = sink.items().front();
  CHECK(diagnostic.loc.file == "f.yaml");
  return std::to_string(diagnostic.loc.span.line) + ":" +
         std::to_string(diagnostic.loc.span.column) + " " +
         std::string(core::code_name(diagnostic.code)) + ": " + diagnostic.message;
}

TEST_CASE("yaml: keys and values with 1-based positions, multibyte columns") {
  const std::string text =
      "name: caf\xC3\xA9\n"
      "\xE2\x82\xAC\xF0\x9F\x98\x80: \"quoted \xC3\xA9\"  # comment\n"
      "list:\n"
      "  - 1\n"
      "  - x: y\n"
      "    z: [a, {b: c}]\n"
      "flow: {k: v}\n";
  const Node root = parse_one(text);
  REQUIRE(root.is_object());
  REQUIRE(root.members.size() == 4);
  CHECK(root.members[0].key == "name");
  CHECK(span_text(root.members[0].key_span) == "1:1-1:4");
  CHECK(span_text(root.members[0].value.span) == "1:7-1:10");
  CHECK(root.members[0].value.text == "caf\xC3\xA9");

  CHECK(root.members[1].key == "\xE2\x82\xAC\xF0\x9F\x98\x80");
  CHECK(span_text(root.members[1].key_span) == "2:1-2:2");
  CHECK(span_text(root.members[1].value.span) == "2:5-2:14");

  const Node& list = root.members[2].value;
  REQUIRE(list.is_array());
  CHECK(start_of(list.span) == "4:3");
  REQUIRE(list.items.size() == 2);
  CHECK(span_text(list.items[0].span) == "4:5-4:5");
  const Node& item = list.items[1];
  CHECK(start_of(item.span) == "5:5");
  CHECK(span_text(item.member("z")->key_span) == "6:5-6:5");
  const Node& z = *item.get("z");
  CHECK(span_text(z.span) == "6:8-6:18");
  CHECK(span_text(z.items[1].span) == "6:12-6:17");
  CHECK(span_text(z.items[1].members[0].key_span) == "6:13-6:13");
  CHECK(span_text(z.items[1].members[0].value.span) == "6:16-6:16");
  CHECK(span_text(root.get("flow")->span) == "7:7-7:12");
}

TEST_CASE("yaml: CRLF, tabs and BOM") {
  const Node crlf = parse_one("a: 1\r\nb:\t\"x\ty\"\r\nc:\r\n  - d\r\n");
  CHECK(span_text(crlf.members[1].key_span) == "2:1-2:1");
  CHECK(span_text(crlf.get("b")->span) == "2:4-2:8");
  CHECK(crlf.get("b")->text == "x\ty");
  CHECK(span_text(crlf.get("c")->items[0].span) == "4:5-4:5");
  CHECK(crlf.get("c")->items[0].text == "d");

  const Node bom = parse_one("\xEF\xBB\xBFkey: value\n");
  CHECK(span_text(bom.members[0].key_span) == "1:1-1:3");
  CHECK(span_text(bom.get("key")->span) == "1:6-1:10");
}

TEST_CASE("yaml: multi-document files keep every document and its positions") {
  const std::string text =
      "# leading comment\n"
      "a: 1\n"
      "---\n"
      "# empty document\n"
      "---\n"
      "- b\n"
      "...\n"
      "--- c\n";
  const auto roots = parse_ok(text);
  REQUIRE(roots.size() == 4);
  CHECK(span_text(roots[0].members[0].key_span) == "2:1-2:1");
  CHECK(roots[1].kind == NodeKind::kNull);
  CHECK(start_of(roots[1].span) == "3:1");
  REQUIRE(roots[2].is_array());
  CHECK(span_text(roots[2].items[0].span) == "6:3-6:3");
  CHECK(roots[3].text == "c");
  CHECK(span_text(roots[3].span) == "8:5-8:5");
}

TEST_CASE("yaml: empty files and comment-only files are one null document") {
  for (const char* text : {"", "# only a comment\n", "\n\n", "\xEF\xBB\xBF"}) {
    const Node root = parse_one(text);
    CHECK(root.kind == NodeKind::kNull);
    CHECK(start_of(root.span) == "1:1");
  }
  const auto roots = parse_ok("a: 1\n---\n");
  REQUIRE(roots.size() == 2);
  CHECK(roots[1].kind == NodeKind::kNull);
  CHECK(start_of(roots[1].span) == "2:1");
}

TEST_CASE("yaml: plain scalars are typed by the core schema; quoted ones stay strings") {
  const Node root = parse_one(
      "bools: [true, True, TRUE, tRuE, false, False, FALSE]\n"
      "nulls: [null, Null, NULL, ~, ]\n"
      "empty:\n"
      "numbers: [0, -1, +1, 012, 0x1F, 0o17, 1.5, -.5, 1., 1e3, 2.5E-3, .inf, -.Inf, +.INF, .nan, "
      ".NaN]\n"
      "strings: [yes, no, on, off, y, 1_000, 1.2.3, 0x, 0o8, 1e, nan, inf, \"\", abc]\n"
      "quoted: [\"true\", 'false', \"null\", '~', \"12\", '1.5']\n");
  for (const Node& item : root.get("bools")->items) {
    CHECK(item.kind == NodeKind::kBool);
  }
  CHECK(root.get("bools")->items[3].text == "true");
  CHECK(root.get("bools")->items[6].text == "false");
  for (const Node& item : root.get("nulls")->items) {
    CHECK(item.kind == NodeKind::kNull);
    CHECK(item.text.empty());
  }
  CHECK(root.get("nulls")->items.size() == 4);
  CHECK(root.get("empty")->kind == NodeKind::kNull);
  for (const Node& item : root.get("numbers")->items) {
    CAPTURE(item.text);
    CHECK(item.kind == NodeKind::kNumber);
  }
  CHECK(root.get("numbers")->items[4].text == "0x1F");
  for (const Node& item : root.get("strings")->items) {
    CAPTURE(item.text);
    CHECK(item.kind == NodeKind::kString);
  }
  for (const Node& item : root.get("quoted")->items) {
    CAPTURE(item.text);
    CHECK(item.kind == NodeKind::kString);
    CHECK(item.tag.empty());
  }
  CHECK(root.get("quoted")->items[0].text == "true");
}

TEST_CASE("yaml: tags are kept; standard ones type the value") {
  const Node root = parse_one(
      "ref: !Ref MyBucket\n"
      "sub: !Sub\n"
      "  - x\n"
      "str: !!str 123\n"
      "int: !!int \"42\"\n"
      "bool: !!bool \"true\"\n"
      "badbool: !!bool yes\n"
      "nil: !!null ~\n"
      "float: !!float 1.5\n"
      "map: !!map {a: 1}\n"
      "local: !<tag:example.com,2024:x> v\n");
  CHECK(root.get("ref")->kind == NodeKind::kString);
  CHECK(root.get("ref")->tag == "!Ref");
  CHECK(root.get("ref")->text == "MyBucket");
  CHECK(span_text(root.get("ref")->span) == "1:6-1:18");
  CHECK(root.get("sub")->is_array());
  CHECK(root.get("sub")->tag == "!Sub");
  CHECK(root.get("str")->kind == NodeKind::kString);
  CHECK(root.get("str")->tag == "tag:yaml.org,2002:str");
  CHECK(root.get("int")->kind == NodeKind::kNumber);
  CHECK(root.get("int")->text == "42");
  CHECK(root.get("bool")->kind == NodeKind::kBool);
  CHECK(root.get("bool")->text == "true");
  CHECK(root.get("badbool")->kind == NodeKind::kString);
  CHECK(root.get("nil")->kind == NodeKind::kNull);
  CHECK(root.get("float")->kind == NodeKind::kNumber);
  CHECK(root.get("map")->is_object());
  CHECK(root.get("map")->tag == "tag:yaml.org,2002:map");
  CHECK(root.get("local")->tag == "tag:example.com,2024:x");
  CHECK(root.get("local")->kind == NodeKind::kString);
}

TEST_CASE("yaml: scalar ends for quoted, block and multi-line plain scalars") {
  const Node root = parse_one(
      "dq: \"a \\\" b\"\n"
      "sq: 'it''s'\n"
      "multi: \"one\n"
      "  two\"\n"
      "lit: |\n"
      "  line one\n"
      "\n"
      "  line two  \n"
      "folded: >-\n"
      "  f\n"
      "plain: first\n"
      "  second\n"
      "emptylit: |\n"
      "last: x\n");
  CHECK(span_text(root.get("dq")->span) == "1:5-1:12");
  CHECK(root.get("dq")->text == "a \" b");
  CHECK(span_text(root.get("sq")->span) == "2:5-2:11");
  CHECK(root.get("sq")->text == "it's");
  CHECK(span_text(root.get("multi")->span) == "3:8-4:6");
  CHECK(span_text(root.get("lit")->span) == "5:6-8:10");
  CHECK(root.get("lit")->text == "line one\n\nline two  \n");
  CHECK(span_text(root.get("folded")->span) == "9:9-10:3");
  CHECK(span_text(root.get("plain")->span) == "11:8-12:8");
  CHECK(root.get("plain")->text == "first second");
  CHECK(span_text(root.get("emptylit")->span) == "13:11-13:11");
  CHECK(root.get("emptylit")->text.empty());
  CHECK(span_text(root.span) == "1:1-14:7");
}

TEST_CASE("yaml: empty values sit after their colon or dash, not at the next token") {
  const Node root = parse_one(
      "a:\n"
      "b:   # nothing\n"
      "c: ~\n"
      "d:\n"
      "  - \n"
      "  - x\n"
      "  -\n");
  CHECK(span_text(root.get("a")->span) == "1:3-1:3");
  CHECK(span_text(root.get("b")->span) == "2:3-2:3");
  CHECK(span_text(root.get("c")->span) == "3:4-3:4");
  const Node& d = *root.get("d");
  REQUIRE(d.items.size() == 3);
  CHECK(d.items[0].kind == NodeKind::kNull);
  CHECK(start_of(d.items[0].span) == "5:4");
  CHECK(start_of(d.items[2].span) == "7:4");
}

TEST_CASE("yaml: keys: duplicates kept, complex keys by their YAML text, null keys") {
  const Node root = parse_one(
      "a: 1\n"
      "\"a\": 2\n"
      "? [x, y]\n"
      ": pair\n"
      "~: nothing\n"
      "1: one\n");
  REQUIRE(root.members.size() == 5);
  CHECK(root.get("a")->text == "2");
  CHECK(span_text(root.members[1].key_span) == "2:1-2:3");
  CHECK(root.members[2].key == "[x, y]");
  CHECK(start_of(root.members[2].key_span) == "3:3");
  CHECK(root.members[2].value.text == "pair");
  CHECK(root.members[3].key == "~");
  CHECK(root.members[4].key == "1");
}

TEST_CASE("yaml: aliases are expanded") {
  const Node root = parse_one(
      "base: &base\n"
      "  image: nginx\n"
      "copy: *base\n"
      "list: [&v 1, *v]\n");
  REQUIRE(root.get("copy")->is_object());
  CHECK(root.get("copy")->get("image")->text == "nginx");
  CHECK(start_of(root.get("copy")->get("image")->span) == "2:10");
  CHECK(root.get("list")->items[1].text == "1");
  CHECK(root.get("list")->items[1].kind == NodeKind::kNumber);
}

TEST_CASE("yaml: syntax errors become one diagnostic at yaml-cpp's mark") {
  CHECK(error_of("a: b: c\n") == "1:5 parse.yaml.syntax: illegal map value");
  CHECK(error_of("key: [1, 2\n") == "2:1 parse.yaml.syntax: end of sequence flow not found");
  CHECK(error_of("a:\n\tb: 1\n") == "2:3 parse.yaml.syntax: illegal map value");
  CHECK(error_of("\xC3\xA9\xC3\xA9: b: c\n") == "1:6 parse.yaml.syntax: illegal map value");
  CHECK(error_of("a: *missing\n") == "1:4 parse.yaml.syntax: the referenced anchor is not defined");
}

TEST_CASE("yaml: input yaml-cpp 0.7 cannot place is an error, not an endless loop") {
  CHECK(error_of(",") == "1:1 parse.yaml.syntax: unexpected ','");
  CHECK(error_of("- a\n,- |\n  lit\n") == "2:1 parse.yaml.syntax: unexpected ','");
  CHECK(error_of("[:") == "1:2 parse.yaml.syntax: unknown token");
  CHECK(error_of("{:") == "1:2 parse.yaml.syntax: unknown token");
}

TEST_CASE("yaml: a Helm template is a syntax diagnostic, not a crash") {
  const std::string helm =
      "apiVersion: apps/v1\n"
      "kind: Deployment\n"
      "metadata:\n"
      "  name: {{ include \"chart.fullname\" . }}\n"
      "  labels:\n"
      "    {{- include \"chart.labels\" . | nindent 4 }}\n"
      "spec:\n"
      "{{- if not .Values.autoscaling.enabled }}\n"
      "  replicas: {{ .Values.replicaCount }}\n"
      "{{- end }}\n";
  DiagnosticSink sink;
  CHECK_FALSE(read_yaml("templates/deployment.yaml", helm, Limits{}, sink).has_value());
  REQUIRE(sink.size() == 1);
  CHECK(sink.items()[0].code == DiagCode::kYamlSyntax);
  CHECK(sink.items()[0].loc.span.line >= 4);
}

TEST_CASE("yaml: billion laughs is stopped by the node budget, quickly") {
  std::string text =
      "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char level = 'b'; level <= 'i'; ++level) {
    const char previous = static_cast<char>(level - 1);
    text += std::string(1, level) + ": &" + level + " [";
    for (int i = 0; i < 9; ++i) {
      if (i > 0) text += ',';
      text += '*';
      text += previous;
    }
    text += "]\n";
  }
  const auto started = std::chrono::steady_clock::now();
  const std::string error = error_of(text);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  CHECK(error.find("parse.node-limit: ") != std::string::npos);
  CHECK(elapsed < std::chrono::seconds(10));
  MESSAGE("billion laughs rejected in "
          << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms");

  Limits small;
  small.max_nodes = 1000;
  CHECK(error_of(text, small).find("parse.node-limit: more than 1000 values") != std::string::npos);
}

TEST_CASE("yaml: aliases of a long scalar are bounded by a byte budget") {
  std::string text = "big: &big \"" + std::string(200'000, 'x') + "\"\nrefs: [";
  for (int i = 0; i < 500; ++i) text += "*big, ";
  text += "]\n";
  const std::string error = error_of(text);
  CHECK(error.find("parse.node-limit: aliases expand to more than 32 MiB") != std::string::npos);
}

TEST_CASE("yaml: a recursive alias is an error, not an endless tree") {
  CHECK(error_of("a: &a [*a]\n") ==
        "1:8 parse.yaml.syntax: alias *a refers to a node that contains it");
  CHECK(error_of("a: &anchor\n  b: [1, *anchor]\n") ==
        "2:10 parse.yaml.syntax: alias *anchor refers to a node that contains it");
}

TEST_CASE("yaml: depth limit, checked on the text before yaml-cpp recurses") {
  Limits limits;
  limits.max_depth = 3;
  CHECK(parse_one("a:\n  b:\n    c: 1\n", limits).is_object());
  CHECK(error_of("a:\n  b:\n    c:\n      d: 1\n", limits) ==
        "4:7 parse.depth-limit: nesting deeper than 3 levels");
  CHECK(parse_one("- - - x\n", limits).is_array());
  CHECK(error_of("- - - - x\n", limits) == "1:7 parse.depth-limit: nesting deeper than 3 levels");
  CHECK(parse_one("a: [[1]]\n", limits).is_object());
  CHECK(error_of("a: [[{b: 1}]]\n", limits) ==
        "1:6 parse.depth-limit: nesting deeper than 3 levels");
  CHECK(parse_one("a:\n- b: 1\n  c: 2\n", limits).is_object());
  // Brackets inside quotes, comments and block scalars are not structure.
  CHECK(parse_one("a: \"[[[[\"\nb: '{{{{' # [[[[\nc: |\n  [[[[[[\nd: x[[[[\n", limits).is_object());

  const std::string deep_flow(100'000, '[');
  CHECK(error_of(deep_flow) == "1:201 parse.depth-limit: nesting deeper than 200 levels");
  std::string deep_block;
  for (int i = 0; i < 300; ++i) deep_block += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  CHECK(error_of(deep_block) == "201:201 parse.depth-limit: nesting deeper than 200 levels");
  // With a limit above yaml-cpp's own, its guard answers, as a depth diagnostic too.
  Limits generous;
  generous.max_depth = 100'000;
  CHECK(error_of(std::string(1000, '['), generous) ==
        "1:1001 parse.depth-limit: nesting deeper than the YAML parser's own limit of 499 levels");
  std::string dashes;
  for (int i = 0; i < 50'000; ++i) dashes += "- ";
  CHECK(error_of(dashes + "x\n") == "1:401 parse.depth-limit: nesting deeper than 200 levels");
}

TEST_CASE("yaml: node and document limits") {
  Limits limits;
  limits.max_nodes = 5;
  CHECK(parse_one("a: [1, 2]\n", limits).is_object());
  CHECK(error_of("a: [1, 2, 3]\n", limits) ==
        "1:11 parse.node-limit: more than 5 values (aliases count each time)");
  limits = Limits{};
  limits.max_documents = 3;
  CHECK(parse_ok("a\n---\nb\n---\nc\n", limits).size() == 3);
  CHECK(error_of("a\n---\nb\n---\nc\n---\nd\n", limits) ==
        "6:1 parse.node-limit: more than 3 documents");
}

TEST_CASE("yaml: encodings other than UTF-8 are named") {
  using namespace std::string_literals;
  CHECK(error_of("\xFF\xFE"s + "a\0:\0 \0b\0"s) ==
        "1:1 parse.encoding: file is UTF-16; fermata reads UTF-8");
  CHECK(error_of("a\0:\0"s) == "1:1 parse.encoding: file is UTF-16; fermata reads UTF-8");
  CHECK(error_of("a: 1\nb: \xC3(\n") ==
        "2:4 parse.encoding: invalid UTF-8 byte 0xC3; fermata reads UTF-8");
}

TEST_CASE("yaml: hostile and random input never crashes") {
  const std::vector<std::string> seeds = {
      "a: &x [1, {b: \"c\"}]\nd: *x\n---\n- !Ref e\n- |\n  lit\n",
      "? [a]\n: b\n'q': \"x\\ty\"\nl:\n- - 1\n  - 2\n",
      "k: >-\n  folded\n  text\n\n# c\n...\n--- ~\n",
      "{a: [b, c], d: {e: f}}\n",
  };
  uint64_t state = 0x243F6A8885A308D3ULL;
  auto next = [&state]() {
    state ^= state << 13U;
    state ^= state >> 7U;
    state ^= state << 17U;
    return state;
  };
  const std::string alphabet = "-?:,[]{}#&*!|>'\"%@` \n\r\tab1~.\\\xC3\xA9";
  Limits limits;
  limits.max_depth = 16;
  limits.max_nodes = 256;
  size_t parsed = 0;
  const int rounds = 5000;
  for (int round = 0; round < rounds; ++round) {
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
    const auto document = read_yaml("fuzz.yaml", text, limits, sink);
    CHECK(document.has_value() == (sink.size() == 0));
    if (!document) CHECK(sink.size() == 1);
    parsed += document.has_value() ? 1 : 0;
  }
  MESSAGE(parsed << " of " << rounds << " mutated inputs parsed");
}

#ifdef FERMATA_SHARED_DIR
/// Helm templates put `{{ ... }}` directives at the start of lines; they are not YAML.
bool looks_like_helm_template(const std::string& text) {
  size_t line = 0;
  while (line < text.size()) {
    size_t p = line;
    while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
    if (text.compare(p, 2, "{{") == 0) return true;
    const size_t end = text.find('\n', line);
    if (end == std::string::npos) break;
    line = end + 1;
  }
  return false;
}

TEST_CASE("yaml: every .yaml/.yml file of the real-world corpus parses") {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(FERMATA_SHARED_DIR) / "corpus" / "real";
  REQUIRE(fs::is_directory(root));
  size_t files = 0;
  size_t documents = 0;
  std::string failures;
  std::string templates;
  const auto started = std::chrono::steady_clock::now();
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const auto extension = entry.path().extension();
    if (!entry.is_regular_file() || (extension != ".yaml" && extension != ".yml")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string relative = fs::relative(entry.path(), root).generic_string();
    DiagnosticSink sink;
    const auto document = read_yaml(relative, text, Limits{}, sink);
    ++files;
    if (document) documents += document->roots.size();
    if (looks_like_helm_template(text)) {
      templates += "\n  " + relative + (document ? " (parsed)" : " (not YAML)");
      continue;
    }
    if (!document) {
      for (const auto& item : sink.items()) failures += "\n  " + core::format_diagnostic(item);
    }
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  MESSAGE(files << " corpus YAML files, " << documents << " documents, read in " << elapsed.count()
                << " ms");
  if (!templates.empty()) MESSAGE("files with '{{' at a line start (not required):" << templates);
  CHECK(files > 0);
  CHECK_MESSAGE(failures.empty(), "corpus files that failed to parse:" << failures);
}
#endif

}  // namespace
}  // namespace fermata::syntax
