// report: everything a reporter may print, gathered once by the pipeline. Reporters are
// pure functions of a Report: findings arrive sorted and gated, secrets already known.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/severity.hpp"
#include "rules/finding.hpp"
#include "rules/rule_meta.hpp"

namespace fermata::report {

/// Masks every secret value the scan recognised, wherever it appears in printed text.
class Redactor {
 public:
  void add_secret(std::string value);
  /// `text` with each known secret replaced by a mask that keeps at most its first
  /// four characters when it is long enough to stay unguessable ("ghp_****").
  [[nodiscard]] std::string redact(std::string_view text) const;
  /// The first `max_code_points` code points of `text` (or a little more: never cut inside
  /// a secret), masked, with "…" when anything was cut. Costs time in proportion to what it
  /// keeps, not to `text`, so a finding on a megabyte-long line stays cheap.
  [[nodiscard]] std::string redact_prefix(std::string_view text, size_t max_code_points) const;
  [[nodiscard]] static std::string mask(std::string_view secret);
  [[nodiscard]] bool empty() const { return secrets_.empty(); }
  /// Every secret, each once, longest first.
  [[nodiscard]] const std::vector<std::string>& secrets() const;

  /// A stretch of text covered by one or more overlapping secrets, and what replaces it.
  struct Run {
    size_t begin = 0;
    size_t end = 0;
    std::string_view mask;  ///< valid while the Redactor is alive and unchanged
  };
  /// The stretches of `text` that redact() masks: sorted, disjoint. For callers that must map
  /// positions in the text to positions in its masked form.
  [[nodiscard]] std::vector<Run> runs(std::string_view text) const;
  /// `text` with `runs` (from runs() on the same text) masked.
  [[nodiscard]] static std::string apply(std::string_view text, const std::vector<Run>& runs);

 private:
  /// Sorts, deduplicates and builds the matcher once, after the last add_secret: adding stays
  /// constant time and masking linear, so a file planting many secrets costs linear time.
  void prepare() const;

  mutable std::vector<std::string> secrets_;  ///< longest first once prepared
  /// What is searched for: each secret as decoded, as JSON and YAML write it escaped, and
  /// each line of a multi-line secret (snippets show one source line), with the mask of each.
  mutable std::vector<std::string> forms_;
  mutable std::vector<std::string> form_masks_;
  mutable std::shared_ptr<const class LiteralMatcher> matcher_;  ///< null until prepared
};

/// The text of the scanned files that reporters need (snippets, line hashes).
class SourceCache {
 public:
  void put(std::string path, std::string text);
  /// The file's text, or nullptr when it is not held.
  [[nodiscard]] const std::string* text(std::string_view path) const;
  /// Line `line` (1-based) without its line ending, or "" when absent.
  [[nodiscard]] std::string line(std::string_view path, uint32_t line) const;
  /// Every path held, sorted.
  [[nodiscard]] std::vector<std::string> paths() const;

 private:
  struct Entry {
    std::string text;
    std::vector<size_t> line_starts;  ///< byte offset of each line; [0] == 0
  };
  std::map<std::string, Entry, std::less<>> texts_;
};

/// One scanned file and what became of it.
struct Artifact {
  std::string path;
  std::string format;  ///< parser id ("mcp-client-config"), or "" when no parser claimed it
};

struct Topology;

struct Report {
  std::string tool_name = "fermata";
  std::string tool_version;
  std::string scan_root;                      ///< as given on the command line (display only)
  std::vector<rules::RuleMeta> rules;         ///< every rule that ran, sorted by id
  std::vector<rules::Finding> findings;       ///< sorted with rules::finding_less
  std::vector<core::Diagnostic> diagnostics;  ///< sorted by location
  std::vector<Artifact> artifacts;            ///< files a parser claimed, sorted by path
  uint64_t files_discovered = 0;
  core::Severity fail_on = core::Severity::kHigh;
  bool fail_on_none = false;
  int exit_code = 0;
  std::string automation_id = "fermata/";  ///< SARIF runAutomationDetails.id
  /// What findings were compared with ("baseline FILE", "revision REV"); "" = nothing.
  std::string compared_with;
  std::vector<rules::Finding> fixed;  ///< in the baseline or at the revision, gone now
  std::string started_at;             ///< UTC, yyyy-mm-ddThh:mm:ss (GitLab reports); "" = now
  std::string finished_at;
  std::shared_ptr<const SourceCache> sources;
  Redactor redactor;
  /// The scanned system's topology (report/topology.hpp), for the reporters that draw it (the
  /// Markdown summary); null when the caller did not compute it.
  std::shared_ptr<const Topology> topology;

  [[nodiscard]] const rules::RuleMeta* rule(std::string_view id) const;
  /// The source line `loc` starts on, secrets masked, cut after kSnippetMaxCodePoints code
  /// points (an ellipsis marks the cut); "" when the text is not held. Masking happens before
  /// the cut, so a cut can never leave part of a secret readable.
  [[nodiscard]] std::string snippet(const core::SourceLoc& loc) const;
};

/// Bound on machine-readable snippets: a minified file's only line must not bloat a report.
inline constexpr size_t kSnippetMaxCodePoints = 1000;

/// `text` cut after `max` code points, with "…" appended when anything was cut. Stray bytes of
/// invalid UTF-8 count as one code point each.
std::string truncate_code_points(std::string_view text, size_t max);

}  // namespace fermata::report
