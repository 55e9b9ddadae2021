// rules: loading rule files (YAML data, see docs/rule-language.md) into checked, compiled
// rules, and evaluating them over the graph. Every problem in a rule file is an error at
// the rule file's line and column; a rule set with errors must not be used.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "model/graph.hpp"
#include "rules/expr.hpp"
#include "rules/finding.hpp"
#include "rules/rule_meta.hpp"

namespace fermata::rules {

struct MessagePiece {
  std::string text;            ///< literal text, or
  std::unique_ptr<Expr> expr;  ///< a {placeholder}
};

struct Rule {
  RuleMeta meta;
  model::EntityKind entity = model::EntityKind::kAgent;
  std::string for_each_var;               ///< "" when the rule matches whole entities
  std::unique_ptr<Expr> for_each_source;  ///< the list it ranges over
  std::string for_each_text;
  std::unique_ptr<Expr> where;
  std::unique_ptr<Expr> at;  ///< value whose location the finding points at (optional)
  std::string at_text;
  /// Paths to the chain behind a finding: strings (a step, at its line), references (the
  /// entity, at its declaration) or lists of either; in order.
  std::vector<std::unique_ptr<Expr>> evidence;
  std::vector<MessagePiece> message;
};

/// A file of rule data handed to the loader (shipped rules are embedded in the binary).
struct RuleSource {
  std::string path;  ///< shown in diagnostics: "rules/mcp/x.yaml" or the user's path
  std::string text;
};

class RuleSet {
 public:
  /// Loads one rule file; returns false (with diagnostics) when it is invalid.
  bool load(const RuleSource& source, core::DiagnosticSink& sink);
  /// Loads the rules shipped with fermata.
  bool load_builtin(core::DiagnosticSink& sink);

  [[nodiscard]] const std::vector<Rule>& rules() const { return rules_; }
  [[nodiscard]] const Rule* find(std::string_view id) const;  ///< id or alias
  /// Keeps only the rules whose id is listed (used by the fixture harness).
  void retain(const std::vector<std::string>& ids);
  /// Drops the rules whose id (or alias) is listed.
  void remove(const std::vector<std::string>& ids);
  /// Overrides a rule's severity; false when no rule has that id or alias.
  bool set_severity(std::string_view id, core::Severity severity);
  /// (alias, id) pairs of every rule, for suppressions that name a former id.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> aliases() const;
  void sort_by_id();

 private:
  std::vector<Rule> rules_;
};

/// Every match of every rule over the graph, unsorted, without fingerprints' gate state; in
/// rule order, then entity order, however many `jobs` (threads) share the work.
std::vector<Finding> evaluate(const RuleSet& rules, const model::Graph& graph, unsigned jobs = 1);

/// The shipped rule files and data catalogs, embedded at build time.
const std::vector<RuleSource>& builtin_rule_sources();
const std::vector<RuleSource>& builtin_catalog_sources();

}  // namespace fermata::rules
