#include "report/literal_matcher.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "report/report.hpp"

namespace fermata::report {
namespace {

/// Spans [begin, end) of the longest pattern ending at each offset, by brute force.
std::vector<LiteralMatcher::Match> naive(const std::vector<std::string>& patterns,
                                         std::string_view text) {
  std::vector<LiteralMatcher::Match> out;
  for (size_t end = 1; end <= text.size(); ++end) {
    LiteralMatcher::Match best;
    bool found = false;
    for (size_t p = 0; p < patterns.size(); ++p) {
      const size_t length = patterns[p].size();
      if (length > end || text.substr(end - length, length) != patterns[p]) continue;
      if (!found || length > best.end - best.begin) best = {end - length, end, p};
      found = true;
    }
    if (found) out.push_back(best);
  }
  return out;
}

TEST_CASE("literal matcher: the longest pattern at each end, as a brute-force search finds it") {
  std::mt19937 random(7);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> patterns;
    const int count = 1 + static_cast<int>(random() % 6);
    for (int i = 0; i < count; ++i) {
      std::string pattern;
      const int length = 1 + static_cast<int>(random() % 5);
      for (int k = 0; k < length; ++k) pattern += static_cast<char>('a' + random() % 3);
      if (std::find(patterns.begin(), patterns.end(), pattern) == patterns.end()) {
        patterns.push_back(pattern);
      }
    }
    std::string text;
    for (int k = 0; k < 40; ++k) text += static_cast<char>('a' + random() % 3);
    const LiteralMatcher matcher(patterns);
    const auto got = matcher.longest_at_each_end(text);
    const auto want = naive(patterns, text);
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i].begin == want[i].begin);
      CHECK(got[i].end == want[i].end);
      CHECK(got[i].pattern == want[i].pattern);
    }
  }
  CHECK(LiteralMatcher({}).longest_at_each_end("abc").empty());
  const LiteralMatcher bytes({std::string("\xFF\x00", 2), "\x80"});
  CHECK(bytes.longest_at_each_end(std::string("a\xFF\x00\x80", 4)).size() == 2);
}

TEST_CASE("redaction costs linear time however many secrets a file plants") {
  // A hostile configuration with tens of thousands of secrets once made every report take
  // hours: each message and snippet was searched for each secret in turn.
  std::mt19937 random(11);
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  Redactor redactor;
  std::vector<std::string> secrets;
  for (int i = 0; i < 30000; ++i) {
    std::string secret = "ghp_";
    for (int k = 0; k < 36; ++k) secret += kAlphabet[random() % kAlphabet.size()];
    secrets.push_back(secret);
    redactor.add_secret(secret);
  }
  const auto start = std::chrono::steady_clock::now();
  size_t masked = 0;
  for (const auto& secret : secrets) {
    const std::string message = "server 'x' has a hardcoded token in env 'T': " + secret;
    masked += redactor.redact(message).find("ghp_****") != std::string::npos ? 1 : 0;
  }
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
  CHECK(masked == secrets.size());
  // Quadratic work here is about 10^9 substring searches: minutes, not this.
  CHECK(seconds.count() < 20.0);
}

TEST_CASE("redact_prefix cuts long lines without reading them whole, never inside a secret") {
  Redactor redactor;
  const std::string secret = "ghp_Zx81Qm0PaLw2Rt7Yk4Nc5Vb6Hs3Jd9Fg1Ue0";
  redactor.add_secret(secret);
  // A secret across the cut is masked whole and the cut moves past it.
  const std::string across = std::string(8, 'a') + secret + std::string(50, 'b');
  CHECK(redactor.redact_prefix(across, 10) == std::string(8, 'a') + "ghp_****\xE2\x80\xA6");
  // A secret after the cut is never shown, not even in part.
  const std::string after = std::string(10, 'a') + secret;
  CHECK(redactor.redact_prefix(after, 10) == std::string(10, 'a') + "\xE2\x80\xA6");
  CHECK(redactor.redact_prefix(after, 100) == std::string(10, 'a') + "ghp_****");
  CHECK(redactor.redact_prefix("", 5).empty());
}

TEST_CASE("a secret is masked as the source writes it: escaped, or one line at a time") {
  Redactor redactor;
  const std::string key =
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"
      "Zq0x9Lk2mP4sR7tW1yB3nE6vH8jD0fG5aU2iO9pK3lQ4cX7zV1bN6mS8dT0rY2w\n"
      "-----END PRIVATE KEY-----";
  redactor.add_secret(key);
  // A JSON source line holds the key escaped; a report quoting it must mask that form.
  std::string escaped;
  for (const char c : key) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  CHECK(redactor.redact("  \"KEY\": \"" + escaped + "\",") == "  \"KEY\": \"----****\",");
  // A YAML block scalar puts each line of the key on a source line of its own.
  CHECK(redactor.redact("    MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7") == "    ****");
  CHECK(redactor.redact("    -----END PRIVATE KEY-----") == "    ****");
  // Quotes and backslashes in a secret are escaped in JSON too.
  Redactor quoted;
  quoted.add_secret("pa\"ss\\w0rd-9f8e7d6c5b4a");
  CHECK(quoted.redact("\"pa\\\"ss\\\\w0rd-9f8e7d6c5b4a\"") == "\"pa\"s****\"");
}

}  // namespace
}  // namespace fermata::report
