#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "report/report.hpp"
#include "tests/unit/report/sample_report.hpp"

namespace fermata::report {
namespace {

TEST_CASE("Redactor::mask keeps a short prefix only of long secrets") {
  CHECK(Redactor::mask("") == "****");
  CHECK(Redactor::mask("hunter2") == "****");
  CHECK(Redactor::mask("fifteen-chars!!") == "****");       // 15
  CHECK(Redactor::mask("sixteen-chars!!!") == "sixt****");  // 16: four is a quarter
  CHECK(Redactor::mask(testing::kSecret) == "ghp_****");
  // Four code points of four bytes each would reveal half of this secret.
  CHECK(Redactor::mask("\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80"
                       "abcdefghijklmnop") == "****");
  // Never a broken UTF-8 sequence: whole code points or nothing.
  CHECK(Redactor::mask("\xC3\xA9"
                       "abcdefghijklmnopqrstuvwxyz0123") ==
        "\xC3\xA9"
        "abc****");
}

TEST_CASE("Redactor::add_secret ignores empty values and duplicates") {
  Redactor redactor;
  CHECK(redactor.empty());
  redactor.add_secret("");
  CHECK(redactor.empty());
  redactor.add_secret("s3cr3t");
  redactor.add_secret("s3cr3t");
  CHECK_FALSE(redactor.empty());
  CHECK(redactor.redact("a s3cr3t b") == "a **** b");
  CHECK(redactor.redact("") == "");
}

TEST_CASE("Redactor::redact masks every occurrence of every secret") {
  Redactor redactor;
  redactor.add_secret(testing::kSecret);
  redactor.add_secret("short-pw");
  const std::string text =
      "token=" + testing::kSecret + " again " + testing::kSecret + " and short-pw, short-pw";
  CHECK(redactor.redact(text) == "token=ghp_**** again ghp_**** and ****, ****");
  CHECK(redactor.redact("nothing here") == "nothing here");
}

TEST_CASE("Redactor::redact masks overlapping and nested secrets completely") {
  SUBCASE("a secret inside a longer one: the longer one decides the mask") {
    Redactor redactor;
    redactor.add_secret("1234567890");
    redactor.add_secret("token-1234567890-abcdef");
    CHECK(redactor.redact("x token-1234567890-abcdef y") == "x toke**** y");
    CHECK(redactor.redact("x 1234567890 y") == "x **** y");
  }
  SUBCASE("two secrets overlapping: neither tail stays readable") {
    Redactor redactor;
    redactor.add_secret("AAAABBBB");
    redactor.add_secret("BBBBCCCC");
    const std::string out = redactor.redact("<AAAABBBBCCCC>");
    CHECK(out == "<****>");
    CHECK(out.find("CCCC") == std::string::npos);
  }
  SUBCASE("adjacent occurrences") {
    Redactor redactor;
    redactor.add_secret("abab");
    CHECK(redactor.redact("ababab") == "****");
  }
  SUBCASE("the order of discovery does not matter") {
    Redactor a;
    a.add_secret("alpha-secret-value-1");
    a.add_secret("secret");
    Redactor b;
    b.add_secret("secret");
    b.add_secret("alpha-secret-value-1");
    const std::string text = "alpha-secret-value-1 / secret";
    CHECK(a.redact(text) == b.redact(text));
    CHECK(a.redact(text) == "alph**** / ****");
  }
}

TEST_CASE("SourceCache::line splits on LF, CRLF and CR") {
  SourceCache cache;
  cache.put("a.yaml", "one\ntwo\r\nthree\rfour");
  CHECK(cache.line("a.yaml", 1) == "one");
  CHECK(cache.line("a.yaml", 2) == "two");
  CHECK(cache.line("a.yaml", 3) == "three");
  CHECK(cache.line("a.yaml", 4) == "four");
  CHECK(cache.line("a.yaml", 5) == "");
  CHECK(cache.line("a.yaml", 0) == "");
  CHECK(cache.line("missing.yaml", 1) == "");
  CHECK(cache.text("missing.yaml") == nullptr);
  REQUIRE(cache.text("a.yaml") != nullptr);
  cache.put("a.yaml", "replaced\n");
  CHECK(cache.line("a.yaml", 1) == "replaced");
  CHECK(cache.line("a.yaml", 2) == "");
}

TEST_CASE("SourceCache::line at the end of a file") {
  SourceCache cache;
  cache.put("lf", "a\n");
  cache.put("crlf", "a\r\n\r\n");
  cache.put("empty", "");
  CHECK(cache.line("lf", 1) == "a");
  CHECK(cache.line("lf", 2) == "");
  CHECK(cache.line("lf", 3) == "");
  CHECK(cache.line("crlf", 1) == "a");
  CHECK(cache.line("crlf", 2) == "");
  CHECK(cache.line("crlf", 3) == "");
  CHECK(cache.line("empty", 1) == "");
}

TEST_CASE("Report::rule finds rules by id") {
  const Report report = testing::sample_report();
  REQUIRE(report.rule("mcp-secret-in-config") != nullptr);
  CHECK(report.rule("mcp-secret-in-config")->title ==
        "Credential committed in an MCP client configuration");
  REQUIRE(report.rule("mcp-remote-server-without-auth") != nullptr);
  CHECK(report.rule("no-such-rule") == nullptr);

  Report unsorted;
  unsorted.rules = {testing::secret_rule(), testing::remote_rule()};
  CHECK(unsorted.rule("mcp-remote-server-without-auth") != nullptr);
  CHECK(unsorted.rule("mcp-secret-in-config") != nullptr);
}

TEST_CASE("Report::snippet masks secrets before cutting long lines") {
  Report report;
  auto sources = std::make_shared<SourceCache>();
  // The secret straddles the cut: cutting first would leave its head readable.
  const std::string line = std::string(kSnippetMaxCodePoints - 10, 'a') + testing::kSecret;
  sources->put("f.txt", "first\n" + line + "\n");
  report.sources = sources;
  report.redactor.add_secret(testing::kSecret);

  CHECK(report.snippet(core::SourceLoc{"f.txt", {1, 1, 1, 5}}) == "first");
  const std::string cut = report.snippet(core::SourceLoc{"f.txt", {2, 1, 2, 1}});
  CHECK(cut == std::string(kSnippetMaxCodePoints - 10, 'a') + "ghp_****");
  CHECK(report.snippet(core::SourceLoc{"f.txt", {}}) == "");
  CHECK(report.snippet(core::SourceLoc{"other.txt", {1, 1, 1, 1}}) == "");

  const std::string long_line(kSnippetMaxCodePoints + 5, 'b');
  sources->put("g.txt", long_line);
  CHECK(report.snippet(core::SourceLoc{"g.txt", {1, 1, 1, 1}}) ==
        std::string(kSnippetMaxCodePoints, 'b') + "\xE2\x80\xA6");
}

TEST_CASE("truncate_code_points never splits a code point") {
  CHECK(truncate_code_points("abc", 3) == "abc");
  CHECK(truncate_code_points("abcd", 3) == "abc\xE2\x80\xA6");
  CHECK(truncate_code_points("\xC3\xA9\xC3\xA9\xC3\xA9", 2) == "\xC3\xA9\xC3\xA9\xE2\x80\xA6");
  CHECK(truncate_code_points("", 0) == "");
}

}  // namespace
}  // namespace fermata::report
