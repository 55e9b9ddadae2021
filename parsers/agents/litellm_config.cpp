#include <algorithm>
#include <string>
#include <utility>

#include "parsers/agents/card_gateway_parsers.hpp"
#include "parsers/agents/field_reader.hpp"

namespace fermata::parsers {
namespace {

using agents::FieldReader;
using model::Value;
using syntax::Node;

constexpr std::string_view kWhat = "LiteLLM proxy configuration";

bool yaml_path(std::string_view lowered) {
  return agents::ends_with(lowered, ".yaml") || agents::ends_with(lowered, ".yml");
}

/// `model_list` holds deployments, each with `litellm_params`: LiteLLM's own shape.
bool has_deployments(const Node& root) {
  const Node* models = root.get("model_list");
  if (models == nullptr || !models->is_array()) return false;
  return std::any_of(models->items.begin(), models->items.end(), [](const Node& item) {
    const Node* params = item.get("litellm_params");
    return params != nullptr && params->is_object();
  });
}

class ConfigReader {
 public:
  ConfigReader(const syntax::Document& document, core::DiagnosticSink& sink)
      : fields_(document, sink, std::string(kWhat)) {}

  void read(const Node& root, model::Entity& gateway) {
    Value& attrs = gateway.attrs;
    const core::SourceLoc top = fields_.loc(root.span);
    attrs.set("product", Value::of_string("LiteLLM", top));
    attrs.set("config_format", Value::of_string("litellm", top));
    read_models(root, attrs);

    const Node* general = fields_.object(root, "general_settings", "general_settings");
    if (general != nullptr) {
      if (auto key = fields_.string_value(*general, "master_key", "general_settings.master_key"))
        attrs.set("master_key", std::move(*key));
      if (auto url =
              fields_.string_value(*general, "database_url", "general_settings.database_url"))
        attrs.set("database_url", std::move(*url));
      auto parallel = fields_.number_value(*general, "max_parallel_requests",
                                           "general_settings.max_parallel_requests");
      if (!parallel) {
        parallel = fields_.number_value(*general, "global_max_parallel_requests",
                                        "general_settings.global_max_parallel_requests");
      }
      if (parallel) attrs.set("max_parallel_requests", std::move(*parallel));
    }

    // Budgets and key bounds live in litellm_settings (docs/proxy/config_settings).
    const syntax::Member* settings_member = root.member("litellm_settings");
    const Node* settings = fields_.object(root, "litellm_settings", "litellm_settings");
    const core::SourceLoc settings_loc =
        settings != nullptr ? fields_.loc(settings_member->key_span) : top;
    const Node empty;
    attrs.set("limits",
              limits(settings != nullptr ? *settings : empty, "litellm_settings", settings_loc));
    if (settings != nullptr) {
      read_limits_field(*settings, "upperbound_key_generate_params", "key_limits", attrs);
      read_limits_field(*settings, "default_key_generate_params", "default_key_limits", attrs);
      read_team_limits(*settings, settings_loc, attrs);
    }

    Value literals = Value::list(top);
    collect_literals(root, "", literals);
    attrs.set("literals", std::move(literals));
  }

 private:
  /// One model deployment: `model_name` is what clients ask for, `litellm_params.model` is
  /// `provider/model` (LiteLLM infers the provider when the prefix is missing).
  void read_models(const Node& root, Value& attrs) {
    const syntax::Member* list = root.member("model_list");
    const Node* models = fields_.array(root, "model_list", "model_list");
    if (models == nullptr) return;
    Value records = Value::list(fields_.loc(list->key_span));
    for (size_t i = 0; i < models->items.size(); ++i) {
      const Node& item = models->items[i];
      const std::string field = "model_list[" + std::to_string(i) + "]";
      if (!item.is_object()) {
        fields_.warn(field +
                         " of the LiteLLM proxy configuration should be a mapping with "
                         "model_name and litellm_params",
                     item.span);
        continue;
      }
      const core::SourceLoc item_loc = fields_.loc(item.span);
      Value record = Value::record(item_loc);
      if (auto name = fields_.string_value(item, "model_name", field + ".model_name")) {
        record.set("name", std::move(*name));
      }
      const Node* params = fields_.object(item, "litellm_params", field + ".litellm_params");
      if (params == nullptr) {
        if (item.get("litellm_params") == nullptr) {
          fields_.warn(field + " of the LiteLLM proxy configuration has no litellm_params",
                       item.span);
        }
        records.push(std::move(record));
        continue;
      }
      const std::string p = field + ".litellm_params";
      if (const Node* model = fields_.scalar(*params, "model", p + ".model")) {
        const size_t slash = model->text.find('/');
        std::string provider = slash == std::string::npos ? "" : model->text.substr(0, slash);
        if (auto custom =
                fields_.string_value(*params, "custom_llm_provider", p + ".custom_llm_provider")) {
          provider = custom->text;
        }
        const core::SourceLoc model_loc = fields_.loc(model->span);
        record.set("provider", Value::of_string(provider, model_loc));
        record.set("model",
                   Value::of_string(
                       slash == std::string::npos ? model->text : model->text.substr(slash + 1),
                       model_loc));
      }
      const core::SourceLoc params_loc = fields_.loc(params->span);
      auto base = fields_.string_value(*params, "api_base", p + ".api_base");
      record.set("base_url", base ? std::move(*base) : Value::of_string("", params_loc));
      auto key = fields_.string_value(*params, "api_key", p + ".api_key");
      record.set("api_key", key ? std::move(*key) : Value::of_string("", params_loc));
      for (const std::string_view limit : {"rpm", "tpm", "max_budget"}) {
        auto number = fields_.number_value(*params, limit, p + "." + std::string(limit));
        // Older configs put rpm and tpm beside litellm_params.
        if (!number && limit != "max_budget") {
          number = fields_.number_value(item, limit, field + "." + std::string(limit));
        }
        record.set(std::string(limit), number ? std::move(*number) : Value::null(params_loc));
      }
      records.push(std::move(record));
    }
    attrs.set("models", std::move(records));
  }

  /// {max_budget, budget_duration, rpm_limit, tpm_limit} of a settings mapping.
  Value limits(const Node& object, const std::string& field, const core::SourceLoc& loc) {
    Value record = Value::record(loc);
    auto budget = fields_.number_value(object, "max_budget", field + ".max_budget");
    record.set("max_budget", budget ? std::move(*budget) : Value::null(loc));
    auto duration = fields_.string_value(object, "budget_duration", field + ".budget_duration");
    record.set("budget_duration", duration ? std::move(*duration) : Value::of_string("", loc));
    for (const std::string_view limit : {"rpm_limit", "tpm_limit"}) {
      auto number = fields_.number_value(object, limit, field + "." + std::string(limit));
      record.set(std::string(limit), number ? std::move(*number) : Value::null(loc));
    }
    return record;
  }

  void read_limits_field(const Node& settings, std::string_view key, const std::string& attribute,
                         Value& attrs) {
    const std::string field = "litellm_settings." + std::string(key);
    const Node* object = fields_.object(settings, key, field);
    if (object == nullptr) return;
    attrs.set(attribute, limits(*object, field, fields_.loc(settings.member(key)->key_span)));
  }

  /// default_team_params (teams created from SSO groups) and default_team_settings (a list,
  /// one per team id).
  void read_team_limits(const Node& settings, const core::SourceLoc& settings_loc, Value& attrs) {
    Value teams = Value::list(settings_loc);
    if (const Node* params = fields_.object(settings, "default_team_params",
                                            "litellm_settings.default_team_params")) {
      teams.push(limits(*params, "litellm_settings.default_team_params",
                        fields_.loc(settings.member("default_team_params")->key_span)));
    }
    if (const Node* list = fields_.array(settings, "default_team_settings",
                                         "litellm_settings.default_team_settings")) {
      for (size_t i = 0; i < list->items.size(); ++i) {
        const Node& team = list->items[i];
        const std::string field =
            "litellm_settings.default_team_settings[" + std::to_string(i) + "]";
        if (!team.is_object()) {
          fields_.warn(field + " of the LiteLLM proxy configuration should be a mapping",
                       team.span);
          continue;
        }
        teams.push(limits(team, field, fields_.loc(team.span)));
      }
    }
    attrs.set("team_limits", std::move(teams));
  }

  /// Every string the file writes, under the name it is written under: LiteLLM takes
  /// credentials in many places (api keys, master_key, database_url, redis_password,
  /// callback settings, environment_variables), and the classifier decides which are secrets.
  void collect_literals(const Node& node, const std::string& key, Value& literals) {
    if (node.is_string()) {
      const core::SourceLoc loc = fields_.loc(node.span);
      Value literal = Value::record(loc);
      literal.set("source", Value::of_string("setting", loc));
      literal.set("key", Value::of_string(key, loc));
      literal.set("value", Value::of_string(node.text, loc));
      literals.push(std::move(literal));
      return;
    }
    for (const Node& item : node.items) collect_literals(item, key, literals);
    for (const auto& member : node.members) collect_literals(member.value, member.key, literals);
  }

  FieldReader fields_;
};

}  // namespace

Claim LitellmConfigParser::claims(std::string_view path, std::string_view text) const {
  const std::string lowered = agents::lower(path);
  if (!yaml_path(lowered)) return {};
  const bool specific = agents::has_line_start_key(text, "model_list:") ||
                        agents::has_line_start_key(text, "litellm_settings:");
  const bool general = agents::has_line_start_key(text, "general_settings:");
  if (!specific && !general) return {};
  const bool named = lowered.find("litellm") != std::string::npos;
  return {true, Syntax::kYaml, named};
}

bool LitellmConfigParser::parse(const syntax::Document& document, model::Graph& graph,
                                core::DiagnosticSink& sink) const {
  const bool named = agents::lower(document.path).find("litellm") != std::string::npos;
  for (const Node& root : document.roots) {
    if (!root.is_object()) continue;
    const Node* settings = root.get("litellm_settings");
    const Node* general = root.get("general_settings");
    const bool recognised = has_deployments(root) ||
                            (settings != nullptr && settings->is_object()) ||
                            (named && general != nullptr && general->is_object());
    if (!recognised) continue;
    model::Entity& gateway =
        graph.add(model::EntityKind::kGateway, "LiteLLM proxy", document.loc(root.span));
    gateway.attrs.set("name", Value::of_string("LiteLLM proxy", document.loc(root.span)));
    ConfigReader(document, sink).read(root, gateway);
    return true;
  }
  return false;
}

}  // namespace fermata::parsers
