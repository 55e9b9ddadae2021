// gate: the repository's .fermata.yaml — threshold, rule selection and severity overrides,
// ignored paths, extra rule directories, baseline, suppressions by rule/path/entity, and
// the declarations later stages read (identity-to-policy mappings, agent intent).
// Every unknown key and wrong type is an error at its line (exit 2): a misspelt setting
// must never be silently ignored by a security gate.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/severity.hpp"
#include "core/source_loc.hpp"
#include "link/topology.hpp"

namespace fermata::gate {

/// A calendar date, compared as YYYYMMDD.
struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
  [[nodiscard]] int ordinal() const { return year * 10000 + month * 100 + day; }
  [[nodiscard]] std::string to_string() const;
};
std::optional<Date> parse_date(std::string_view text);  ///< strict YYYY-MM-DD, a real day
Date today_utc();

/// A suppression written in the configuration (JSON has no comments to carry one).
struct ConfigSuppression {
  std::string rule;    ///< rule id
  std::string path;    ///< gitignore-style glob of the file; "" = any
  std::string entity;  ///< entity name; "" = any
  std::string reason;
  std::optional<Date> until;
  core::SourceLoc loc;
};

struct SpendingCap {
  double amount = 0;
  std::string currency;
  std::string period;  ///< hour | day | week | month
  core::SourceLoc loc;
};

/// What a team declares an agent is meant to do (read by the topology rules).
struct AgentIntent {
  std::string name;
  std::string autonomy;  ///< limited | semi-autonomous | fully-autonomous; "" = undeclared
  std::vector<std::string> tools;
  std::vector<std::string> data_scopes;
  std::optional<SpendingCap> spending_cap;
  core::SourceLoc loc;
};

/// A cloud identity and the policy files in the repository that grant it permissions.
struct IdentityMapping {
  std::string identity;  ///< AWS role ARN, GCP service account e-mail or Azure client id
  std::vector<std::string> policies;
  core::SourceLoc loc;
};

struct Config {
  std::string path;  ///< where it was read from; "" = no configuration file
  std::optional<core::Severity> fail_on;
  bool fail_on_none = false;
  std::vector<std::string> enable_rules;  ///< when non-empty, only these rules run
  std::vector<std::string> disable_rules;
  std::map<std::string, core::Severity> severity_overrides;
  std::vector<std::string> rule_directories;  ///< resolved against the config's directory
  std::vector<std::string> ignore_paths;      ///< gitignore syntax, relative to the root
  std::string baseline;                       ///< resolved against the config's directory
  std::vector<ConfigSuppression> suppressions;
  std::vector<IdentityMapping> identities;
  std::vector<AgentIntent> agents;
  core::SourceLoc rules_loc;  ///< for errors about rule ids that do not exist
};

/// The configuration's declarations about agents and cloud identities, for the linker.
/// Their locations name `in_tree` (the configuration's path inside the scanned tree) when
/// it is not empty, so findings about a declaration point into the scanned repository.
link::TopologyInputs topology_inputs(const Config& config, const std::string& in_tree);

/// Parses configuration text; `path` names the file in diagnostics, `base_dir` resolves
/// relative directories. Returns nullopt (with errors in `sink`) when it is invalid.
std::optional<Config> parse_config(std::string_view path, std::string_view text,
                                   std::string_view base_dir, core::DiagnosticSink& sink);

}  // namespace fermata::gate
