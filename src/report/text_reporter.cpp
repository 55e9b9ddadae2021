#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/severity.hpp"
#include "report/reporter.hpp"
#include "rules/rule_meta.hpp"

namespace fermata::report {
namespace {

constexpr size_t kTabStop = 8;
constexpr size_t kMaxShownCodePoints = 200;
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026
constexpr std::string_view kArrow = "\xE2\x86\xB3";     // U+21B3

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

/// Scanned files are hostile: a control character in a message or snippet could move the
/// cursor, recolour or retitle the reader's terminal. Tabs are expanded, everything else in
/// C0, DEL and C1 shows as '?'. With `columns`, also records the output column (in code
/// points) at each input byte offset, and at the end.
std::string printable(std::string_view text, std::vector<uint32_t>* columns = nullptr) {
  std::string out;
  out.reserve(text.size());
  size_t column = 0;
  if (columns != nullptr) columns->assign(text.size() + 1, 0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (columns != nullptr) (*columns)[i] = static_cast<uint32_t>(column);
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '\t') {
      const size_t spaces = kTabStop - column % kTabStop;
      out.append(spaces, ' ');
      column += spaces;
      continue;
    }
    if (byte < 0x20 || byte == 0x7F) {
      out += '?';
    } else if (byte == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      out += '?';
      ++i;
      if (columns != nullptr) (*columns)[i] = static_cast<uint32_t>(column);
    } else {
      out += static_cast<char>(byte);
      if (is_continuation(static_cast<char>(byte))) continue;
    }
    ++column;
  }
  if (columns != nullptr) columns->back() = static_cast<uint32_t>(column);
  return out;
}

/// A source line made ready once for every finding on it: a hostile line can be a megabyte
/// long and carry thousands of findings, so no finding may rescan or re-mask it.
struct PreparedLine {
  std::string file;
  uint32_t number = 0;
  std::string shown;                  ///< masked, printable
  std::vector<size_t> shown_offsets;  ///< byte offset of each code point of `shown`, then end
  std::vector<size_t> raw_offsets;    ///< byte offset of each code point of the raw line
  std::vector<Redactor::Run> runs;    ///< the masked stretches of the raw line
  std::vector<size_t> masked_begins;  ///< where each run's mask starts in the masked line
  std::vector<uint32_t> columns;      ///< shown column at each byte of the masked line
  size_t raw_size = 0;

  void prepare(std::string_view raw, const Redactor& redactor) {
    raw_size = raw.size();
    raw_offsets.clear();
    for (size_t i = 0; i < raw.size(); ++i) {
      if (!is_continuation(raw[i])) raw_offsets.push_back(i);
    }
    runs = redactor.runs(raw);
    masked_begins.clear();
    size_t shift = 0;  // masked offset minus raw offset so far
    for (const auto& run : runs) {
      masked_begins.push_back(run.begin + shift);
      shift = shift + run.mask.size() - (run.end - run.begin);
    }
    shown = printable(Redactor::apply(raw, runs), &columns);
    shown_offsets.clear();
    for (size_t i = 0; i < shown.size(); ++i) {
      if (!is_continuation(shown[i])) shown_offsets.push_back(i);
    }
    shown_offsets.push_back(shown.size());
  }

  [[nodiscard]] size_t width() const { return shown_offsets.size() - 1; }

  /// The shown column of the raw line's code point `index` (0-based); a column inside a
  /// masked secret maps to the start of its mask.
  [[nodiscard]] size_t column_of(size_t index) const {
    const size_t raw = index < raw_offsets.size() ? raw_offsets[index] : raw_size;
    const auto after =
        std::upper_bound(runs.begin(), runs.end(), raw,
                         [](size_t at, const Redactor::Run& run) { return at < run.begin; });
    size_t masked = raw;
    if (after != runs.begin()) {
      const auto k = static_cast<size_t>(after - runs.begin()) - 1;
      const Redactor::Run& run = runs[k];
      masked =
          raw < run.end ? masked_begins[k] : masked_begins[k] + run.mask.size() + (raw - run.end);
    }
    return columns[std::min(masked, columns.size() - 1)];
  }
};

class Style {
 public:
  explicit Style(bool color) : color_(color) {}

  [[nodiscard]] std::string severity(core::Severity severity) const {
    std::string label(core::to_string(severity));
    for (auto& c : label) c = static_cast<char>(c - ('a' - 'A'));
    return wrap(label, severity_code(severity));
  }
  [[nodiscard]] std::string path(std::string_view text) const { return wrap(text, "1"); }
  [[nodiscard]] std::string heading(std::string_view text) const { return wrap(text, "1"); }
  [[nodiscard]] std::string dim(std::string_view text) const { return wrap(text, "2"); }
  [[nodiscard]] std::string bad(std::string_view text) const { return wrap(text, "1;31"); }
  [[nodiscard]] std::string good(std::string_view text) const { return wrap(text, "1;32"); }

 private:
  static std::string_view severity_code(core::Severity severity) {
    switch (severity) {
      case core::Severity::kCritical: return "1;31";
      case core::Severity::kHigh: return "31";
      case core::Severity::kMedium: return "33";
      case core::Severity::kLow: return "36";
      case core::Severity::kInfo: return "2";
    }
    return "2";
  }
  [[nodiscard]] std::string wrap(std::string_view text, std::string_view code) const {
    if (!color_) return std::string(text);
    return "\x1b[" + std::string(code) + "m" + std::string(text) + "\x1b[0m";
  }
  bool color_;
};

class TextWriter {
 public:
  TextWriter(const Report& report, std::ostream& out, const ReporterOptions& options)
      : report_(report), out_(out), style_(options.color) {}

  void write() {
    write_open_findings();
    write_suppressed();
    write_fixed();
    write_diagnostics();
    write_summary();
  }

 private:
  /// Every string that came from the scanned repository passes through here.
  [[nodiscard]] std::string clean(std::string_view text) const {
    return printable(report_.redactor.redact(text));
  }

  [[nodiscard]] std::string location(const core::SourceLoc& loc) const {
    return style_.path(clean(core::to_string(loc)));
  }

  [[nodiscard]] std::string title_of(const rules::Finding& finding) const {
    const rules::RuleMeta* meta = report_.rule(finding.rule_id);
    return meta == nullptr ? std::string() : meta->title;
  }

  /// 0..6 for L1..L7, 7 for a finding whose rule names no known layer.
  [[nodiscard]] size_t layer_of(const rules::Finding& finding) const {
    const rules::RuleMeta* meta = report_.rule(finding.rule_id);
    if (meta == nullptr || meta->maestro.empty()) return 7;
    const std::string& layer = meta->maestro.front();
    if (layer.size() == 2 && layer[0] == 'L' && layer[1] >= '1' && layer[1] <= '7') {
      return static_cast<size_t>(layer[1] - '1');
    }
    return 7;
  }

  void write_finding_header(const rules::Finding& finding) {
    out_ << location(finding.loc) << "  " << style_.severity(finding.severity) << "  "
         << clean(finding.rule_id);
    const std::string title = title_of(finding);
    if (!title.empty()) out_ << "  " << clean(title);
    // With a baseline or --new-since, say how each finding compares.
    if (finding.baseline_state == rules::BaselineState::kNew ||
        finding.baseline_state == rules::BaselineState::kIncomparable) {
      out_ << "  [" << rules::to_string(finding.baseline_state) << "]";
    } else if (finding.baseline_state != rules::BaselineState::kNone) {
      out_ << "  [existing]";
    }
    out_ << "\n    " << clean(finding.message) << "\n";
  }

  void write_open_findings() {
    std::array<std::vector<const rules::Finding*>, 8> groups;
    bool any = false;
    for (const auto& finding : report_.findings) {
      if (finding.state != rules::FindingState::kOpen) continue;
      groups[layer_of(finding)].push_back(&finding);
      any = true;
    }
    if (!any) out_ << "No open findings.\n\n";
    for (size_t layer = 0; layer < groups.size(); ++layer) {
      if (groups[layer].empty()) continue;
      std::string name = "Other";
      if (layer < 7) {
        const std::string id = "L" + std::to_string(layer + 1);
        name = id + " " + rules::maestro_layer_name(id);
      }
      out_ << style_.heading(name + " (" + std::to_string(groups[layer].size()) + ")") << "\n\n";
      for (const rules::Finding* finding : groups[layer]) {
        write_finding_header(*finding);
        write_source_line(finding->loc);
        for (const auto& step : finding->evidence) {
          out_ << "    " << kArrow << " " << location(step.loc) << " " << clean(step.message)
               << "\n";
        }
        out_ << "\n";
      }
    }
  }

  /// The offending line with a caret under the column. The caret is placed by measuring the
  /// masked, tab-expanded text before the column, because masking changes widths.
  void write_source_line(const core::SourceLoc& loc) {
    if (report_.sources == nullptr || !loc.valid()) return;
    const PreparedLine& line = prepared(loc.file, loc.span.line);
    if (line.raw_size == 0) return;
    const size_t width = line.width();
    size_t caret = 0;
    const bool has_caret = loc.span.column > 0;
    if (has_caret) caret = std::min(line.column_of(loc.span.column - 1), width);
    std::string shown;
    if (width > kMaxShownCodePoints) {
      // Keep the caret in view: start the window some way before it when it lies far right.
      size_t start = 0;
      if (caret + 20 > kMaxShownCodePoints) start = caret - kMaxShownCodePoints / 2;
      const size_t from = line.shown_offsets[start];
      const size_t to = line.shown_offsets[std::min(width, start + kMaxShownCodePoints)];
      if (start > 0) {
        shown += kEllipsis;
        caret = caret - start + 1;
      }
      shown += line.shown.substr(from, to - from);
      if (to < line.shown.size()) shown += kEllipsis;
    } else {
      shown = line.shown;
    }
    const std::string number = std::to_string(loc.span.line);
    out_ << "    " << style_.dim(number + " |") << " " << shown << "\n";
    if (has_caret) {
      out_ << "    " << style_.dim(std::string(number.size(), ' ') + " |") << " "
           << std::string(caret, ' ') << "^\n";
    }
  }

  void write_fixed() {
    if (report_.fixed.empty()) return;
    out_ << style_.heading("Fixed since the " + clean(report_.compared_with) + " (" +
                           std::to_string(report_.fixed.size()) + ")")
         << "\n\n";
    for (const auto& finding : report_.fixed) {
      out_ << location(finding.loc) << "  " << style_.severity(finding.severity) << "  "
           << clean(finding.rule_id) << "\n    " << clean(finding.message) << "\n\n";
    }
  }

  void write_suppressed() {
    std::vector<const rules::Finding*> suppressed;
    for (const auto& finding : report_.findings) {
      if (finding.state != rules::FindingState::kOpen) suppressed.push_back(&finding);
    }
    if (suppressed.empty()) return;
    out_ << style_.heading("Suppressed (" + std::to_string(suppressed.size()) + ")") << "\n\n";
    for (const rules::Finding* finding : suppressed) {
      write_finding_header(*finding);
      const bool baselined = finding->state == rules::FindingState::kBaselined;
      out_ << "    " << (baselined ? "baselined" : "suppressed");
      if (!finding->suppression_reason.empty()) out_ << ": " << clean(finding->suppression_reason);
      out_ << "\n\n";
    }
  }

  void write_diagnostics() {
    if (report_.diagnostics.empty()) return;
    out_ << style_.heading("Diagnostics (" + std::to_string(report_.diagnostics.size()) + ")")
         << "\n\n";
    for (const auto& diagnostic : report_.diagnostics) {
      // format_diagnostic joins notes with line breaks; clean each line on its own so those
      // breaks survive while any from the input do not.
      std::string text = report_.redactor.redact(core::format_diagnostic(diagnostic));
      const std::string where = report_.redactor.redact(core::to_string(diagnostic.loc));
      if (!where.empty() && text.starts_with(where)) {
        out_ << style_.path(printable(where));
        text.erase(0, where.size());
      }
      size_t start = 0;
      while (start <= text.size()) {
        const size_t end = std::min(text.find('\n', start), text.size());
        out_ << printable(text.substr(start, end - start)) << "\n";
        start = end + 1;
      }
    }
    out_ << "\n";
  }

  void write_summary() {
    std::array<size_t, 5> by_severity{};
    size_t suppressed = 0;
    size_t baselined = 0;
    size_t blocking = 0;
    for (const auto& finding : report_.findings) {
      if (finding.state == rules::FindingState::kSuppressed) {
        ++suppressed;
      } else if (finding.state == rules::FindingState::kBaselined) {
        ++baselined;
      } else {
        ++by_severity[static_cast<size_t>(finding.severity)];
        if (finding.blocking) ++blocking;
      }
    }
    size_t errors = 0;
    size_t warnings = 0;
    for (const auto& diagnostic : report_.diagnostics) {
      if (diagnostic.level == core::DiagLevel::kError) ++errors;
      if (diagnostic.level == core::DiagLevel::kWarning) ++warnings;
    }
    out_ << style_.heading("Summary") << "\n";
    out_ << "  files:       " << report_.files_discovered << " scanned, "
         << report_.artifacts.size() << " parsed\n";
    out_ << "  findings:    ";
    const std::array kOrder = {core::Severity::kCritical, core::Severity::kHigh,
                               core::Severity::kMedium, core::Severity::kLow,
                               core::Severity::kInfo};
    for (size_t i = 0; i < kOrder.size(); ++i) {
      if (i > 0) out_ << ", ";
      out_ << by_severity[static_cast<size_t>(kOrder[i])] << " " << core::to_string(kOrder[i]);
    }
    out_ << "; " << suppressed << " suppressed, " << baselined << " baselined\n";
    if (!report_.compared_with.empty()) {
      size_t fresh = 0;
      for (const auto& finding : report_.findings) {
        fresh += finding.baseline_state == rules::BaselineState::kNew ||
                 finding.baseline_state == rules::BaselineState::kIncomparable;
      }
      out_ << "  compared:    with the " << clean(report_.compared_with) << ": " << fresh
           << " new, " << report_.fixed.size() << " fixed\n";
    }
    out_ << "  blocking:    " << blocking << "\n";
    out_ << "  diagnostics: " << report_.diagnostics.size() << " (" << errors << " "
         << plural(errors, "error", "errors") << ", " << warnings << " "
         << plural(warnings, "warning", "warnings") << ")\n";
    out_ << verdict(blocking) << "\n";
  }

  [[nodiscard]] std::string verdict(size_t blocking) const {
    if (report_.exit_code == 2) return style_.bad("FAILED: the scan could not complete");
    if (report_.fail_on_none) return "gate disabled";
    if (blocking > 0) {
      return style_.bad("FAILED: " + std::to_string(blocking) + " " +
                        plural(blocking, "finding", "findings") + " at or above " +
                        std::string(core::to_string(report_.fail_on)));
    }
    return style_.good("passed");
  }

  static std::string plural(size_t n, std::string_view one, std::string_view many) {
    return std::string(n == 1 ? one : many);
  }

  const PreparedLine& prepared(const std::string& file, uint32_t number) {
    if (prepared_.number != number || prepared_.file != file) {
      prepared_.file = file;
      prepared_.number = number;
      prepared_.prepare(report_.sources->line(file, number), report_.redactor);
    }
    return prepared_;
  }

  const Report& report_;
  std::ostream& out_;
  Style style_;
  PreparedLine prepared_;  ///< the last source line shown: findings on one line come together
};

}  // namespace

void write_text(const Report& report, std::ostream& out, const ReporterOptions& options) {
  TextWriter(report, out, options).write();
}

std::string canonical_line(const rules::Finding& finding) {
  std::string message = finding.message;
  for (auto& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return finding.loc.file + ":" + std::to_string(finding.loc.span.line) + ":" +
         std::to_string(finding.loc.span.column) + ": " +
         std::string(core::to_string(finding.severity)) + ": " + finding.rule_id + ": " + message;
}

}  // namespace fermata::report
