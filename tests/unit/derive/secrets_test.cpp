#include "derive/secrets.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#ifndef FERMATA_SOURCE_DIR
#error "FERMATA_SOURCE_DIR must name the source tree"
#endif
#ifndef FERMATA_SHARED_DIR
#error "FERMATA_SHARED_DIR must name the shared reference tree"
#endif

namespace fermata::derive {
namespace {

// Test credentials are generated at run time, so no complete token sits in this file for a
// secret scanner to flag.
constexpr std::string_view kBase62 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kUpperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlSafe =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

std::string rnd(size_t n, std::string_view alphabet, uint64_t seed) {
  std::string out;
  uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
  for (size_t i = 0; i < n; ++i) {
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDULL;
    x ^= x >> 29;
    x += 0x9E3779B97F4A7C15ULL;
    out += alphabet[(x >> 7) % alphabet.size()];
  }
  return out;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr std::string_view kCatalogPath = "rules/catalog/secret-patterns.yaml";

const SecretClassifier& classifier() {
  static const SecretClassifier instance = [] {
    const std::string text = read_file(std::filesystem::path(FERMATA_SOURCE_DIR) / kCatalogPath);
    core::DiagnosticSink sink;
    std::vector<SecretPattern> patterns = parse_secret_catalog(kCatalogPath, text, sink);
    return SecretClassifier(std::move(patterns), kCatalogPath, sink);
  }();
  return instance;
}

std::optional<SecretClassifier::Match> classify(std::string_view key, std::string_view value) {
  return classifier().classify(key, value);
}

void expect_secret(std::string_view key, const std::string& value, std::string_view kind,
                   const std::string& secret) {
  CAPTURE(key);
  CAPTURE(value);
  const auto match = classify(key, value);
  REQUIRE(match.has_value());
  CHECK(match->kind == kind);
  CHECK(match->secret == secret);
}

void expect_secret(std::string_view key, const std::string& value, std::string_view kind) {
  expect_secret(key, value, kind, value);
}

void expect_clean(std::string_view key, const std::string& value) {
  CAPTURE(key);
  CAPTURE(value);
  const auto match = classify(key, value);
  CHECK_FALSE(match.has_value());
  if (match) MESSAGE("flagged as " << match->kind << ": " << match->secret);
}

std::vector<core::Diagnostic> parse_errors(std::string_view yaml) {
  core::DiagnosticSink sink;
  (void)parse_secret_catalog("catalog.yaml", yaml, sink);
  return sink.take();
}

// --- A tolerant reader for the corpus walk: JSON with comments and trailing commas. ---------

struct StringValue {
  std::string key;
  std::string value;
};

class LooseJson {
 public:
  LooseJson(std::string_view text, std::vector<StringValue>& out) : text_(text), out_(out) {}

  bool parse() {
    skip();
    if (!value("", 0)) return false;
    skip();
    return pos_ == text_.size();
  }

 private:
  void skip() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
        ++pos_;
      } else if (text_.substr(pos_).starts_with("//")) {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (text_.substr(pos_).starts_with("/*")) {
        const size_t end = text_.find("*/", pos_ + 2);
        pos_ = end == std::string_view::npos ? text_.size() : end + 2;
      } else {
        return;
      }
    }
  }

  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::optional<std::string> string() {
    if (pos_ >= text_.size() || text_[pos_] != '"') return std::nullopt;
    ++pos_;
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) return std::nullopt;
      c = text_[pos_++];
      switch (c) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (pos_ + 4 > text_.size()) return std::nullopt;
          append_utf8(out, static_cast<uint32_t>(
                               std::stoul(std::string(text_.substr(pos_, 4)), nullptr, 16)));
          pos_ += 4;
          break;
        }
        default: out += c;
      }
    }
    if (pos_ >= text_.size()) return std::nullopt;
    ++pos_;
    return out;
  }

  bool value(const std::string& key, int depth) {
    if (depth > 200 || pos_ >= text_.size()) return false;
    const char c = text_[pos_];
    if (c == '{') {
      ++pos_;
      for (skip(); pos_ < text_.size() && text_[pos_] != '}'; skip()) {
        const std::optional<std::string> member = string();
        if (!member) return false;
        skip();
        if (pos_ >= text_.size() || text_[pos_] != ':') return false;
        ++pos_;
        skip();
        if (!value(*member, depth + 1)) return false;
      }
      if (pos_ >= text_.size()) return false;
      ++pos_;
      return true;
    }
    if (c == '[') {
      ++pos_;
      // Inside argument lists the previous "--option" is the key, as a caller would pass it.
      std::string previous;
      for (skip(); pos_ < text_.size() && text_[pos_] != ']'; skip()) {
        const std::string item_key = previous.starts_with("-") ? previous : key;
        previous.clear();
        const bool is_string = text_[pos_] == '"';
        if (!value(item_key, depth + 1)) return false;
        if (is_string) previous = out_.back().value;
      }
      if (pos_ >= text_.size()) return false;
      ++pos_;
      return true;
    }
    if (c == '"') {
      const std::optional<std::string> text = string();
      if (!text) return false;
      // "--api-key=VALUE" in one word, as a caller would split it.
      const size_t eq = text->find('=');
      if (text->starts_with("-") && eq != std::string::npos) {
        out_.push_back({text->substr(0, eq), text->substr(eq + 1)});
      }
      out_.push_back({key, *text});
      return true;
    }
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           std::string_view(",]}\n\r\t ").find(text_[pos_]) == std::string_view::npos) {
      ++pos_;
    }
    return pos_ > start;
  }

  std::string_view text_;
  std::vector<StringValue>& out_;
  size_t pos_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
TEST_SUITE("derive.secrets.catalog") {
  TEST_CASE("the shipped catalog loads without a diagnostic") {
    const std::string text = read_file(std::filesystem::path(FERMATA_SOURCE_DIR) / kCatalogPath);
    REQUIRE_FALSE(text.empty());
    core::DiagnosticSink sink;
    const std::vector<SecretPattern> patterns = parse_secret_catalog(kCatalogPath, text, sink);
    for (const core::Diagnostic& d : sink.items()) MESSAGE(core::format_diagnostic(d));
    CHECK(sink.size() == 0);
    CHECK(patterns.size() >= 40);
    std::set<std::string> ids;
    for (const SecretPattern& p : patterns) {
      CAPTURE(p.id);
      CHECK(ids.insert(p.id).second);
      CHECK_FALSE(p.name.empty());
      CHECK_FALSE(p.regex.empty());
    }
    core::DiagnosticSink compile_sink;
    const SecretClassifier compiled(patterns, kCatalogPath, compile_sink);
    CHECK(compile_sink.size() == 0);
  }

  TEST_CASE("every catalog entry has a sample that it names") {
    struct Sample {
      std::string key;
      std::string value;
    };
    const std::string digits = "0123456789";
    const std::map<std::string, Sample> samples = {
        {"aws-access-key-id", {"", "AKIA" + rnd(16, kUpperDigits, 101)}},
        {"aws-secret-access-key", {"AWS_SECRET_ACCESS_KEY", rnd(40, kBase64, 102)}},
        {"github-pat", {"", "ghp_" + rnd(36, kBase62, 103)}},
        {"github-oauth-token", {"", "gho_" + rnd(36, kBase62, 104)}},
        {"github-user-token", {"", "ghu_" + rnd(36, kBase62, 105)}},
        {"github-app-token", {"", "ghs_" + rnd(36, kBase62, 106)}},
        {"github-refresh-token", {"", "ghr_" + rnd(76, kBase62, 107)}},
        {"github-fine-grained-pat",
         {"", "github_pat_" + rnd(22, kBase62, 108) + "_" + rnd(59, kBase62, 109)}},
        {"gitlab-token", {"", "glpat-" + rnd(20, kUrlSafe, 110)}},
        {"slack-token",
         {"", "xoxb-" + rnd(11, digits, 111) + "-" + rnd(12, digits, 112) + "-" +
                  rnd(24, kBase62, 113)}},
        {"slack-webhook-url",
         {"", "https://hooks.slack.com/services/T" + rnd(8, kUpperDigits, 114) + "/B" +
                  rnd(10, kUpperDigits, 115) + "/" + rnd(24, kBase62, 116)}},
        {"openai-api-key", {"", "sk-proj-" + rnd(120, kUrlSafe, 117)}},
        {"openai-legacy-api-key", {"", "sk-" + rnd(48, kBase62, 118)}},
        {"anthropic-api-key", {"", "sk-ant-api03-" + rnd(93, kUrlSafe, 119) + "AA"}},
        {"google-api-key", {"", "AIza" + rnd(35, kUrlSafe, 120)}},
        {"stripe-secret-key", {"", "sk_live_" + rnd(24, kBase62, 121)}},
        {"stripe-webhook-secret", {"", "whsec_" + rnd(32, kBase62, 122)}},
        {"twilio-api-key", {"", "SK" + rnd(32, kHex, 123)}},
        {"sendgrid-api-key", {"", "SG." + rnd(22, kUrlSafe, 124) + "." + rnd(43, kUrlSafe, 125)}},
        {"npm-token", {"", "npm_" + rnd(36, kBase62, 126)}},
        {"pypi-token", {"", std::string("pypi-AgEI") + "cHlwaS5vcmc" + rnd(70, kUrlSafe, 127)}},
        {"huggingface-token", {"", "hf_" + rnd(34, kBase62, 128)}},
        {"azure-storage-account-key",
         {"", "AccountName=a;AccountKey=" + rnd(86, kBase64, 129) + "=="}},
        {"azure-shared-access-key", {"", "SharedAccessKey=" + rnd(43, kBase64, 130) + "="}},
        {"private-key", {"", std::string("-----BEGIN ") + "EC PRIVATE KEY-----"}},
        {"databricks-token", {"", "dapi" + rnd(32, kHex, 131)}},
        {"digitalocean-token", {"", "doo_v1_" + rnd(64, kHex, 132)}},
        {"linear-api-key", {"", "lin_api_" + rnd(40, kBase62, 133)}},
        {"notion-token", {"", "ntn_" + rnd(46, kBase62, 134)}},
        {"groq-api-key", {"", "gsk_" + rnd(52, kBase62, 135)}},
        {"perplexity-api-key", {"", "pplx-" + rnd(48, kBase62, 136)}},
        {"tavily-api-key", {"", "tvly-" + rnd(32, kBase62, 137)}},
        {"firecrawl-api-key", {"", "fc-" + rnd(32, kHex, 138)}},
        {"supabase-secret", {"", "sbp_" + rnd(40, kHex, 139)}},
        {"shopify-token", {"", "shpca_" + rnd(32, kHex, 140)}},
        {"mailgun-api-key", {"", "key-" + rnd(32, kHex, 141)}},
        {"postman-api-key", {"", "PMAK-" + rnd(24, kHex, 142) + "-" + rnd(34, kHex, 143)}},
        {"docker-hub-token", {"", "dckr_pat_" + rnd(27, kUrlSafe, 144)}},
        {"jwt",
         {"", "eyJ" + rnd(20, kUrlSafe, 145) + ".eyJ" + rnd(40, kUrlSafe, 146) + "." +
                  rnd(43, kUrlSafe, 147)}},
        {"bearer-token", {"Authorization", "Bearer " + rnd(40, kBase62, 148)}},
        {"url-password", {"", "amqp://svc:" + rnd(20, kBase62, 149) + "@queue.internal"}},
    };
    const std::string text = read_file(std::filesystem::path(FERMATA_SOURCE_DIR) / kCatalogPath);
    core::DiagnosticSink sink;
    for (const SecretPattern& p : parse_secret_catalog(kCatalogPath, text, sink)) {
      CAPTURE(p.id);
      const auto sample = samples.find(p.id);
      REQUIRE(sample != samples.end());
      const auto match = classify(sample->second.key, sample->second.value);
      REQUIRE(match.has_value());
      CHECK(match->kind == p.name);
    }
  }

  TEST_CASE("shape errors are catalog.invalid at their line and column") {
    struct Case {
      std::string yaml;
      std::string message_part;
      uint32_t line;
      uint32_t column;
    };
    const std::vector<Case> cases = {
        {"- a\n- b\n", "expected a mapping", 1, 1},
        {"other: 1\n", "unknown field 'other'", 1, 1},
        {"version: 1\npatterns: []\n", "unknown field 'version'", 1, 1},
        {"patterns: {}\n", "'patterns' must be a list", 1, 11},
        {"patterns:\n  - just-a-string\n", "must be a mapping", 2, 5},
        {"patterns:\n  - id: a\n    name: A\n", "missing 'regex'", 2, 5},
        {"patterns:\n  - id: 42\n    name: A\n    regex: 'x'\n", "'id' must be a non-empty string",
         2, 9},
        {"patterns:\n  - id: a\n    name: ''\n    regex: 'x'\n",
         "'name' must be a non-empty string", 3, 11},
        {"patterns:\n  - id: a\n    name: A\n    regex: 'x'\n    flags: i\n",
         "unknown field 'flags'", 5, 5},
        {"patterns:\n  - id: Bad_Id\n    name: A\n    regex: 'x'\n", "not kebab-case", 2, 9},
        {"patterns:\n  - id: a\n    name: A\n    regex: 'x'\n  - id: a\n    name: B\n    regex: "
         "'y'\n",
         "duplicate id 'a' (first at catalog.yaml:2:9)", 5, 9},
        {"patterns:\n  - id: lookahead\n    name: A\n    regex: 'a(?=b)'\n",
         "pattern 'lookahead': regex does not compile under RE2", 4, 12},
        {"patterns:\n  - id: a\n    name: A\n    regex: 'x'\n    regex: 'y'\n",
         "field 'regex' given twice", 5, 5},
        {"patterns: [\n", "", 0, 0},  // YAML syntax error: position from the reader
    };
    for (const Case& c : cases) {
      CAPTURE(c.yaml);
      const auto errors = parse_errors(c.yaml);
      REQUIRE_FALSE(errors.empty());
      const core::Diagnostic& d = errors.front();
      CHECK(d.code == core::DiagCode::kCatalogInvalid);
      CHECK(d.loc.file == "catalog.yaml");
      CHECK(d.message.find(c.message_part) != std::string::npos);
      if (c.line != 0) {
        CHECK(d.loc.line() == c.line);
        CHECK(d.loc.column() == c.column);
      } else {
        CHECK(d.loc.line() >= 1);
      }
    }
  }

  TEST_CASE("missing patterns, empty file, several documents") {
    auto errors = parse_errors("{}\n");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].message.find("missing field 'patterns'") != std::string::npos);
    errors = parse_errors("");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].loc.line() == 1);
    errors = parse_errors("patterns: []\n---\npatterns: []\n");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].message.find("more than one YAML document") != std::string::npos);
  }

  TEST_CASE("only valid entries are returned") {
    core::DiagnosticSink sink;
    const auto patterns = parse_secret_catalog(
        "c.yaml",
        "patterns:\n  - id: good\n    name: Good\n    regex: 'g+'\n  - id: bad\n    name: Bad\n"
        "    regex: '(unclosed'\n",
        sink);
    REQUIRE(patterns.size() == 1);
    CHECK(patterns[0].id == "good");
    CHECK(sink.size() == 1);
  }

  TEST_CASE("the classifier drops a pattern that does not compile") {
    core::DiagnosticSink sink;
    SecretClassifier c({{"broken", "Broken", "a(?<=b)"}, {"fine", "Fine", "\\bzz[0-9]{20}"}},
                       "extra.yaml", sink);
    REQUIRE(sink.size() == 1);
    CHECK(sink.items()[0].code == core::DiagCode::kCatalogInvalid);
    CHECK(sink.items()[0].loc.file == "extra.yaml");
    CHECK(sink.items()[0].message.find("'broken'") != std::string::npos);
    const std::string token = "zz" + rnd(20, "0123456789", 1);
    const auto match = c.classify("", "x " + token + " y");
    REQUIRE(match.has_value());
    CHECK(match->kind == "Fine");
    CHECK(match->secret == token);
    SecretClassifier moved = std::move(c);
    CHECK(moved.classify("", token).has_value());
  }
}

// ---------------------------------------------------------------------------------------------
TEST_SUITE("derive.secrets.patterns") {
  TEST_CASE("cloud and source-hosting credentials") {
    expect_secret("", "AKIA" + rnd(16, kUpperDigits, 1), "AWS access key ID");
    expect_secret("AWS_ACCESS_KEY_ID", "ASIA" + rnd(16, kUpperDigits, 2), "AWS access key ID");
    expect_secret("AWS_SECRET_ACCESS_KEY", rnd(40, kBase64, 3), "AWS secret access key");
    expect_secret("aws_secret", rnd(40, kBase64, 4), "AWS secret access key");

    for (std::string prefix : {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}) {
      CAPTURE(prefix);
      const std::string token = prefix + rnd(36, kBase62, 5);
      const auto match = classify("GITHUB_TOKEN", token);
      REQUIRE(match.has_value());
      CHECK(match->kind.starts_with("GitHub"));
      CHECK(match->secret == token);
    }
    expect_secret("",
                  std::string("github_") + "pat_" + rnd(22, kBase62, 6) + "_" + rnd(59, kBase62, 7),
                  "GitHub fine-grained personal access token");

    for (std::string prefix : {"glpat-", "gldt-", "glrt-", "glptt-", "glsoat-", "glcbt-"}) {
      CAPTURE(prefix);
      expect_secret("", prefix + rnd(20, kUrlSafe, 8), "GitLab token");
    }
    expect_secret("", "glpat-" + rnd(27, kUrlSafe, 9) + ".01." + rnd(9, kBase62, 10),
                  "GitLab token");
  }

  TEST_CASE("chat, mail and SaaS tokens") {
    expect_secret("SLACK_BOT_TOKEN",
                  "xoxb-" + rnd(11, "0123456789", 11) + "-" + rnd(12, "0123456789", 12) + "-" +
                      rnd(24, kBase62, 13),
                  "Slack token");
    expect_secret("",
                  "xoxp-" + rnd(10, "0123456789", 14) + "-" + rnd(10, "0123456789", 15) + "-" +
                      rnd(12, "0123456789", 16) + "-" + rnd(32, kHex, 17),
                  "Slack token");
    expect_secret("SLACK_WEBHOOK",
                  "https://hooks.slack.com/services/T" + rnd(8, kUpperDigits, 18) + "/B" +
                      rnd(10, kUpperDigits, 19) + "/" + rnd(24, kBase62, 20),
                  "Slack incoming webhook URL");
    expect_secret("", "SK" + rnd(32, kHex, 21), "Twilio API key SID");
    expect_secret("", "SG." + rnd(22, kUrlSafe, 22) + "." + rnd(43, kUrlSafe, 23),
                  "SendGrid API key");
    expect_secret("", "key-" + rnd(32, kHex, 24), "Mailgun API key");
    expect_secret("", "PMAK-" + rnd(24, kHex, 25) + "-" + rnd(34, kHex, 26), "Postman API key");
    expect_secret("", "lin_api_" + rnd(40, kBase62, 27), "Linear API key");
    expect_secret("", "ntn_" + rnd(46, kBase62, 28), "Notion integration token");
    expect_secret("", "secret_" + rnd(43, kBase62, 29), "Notion integration token");
    expect_secret("", "shpat_" + rnd(32, kHex, 30), "Shopify access token or shared secret");
    expect_secret("", "shpss_" + rnd(32, kHex, 31), "Shopify access token or shared secret");
    expect_secret("", "sk_live_" + rnd(24, kBase62, 32), "Stripe secret key");
    expect_secret("", "rk_live_" + rnd(24, kBase62, 33), "Stripe secret key");
    expect_secret("", "sk_test_" + rnd(24, kBase62, 34), "Stripe secret key");
    expect_secret("", "whsec_" + rnd(32, kBase62, 35), "Stripe webhook signing secret");
  }

  TEST_CASE("model provider keys") {
    for (std::string kind : {"proj", "svcacct", "admin"}) {
      CAPTURE(kind);
      expect_secret("OPENAI_API_KEY", "sk-" + kind + "-" + rnd(120, kUrlSafe, 36),
                    "OpenAI API key");
    }
    expect_secret("", "sk-" + rnd(48, kBase62, 37), "OpenAI API key (legacy format)");
    expect_secret("", "sk-ant-api03-" + rnd(93, kUrlSafe, 38) + "AA", "Anthropic API key");
    expect_secret("", "sk-ant-admin01-" + rnd(93, kUrlSafe, 39) + "AA", "Anthropic API key");
    expect_secret("", "AIza" + rnd(35, kUrlSafe, 40), "Google API key");
    expect_secret("", "hf_" + rnd(34, kBase62, 41), "Hugging Face access token");
    expect_secret("", "gsk_" + rnd(52, kBase62, 42), "Groq API key");
    expect_secret("", "pplx-" + rnd(48, kBase62, 43), "Perplexity API key");
    expect_secret("", "tvly-" + rnd(32, kBase62, 44), "Tavily API key");
    expect_secret("", "tvly-dev-" + rnd(32, kBase62, 45), "Tavily API key");
    expect_secret("", "fc-" + rnd(32, kHex, 46), "Firecrawl API key");
  }

  TEST_CASE("platform tokens") {
    expect_secret("", "npm_" + rnd(36, kBase62, 47), "npm access token");
    expect_secret("", std::string("pypi-AgEI") + "cHlwaS5vcmc" + rnd(70, kUrlSafe, 48),
                  "PyPI API token");
    expect_secret("", "dapi" + rnd(32, kHex, 49), "Databricks personal access token");
    expect_secret("", "dop_v1_" + rnd(64, kHex, 50), "DigitalOcean token");
    expect_secret("", "sbp_" + rnd(40, kHex, 51), "Supabase secret key or access token");
    expect_secret("", "sb_secret_" + rnd(32, kUrlSafe, 52), "Supabase secret key or access token");
    expect_secret("", "dckr_pat_" + rnd(27, kUrlSafe, 53), "Docker Hub personal access token");
  }

  TEST_CASE("Azure connection strings: only the key is secret") {
    const std::string key = rnd(86, kBase64, 54) + "==";
    expect_secret("AZURE_STORAGE_CONNECTION_STRING",
                  "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + key +
                      ";EndpointSuffix=core.windows.net",
                  "Azure storage account key", key);
    const std::string sas = rnd(43, kBase64, 55) + "=";
    expect_secret("",
                  "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;" +
                      std::string("SharedAccessKey=") + sas,
                  "Azure Service Bus / Event Hubs shared access key", sas);
  }

  TEST_CASE("private keys, with or without their body") {
    const std::string begin = std::string("-----BEGIN ") + "RSA PRIVATE KEY-----";
    const std::string end = std::string("-----END ") + "RSA PRIVATE KEY-----";
    const std::string block =
        begin + "\n" + rnd(64, kBase64, 56) + "\n" + rnd(64, kBase64, 57) + "\n" + end;
    expect_secret("private_key", block, "Private key");
    expect_secret("", "prefix " + block + " suffix", "Private key", block);
    // OpenSSH keys encode zero bytes as runs of 'A'.
    const std::string openssh = std::string("-----BEGIN ") + "OPENSSH PRIVATE KEY-----\n" +
                                "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtz" +
                                rnd(40, kBase64, 58) + "\n-----END OPENSSH PRIVATE KEY-----";
    expect_secret("", openssh, "Private key");
    expect_secret("", std::string("-----BEGIN ") + "PRIVATE KEY-----", "Private key");
    expect_secret("", std::string("-----BEGIN PGP ") + "PRIVATE KEY BLOCK-----", "Private key");
  }

  TEST_CASE("JWTs, bearer tokens and URL passwords") {
    const std::string jwt = "eyJ" + rnd(30, kUrlSafe, 59) + ".eyJ" + rnd(60, kUrlSafe, 60) + "." +
                            rnd(43, kUrlSafe, 61);
    expect_secret("SUPABASE_SERVICE_ROLE_KEY", jwt, "JSON Web Token");
    expect_secret("", jwt, "JSON Web Token");
    expect_clean("SUPABASE_ANON_KEY", jwt);
    expect_clean("NEXT_PUBLIC_SUPABASE_KEY", jwt);

    const std::string token = rnd(40, kBase62, 62);
    expect_secret("Authorization", "Bearer " + token, "Bearer token", token);
    expect_secret("", "Authorization: Bearer " + token, "Bearer token", token);
    expect_secret("", "bearer " + token, "Bearer token", token);
    expect_secret("Authorization", "Bearer " + jwt, "JSON Web Token", jwt);
    expect_clean("", "The bearer " + token + " is described in the docs");
    expect_clean("Authorization", "Bearer short");

    const std::string password = rnd(20, kBase62, 63);
    expect_secret("DATABASE_URL", "postgres://app:" + password + "@db.internal:5432/app",
                  "Password in URL", password);
    expect_secret("", "redis://:" + password + "@cache:6379", "Password in URL", password);
    expect_secret("", "https://x-access-token:" + password + "@github.com/org/repo.git",
                  "Password in URL", password);
    expect_clean("DATABASE_URL", "postgres://app:${DB_PASSWORD}@db:5432/app");
    expect_clean("DATABASE_URL", "postgres://postgres:postgres@localhost:5432/db");
    expect_clean("DATABASE_URL", "postgres://user:pass@localhost/db");
    expect_clean("URL", "https://user@host.internal/path");
    expect_clean("URL", "https://host.internal:8443/path");
  }

  TEST_CASE("a token inside a longer value, and NAME=VALUE words") {
    const std::string key = "sk-proj-" + rnd(100, kUrlSafe, 64);
    expect_secret("", "OPENAI_API_KEY=" + key, "OpenAI API key", key);
    expect_secret("args", "--header=x-api-key: " + key, "OpenAI API key", key);
    const std::string value = rnd(32, kBase62, 65);
    expect_secret("", "GITHUB_TOKEN=" + value, "high-entropy token", value);
    expect_secret("-e", "--password=" + value, "high-entropy token", value);
    expect_clean("", "LOG_LEVEL=" + value);
  }
}

// ---------------------------------------------------------------------------------------------
TEST_SUITE("derive.secrets.entropy") {
  TEST_CASE("high-entropy values under secret-sounding keys") {
    const std::string value = rnd(32, kBase62, 66);
    for (std::string key : {"API_KEY",     "apiKey",        "x-api-key",
                            "--api-key",   "--token",       "--password",
                            "SECRET",      "client_secret", "OAUTH_CLIENT_SECRET",
                            "PGPASSWORD",  "db_passwd",     "MY_PWD",
                            "DB_PASS",     "auth",          "Authorization",
                            "ACCESS_KEY",  "private_key",   "encryption_key",
                            "credentials", "GITLAB_PAT",    "masterKey"}) {
      expect_secret(key, value, "high-entropy token");
    }
    expect_secret("TWILIO_AUTH_TOKEN", rnd(32, kHex, 67), "high-entropy token");
    expect_secret("SECRET", rnd(40, kBase64, 68), "high-entropy token");
  }

  TEST_CASE("keys that do not name a secret") {
    const std::string value = rnd(32, kBase62, 69);
    expect_clean("", value);
    for (std::string key : {"name",
                            "client_id",
                            "AWS_ACCESS_KEY_ID",
                            "TOKEN_URL",
                            "token_endpoint",
                            "auth_type",
                            "authProviderType",
                            "bearer_token_env_var",
                            "apiKeyHelper",
                            "secretRef",
                            "PASSWORD_FILE",
                            "key_path",
                            "max_tokens",
                            "STRIPE_PUBLISHABLE_KEY",
                            "NEXT_PUBLIC_API_KEY",
                            "public_key",
                            "anon_key",
                            "sort_key",
                            "cache_key",
                            "partition_key",
                            "tokenizer",
                            "pass_through",
                            "pat_count",
                            "monkey",
                            "keyboard",
                            "args",
                            "command",
                            "LOG_LEVEL"}) {
      expect_clean(key, value);
    }
  }

  TEST_CASE("values that are not tokens") {
    for (std::string value :
         {"https://api.service.internal/v1/tokens", "/home/user/.config/token.json",
          "./secrets/prod.key", "~/.ssh/id_ed25519", "C:\\Users\\me\\token.txt",
          "config/credentials.json", "90817263540918273645", "my-super-secret-password",
          "DEVELOPMENT_ENVIRONMENT", "Correct-Horse-Battery-Staple", "login.microsoftonline.com",
          "someone@company.internal.net", "arn:aws:iam::210987654321:role/deploy", "short",
          "aaaaabbbbbcccccddddd", "with space inside the value", "gpt-4o-mini-2024-07-18x",
          "prod-cluster-2024-eu-west"}) {
      expect_clean("API_TOKEN", value);
    }
  }

  TEST_CASE("UUIDs count only under a key that says secret") {
    const std::string uuid = rnd(8, kHex, 70) + "-" + rnd(4, kHex, 71) + "-4" + rnd(3, kHex, 72) +
                             "-a" + rnd(3, kHex, 73) + "-" + rnd(12, kHex, 74);
    expect_secret("HEROKU_API_KEY", uuid, "high-entropy token");
    expect_secret("token", uuid, "high-entropy token");
    expect_clean("auth", uuid);
    expect_clean("request_id", uuid);
    expect_clean("", uuid);
  }

  TEST_CASE("hex needs length") {
    expect_clean("token", rnd(24, kHex, 75));
    expect_secret("token", rnd(40, kHex, 76), "high-entropy token");
  }

  TEST_CASE("shannon entropy") {
    CHECK(SecretClassifier::shannon_entropy("") == doctest::Approx(0.0));
    CHECK(SecretClassifier::shannon_entropy("aaaa") == doctest::Approx(0.0));
    CHECK(SecretClassifier::shannon_entropy("ab") == doctest::Approx(1.0));
    CHECK(SecretClassifier::shannon_entropy("abcd") == doctest::Approx(2.0));
    CHECK(SecretClassifier::shannon_entropy("aabb") == doctest::Approx(1.0));
    CHECK(SecretClassifier::shannon_entropy(rnd(64, kBase62, 77)) > 4.5);
  }
}

// ---------------------------------------------------------------------------------------------
TEST_SUITE("derive.secrets.references") {
  TEST_CASE("references are never secrets") {
    const std::vector<std::string> refs = {
        "${GITHUB_TOKEN}",
        "${env:GITHUB_TOKEN}",
        "${input:github_token}",
        "$GITHUB_TOKEN",
        "$token",
        "Bearer ${TOKEN}",
        "Bearer ${input:token}",
        "Bearer $TOKEN",
        "Token ${{ secrets.API_TOKEN }}",
        "os.environ/OPENAI_API_KEY",
        "{{ secrets.GITHUB_TOKEN }}",
        "${{ secrets.GITHUB_TOKEN }}",
        "%GITHUB_TOKEN%",
        "$env:GithubToken",
        "{env:ANTHROPIC_API_KEY}",
        "{file:~/.secrets/key}",
        "op://Private/GitHub/token",
        "${CONTEXT7_API_KEY:-}",
        "$(cat ~/.token)",
        "${USER}:${PASSWORD}",
        "https://${HOST}/api/v1/mcp",
        "arn:aws:secretsmanager:us-east-1:210987654321:secret:prod/key",
        "{{resolve:secretsmanager:prod/key:SecretString:token}}",
        "secretKeyRef:tool-server-token/token",
        "configMapKeyRef:tool-headers/tenant",
    };
    for (const std::string& ref : refs) {
      CAPTURE(ref);
      CHECK(SecretClassifier::is_reference(ref));
      expect_clean("API_TOKEN", ref);
      expect_clean("Authorization", ref);
    }
  }

  TEST_CASE("a literal next to a reference is still checked") {
    const std::string ghp = "ghp_" + rnd(36, kBase62, 78);
    CHECK_FALSE(SecretClassifier::is_reference("${TOKEN:-" + ghp + "}"));
    expect_secret("", "${TOKEN:-" + ghp + "}", "GitHub personal access token (classic)", ghp);
    CHECK_FALSE(SecretClassifier::is_reference("${A}" + rnd(24, kBase62, 79)));
    CHECK_FALSE(SecretClassifier::is_reference("Bearer " + rnd(30, kBase62, 80)));
    // '$' inside a generated password is not a variable.
    const std::string password = "Xk9$MQ" + rnd(18, kBase62, 81);
    CHECK_FALSE(SecretClassifier::is_reference(password));
    CHECK_FALSE(SecretClassifier::is_reference(""));
    CHECK_FALSE(SecretClassifier::is_reference("plain"));
  }
}

// ---------------------------------------------------------------------------------------------
TEST_SUITE("derive.secrets.placeholders") {
  TEST_CASE("placeholders seen in the corpus and in documentation") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"SONARQUBE_TOKEN", "your_sonarqube_token"},
        {"SLACK_BOT_TOKEN", "xoxb-your-slack-bot-token"},
        {"SHODAN_API_KEY", "your-shodan-api-key-here"},
        {"GITHUB_PERSONAL_ACCESS_TOKEN", "ghp_your_github_personal_access_token"},
        {"GITHUB_PERSONAL_ACCESS_TOKEN", "ghp_" + std::string(36, 'x')},
        {"APILLON_API_KEY", "<APILLON_API_KEY>"},
        {"KALI_API_KEY", "[REDACTED_API_KEY]"},
        {"OPENAI_API_KEY", "sk-\xE2\x80\xA6" + std::string("1234567890abcdef")},
        {"OPENAI_API_KEY", "sk-proj-..."},
        {"OPENAI_API_KEY", "sk-" + std::string(48, 'X')},
        {"GITLAB_TOKEN", "glpat-" + std::string(20, 'x')},
        {"PATTERN_API_KEY", "test-key"},
        {"PATTERN_API_KEY", "test-api-key"},
        {"AWS_ACCESS_KEY_ID", "AKIAIOSF" + std::string("ODNN7EXAMPLE")},
        {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + std::string("EXAMPLEKEY")},
        {"API_KEY", "changeme"},
        {"API_KEY", "REPLACE_ME_WITH_A_REAL_KEY"},
        {"API_KEY", "<your-token>"},
        {"API_KEY", "********************"},
        {"API_TOKEN", "00000000000000000000"},
        {"API_TOKEN", "insert-api-token"},
        {"API_TOKEN", "dummy-token-for-tests-1"},
        {"API_TOKEN", "placeholder_value_123"},
        {"API_TOKEN", "sample-key-0987654321"},
        {"API_TOKEN", "fake_token_5dkq9x7w2m"},
        {"SLACK_WEBHOOK",
         "https://hooks.slack.com/services/T00000000/B00000000/" + std::string(24, 'X')},
        {"PRIVATE_KEY",
         std::string("-----BEGIN ") + "PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----"},
        {"password", "password"},
        {"Authorization", "Bearer <token>"},
        {"Authorization", "Bearer YOUR_TOKEN_HERE_PLEASE"},
        {"Authorization", "Bearer xxxxxxxxxxxxxxxxxxxxxxxx"},
    };
    for (const auto& [key, value] : cases) expect_clean(key, value);
  }

  TEST_CASE("is_placeholder itself") {
    CHECK(SecretClassifier::is_placeholder("your-api-key"));
    CHECK(SecretClassifier::is_placeholder("token-goes-here"));
    CHECK(SecretClassifier::is_placeholder("  "));
    CHECK(SecretClassifier::is_placeholder("aaaaaaaa"));
    CHECK_FALSE(SecretClassifier::is_placeholder(rnd(40, kBase62, 82)));
    CHECK_FALSE(SecretClassifier::is_placeholder("AAAAAAAAB3NzaC1yc2E" + rnd(20, kBase62, 83)));
    CHECK_FALSE(SecretClassifier::is_placeholder("sk_test_" + rnd(24, kBase62, 84)));
  }
}

// ---------------------------------------------------------------------------------------------
// Every string of every JSON file in the real-world corpus. The corpus holds placeholders
// only, so each hit here was looked at by eye; a new hit fails the test until it is judged.
TEST_SUITE("derive.secrets.corpus") {
  TEST_CASE("real-world JSON configs") {
    const std::filesystem::path root = std::filesystem::path(FERMATA_SHARED_DIR) / "corpus/real";
    REQUIRE(std::filesystem::is_directory(root));
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    CHECK(files.size() > 150);

    // "relative/path: kind"
    const std::set<std::string> expected = {};
    std::set<std::string> found;
    size_t values = 0;
    size_t unreadable = 0;
    for (const auto& path : files) {
      std::vector<StringValue> strings;
      const std::string text = read_file(path);
      LooseJson reader(text, strings);
      if (!reader.parse()) ++unreadable;
      values += strings.size();
      const std::string relative = std::filesystem::relative(path, root).generic_string();
      for (const StringValue& s : strings) {
        const auto match = classify(s.key, s.value);
        if (!match) continue;
        std::cout << "corpus hit: " << relative << ": " << s.key << " = " << s.value << " -> "
                  << match->kind << "\n";
        found.insert(relative + ": " + match->kind);
      }
    }
    MESSAGE(values << " string values in " << files.size() << " files");
    CHECK(unreadable == 0);
    CHECK(found == expected);
  }
}

}  // namespace fermata::derive
