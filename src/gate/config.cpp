#include "gate/config.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <initializer_list>

#include "parsers/syntax/yaml_reader.hpp"

namespace fermata::gate {
namespace {

using core::DiagCode;
using syntax::Node;
using syntax::NodeKind;

class Reader {
 public:
  Reader(std::string_view path, std::string_view base_dir, core::DiagnosticSink& sink)
      : path_(path), base_dir_(base_dir), sink_(sink) {}

  bool ok() const { return ok_; }

  void error(DiagCode code, std::string message, const core::Span& span) {
    core::Diagnostic diagnostic = core::make_diagnostic(code, std::move(message), {path_, span});
    diagnostic.level = core::DiagLevel::kError;
    sink_.report(std::move(diagnostic));
    ok_ = false;
  }

  void known_keys(const Node& object, std::initializer_list<std::string_view> keys,
                  std::string_view where) {
    for (const auto& member : object.members) {
      if (std::find(keys.begin(), keys.end(), member.key) != keys.end()) continue;
      std::string names;
      for (auto key : keys) names += (names.empty() ? "" : ", ") + std::string(key);
      error(DiagCode::kConfigUnknownKey,
            "unknown key '" + member.key + "' in " + std::string(where) + " (known: " + names + ")",
            member.key_span);
    }
  }

  bool expect(const Node& node, NodeKind kind, std::string_view what) {
    if (node.kind == kind) return true;
    error(DiagCode::kConfigType,
          std::string(what) + " must be " + article(kind) + ", not " + article(node.kind),
          node.span);
    return false;
  }

  std::string string_of(const Node& node, std::string_view what) {
    if (node.kind != NodeKind::kString && node.kind != NodeKind::kNumber) {
      expect(node, NodeKind::kString, what);
      return "";
    }
    if (node.text.empty())
      error(DiagCode::kConfigType, std::string(what) + " must not be empty", node.span);
    return node.text;
  }

  std::vector<std::string> strings_of(const Node& node, std::string_view what) {
    std::vector<std::string> out;
    if (!expect(node, NodeKind::kArray, what)) return out;
    for (const auto& item : node.items)
      out.push_back(string_of(item, std::string(what) + " entries"));
    return out;
  }

  std::string resolve(const std::string& relative) const {
    if (relative.empty() || relative.front() == '/' || base_dir_.empty()) return relative;
    return std::string(base_dir_) + "/" + relative;
  }

  std::optional<Date> date_of(const Node& node, std::string_view what) {
    auto date = parse_date(node.text);
    if (!date || !node.is_scalar()) {
      error(DiagCode::kConfigType, std::string(what) + " must be a date written YYYY-MM-DD",
            node.span);
      return std::nullopt;
    }
    return date;
  }

  core::SourceLoc loc(const core::Span& span) const { return {path_, span}; }

  static std::string article(NodeKind kind) {
    switch (kind) {
      case NodeKind::kArray: return "a list";
      case NodeKind::kObject: return "a mapping";
      case NodeKind::kNull: return "empty";
      case NodeKind::kBool: return "a boolean";
      case NodeKind::kNumber: return "a number";
      case NodeKind::kString: return "a string";
    }
    return "a value";
  }

 private:
  std::string path_;
  std::string_view base_dir_;
  core::DiagnosticSink& sink_;
  bool ok_ = true;
};

void read_rules(const Node& node, Config& config, Reader& reader) {
  if (!reader.expect(node, NodeKind::kObject, "'rules'")) return;
  config.rules_loc = reader.loc(node.span);
  reader.known_keys(node, {"enable", "disable", "severity", "directories"}, "'rules'");
  if (const Node* enable = node.get("enable"))
    config.enable_rules = reader.strings_of(*enable, "'rules.enable'");
  if (const Node* disable = node.get("disable"))
    config.disable_rules = reader.strings_of(*disable, "'rules.disable'");
  if (const Node* severity = node.get("severity");
      severity != nullptr && reader.expect(*severity, NodeKind::kObject, "'rules.severity'")) {
    for (const auto& member : severity->members) {
      auto parsed = core::parse_severity(member.value.text);
      if (!parsed || !member.value.is_scalar()) {
        reader.error(DiagCode::kConfigType,
                     "severity of '" + member.key + "' must be critical, high, medium, low or info",
                     member.value.span);
        continue;
      }
      config.severity_overrides[member.key] = *parsed;
    }
  }
  if (const Node* dirs = node.get("directories")) {
    for (const auto& dir : reader.strings_of(*dirs, "'rules.directories'")) {
      config.rule_directories.push_back(reader.resolve(dir));
    }
  }
}

void read_suppressions(const Node& node, Config& config, Reader& reader) {
  if (!reader.expect(node, NodeKind::kArray, "'suppressions'")) return;
  for (const auto& item : node.items) {
    if (!reader.expect(item, NodeKind::kObject, "a suppression")) continue;
    reader.known_keys(item, {"rule", "path", "entity", "reason", "until"}, "a suppression");
    ConfigSuppression suppression;
    suppression.loc = reader.loc(item.span);
    if (const Node* rule = item.get("rule")) {
      suppression.rule = reader.string_of(*rule, "'rule'");
    } else {
      reader.error(DiagCode::kConfigType, "a suppression needs 'rule' (the rule id it silences)",
                   item.span);
    }
    if (const Node* path = item.get("path")) suppression.path = reader.string_of(*path, "'path'");
    if (const Node* entity = item.get("entity"))
      suppression.entity = reader.string_of(*entity, "'entity'");
    if (const Node* reason = item.get("reason")) {
      suppression.reason = reader.string_of(*reason, "'reason'");
    } else {
      reader.error(DiagCode::kConfigType,
                   "a suppression needs a 'reason': say why the finding is acceptable", item.span);
    }
    if (const Node* until = item.get("until"))
      suppression.until = reader.date_of(*until, "'until'");
    config.suppressions.push_back(std::move(suppression));
  }
}

void read_identities(const Node& node, Config& config, Reader& reader) {
  if (!reader.expect(node, NodeKind::kArray, "'identities'")) return;
  for (const auto& item : node.items) {
    if (!reader.expect(item, NodeKind::kObject, "an identity mapping")) continue;
    reader.known_keys(item, {"identity", "policies"}, "an identity mapping");
    IdentityMapping mapping;
    mapping.loc = reader.loc(item.span);
    if (const Node* identity = item.get("identity")) {
      mapping.identity = reader.string_of(*identity, "'identity'");
    } else {
      reader.error(DiagCode::kConfigType, "an identity mapping needs 'identity'", item.span);
    }
    if (const Node* policies = item.get("policies")) {
      mapping.policies = reader.strings_of(*policies, "'policies'");
    } else {
      reader.error(DiagCode::kConfigType, "an identity mapping needs 'policies' (files)",
                   item.span);
    }
    config.identities.push_back(std::move(mapping));
  }
}

void read_agents(const Node& node, Config& config, Reader& reader) {
  if (!reader.expect(node, NodeKind::kObject, "'agents'")) return;
  for (const auto& member : node.members) {
    const Node& spec = member.value;
    if (!reader.expect(spec, NodeKind::kObject, "agent '" + member.key + "'")) continue;
    reader.known_keys(spec, {"autonomy", "tools", "data_scopes", "spending_cap"},
                      "agent '" + member.key + "'");
    AgentIntent intent;
    intent.name = member.key;
    intent.loc = reader.loc(member.key_span);
    if (const Node* autonomy = spec.get("autonomy")) {
      intent.autonomy = reader.string_of(*autonomy, "'autonomy'");
      if (intent.autonomy != "limited" && intent.autonomy != "semi-autonomous" &&
          intent.autonomy != "fully-autonomous") {
        reader.error(DiagCode::kConfigType,
                     "'autonomy' must be limited, semi-autonomous or fully-autonomous",
                     autonomy->span);
      }
    }
    if (const Node* tools = spec.get("tools")) intent.tools = reader.strings_of(*tools, "'tools'");
    if (const Node* scopes = spec.get("data_scopes"))
      intent.data_scopes = reader.strings_of(*scopes, "'data_scopes'");
    if (const Node* cap = spec.get("spending_cap");
        cap != nullptr && reader.expect(*cap, NodeKind::kObject, "'spending_cap'")) {
      reader.known_keys(*cap, {"amount", "currency", "period"}, "'spending_cap'");
      SpendingCap parsed;
      parsed.loc = reader.loc(cap->span);
      const Node* amount = cap->get("amount");
      if (amount == nullptr || amount->kind != NodeKind::kNumber) {
        reader.error(DiagCode::kConfigType, "'spending_cap.amount' must be a number",
                     amount ? amount->span : cap->span);
      } else {
        parsed.amount = std::strtod(amount->text.c_str(), nullptr);
      }
      if (const Node* currency = cap->get("currency")) {
        parsed.currency = reader.string_of(*currency, "'currency'");
        const bool iso = parsed.currency.size() == 3 &&
                         std::all_of(parsed.currency.begin(), parsed.currency.end(),
                                     [](char c) { return c >= 'A' && c <= 'Z'; });
        if (!iso)
          reader.error(DiagCode::kConfigType, "'currency' must be an ISO 4217 code such as USD",
                       currency->span);
      } else {
        reader.error(DiagCode::kConfigType, "'spending_cap' needs 'currency'", cap->span);
      }
      if (const Node* period = cap->get("period")) {
        parsed.period = reader.string_of(*period, "'period'");
        if (parsed.period != "hour" && parsed.period != "day" && parsed.period != "week" &&
            parsed.period != "month") {
          reader.error(DiagCode::kConfigType, "'period' must be hour, day, week or month",
                       period->span);
        }
      } else {
        reader.error(DiagCode::kConfigType, "'spending_cap' needs 'period'", cap->span);
      }
      intent.spending_cap = parsed;
    }
    config.agents.push_back(std::move(intent));
  }
}

}  // namespace

std::string Date::to_string() const {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", year, month, day);
  return buffer;
}

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  Date date;
  auto number = [&](size_t at, size_t length, int& out) {
    const char* begin = text.data() + at;
    auto [end, error] = std::from_chars(begin, begin + length, out);
    return error == std::errc{} && end == begin + length;
  };
  if (!number(0, 4, date.year) || !number(5, 2, date.month) || !number(8, 2, date.day))
    return std::nullopt;
  if (date.month < 1 || date.month > 12 || date.day < 1) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(date.year),
                                        std::chrono::month(static_cast<unsigned>(date.month)),
                                        std::chrono::day(static_cast<unsigned>(date.day))};
  if (!ymd.ok()) return std::nullopt;
  return date;
}

Date today_utc() {
  const auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const std::chrono::year_month_day ymd{days};
  return Date{static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
              static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

std::optional<Config> parse_config(std::string_view path, std::string_view text,
                                   std::string_view base_dir, core::DiagnosticSink& sink) {
  core::DiagnosticSink yaml_sink;
  auto document = syntax::read_yaml(path, text, core::Limits{}, yaml_sink);
  if (!document) {
    for (auto diagnostic : yaml_sink.take()) {
      diagnostic.code = DiagCode::kConfigSyntax;
      diagnostic.level = core::DiagLevel::kError;
      sink.report(std::move(diagnostic));
    }
    return std::nullopt;
  }
  Config config;
  config.path = std::string(path);
  Reader reader(path, base_dir, sink);
  if (document->roots.size() > 1) {
    reader.error(DiagCode::kConfigSyntax, "the configuration is one YAML document",
                 document->roots[1].span);
    return std::nullopt;
  }
  const Node& root = document->roots.front();
  if (root.kind == NodeKind::kNull) return config;  // empty or comments only
  if (!reader.expect(root, NodeKind::kObject, "the configuration")) return std::nullopt;
  reader.known_keys(root,
                    {"version", "fail_on", "rules", "ignore_paths", "baseline", "suppressions",
                     "identities", "agents"},
                    "the configuration");
  if (const Node* version = root.get("version"); version != nullptr && version->text != "1") {
    reader.error(DiagCode::kConfigType, "'version' must be 1", version->span);
  }
  if (const Node* fail_on = root.get("fail_on")) {
    if (fail_on->text == "none" && fail_on->is_scalar()) {
      config.fail_on_none = true;
    } else if (auto severity = core::parse_severity(fail_on->text);
               severity && fail_on->is_scalar() && *severity != core::Severity::kInfo) {
      config.fail_on = severity;
    } else {
      reader.error(DiagCode::kConfigType, "'fail_on' must be critical, high, medium, low or none",
                   fail_on->span);
    }
  }
  if (const Node* rules = root.get("rules")) read_rules(*rules, config, reader);
  if (const Node* ignore = root.get("ignore_paths"))
    config.ignore_paths = reader.strings_of(*ignore, "'ignore_paths'");
  if (const Node* baseline = root.get("baseline"))
    config.baseline = reader.resolve(reader.string_of(*baseline, "'baseline'"));
  if (const Node* suppressions = root.get("suppressions"))
    read_suppressions(*suppressions, config, reader);
  if (const Node* identities = root.get("identities")) read_identities(*identities, config, reader);
  if (const Node* agents = root.get("agents")) read_agents(*agents, config, reader);
  if (!reader.ok()) return std::nullopt;
  return config;
}

link::TopologyInputs topology_inputs(const Config& config, const std::string& in_tree) {
  auto located = [&](core::SourceLoc loc) {
    if (!in_tree.empty() && loc.file == config.path) loc.file = in_tree;
    return loc;
  };
  link::TopologyInputs inputs;
  for (const auto& agent : config.agents) {
    link::DeclaredIntent intent;
    intent.agent = agent.name;
    intent.autonomy = agent.autonomy;
    intent.tools = agent.tools;
    intent.data_scopes = agent.data_scopes;
    if (agent.spending_cap) {
      intent.spending_cap =
          link::SpendingCap{agent.spending_cap->amount, agent.spending_cap->currency,
                            agent.spending_cap->period, located(agent.spending_cap->loc)};
    }
    intent.loc = located(agent.loc);
    inputs.intents.push_back(std::move(intent));
  }
  for (const auto& identity : config.identities) {
    inputs.identities.push_back({identity.identity, identity.policies, located(identity.loc)});
  }
  return inputs;
}

}  // namespace fermata::gate
