// report: documentation of the rules themselves — the list (`fermata rules`), the
// reference page docs/rules.md (generated, never edited by hand), and `fermata explain`.
#pragma once

#include <ostream>
#include <vector>

#include "rules/rule_meta.hpp"

namespace fermata::report {

void write_rules_text(const std::vector<rules::RuleMeta>& rules, std::ostream& out);
void write_rules_markdown(const std::vector<rules::RuleMeta>& rules, std::ostream& out);
void write_rules_json(const std::vector<rules::RuleMeta>& rules, std::ostream& out);
void write_explain(const rules::RuleMeta& rule, std::ostream& out);
/// The attribute reference of every entity kind (`fermata rules schema`), in markdown.
void write_schema_markdown(std::ostream& out);

}  // namespace fermata::report
