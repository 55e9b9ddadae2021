#include "report/line_hash.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace fermata::report {
namespace {

uint64_t power37(int exponent) {
  uint64_t value = 1;
  for (int i = 0; i < exponent; ++i) value *= 37;
  return value;
}

std::string hex(uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%llx", static_cast<unsigned long long>(value));
  return buffer;
}

// Written out from the algorithm by hand: the window of line 1 holds its characters, then the
// end-of-file marker, then zeros, so its hash is the polynomial sum over the first 100 slots.
TEST_CASE("line_hash: tiny inputs computed from the definition") {
  const uint64_t kEof = 65535;

  SUBCASE("empty text has one line holding only the end-of-file marker") {
    const auto hashes = line_hashes("");
    REQUIRE(hashes.size() == 1);
    CHECK(hashes[0] == hex(kEof * power37(99)) + ":1");
  }
  SUBCASE("one character") {
    const auto hashes = line_hashes("a");
    REQUIRE(hashes.size() == 1);
    CHECK(hashes[0] == hex('a' * power37(99) + kEof * power37(98)) + ":1");
  }
  SUBCASE("a trailing newline starts a line that holds the end-of-file marker") {
    const auto hashes = line_hashes("a\n");
    REQUIRE(hashes.size() == 2);
    CHECK(hashes[0] == hex('a' * power37(99) + '\n' * power37(98) + kEof * power37(97)) + ":1");
    CHECK(hashes[1] == hex(kEof * power37(99)) + ":1");
  }
  SUBCASE("spaces and tabs are skipped") { CHECK(line_hashes(" \ta\t ") == line_hashes("a")); }
  SUBCASE("CR and CRLF hash like LF") {
    CHECK(line_hashes("x\r\ny\r\n") == line_hashes("x\ny\n"));
    CHECK(line_hashes("x\ry\r") == line_hashes("x\ny\n"));
  }
  SUBCASE("equal hashes are numbered in order") {
    // Each line is longer than the window, so its hash sees only its own 'x's.
    const std::string line = std::string(120, 'x') + "\n";
    const auto hashes = line_hashes(line + line + line);
    REQUIRE(hashes.size() == 4);
    uint64_t first_100 = 0;
    for (int i = 0; i < 100; ++i) first_100 = 37 * first_100 + 'x';
    CHECK(hashes[0] == hex(first_100) + ":1");
    CHECK(hashes[1] == hex(first_100) + ":2");
    CHECK(hashes[2] == hex(first_100) + ":3");
  }
}

// Expected values come from running GitHub's published algorithm (codeql-action
// src/fingerprints.ts, reading the file as Node's UTF-8 stream) on the same bytes.
TEST_CASE("line_hash: agrees with the reference implementation") {
  const std::string kEofLine = "c129715d7a2bc9a3:1";
  struct Case {
    const char* name;
    std::string text;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"empty", "", {kEofLine}},
      {"one", "a", {"53b5d4aabe50d64:1"}},
      {"lf",
       "name: demo\nimage: nginx:latest\n",
       {"930d6b5916779c3:1", "521a25730068637d:1", kEofLine}},
      {"crlf",
       "name: demo\r\nimage: nginx:latest\r\n",
       {"930d6b5916779c3:1", "521a25730068637d:1", kEofLine}},
      {"cr",
       "name: demo\rimage: nginx:latest\r",
       {"930d6b5916779c3:1", "521a25730068637d:1", kEofLine}},
      {"tabs",
       "\tkey:\t value \n  key: value\n",
       {"bdd4d1e3564e5a8f:1", "c1e913edccbc2d21:1", kEofLine}},
      {"long lines",
       std::string(150, 'x') + "\n" + std::string(30, 'y') + "\nz\n",
       {"52b56201ffb58620:1", "79aa0dd4423761bf:1", "95de0951c928fa27:1", kEofLine}},
      {"unicode and astral",
       "caf\xC3\xA9: \xC3\xBC\xC3\xB1\xC3\xAE\xC3\xA7\xC3\xB8"
       "d\xC3\xA9\n"
       "emoji: \xF0\x9F\x98\x80\xF0\x9F\x9A\x80 astral \xF0\x90\x8D\x88\n",
       {"4034b947d7c12f56:1", "b96602e6e219ed2c:1", kEofLine}},
      {"identical short lines",
       "same\nsame\nother\nsame\n",
       {"a39e2603a7aa5ae7:1", "4d20da5ecbd5a22b:1", "fddda6bcd01cd5bf:1", "930af01a65e2307f:1",
        kEofLine}},
      {"identical long lines",
       std::string(120, 'x') + "\n" + std::string(120, 'x') + "\n" + std::string(120, 'x') + "\n",
       {"52b56201ffb58620:1", "52b56201ffb58620:2", "52b56201ffb58620:3", kEofLine}},
      {"invalid utf-8",
       "ok\n\xFF\xFE bad \xC3\n\xE2\x82 trunc \xF0\x9F\x98 end\n\xED\xA0\x80 surrogate\n"
       "\xC0\xAF overlong\n",
       {"27f84eee438df127:1", "3271ba01b5fce13:1", "1c5e1c2b221a6fb3:1", "feab2822b94b74c4:1",
        "c774719d12d9f013:1", kEofLine}},
      {"blank lines",
       "\n\n\n",
       {"4e5d562094661a0d:1", "5b5d4caf73a13177:1", "3c5bef55b72b93c9:1", kEofLine}},
      {"no final newline", "a: 1\nb: 2", {"4252bb1e9b1a3153:1", "a2e0b3ce8782bc7d:1"}},
      {"byte order mark kept", "\xEF\xBB\xBFkey: v\n", {"c51cfad22b7e0001:1", kEofLine}},
      {"mixed line endings",
       "a\r\n\r\nb\r\r\nc\n\rd",
       {"bf7545f4bcfe9ab1:1", "d28a71f21ad832ea:1", "75e251f7e21ec968:1", "3005887a40c64c34:1",
        "f8ac93a55d88711a:1", "6bf49ae9d59c5bc1:1", "a23a3dc5e078b07b:1"}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK(line_hashes(c.text) == c.expected);
  }
}

TEST_CASE("line_hash: large file with multi-byte characters") {
  // Larger than one 64 KiB read of the reference, so characters straddle its chunks.
  std::string text;
  for (int i = 1; i <= 1200; ++i) {
    text += "line " + std::to_string(i) + ": ";
    for (int k = 0; k < 30; ++k) text += "\xC3\xA9\xF0\x9F\x98\x80";
    text += "\n";
  }
  const auto hashes = line_hashes(text);
  REQUIRE(hashes.size() == 1201);
  CHECK(hashes[0] == "3da32307abca907c:1");
  CHECK(hashes[554] == "40f8f6f5d446c36b:1");
  CHECK(hashes[555] == "a935ba5392f82a60:1");
  CHECK(hashes[1199] == "b0590996e4e55ab7:1");
  CHECK(hashes[1200] == "c129715d7a2bc9a3:1");
}

}  // namespace
}  // namespace fermata::report
