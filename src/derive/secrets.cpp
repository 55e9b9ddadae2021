#include "derive/secrets.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "core/limits.hpp"
#include "core/text.hpp"
#include "parsers/syntax/yaml_reader.hpp"

namespace fermata::derive {
namespace {

using core::lower;

bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

template <size_t N>
bool one_of(std::string_view word, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), word) != set.end();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Key names

// "GITHUB_PERSONAL_ACCESS_TOKEN", "apiKey", "x-api-key", "--api-key", "APIKey" -> lowercase words.
std::vector<std::string> key_words(std::string_view key) {
  std::vector<std::string> words;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) words.push_back(std::move(current));
    current.clear();
  };
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (!is_alnum(c)) {
      flush();
      continue;
    }
    if (is_upper(c) && !current.empty()) {
      const char prev = key[i - 1];
      const bool next_lower = i + 1 < key.size() && is_lower(key[i + 1]);
      if (is_lower(prev) || is_digit(prev) || (is_upper(prev) && next_lower)) flush();
    }
    current += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  flush();
  return words;
}

enum class KeyKind { kNone, kWeak, kStrong };

// The last word says what the value is: TOKEN_URL holds a URL, bearer_token_env_var a
// variable name, apiKeyHelper a command.
constexpr std::array<std::string_view, 66> kNonSecretLastWords = {
    "id",          "ids",    "url",      "uri",       "urls",     "endpoint", "host",
    "hostname",    "port",   "file",     "files",     "path",     "paths",    "dir",
    "directory",   "type",   "name",     "names",     "provider", "mode",     "method",
    "region",      "user",   "username", "login",     "email",    "expiry",   "expires",
    "expiration",  "ttl",    "timeout",  "header",    "headers",  "env",      "var",
    "variable",    "kind",   "format",   "length",    "size",     "scope",    "scopes",
    "enabled",     "enable", "disabled", "required",  "helper",   "command",  "cmd",
    "location",    "count",  "version",  "prefix",    "suffix",   "ref",      "field",
    "source",      "issuer", "audience", "algorithm", "policy",   "arn",      "template",
    "description", "label",  "hint"};

// LLM "tokens" are counts, and public keys are published by design.
constexpr std::array<std::string_view, 14> kNonSecretWords = {
    "max",   "min", "limit",  "limits",      "budget", "usage", "per",
    "total", "num", "public", "publishable", "anon",   "pub",   "rotation"};

// A "key" that indexes data rather than unlocking anything.
constexpr std::array<std::string_view, 26> kDataKeyQualifiers = {
    "sort",   "cache",  "partition", "primary", "foreign",     "idempotency", "hash",
    "range",  "object", "map",       "lookup",  "translation", "i18n",        "shortcut",
    "hot",    "row",    "dedup",     "group",   "routing",     "message",     "column",
    "unique", "s3",     "bucket",    "index",   "node"};

constexpr std::array<std::string_view, 12> kStrongWords = {
    "secret", "secrets", "token",      "tokens",     "password",  "passwords",
    "passwd", "apikey",  "passphrase", "privatekey", "accesskey", "secretkey"};

constexpr std::array<std::string_view, 3> kStrongLastWords = {"pass", "pat", "pwd"};

constexpr std::array<std::string_view, 8> kWeakWords = {
    "auth", "authorization", "credential", "credentials", "cred", "creds", "bearer", "signature"};

KeyKind classify_key(std::string_view key) {
  const std::vector<std::string> words = key_words(key);
  if (words.empty()) return KeyKind::kNone;
  if (one_of(words.back(), kNonSecretLastWords)) return KeyKind::kNone;
  for (const std::string& w : words) {
    if (one_of(w, kNonSecretWords)) return KeyKind::kNone;
  }
  for (size_t n = 0; n < words.size(); ++n) {
    if (one_of(words[n], kStrongWords)) return KeyKind::kStrong;
    // Short forms are secrets only at the end: DB_PASS, GITLAB_PAT, but pass_through.
    if (n + 1 == words.size() && one_of(words[n], kStrongLastWords)) return KeyKind::kStrong;
    if (words[n] == "key") {
      if (words.size() == 1) return KeyKind::kWeak;
      if (n == 0 || !one_of(words[n - 1], kDataKeyQualifiers)) return KeyKind::kStrong;
    }
  }
  // Run-together names (PGPASSWORD, GHTOKEN, clientsecret); "tokenizer" is not one.
  for (const std::string& w : words) {
    if (contains(w, "password") || contains(w, "passwd")) return KeyKind::kStrong;
    for (std::string_view end : {"token", "tokens", "secret", "secrets", "apikey", "accesskey",
                                 "privatekey", "secretkey"}) {
      if (w.ends_with(end)) return KeyKind::kStrong;
    }
  }
  for (const std::string& w : words) {
    if (one_of(w, kWeakWords)) return KeyKind::kWeak;
  }
  return KeyKind::kNone;
}

bool is_public_key_name(std::string_view key) {
  const auto words = key_words(key);
  return std::any_of(words.begin(), words.end(), [](const std::string& w) {
    return w == "public" || w == "publishable" || w == "anon" || w == "pub";
  });
}

// The part of two catalog entries that depends on the key (see the catalog's header).
bool key_allows(std::string_view pattern_id, std::string_view key) {
  if (pattern_id == "aws-secret-access-key") {
    std::string joined;
    for (const std::string& w : key_words(key)) joined += w;
    return contains(joined, "aws") && contains(joined, "secret");
  }
  if (pattern_id == "jwt") return !is_public_key_name(key);
  return true;
}

// ---------------------------------------------------------------------------------------------
// References

size_t matching_close(std::string_view s, size_t open, char open_char, char close_char) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    if (s[i] == open_char) ++depth;
    if (s[i] == close_char && --depth == 0) return i;
  }
  return std::string_view::npos;
}

// What is left once references are cut out may still hold a secret ("sk-${A}" does not, but
// "${A}:9f8e7d6c5b4a39281706f5e4" does): a long run of token characters, or a shorter one
// mixing letters and digits.
bool residual_is_inert(std::string_view residual) {
  size_t run = 0;
  bool digit = false;
  bool alpha = false;
  for (size_t i = 0; i <= residual.size(); ++i) {
    const char c = i < residual.size() ? residual[i] : ' ';
    if (is_alnum(c) || c == '_' || c == '+' || c == '=' || c == '~' || c == '.' || c == '-') {
      ++run;
      digit = digit || is_digit(c);
      alpha = alpha || is_alpha(c);
      continue;
    }
    if (run >= 20 || (run >= 12 && digit && alpha)) return false;
    run = 0;
    digit = alpha = false;
  }
  return true;
}

bool is_env_name_char(char c) { return is_upper(c) || is_digit(c) || c == '_'; }

// ---------------------------------------------------------------------------------------------
// High-entropy values

bool is_uuid(std::string_view v) {
  if (v.size() != 36) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? v[i] != '-' : !is_hex(v[i])) return false;
  }
  return true;
}

bool is_path_like(std::string_view v) {
  if (v.starts_with("/") || v.starts_with("~") || v.starts_with(".") || v.starts_with("\\")) {
    return true;
  }
  if (v.size() >= 3 && is_alpha(v[0]) && v[1] == ':' && (v[2] == '\\' || v[2] == '/')) return true;
  return contains(v, "\\") || (contains(v, "/") && contains(v, "."));
}

// Letters-only pieces in one case each ("my-super-secret-password", "DEV_ENVIRONMENT"), with
// at most as many digit-only pieces: human words, not generated tokens.
bool looks_like_words(std::string_view v) {
  size_t words = 0;
  size_t numbers = 0;
  size_t start = 0;
  for (size_t i = 0; i <= v.size(); ++i) {
    if (i < v.size() && is_alnum(v[i])) continue;
    std::string_view piece = v.substr(start, i - start);
    start = i + 1;
    if (piece.empty()) continue;
    if (std::all_of(piece.begin(), piece.end(), is_digit)) {
      ++numbers;
      continue;
    }
    if (!std::all_of(piece.begin(), piece.end(), is_alpha)) return false;
    const bool lower = std::all_of(piece.begin(), piece.end(), is_lower);
    const bool upper = std::all_of(piece.begin(), piece.end(), is_upper);
    const bool capitalised =
        is_upper(piece[0]) && std::all_of(piece.begin() + 1, piece.end(), is_lower);
    if (!(lower || upper || capitalised)) return false;
    ++words;
  }
  return words > 0 && numbers <= words;
}

// "gpt-4o-mini-2024-07-18", "eu-west-1-prod-a": many short pieces, most of them words or
// numbers, name things; generated tokens have long random runs.
bool looks_like_identifier(std::string_view v) {
  size_t pieces = 0;
  size_t plain = 0;
  size_t start = 0;
  for (size_t i = 0; i <= v.size(); ++i) {
    if (i < v.size() && v[i] != '-' && v[i] != '_' && v[i] != '.') continue;
    std::string_view piece = v.substr(start, i - start);
    start = i + 1;
    if (piece.empty()) continue;
    if (piece.size() > 8) return false;
    ++pieces;
    const bool number = std::all_of(piece.begin(), piece.end(), is_digit);
    const bool word = std::all_of(piece.begin(), piece.end(), is_lower) ||
                      std::all_of(piece.begin(), piece.end(), is_upper);
    if (number || word) ++plain;
  }
  return pieces >= 3 && plain * 2 >= pieces;
}

bool is_hostname_or_email(std::string_view v) {
  const size_t at = v.find('@');
  std::string_view host = at == std::string_view::npos ? v : v.substr(at + 1);
  const size_t dot = host.rfind('.');
  if (dot == std::string_view::npos || dot + 1 >= host.size()) return false;
  std::string_view tld = host.substr(dot + 1);
  if (tld.size() < 2 || tld.size() > 12 || !std::all_of(tld.begin(), tld.end(), is_alpha)) {
    return false;
  }
  return std::all_of(host.begin(), host.end(),
                     [](char c) { return is_alnum(c) || c == '.' || c == '-'; });
}

constexpr std::string_view kNotInTokens = "(){}[]<>\"',;`|\\ \t\n\r";

std::optional<SecretClassifier::Match> high_entropy(std::string_view key, std::string_view value) {
  const KeyKind kind = classify_key(key);
  if (kind == KeyKind::kNone) return std::nullopt;
  if (value.size() < 16) return std::nullopt;
  if (value.find_first_of(kNotInTokens) != std::string_view::npos) return std::nullopt;
  if (std::any_of(value.begin(), value.end(),
                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    return std::nullopt;
  }
  if (contains(value, "://") || value.starts_with("arn:") || is_path_like(value)) {
    return std::nullopt;
  }
  if (std::all_of(value.begin(), value.end(), is_digit)) return std::nullopt;
  if (looks_like_words(value) || looks_like_identifier(value) || is_hostname_or_email(value)) {
    return std::nullopt;
  }
  // UUIDs are also plain identifiers; one counts only where the key says it is a secret.
  if (is_uuid(value) && kind != KeyKind::kStrong) return std::nullopt;
  if (SecretClassifier::is_placeholder(value)) return std::nullopt;
  const double entropy = SecretClassifier::shannon_entropy(value);
  const bool hex_only = std::all_of(value.begin(), value.end(), is_hex);
  // Hex carries at most 4 bits a character, and short hex strings are usually ids or hashes.
  const bool enough = hex_only ? value.size() >= 32 && entropy >= 3.0 : entropy >= 3.5;
  if (!enough) return std::nullopt;
  return SecretClassifier::Match{"high-entropy token", std::string(value)};
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct SecretClassifier::Compiled {
  SecretPattern pattern;
  RE2 re;

  Compiled(SecretPattern p, const RE2::Options& options)
      : pattern(std::move(p)), re(pattern.regex, options) {}
};

SecretClassifier::SecretClassifier(std::vector<SecretPattern> patterns,
                                   std::string_view catalog_file, core::DiagnosticSink& sink) {
  RE2::Options options;
  options.set_log_errors(false);
  for (SecretPattern& p : patterns) {
    auto compiled = std::make_unique<Compiled>(std::move(p), options);
    if (!compiled->re.ok()) {
      sink.report(core::DiagCode::kCatalogInvalid,
                  "secret pattern '" + compiled->pattern.id +
                      "': regex does not compile under RE2: " + compiled->re.error(),
                  core::SourceLoc{std::string(catalog_file), {}});
      continue;
    }
    compiled_.push_back(std::move(compiled));
  }
}

SecretClassifier::~SecretClassifier() = default;
SecretClassifier::SecretClassifier(SecretClassifier&&) noexcept = default;
SecretClassifier& SecretClassifier::operator=(SecretClassifier&&) noexcept = default;

std::optional<SecretClassifier::Match> SecretClassifier::classify(std::string_view key,
                                                                  std::string_view value) const {
  if (value.empty() || is_reference(value)) return std::nullopt;
  const re2::StringPiece text(value.data(), value.size());
  for (const auto& c : compiled_) {
    if (!key_allows(c->pattern.id, key)) continue;
    const bool grouped = c->re.NumberOfCapturingGroups() >= 1;
    std::array<re2::StringPiece, 2> groups;
    size_t pos = 0;
    // Placeholder or reference matches ("glpat-xxxx...", "user:${PASS}@") are skipped, and the
    // search goes on past them.
    while (pos <= value.size() &&
           c->re.Match(text, pos, value.size(), RE2::UNANCHORED, groups.data(), grouped ? 2 : 1)) {
      const re2::StringPiece whole = groups[0];
      const re2::StringPiece part = grouped && groups[1].data() != nullptr ? groups[1] : whole;
      const std::string_view secret(part.data(), part.size());
      if (!secret.empty() && !is_reference(secret) && !is_placeholder(secret)) {
        return Match{c->pattern.name, std::string(secret)};
      }
      const auto end = static_cast<size_t>(whole.data() - value.data()) + whole.size();
      pos = whole.empty() ? end + 1 : end;
    }
  }
  if (auto match = high_entropy(key, value)) return match;
  // NAME=VALUE and --name=value handed over as one word (docker -e, env-style arguments).
  const size_t eq = value.find('=');
  if (eq != std::string_view::npos && eq > 0 && eq + 1 < value.size() && value[eq + 1] != '=') {
    std::string_view name = value.substr(0, eq);
    while (name.starts_with("-")) name.remove_prefix(1);
    const bool identifier = !name.empty() && (is_alpha(name[0]) || name[0] == '_') &&
                            std::all_of(name.begin(), name.end(), [](char c) {
                              return is_alnum(c) || c == '_' || c == '-' || c == '.';
                            });
    if (identifier && classify_key(name) != KeyKind::kNone) {
      return classify(name, value.substr(eq + 1));
    }
  }
  return std::nullopt;
}

bool SecretClassifier::is_reference(std::string_view value) {
  const std::string_view v = trim(value);
  if (v.empty()) return false;
  // Whole-value forms: LiteLLM os.environ/NAME, 1Password op://, AWS and Vault secret stores,
  // and Kubernetes Secret/ConfigMap keys as parsers record them (secretKeyRef:NAME/KEY).
  for (std::string_view prefix : {"os.environ/", "op://", "arn:aws:secretsmanager:", "arn:aws:ssm:",
                                  "vault:", "secretKeyRef:", "configMapKeyRef:"}) {
    if (v.starts_with(prefix) && v.size() > prefix.size() &&
        v.find_first_of(" \t") == std::string_view::npos) {
      return true;
    }
  }
  bool found = false;
  std::string residual;
  size_t i = 0;
  const size_t n = v.size();
  while (i < n) {
    std::string_view rest = v.substr(i);
    const bool word_start = i == 0 || !is_alnum(v[i - 1]);
    size_t end = std::string_view::npos;
    if (rest.starts_with("${{") || (rest.starts_with("{{"))) {
      // GitHub/Continue ${{ secrets.X }}, and {{ ... }} templates (Helm, Jinja, CloudFormation).
      end = v.find("}}", i + 2);
      if (end != std::string_view::npos) {
        found = true;
        i = end + 2;
        continue;
      }
    } else if (rest.starts_with("${")) {
      end = matching_close(v, i + 1, '{', '}');
      if (end != std::string_view::npos) {
        // ${VAR:-default}: the default is a literal and stays to be checked.
        std::string_view inner = v.substr(i + 2, end - i - 2);
        size_t dflt = inner.find(":-");
        if (dflt == std::string_view::npos) dflt = inner.find(":=");
        if (dflt != std::string_view::npos) {
          residual += ' ';
          residual += inner.substr(dflt + 2);
          residual += ' ';
        }
        found = true;
        i = end + 1;
        continue;
      }
    } else if (rest.starts_with("{env:") || rest.starts_with("{file:")) {  // OpenCode
      end = v.find('}', i);
      if (end != std::string_view::npos) {
        found = true;
        i = end + 1;
        continue;
      }
    } else if (rest.starts_with("$(")) {
      end = matching_close(v, i + 1, '(', ')');
      if (end != std::string_view::npos) {
        found = true;
        i = end + 1;
        continue;
      }
    } else if (rest.starts_with("$") && word_start) {
      // $NAME in environment-variable style; random passwords contain '$' too, so a
      // lowercase name counts only when it is the whole value, and the name must end the word.
      size_t j = i + 1;
      bool mixed_case_ok = false;
      if (v.substr(j).starts_with("env:")) {  // PowerShell $env:Name
        j += 4;
        mixed_case_ok = true;
      }
      const size_t name_start = j;
      if (mixed_case_ok) {
        while (j < n && (is_alnum(v[j]) || v[j] == '_')) ++j;
      } else {
        while (j < n && is_env_name_char(v[j])) ++j;
      }
      bool ok = j > name_start && !is_digit(v[name_start]) && (j == n || !is_alnum(v[j]));
      if (!ok && i == 0) {
        j = name_start;
        while (j < n && (is_alnum(v[j]) || v[j] == '_')) ++j;
        ok = j == n && j > name_start && !is_digit(v[name_start]);
      }
      if (ok) {
        found = true;
        i = j;
        continue;
      }
    } else if (rest.starts_with("%") && word_start) {  // Windows %NAME%
      size_t j = i + 1;
      while (j < n && (is_alnum(v[j]) || v[j] == '_')) ++j;
      if (j > i + 1 && j < n && v[j] == '%' && !is_digit(v[i + 1])) {
        found = true;
        i = j + 1;
        continue;
      }
    }
    residual += v[i];
    ++i;
  }
  return found && residual_is_inert(residual);
}

bool SecretClassifier::is_placeholder(std::string_view value) {
  const std::string low = lower(trim(value));
  if (low.empty()) return true;
  // Whole values that are default or dummy credentials rather than secrets.
  static constexpr std::array<std::string_view, 30> kDummyValues = {
      "password", "passwd",   "pass",  "secret", "changeme", "admin",    "root",  "guest",
      "test",     "postgres", "mysql", "redis",  "user",     "username", "token", "apikey",
      "api_key",  "api-key",  "none",  "null",   "nil",      "todo",     "tbd",   "default",
      "demo",     "foo",      "bar",   "foobar", "letmein",  "secret123"};
  if (one_of(std::string_view(low), kDummyValues)) return true;
  // Markers seen in documentation and sample configs: "your-token-here", "xxxx", "<token>",
  // "sk-...", "[REDACTED]", "sk-…1234567890abcdef".
  static constexpr std::array<std::string_view, 22> kMarkers = {
      "xxxx",      "your",  "example", "placeholder",  "changeme", "change-me",
      "change_me", "dummy", "fake",    "sample",       "redacted", "replace",
      "insert",    "***",   "...",     "\xE2\x80\xA6", "_here",    "-here",
      " here",     "todo",  "123456",  "abcdef"};
  for (std::string_view marker : kMarkers) {
    if (contains(low, marker)) return true;
  }
  if (low.ends_with("here")) return true;
  const size_t open = low.find('<');
  if (open != std::string::npos) {
    const size_t close = low.find('>', open + 1);
    if (close != std::string::npos && close > open + 1) return true;
  }
  // A run of one character ("0000000", "aaaaaa"); base64 encodes zero bytes as 'A', so real
  // keys (OpenSSH, DER) have 'A' runs and those do not count.
  const std::string_view raw = trim(value);
  size_t run = 1;
  for (size_t i = 1; i < raw.size(); ++i) {
    run = raw[i] == raw[i - 1] ? run + 1 : 1;
    if (run >= 6 && raw[i] != 'A') return true;
  }
  return false;
}

double SecretClassifier::shannon_entropy(std::string_view value) {
  if (value.empty()) return 0.0;
  std::array<size_t, 256> counts{};
  for (char c : value) ++counts[static_cast<unsigned char>(c)];
  double entropy = 0.0;
  const auto total = static_cast<double>(value.size());
  for (size_t count : counts) {
    if (count == 0) continue;
    const double p = static_cast<double>(count) / total;
    entropy -= p * std::log2(p);
  }
  return entropy;
}

// ---------------------------------------------------------------------------------------------

std::vector<SecretPattern> parse_secret_catalog(std::string_view path, std::string_view yaml_text,
                                                core::DiagnosticSink& sink) {
  std::vector<SecretPattern> patterns;
  auto report = [&](const core::SourceLoc& loc, std::string message) {
    sink.report(core::DiagCode::kCatalogInvalid, "secret catalog: " + std::move(message), loc);
  };
  core::DiagnosticSink yaml_sink;
  const std::optional<syntax::Document> doc =
      syntax::read_yaml(path, yaml_text, core::Limits{}, yaml_sink);
  for (const core::Diagnostic& d : yaml_sink.items()) report(d.loc, d.message);
  if (!doc) return patterns;
  auto at = [&](const core::Span& span) { return doc->loc(span); };

  if (doc->roots.empty()) {
    report(core::SourceLoc{std::string(path), {1, 1, 1, 1}},
           "the file is empty; expected a mapping with 'patterns'");
    return patterns;
  }
  if (doc->roots.size() > 1) report(at(doc->roots[1].span), "more than one YAML document");
  const syntax::Node& root = doc->roots.front();
  if (!root.is_object()) {
    report(at(root.span), "expected a mapping with 'patterns'");
    return patterns;
  }
  for (const syntax::Member& m : root.members) {
    if (m.key != "patterns") report(at(m.key_span), "unknown field '" + m.key + "'");
  }
  const syntax::Member* list = root.member("patterns");
  if (list == nullptr) {
    report(at(root.span), "missing field 'patterns'");
    return patterns;
  }
  if (!list->value.is_array()) {
    report(at(list->value.span), "'patterns' must be a list");
    return patterns;
  }

  RE2::Options options;
  options.set_log_errors(false);
  std::map<std::string, core::SourceLoc, std::less<>> first_seen;
  for (const syntax::Node& item : list->value.items) {
    if (!item.is_object()) {
      report(at(item.span), "each pattern must be a mapping with id, name and regex");
      continue;
    }
    bool ok = true;
    std::vector<std::string_view> keys;
    for (const syntax::Member& m : item.members) {
      if (m.key != "id" && m.key != "name" && m.key != "regex") {
        report(at(m.key_span), "unknown field '" + m.key + "' (expected id, name, regex)");
        ok = false;
      } else if (std::find(keys.begin(), keys.end(), m.key) != keys.end()) {
        report(at(m.key_span), "field '" + m.key + "' given twice");
        ok = false;
      }
      keys.push_back(m.key);
    }
    SecretPattern pattern;
    for (auto [field, target] : {std::pair{"id", &pattern.id}, std::pair{"name", &pattern.name},
                                 std::pair{"regex", &pattern.regex}}) {
      const syntax::Member* m = item.member(field);
      if (m == nullptr) {
        report(at(item.span), std::string("pattern is missing '") + field + "'");
        ok = false;
      } else if (!m->value.is_string() || m->value.text.empty()) {
        report(at(m->value.span), std::string("'") + field + "' must be a non-empty string");
        ok = false;
      } else {
        *target = m->value.text;
      }
    }
    if (const syntax::Member* id = item.member("id"); !pattern.id.empty()) {
      const bool kebab =
          is_lower(pattern.id.front()) && is_alnum(pattern.id.back()) &&
          std::all_of(pattern.id.begin(), pattern.id.end(),
                      [](char c) { return is_lower(c) || is_digit(c) || c == '-'; }) &&
          !contains(pattern.id, "--");
      if (!kebab) {
        report(at(id->value.span), "id '" + pattern.id + "' is not kebab-case");
        ok = false;
      }
      const auto [seen, inserted] = first_seen.emplace(pattern.id, at(id->value.span));
      if (!inserted) {
        report(at(id->value.span), "duplicate id '" + pattern.id + "' (first at " +
                                       core::to_string(seen->second) + ")");
        ok = false;
      }
    }
    if (!pattern.regex.empty()) {
      const RE2 re(pattern.regex, options);
      if (!re.ok()) {
        report(at(item.member("regex")->value.span),
               "pattern '" + pattern.id + "': regex does not compile under RE2: " + re.error());
        ok = false;
      }
    }
    if (ok) patterns.push_back(std::move(pattern));
  }
  return patterns;
}

}  // namespace fermata::derive
