#include "report/report.hpp"

#include <algorithm>
#include <utility>

namespace fermata::report {
namespace {

constexpr std::string_view kMask = "****";
// U+2026 spelled as bytes, so the output does not depend on the compiler's execution charset.
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";
constexpr size_t kMinLengthForPrefix = 16;
constexpr size_t kPrefixCodePoints = 4;

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

void Redactor::add_secret(std::string value) {
  if (value.empty()) return;
  // Longest first so that a secret containing another is found whole; ties sort by value so
  // the order never depends on the order secrets were discovered in.
  auto longer = [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  };
  auto it = std::lower_bound(secrets_.begin(), secrets_.end(), value, longer);
  if (it != secrets_.end() && *it == value) return;
  secrets_.insert(it, std::move(value));
}

std::string Redactor::mask(std::string_view secret) {
  if (secret.size() < kMinLengthForPrefix) return std::string(kMask);
  // Keep whole code points only, and never more than a quarter of the secret's bytes, so the
  // visible part identifies the token's kind ("ghp_") without helping to guess the rest.
  size_t end = 0;
  for (size_t kept = 0; kept < kPrefixCodePoints && end < secret.size(); ++kept) {
    ++end;
    while (end < secret.size() && is_continuation(secret[end])) ++end;
  }
  if (end * 4 > secret.size()) return std::string(kMask);
  return std::string(secret.substr(0, end)) + std::string(kMask);
}

std::string Redactor::redact(std::string_view text) const {
  if (secrets_.empty() || text.empty()) return std::string(text);
  // Mark every byte any occurrence covers (occurrences may overlap), then mask each covered
  // run as a whole: replacing secrets one after another could leave the tail of one secret
  // visible where it overlaps another.
  std::vector<std::pair<size_t, size_t>> covered;  // [begin, end), with the secret at begin
  std::vector<const std::string*> starting;
  for (const auto& secret : secrets_) {
    for (size_t pos = text.find(secret); pos != std::string_view::npos;
         pos = text.find(secret, pos + 1)) {
      covered.emplace_back(pos, pos + secret.size());
      starting.push_back(&secret);
    }
  }
  if (covered.empty()) return std::string(text);
  std::vector<size_t> order(covered.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // By start, then longest first: the run's mask is derived from the longest secret there.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (covered[a].first != covered[b].first) return covered[a].first < covered[b].first;
    return covered[a].second > covered[b].second;
  });
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;
  size_t k = 0;
  while (k < order.size()) {
    const size_t begin = covered[order[k]].first;
    const std::string* head = starting[order[k]];
    size_t end = covered[order[k]].second;
    for (++k; k < order.size() && covered[order[k]].first < end; ++k) {
      end = std::max(end, covered[order[k]].second);
    }
    out.append(text.substr(copied, begin - copied));
    out += mask(*head);
    copied = end;
  }
  out.append(text.substr(copied));
  return out;
}

void SourceCache::put(std::string path, std::string text) {
  // Index line starts once, so that a file with thousands of findings is not rescanned from
  // the top for each of them. LF, CRLF and a lone CR each end a line, as in GitHub's line
  // hash, so line N here is the line that primaryLocationLineHash N describes.
  Entry entry;
  entry.line_starts.push_back(0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    if (text[i] == '\n' || text[i] == '\r') entry.line_starts.push_back(i + 1);
  }
  entry.text = std::move(text);
  texts_.insert_or_assign(std::move(path), std::move(entry));
}

std::vector<std::string> SourceCache::paths() const {
  std::vector<std::string> out;
  out.reserve(texts_.size());
  for (const auto& entry : texts_) out.push_back(entry.first);
  return out;
}

const std::string* SourceCache::text(std::string_view path) const {
  auto it = texts_.find(path);
  return it == texts_.end() ? nullptr : &it->second.text;
}

std::string SourceCache::line(std::string_view path, uint32_t line) const {
  auto it = texts_.find(path);
  if (it == texts_.end() || line == 0) return "";
  const Entry& entry = it->second;
  if (line > entry.line_starts.size()) return "";
  const size_t start = entry.line_starts[line - 1];
  const size_t brk = entry.text.find_first_of("\r\n", start);
  return entry.text.substr(start, brk == std::string::npos ? std::string::npos : brk - start);
}

const rules::RuleMeta* Report::rule(std::string_view id) const {
  // A linear scan: rule lists are short, and a binary search would silently miss on a list
  // that is not sorted after all.
  for (const auto& r : rules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

std::string Report::snippet(const core::SourceLoc& loc) const {
  if (sources == nullptr || !loc.valid()) return "";
  return truncate_code_points(redactor.redact(sources->line(loc.file, loc.span.line)),
                              kSnippetMaxCodePoints);
}

std::string truncate_code_points(std::string_view text, size_t max) {
  size_t end = 0;
  for (size_t count = 0; count < max && end < text.size(); ++count) {
    ++end;
    while (end < text.size() && is_continuation(text[end])) ++end;
  }
  if (end >= text.size()) return std::string(text);
  return std::string(text.substr(0, end)) + std::string(kEllipsis);
}

}  // namespace fermata::report
