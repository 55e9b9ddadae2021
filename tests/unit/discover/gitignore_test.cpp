// Every expectation here was checked against `git check-ignore --no-index -v` (git 2.39) in a
// scratch repository holding the same .gitignore files and paths.
#include "discover/gitignore.hpp"

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace fermata::discover {
namespace {

struct GlobCase {
  const char* pattern;
  const char* text;
  bool match;
};

struct PathCase {
  const char* path;
  bool is_dir;
  bool ignored;
};

constexpr bool kDir = true;
constexpr bool kFile = false;

// The walker never descends into an ignored directory, so git reports everything below one as
// ignored; this applies the same rule so the cases read like `git check-ignore` output.
bool walk_ignored(const IgnoreRules& rules, std::string_view path, bool is_dir) {
  for (size_t slash = path.find('/'); slash != std::string_view::npos;
       slash = path.find('/', slash + 1)) {
    if (rules.ignored(path.substr(0, slash), true)) return true;
  }
  return rules.ignored(path, is_dir);
}

IgnoreRules rules_from(std::initializer_list<std::pair<const char*, std::string_view>> files) {
  IgnoreRules rules;
  for (const auto& [base, content] : files) rules.add(base, content);
  return rules;
}

void check_paths(const IgnoreRules& rules, std::initializer_list<PathCase> cases) {
  for (const PathCase& c : cases) {
    CAPTURE(c.path);
    CAPTURE(c.is_dir);
    CHECK(walk_ignored(rules, c.path, c.is_dir) == c.ignored);
  }
}

TEST_CASE("glob_match: wildcards, classes, escapes and **") {
  const GlobCase cases[] = {
      {"*", "a", true},
      {"*", "a/b", false},
      {"**", "a/b", true},
      {"a/**", "a", false},
      {"a/**", "a/b/c", true},
      {"**/b", "b", true},
      {"**/b", "x/y/b", true},
      {"a/**/b", "a/b", true},
      {"a/**/b", "a/x/y/b", true},
      {"a/**/b", "a/x/y/c", false},
      {"a/**/**/b", "a/b", true},
      {"***/y", "a/b/y", true},
      {"x**y", "x/y", false},  // not a whole component: an ordinary star
      {"x**y", "xay", true},
      {"x***y", "xaay", true},
      {"a/*/b", "a/b", false},
      {"a/*/b", "a/x/b", true},
      {"*/b", "a/b", true},
      {"*/*.c", "x/y/z.c", false},
      {"**/*.c", "x/y/z.c", true},
      {"**/", "a/", true},
      {"a?c", "abc", true},
      {"a?c", "a/c", false},
      {"?", "", false},
      {"a*", "a", true},
      {"*a*", "bab", true},
      {"*.txt", ".txt", true},
      {"[a-c]", "b", true},
      {"[a-c]", "d", false},
      {"[!a-c]", "d", true},
      {"[!a-c]", "b", false},
      {"[^a]", "b", true},
      {"[]]", "]", true},
      {"[]a]", "a", true},
      {"[!]]", "]", false},
      {"[a-]", "-", true},
      {"[a-c-e]", "-", true},
      {"[a-c-e]", "d", false},
      {"[\\]]", "]", true},
      {"[a\\-z]", "-", true},
      {"[a\\-z]", "b", false},
      {"[[:digit:]]x", "1x", true},
      {"[[:digit:]]x", "ax", false},
      {"[[:alpha:]-9]", "-", true},
      {"[[:space:]]x", " x", true},
      {"[[:bogus:]]", "b", false},  // unknown class: git rejects the pattern
      {"[[:alpha:]", "a", false},   // never closed
      {"[abc", "a", false},
      {"[abc", "[abc", false},
      {"a[/]b", "a/b", false},  // nothing but a literal slash matches '/'
      {"\\*", "*", true},
      {"\\*", "a", false},
      {"\\a", "a", true},
      {"abc\\", "abc", false},  // a trailing backslash never matches
      {"**\\/x", "x", false},   // git skips the empty-directory case for an escaped slash
      {"**\\/x", "d/x", true},
  };
  for (const GlobCase& c : cases) {
    CAPTURE(c.pattern);
    CAPTURE(c.text);
    CHECK(glob_match(c.pattern, c.text) == c.match);
  }
}

TEST_CASE("glob_match: hostile patterns stay fast" * doctest::timeout(2)) {
  const std::string as(4000, 'a');
  CHECK_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", as));
  std::string deep;
  for (int i = 0; i < 500; ++i) deep += "a/";
  deep += "c";
  CHECK_FALSE(glob_match("**/a/**/a/**/a/**/a/**/a/**/a/**/a/**/b", deep));
  CHECK(glob_match("**/a/**/a/**/a/**/a/**/a/**/a/**/a/**/c", deep));
}

TEST_CASE("gitignore: a pattern without a slash matches the name at any depth") {
  check_paths(rules_from({{"", "*.log\n"}}), {{"a.log", kFile, true},
                                              {"dir/b.log", kFile, true},
                                              {"dir/sub/c.log", kFile, true},
                                              {"a.log.txt", kFile, false},
                                              {"logs", kDir, false}});
}

TEST_CASE("gitignore: a leading or middle slash anchors to the .gitignore's directory") {
  check_paths(rules_from({{"", "/build\n"}}),
              {{"build", kDir, true}, {"src/build", kDir, false}, {"src/build/x", kFile, false}});
  check_paths(
      rules_from({{"", "doc/frotz\n"}}),
      {{"doc/frotz", kFile, true}, {"doc/frotz/x", kFile, true}, {"a/doc/frotz", kFile, false}});
  check_paths(rules_from({{"", "/a/*.c\n"}}), {{"a/x.c", kFile, true}, {"a/b/x.c", kFile, false}});
  check_paths(rules_from({{"", "/a/b/\n"}}),
              {{"a/b", kDir, true}, {"a/b", kFile, false}, {"x/a/b", kDir, false}});
}

TEST_CASE("gitignore: a trailing slash matches directories only") {
  check_paths(
      rules_from({{"", "out/\n"}}),
      {{"out", kDir, true}, {"out", kFile, false}, {"x/out", kDir, true}, {"x/out", kFile, false}});
  check_paths(rules_from({{"", "**/cache/\n"}}),
              {{"cache", kDir, true}, {"a/cache", kDir, true}, {"a/cache", kFile, false}});
  check_paths(rules_from({{"", "logs\n!logs/\n"}}), {{"logs", kDir, false}, {"logs", kFile, true}});
}

TEST_CASE("gitignore: ** in leading, trailing and middle position") {
  check_paths(rules_from({{"", "**/foo\n**/bar/baz\n"}}), {{"foo", kFile, true},
                                                           {"a/foo", kFile, true},
                                                           {"a/b/foo", kDir, true},
                                                           {"bar/baz", kFile, true},
                                                           {"x/bar/baz", kFile, true},
                                                           {"x/bar/qux", kFile, false}});
  check_paths(rules_from({{"", "abc/**\n"}}), {{"abc", kDir, false},
                                               {"abc", kFile, false},
                                               {"abc/x", kFile, true},
                                               {"abc/x/y", kFile, true},
                                               {"xabc/x", kFile, false}});
  check_paths(rules_from({{"", "a/**/b\n"}}), {{"a/b", kFile, true},
                                               {"a/x/b", kFile, true},
                                               {"a/x/y/b", kFile, true},
                                               {"a/xb", kFile, false},
                                               {"b", kFile, false},
                                               {"c/a/b", kFile, false}});
}

TEST_CASE("gitignore: ** right after an anchored pattern's literal start, as git does it") {
  // git matches the wildcard-free start of an anchored pattern on its own, so the "**" that
  // follows behaves as a whole component even though it is glued to "a" and "x".
  check_paths(
      rules_from({{"", "/a**/b\n/x**\n"}}),
      {{"ab", kFile, true}, {"ac", kFile, false}, {"xy", kDir, true}, {"xy/z", kFile, true}});
  IgnoreRules rules = rules_from({{"", "/x**\n"}});
  CHECK(rules.ignored("xy/z", false));
}

TEST_CASE("gitignore: negation and the last matching pattern") {
  check_paths(rules_from({{"", "*.txt\n!keep.txt\n"}}), {{"a.txt", kFile, true},
                                                         {"keep.txt", kFile, false},
                                                         {"d/keep.txt", kFile, false},
                                                         {"d/a.txt", kFile, true}});
  check_paths(rules_from({{"", "!a.txt\n*.txt\n"}}), {{"a.txt", kFile, true}});
  check_paths(rules_from({{"", "*\n!*/\n!*.md\n"}}), {{"a.txt", kFile, true},
                                                      {"d", kDir, false},
                                                      {"d/x.md", kFile, false},
                                                      {"d/x.txt", kFile, true}});
}

TEST_CASE("gitignore: a file inside an excluded directory cannot be re-included") {
  IgnoreRules rules = rules_from({{"", "build/\n!build/keep.txt\n"}});
  check_paths(rules, {{"build", kDir, true}, {"build/keep.txt", kFile, true}});
  // ignored() judges only the path it is given; the exclusion comes from the walker never
  // entering build/.
  CHECK_FALSE(rules.ignored("build/keep.txt", false));
}

TEST_CASE("gitignore: nested .gitignore files apply below their directory and win") {
  check_paths(rules_from({{"", "*.json\n"}, {"sub", "!config.json\n"}}),
              {{"x.json", kFile, true},
               {"config.json", kFile, true},
               {"sub/config.json", kFile, false},
               {"sub/deep/config.json", kFile, false},
               {"sub/other.json", kFile, true}});
  check_paths(rules_from({{"sub", "/local\ntmp\n"}}), {{"sub/local", kFile, true},
                                                       {"local", kFile, false},
                                                       {"sub/x/local", kFile, false},
                                                       {"sub/a/tmp", kDir, true},
                                                       {"tmp", kFile, false},
                                                       {"subx/tmp", kFile, false}});
  check_paths(rules_from({{"", "!important.log\n*.log\n"}, {"a", "!important.log\n"}}),
              {{"important.log", kFile, true},
               {"a/important.log", kFile, false},
               {"a/b/important.log", kFile, false},
               {"b/important.log", kFile, true}});
}

TEST_CASE("gitignore: classes and ? in patterns") {
  check_paths(rules_from({{"", "[abc].txt\n[!a]*.md\n[0-9]x\n[[:upper:]]*.c\n?.c\n/a/?/b\n"}}),
              {{"a.txt", kFile, true},
               {"d.txt", kFile, false},
               {"b.md", kFile, true},
               {"a.md", kFile, false},
               {"5x", kFile, true},
               {"ax", kFile, false},
               {"Main.c", kFile, true},
               {"main.c", kFile, false},
               {"a.c", kFile, true},
               {"ab.c", kFile, false},
               {"d/a.c", kFile, true},
               {"a/x/b", kFile, true},
               {"a/xy/b", kFile, false}});
}

TEST_CASE("gitignore: comments, escapes and trailing spaces") {
  check_paths(rules_from({{"", "\\#hash\n\\!bang\n#comment\n"}}), {{"#hash", kFile, true},
                                                                   {"!bang", kFile, true},
                                                                   {"#comment", kFile, false},
                                                                   {"comment", kFile, false}});
  check_paths(rules_from({{"", "foo   \nbar\\ \n"}}), {{"foo", kFile, true},
                                                       {"foo   ", kFile, false},
                                                       {"bar ", kFile, true},
                                                       {"bar", kFile, false}});
  check_paths(rules_from({{"", "\\*.c\n"}}), {{"*.c", kFile, true}, {"a.c", kFile, false}});
  check_paths(rules_from({{"", "\n   \n\nx\n"}}), {{"x", kFile, true}, {"   ", kFile, false}});
}

TEST_CASE("gitignore: CRLF line endings, a byte order mark, no final newline") {
  check_paths(rules_from({{"", "a.txt\r\nb/\r\n"}}),
              {{"a.txt", kFile, true}, {"b", kDir, true}, {"b", kFile, false}});
  check_paths(rules_from({{"",
                           "\xEF\xBB\xBF"
                           "foo\nbar"}}),
              {{"foo", kFile, true}, {"bar", kFile, true}});
}

TEST_CASE("gitignore: case-sensitive, byte-wise names") {
  check_paths(rules_from({{"", "*.TXT\n\xC3\xA9t\xC3\xA9*\n"}}),
              {{"a.txt", kFile, false},
               {"a.TXT", kFile, true},
               {"\xC3\xA9t\xC3\xA9.txt", kFile, true},
               {"ete.txt", kFile, false}});
}

TEST_CASE("gitignore: no rules, empty and degenerate lines") {
  IgnoreRules empty;
  CHECK_FALSE(empty.ignored("a", false));
  // "/" and "!" leave nothing to match; git accepts them and they match nothing.
  IgnoreRules rules = rules_from({{"", "/\n!\n!/\n\\\n"}});
  CHECK_FALSE(rules.ignored("a", false));
  CHECK_FALSE(rules.ignored("a", true));
  CHECK_FALSE(rules.ignored("\\", false));
}

}  // namespace
}  // namespace fermata::discover
