// rules: the metadata of one rule, as written in its YAML file. Reporters read only this
// (never the compiled match), so SARIF, docs and `fermata explain` stay in step.
#pragma once

#include <string>
#include <vector>

#include "core/severity.hpp"
#include "core/source_loc.hpp"

namespace fermata::rules {

struct RuleMeta {
  std::string id;     ///< kebab-case with an area prefix, equal to the file name
  std::string title;  ///< one line
  core::Severity severity = core::Severity::kMedium;
  std::vector<std::string> maestro;     ///< "L1".."L7", in the rule's order (first is primary)
  std::vector<std::string> owasp;       ///< "ASI01".."ASI10" and "T1".."T17"
  std::string description;              ///< markdown; first sentence is the short description
  std::string remediation;              ///< markdown with the concrete fix
  std::vector<std::string> references;  ///< URLs
  std::vector<std::string> aliases;     ///< former ids
  std::string entity;                   ///< the entity kind the rule matches
  std::string for_each;                 ///< the match's `for_each`, as written
  std::string where;                    ///< the match's `where`, as written
  std::string at;                       ///< the match's `at`, as written
  std::string autonomy_note;            ///< optional extra text shown by `explain`
  core::SourceLoc source;               ///< rule file and the line of `id:`

  /// First sentence of the description (SARIF shortDescription).
  [[nodiscard]] std::string short_description() const;
};

/// "L7" -> "Agent Ecosystem" (CSA MAESTRO names); unknown -> "".
std::string maestro_layer_name(const std::string& layer);

}  // namespace fermata::rules
