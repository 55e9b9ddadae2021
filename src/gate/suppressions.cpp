#include "gate/suppressions.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include "discover/gitignore.hpp"

namespace fermata::gate {
namespace {

constexpr std::string_view kMarker = "fermata:ignore";

std::string trim(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) ++begin;
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r'))
    --end;
  return std::string(text.substr(begin, end - begin));
}

/// Where the comment holding the marker starts in `line`, or npos when the marker is not
/// inside a comment.
size_t comment_start(std::string_view line, size_t marker) {
  const std::string_view before = line.substr(0, marker);
  size_t best = std::string_view::npos;
  for (std::string_view opener : {"#", "//", "/*"}) {
    const size_t at = before.rfind(opener);
    if (at != std::string_view::npos && (best == std::string_view::npos || at < best)) best = at;
  }
  return best;
}

bool is_comment_only(std::string_view line, size_t comment) {
  return trim(line.substr(0, comment)).empty();
}

std::string resolve(std::string_view id,
                    const std::vector<std::pair<std::string, std::string>>& aliases) {
  for (const auto& [alias, rule] : aliases) {
    if (alias == id) return rule;
  }
  return std::string(id);
}

struct Applied {
  const InlineSuppression* suppression;
  bool used = false;
};

}  // namespace

std::vector<InlineSuppression> find_inline_suppressions(std::string_view path,
                                                        std::string_view text,
                                                        core::DiagnosticSink& sink) {
  std::vector<InlineSuppression> out;
  uint32_t line_number = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    ++line_number;
    const size_t marker = line.find(kMarker);
    if (marker != std::string_view::npos) {
      const size_t comment = comment_start(line, marker);
      if (comment != std::string_view::npos) {
        std::string rest(line.substr(marker + kMarker.size()));
        if (const size_t close = rest.find("*/"); close != std::string::npos) rest.erase(close);
        const core::SourceLoc loc{std::string(path),
                                  {line_number, static_cast<uint32_t>(marker + 1), line_number,
                                   static_cast<uint32_t>(marker + kMarker.size())}};
        std::istringstream words(rest);
        std::string ids;
        words >> ids;
        InlineSuppression suppression;
        suppression.loc = loc;
        suppression.comment_only_line = is_comment_only(line, comment);
        std::string reason;
        std::string word;
        bool bad_date = false;
        while (words >> word) {
          if (word.rfind("until=", 0) == 0) {
            suppression.until = parse_date(word.substr(6));
            bad_date = !suppression.until.has_value();
            continue;
          }
          reason += (reason.empty() ? "" : " ") + word;
        }
        std::stringstream split(ids);
        for (std::string id; std::getline(split, id, ',');) {
          if (!id.empty()) suppression.rules.push_back(id);
        }
        if (suppression.rules.empty() || ids.find('=') != std::string::npos) {
          sink.report(core::DiagCode::kSuppressionInvalid,
                      "'fermata:ignore' needs a rule id, then a reason: fermata:ignore RULE-ID why "
                      "it is acceptable",
                      loc);
        } else if (bad_date) {
          sink.report(core::DiagCode::kSuppressionInvalid,
                      "'until=' needs a date written YYYY-MM-DD", loc);
        } else if (reason.empty()) {
          sink.report(
              core::DiagCode::kSuppressionInvalid,
              "the suppression of " + ids + " has no reason: say why the finding is acceptable",
              loc);
        } else {
          suppression.reason = std::move(reason);
          out.push_back(std::move(suppression));
        }
      }
    }
    if (end == text.size()) break;
    start = end + 1;
  }
  return out;
}

void apply_suppressions(std::vector<rules::Finding>& findings, const report::SourceCache& sources,
                        const std::vector<ConfigSuppression>& configured,
                        const std::vector<std::pair<std::string, std::string>>& aliases,
                        const Date& today, core::DiagnosticSink& sink) {
  // Inline suppressions of every file that has findings, read once per file.
  std::map<std::string, std::vector<InlineSuppression>> inline_by_file;
  std::map<std::string, std::vector<Applied>> applied_by_file;
  // Every file read, not only those with findings, so a suppression left behind after a
  // fix is reported as unused.
  for (const auto& path : sources.paths()) {
    inline_by_file[path] = find_inline_suppressions(path, *sources.text(path), sink);
  }
  for (auto& [file, list] : inline_by_file) {
    for (const auto& suppression : list) applied_by_file[file].push_back(Applied{&suppression});
  }
  std::vector<bool> config_used(configured.size(), false);
  std::vector<bool> config_expired_reported(configured.size(), false);
  std::map<const InlineSuppression*, bool> inline_expired_reported;

  for (auto& finding : findings) {
    if (finding.state != rules::FindingState::kOpen) continue;
    // Inline: the finding's own line, or a comment line right above it (stacked comments
    // above a line all apply to it).
    for (auto& applied : applied_by_file[finding.loc.file]) {
      const InlineSuppression& s = *applied.suppression;
      const uint32_t line = finding.loc.span.line;
      bool covers = s.loc.span.line == line;
      if (!covers && s.comment_only_line && s.loc.span.line < line) {
        covers = true;
        for (uint32_t between = s.loc.span.line + 1; between < line; ++between) {
          const std::string text = sources.line(finding.loc.file, between);
          const std::string trimmed = trim(text);
          const bool comment_line = trimmed.rfind('#', 0) == 0 || trimmed.rfind("//", 0) == 0 ||
                                    trimmed.rfind("/*", 0) == 0;
          if (!comment_line) {
            covers = false;
            break;
          }
        }
      }
      if (!covers) continue;
      const bool names_rule = std::any_of(
          s.rules.begin(), s.rules.end(),
          [&](const std::string& id) { return resolve(id, aliases) == finding.rule_id; });
      if (!names_rule) continue;
      applied.used = true;
      if (s.until && s.until->ordinal() < today.ordinal()) {
        if (!inline_expired_reported[&s]) {
          inline_expired_reported[&s] = true;
          sink.report(core::DiagCode::kSuppressionExpired,
                      "the suppression of " + finding.rule_id + " expired on " +
                          s.until->to_string() + "; the finding is reported again",
                      s.loc);
        }
        continue;
      }
      finding.state = rules::FindingState::kSuppressed;
      finding.suppression_reason = s.reason;
      finding.suppression_kind = "inSource";
      break;
    }
    if (finding.state != rules::FindingState::kOpen) continue;
    for (size_t i = 0; i < configured.size(); ++i) {
      const ConfigSuppression& s = configured[i];
      if (resolve(s.rule, aliases) != finding.rule_id) continue;
      if (!s.path.empty() && !discover::glob_match(s.path, finding.loc.file) &&
          !discover::glob_match("**/" + s.path, finding.loc.file)) {
        continue;
      }
      if (!s.entity.empty() && s.entity != finding.entity_name) continue;
      config_used[i] = true;
      if (s.until && s.until->ordinal() < today.ordinal()) {
        if (!config_expired_reported[i]) {
          config_expired_reported[i] = true;
          sink.report(core::DiagCode::kSuppressionExpired,
                      "the suppression of " + finding.rule_id + " expired on " +
                          s.until->to_string() + "; the finding is reported again",
                      s.loc);
        }
        continue;
      }
      finding.state = rules::FindingState::kSuppressed;
      finding.suppression_reason = s.reason;
      finding.suppression_kind = "external";
      break;
    }
  }
  for (const auto& [file, list] : applied_by_file) {
    for (const auto& applied : list) {
      if (applied.used) continue;
      std::string ids;
      for (const auto& id : applied.suppression->rules) ids += (ids.empty() ? "" : ",") + id;
      sink.report(core::DiagCode::kSuppressionUnused,
                  "the suppression of " + ids + " matches no finding", applied.suppression->loc);
    }
  }
  for (size_t i = 0; i < configured.size(); ++i) {
    if (!config_used[i]) {
      sink.report(core::DiagCode::kSuppressionUnused,
                  "the suppression of " + configured[i].rule + " matches no finding",
                  configured[i].loc);
    }
  }
}

}  // namespace fermata::gate
