#include "gate/baseline.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

namespace fermata::gate {
namespace {

using Key = std::tuple<std::string, std::string, std::string>;  // rule, file, match key

std::set<std::string> files_with_errors(const std::vector<core::Diagnostic>& diagnostics) {
  std::set<std::string> files;
  for (const auto& diagnostic : diagnostics) {
    if (diagnostic.level == core::DiagLevel::kError && !diagnostic.loc.file.empty()) {
      files.insert(diagnostic.loc.file);
    }
  }
  return files;
}

}  // namespace

Baseline baseline_of(const std::vector<rules::Finding>& findings,
                     const std::vector<core::Diagnostic>& diagnostics, std::string origin) {
  Baseline baseline;
  baseline.origin = std::move(origin);
  for (const auto& finding : findings) {
    baseline.entries.push_back(BaselineEntry{finding.rule_id, finding.loc.file, finding.match_key,
                                             finding.fingerprint, finding.entity_name,
                                             finding.message, finding.severity, finding.loc.span});
  }
  const auto unparsed = files_with_errors(diagnostics);
  baseline.unparsed_files.assign(unparsed.begin(), unparsed.end());
  return baseline;
}

std::string write_baseline(const Baseline& baseline, std::string_view tool_version) {
  nlohmann::ordered_json doc;
  doc["fermata_baseline"] = 1;
  doc["tool_version"] = tool_version;
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  std::vector<BaselineEntry> sorted = baseline.entries;
  std::sort(sorted.begin(), sorted.end(), [](const BaselineEntry& a, const BaselineEntry& b) {
    return std::tie(a.file, a.span.line, a.span.column, a.rule_id, a.match_key) <
           std::tie(b.file, b.span.line, b.span.column, b.rule_id, b.match_key);
  });
  for (const auto& entry : sorted) {
    nlohmann::ordered_json item;
    item["rule_id"] = entry.rule_id;
    item["file"] = entry.file;
    item["match_key"] = entry.match_key;
    item["fingerprint"] = entry.fingerprint;
    item["entity"] = entry.entity;
    item["severity"] = core::to_string(entry.severity);
    item["line"] = entry.span.line;
    item["column"] = entry.span.column;
    item["message"] = entry.message;
    entries.push_back(std::move(item));
  }
  doc["findings"] = std::move(entries);
  doc["unparsed_files"] = baseline.unparsed_files;
  return doc.dump(2) + "\n";
}

std::optional<Baseline> read_baseline(std::string_view path, std::string_view text,
                                      core::DiagnosticSink& sink) {
  auto fail = [&](const std::string& message) {
    core::Diagnostic diagnostic =
        core::make_diagnostic(core::DiagCode::kBaselineInvalid, message, {std::string(path), {}});
    sink.report(std::move(diagnostic));
    return std::nullopt;
  };
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return fail("not a JSON object; create one with `fermata baseline create`");
  if (!doc.contains("fermata_baseline") || doc["fermata_baseline"] != 1) {
    return fail("not a fermata baseline (version 1): create one with `fermata baseline create`");
  }
  Baseline baseline;
  baseline.origin = "baseline " + std::string(path);
  if (!doc.contains("findings") || !doc["findings"].is_array())
    return fail("'findings' must be a list");
  for (const auto& item : doc["findings"]) {
    if (!item.is_object()) return fail("each finding must be an object");
    BaselineEntry entry;
    for (const char* field : {"rule_id", "file", "match_key"}) {
      if (!item.contains(field) || !item[field].is_string()) {
        return fail(std::string("each finding needs a string '") + field + "'");
      }
    }
    entry.rule_id = item["rule_id"];
    entry.file = item["file"];
    entry.match_key = item["match_key"];
    entry.fingerprint = item.value("fingerprint", "");
    entry.entity = item.value("entity", "");
    entry.message = item.value("message", "");
    entry.severity =
        core::parse_severity(item.value("severity", "medium")).value_or(core::Severity::kMedium);
    entry.span.line = item.value("line", 0U);
    entry.span.column = item.value("column", 0U);
    entry.span.end_line = entry.span.line;
    entry.span.end_column = entry.span.column;
    baseline.entries.push_back(std::move(entry));
  }
  if (doc.contains("unparsed_files") && doc["unparsed_files"].is_array()) {
    for (const auto& file : doc["unparsed_files"]) {
      if (file.is_string()) baseline.unparsed_files.push_back(file);
    }
  }
  return baseline;
}

ComparisonResult compare_with(std::vector<rules::Finding>& current,
                              const std::vector<core::Diagnostic>& current_diagnostics,
                              const Baseline& earlier,
                              const std::map<std::string, std::string>& renames,
                              bool mark_baselined, core::DiagnosticSink& sink) {
  auto renamed = [&](const std::string& file) {
    auto it = renames.find(file);
    return it == renames.end() ? file : it->second;
  };
  // Earlier entries by key; several identical findings match one for one.
  std::map<Key, std::vector<const BaselineEntry*>> pending;
  for (const auto& entry : earlier.entries) {
    pending[{entry.rule_id, renamed(entry.file), entry.match_key}].push_back(&entry);
  }
  std::set<std::string> unparsed_then;
  for (const auto& file : earlier.unparsed_files) unparsed_then.insert(renamed(file));
  const std::set<std::string> unparsed_now = files_with_errors(current_diagnostics);

  for (auto& finding : current) {
    auto it = pending.find({finding.rule_id, finding.loc.file, finding.match_key});
    if (it == pending.end() || it->second.empty()) {
      finding.baseline_state = unparsed_then.count(finding.loc.file) != 0
                                   ? rules::BaselineState::kIncomparable
                                   : rules::BaselineState::kNew;
      continue;
    }
    const BaselineEntry* entry = it->second.front();
    it->second.erase(it->second.begin());
    const bool same =
        entry->span.line == finding.loc.span.line && entry->message == finding.message;
    finding.baseline_state =
        same ? rules::BaselineState::kUnchanged : rules::BaselineState::kUpdated;
    if (mark_baselined && finding.state == rules::FindingState::kOpen) {
      finding.state = rules::FindingState::kBaselined;
      finding.suppression_reason = "recorded in the " + earlier.origin;
      finding.suppression_kind = "external";
    }
  }

  ComparisonResult result;
  std::set<std::string> incomparable_reported;
  for (const auto& [key, entries] : pending) {
    for (const BaselineEntry* entry : entries) {
      const std::string file = renamed(entry->file);
      if (unparsed_now.count(file) != 0) {
        if (incomparable_reported.insert(file).second) {
          sink.report(core::DiagCode::kBaselineIncomparable,
                      "findings recorded in the " + earlier.origin +
                          " for this file cannot be compared: it does not parse now",
                      {file, {}});
        }
        continue;
      }
      rules::Finding fixed;
      fixed.rule_id = entry->rule_id;
      fixed.severity = entry->severity;
      fixed.message = entry->message;
      fixed.loc = core::SourceLoc{entry->file, entry->span};
      fixed.entity_name = entry->entity;
      fixed.fingerprint = entry->fingerprint;
      fixed.match_key = entry->match_key;
      fixed.baseline_state = rules::BaselineState::kAbsent;
      result.absent.push_back(std::move(fixed));
    }
  }
  std::sort(result.absent.begin(), result.absent.end(), rules::finding_less);
  return result;
}

}  // namespace fermata::gate
