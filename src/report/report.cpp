#include "report/report.hpp"

#include <algorithm>
#include <utility>

#include "report/literal_matcher.hpp"

namespace fermata::report {
namespace {

constexpr std::string_view kMask = "****";
// U+2026 spelled as bytes, so the output does not depend on the compiler's execution charset.
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";
constexpr size_t kMinLengthForPrefix = 16;
constexpr size_t kPrefixCodePoints = 4;

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

/// Lines of a multi-line secret shorter than this ("==", a blank line) are not searched for.
constexpr size_t kMinLineFragment = 8;

/// `value` as a JSON (or YAML double-quoted) string writes it, without the quotes.
std::string escaped_form(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHex[(static_cast<unsigned char>(c) >> 4U) & 0xFU];
          out += kHex[static_cast<unsigned char>(c) & 0xFU];
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace

void Redactor::add_secret(std::string value) {
  if (value.empty()) return;
  secrets_.push_back(std::move(value));
  matcher_.reset();
}

void Redactor::prepare() const {
  if (matcher_ != nullptr) return;
  // Longest first so that a secret containing another is found whole; ties sort by value so
  // the order never depends on the order secrets were discovered in.
  const auto longer = [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  };
  std::sort(secrets_.begin(), secrets_.end(), longer);
  secrets_.erase(std::unique(secrets_.begin(), secrets_.end()), secrets_.end());

  // A value is classified decoded, but reports quote source text: a private key in JSON is
  // written with "\n" escapes, and in a YAML block scalar each of its lines stands alone.
  std::vector<std::pair<std::string, std::string>> forms;  // (form, its mask)
  for (const auto& secret : secrets_) {
    const std::string masked = mask(secret);
    forms.emplace_back(secret, masked);
    if (std::string escaped = escaped_form(secret); escaped != secret) {
      forms.emplace_back(std::move(escaped), masked);
    }
    if (secret.find_first_of("\r\n") == std::string::npos) continue;
    size_t start = 0;
    while (start < secret.size()) {
      size_t end = secret.find_first_of("\r\n", start);
      if (end == std::string::npos) end = secret.size();
      // Lines are masked whole: four characters of every line would add up.
      if (end - start >= kMinLineFragment) {
        forms.emplace_back(secret.substr(start, end - start), std::string(kMask));
      }
      start = end + 1;
    }
  }
  // One mask per form; where two secrets share a form, the mask that shows less wins.
  std::sort(forms.begin(), forms.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return longer(a.first, b.first);
    return a.second.size() < b.second.size();
  });
  forms_.clear();
  form_masks_.clear();
  for (auto& [form, masked] : forms) {
    if (!forms_.empty() && forms_.back() == form) continue;
    forms_.push_back(std::move(form));
    form_masks_.push_back(std::move(masked));
  }
  matcher_ = std::make_shared<const LiteralMatcher>(forms_);
}

const std::vector<std::string>& Redactor::secrets() const {
  prepare();
  return secrets_;
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

std::vector<Redactor::Run> Redactor::runs(std::string_view text) const {
  std::vector<Run> out;
  if (secrets_.empty() || text.empty()) return out;
  prepare();
  // Every byte any occurrence covers is masked (occurrences may overlap), each covered run as
  // a whole: replacing secrets one after another could leave the tail of one secret visible
  // where it overlaps another.
  std::vector<LiteralMatcher::Match> matches = matcher_->longest_at_each_end(text);
  // By start, then longest first: the run's mask is derived from the longest secret there.
  std::sort(matches.begin(), matches.end(), [](const auto& a, const auto& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  for (const auto& match : matches) {
    if (!out.empty() && match.begin < out.back().end) {
      out.back().end = std::max(out.back().end, match.end);
      continue;
    }
    out.push_back(Run{match.begin, match.end, form_masks_[match.pattern]});
  }
  return out;
}

std::string Redactor::apply(std::string_view text, const std::vector<Run>& runs) {
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;
  for (const Run& run : runs) {
    out.append(text.substr(copied, run.begin - copied));
    out += run.mask;
    copied = run.end;
  }
  out.append(text.substr(copied));
  return out;
}

std::string Redactor::redact(std::string_view text) const {
  const std::vector<Run> covered = runs(text);
  if (covered.empty()) return std::string(text);
  return apply(text, covered);
}

std::string Redactor::redact_prefix(std::string_view text, size_t max_code_points) const {
  size_t cut = 0;
  for (size_t count = 0; count < max_code_points && cut < text.size(); ++count) {
    ++cut;
    while (cut < text.size() && is_continuation(text[cut])) ++cut;
  }
  if (cut >= text.size()) return redact(text);
  // Any secret that starts before the cut ends within the longest secret's length after it,
  // so that much of the text is enough to find it, and the cut then moves to its end.
  prepare();
  const size_t longest = forms_.empty() ? 0 : forms_.front().size();
  const std::string_view window = text.substr(0, std::min(text.size(), cut + longest));
  std::vector<Run> covered = runs(window);
  std::erase_if(covered, [&](const Run& run) { return run.begin >= cut; });
  if (!covered.empty()) cut = std::max(cut, covered.back().end);
  std::string out = apply(text.substr(0, cut), covered);
  if (cut < text.size()) out += kEllipsis;
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
  // The next line's start bounds this one: searching for the break instead would read to
  // the end of a megabyte-long line once for every finding on it.
  size_t end = line < entry.line_starts.size() ? entry.line_starts[line] : entry.text.size();
  while (end > start && (entry.text[end - 1] == '\n' || entry.text[end - 1] == '\r')) --end;
  return entry.text.substr(start, end - start);
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
  return redactor.redact_prefix(sources->line(loc.file, loc.span.line), kSnippetMaxCodePoints);
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
