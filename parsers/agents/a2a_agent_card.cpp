#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parsers/agents/card_gateway_parsers.hpp"
#include "parsers/agents/field_reader.hpp"

namespace fermata::parsers {
namespace {

using agents::FieldReader;
using model::Value;
using syntax::Node;

/// File names and folders that hold agent cards (A2A v0.2 served `/.well-known/agent.json`,
/// v0.3 and later `/.well-known/agent-card.json`; samples keep them as `agent_card.json` or
/// under `agent_cards/`).
bool card_path(std::string_view lowered) {
  const std::string_view name = agents::basename(lowered);
  if (!agents::ends_with(name, ".json")) return false;
  const std::string_view parent = agents::parent_name(lowered);
  return name == "agent-card.json" || name == "agent.json" ||
         name.find("agent_card") != std::string_view::npos ||
         name.find("agent-card") != std::string_view::npos || parent == "agent_cards" ||
         parent == "agent-cards";
}

/// The security scheme a v1.0 card wraps in one member ({"httpAuthSecurityScheme": {...}}).
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kWrappedSchemes = {{
    {"apiKeySecurityScheme", "apiKey"},
    {"httpAuthSecurityScheme", "http"},
    {"oauth2SecurityScheme", "oauth2"},
    {"openIdConnectSecurityScheme", "openIdConnect"},
    {"mtlsSecurityScheme", "mutualTLS"},
}};

constexpr std::array<std::string_view, 5> kSchemeTypes = {"apiKey", "http", "oauth2",
                                                          "openIdConnect", "mutualTLS"};

/// `http` schemes keep their HTTP scheme (http:bearer, http:basic): a weak one is visible.
std::string scheme_label(std::string_view type, const Node& scheme) {
  if (type != "http") return std::string(type);
  const Node* name = scheme.get("scheme");
  return "http:" + (name != nullptr && name->is_scalar() ? agents::lower(name->text) : "");
}

/// A2A v0.1 cards listed `authentication.schemes` by name ("Bearer", "OAuth2", "apiKey").
std::string legacy_scheme_label(const std::string& written) {
  const std::string name = agents::lower(written);
  if (name == "bearer" || name == "basic" || name == "digest") return "http:" + name;
  if (name == "apikey" || name == "api_key" || name == "api-key") return "apiKey";
  if (name == "oauth2" || name == "oauth") return "oauth2";
  if (name == "openidconnect" || name == "oidc" || name == "openid") return "openIdConnect";
  if (name == "mtls" || name == "mutualtls") return "mutualTLS";
  return written;
}

class CardReader {
 public:
  CardReader(const syntax::Document& document, core::DiagnosticSink& sink)
      : fields_(document, sink, "A2A agent card") {}

  void read(const Node& root, model::Entity& agent) {
    Value& attrs = agent.attrs;
    const core::SourceLoc top = fields_.loc(root.span);
    attrs.set("kind", Value::of_string("agent", top));
    attrs.set("client", Value::of_string("A2A", top));
    attrs.set("config_format", Value::of_string("a2a-card", top));
    if (auto description = fields_.string_value(root, "description", "description")) {
      attrs.set("description", std::move(*description));
    }
    Value literals = Value::list(top);
    read_url(root, attrs, literals);
    read_skills(root, attrs);
    read_security(root, attrs);
    attrs.set("literals", std::move(literals));
  }

 private:
  void add_literal(Value& literals, const std::string& key, const Value& value) {
    Value literal = Value::record(value.loc);
    literal.set("source", Value::of_string("url", value.loc));
    literal.set("key", Value::of_string(key, value.loc));
    literal.set("value", value);
    literals.push(std::move(literal));
  }

  /// The card's main endpoint: `url` (v0.2, v0.3), else the first, preferred, of v1.0's
  /// `supportedInterfaces`. Every interface URL is a literal, in case one carries a key.
  void read_url(const Node& root, Value& attrs, Value& literals) {
    std::optional<Value> url = fields_.string_value(root, "url", "url");
    if (url) add_literal(literals, "url", *url);
    for (const std::string_view list : {"supportedInterfaces", "additionalInterfaces"}) {
      const Node* interfaces = fields_.array(root, list, list);
      if (interfaces == nullptr) continue;
      for (size_t i = 0; i < interfaces->items.size(); ++i) {
        const Node& item = interfaces->items[i];
        const std::string field = std::string(list) + "[" + std::to_string(i) + "]";
        if (!item.is_object()) {
          fields_.warn(field + " of the A2A agent card should be an object with a url", item.span);
          continue;
        }
        auto item_url = fields_.string_value(item, "url", field + ".url");
        if (!item_url) continue;
        add_literal(literals, field + ".url", *item_url);
        if (!url) url = std::move(item_url);
      }
    }
    if (url) attrs.set("url", std::move(*url));
  }

  void read_skills(const Node& root, Value& attrs) {
    const Node* skills = fields_.array(root, "skills", "skills");
    if (skills == nullptr) return;
    Value names = Value::list(fields_.loc(skills->span));
    for (size_t i = 0; i < skills->items.size(); ++i) {
      const Node& skill = skills->items[i];
      const std::string field = "skills[" + std::to_string(i) + "]";
      if (!skill.is_object()) {
        fields_.warn(field + " of the A2A agent card should be an object", skill.span);
        continue;
      }
      auto name = fields_.string_value(skill, "name", field + ".name");
      if (!name) name = fields_.string_value(skill, "id", field + ".id");
      if (name) names.push(std::move(*name));
    }
    attrs.set("skills", std::move(names));
  }

  /// The type of one declared scheme, flat (v0.3: {"type": "http", "scheme": "bearer"}) or
  /// wrapped (v1.0); "" when the card does not say.
  std::string scheme_type(const syntax::Member& member) {
    const Node& scheme = member.value;
    if (!scheme.is_object()) {
      fields_.warn("security scheme '" + member.key + "' should be an object", scheme.span);
      return "";
    }
    if (const Node* type = fields_.scalar(scheme, "type", "securitySchemes." + member.key)) {
      for (const std::string_view known : kSchemeTypes) {
        if (type->text == known) return scheme_label(known, scheme);
      }
      fields_.warn("security scheme '" + member.key + "' has type '" + type->text +
                       "'; A2A knows apiKey, http, oauth2, openIdConnect and mutualTLS",
                   type->span);
      return type->text;
    }
    for (const auto& [wrapper, type] : kWrappedSchemes) {
      if (const Node* inner = scheme.get(wrapper); inner != nullptr && inner->is_object()) {
        return scheme_label(type, *inner);
      }
    }
    fields_.warn("security scheme '" + member.key +
                     "' names no type (type, or one of apiKeySecurityScheme, "
                     "httpAuthSecurityScheme, oauth2SecurityScheme, openIdConnectSecurityScheme, "
                     "mtlsSecurityScheme)",
                 member.key_span);
    return "";
  }

  void read_security(const Node& root, Value& attrs) {
    std::map<std::string, std::string> declared;
    Value labels = Value::list(fields_.loc(root.span));
    if (const Node* schemes = fields_.object(root, "securitySchemes", "securitySchemes")) {
      labels = Value::list(fields_.loc(schemes->span));
      for (const auto& member : schemes->members) {
        const std::string type = scheme_type(member);
        declared[member.key] = type;
        if (!type.empty()) labels.push(Value::of_string(type, fields_.loc(member.key_span)));
      }
    }
    attrs.set("security_schemes", std::move(labels));

    // `security` (v0.3; the v1.0 sample card) or `securityRequirements` (v1.0 proto): a list
    // of alternatives, any one of which lets a client in. An empty alternative admits anyone.
    const syntax::Member* requirements = root.member("security");
    if (requirements == nullptr) requirements = root.member("securityRequirements");
    core::SourceLoc auth_loc = fields_.loc(root.span);
    bool configured = false;
    Value methods = Value::list(auth_loc);
    auto add_method = [&methods](const std::string& method, const core::SourceLoc& loc) {
      for (const auto& item : methods.items) {
        if (item.text == method) return;
      }
      methods.push(Value::of_string(method, loc));
    };
    if (requirements != nullptr && requirements->value.kind != syntax::NodeKind::kNull) {
      auth_loc = fields_.loc(requirements->key_span);
      if (!requirements->value.is_array()) {
        fields_.warn("'" + requirements->key +
                         "' of the A2A agent card should be a list of requirement objects",
                     requirements->value.span);
      } else {
        configured = !requirements->value.items.empty();
        for (const Node& alternative : requirements->value.items) {
          const Node* names = &alternative;
          if (const Node* wrapped = alternative.get("schemes");
              wrapped != nullptr && wrapped->is_object()) {
            names = wrapped;
          }
          if (!names->is_object()) {
            fields_.warn("a security requirement should map scheme names to scopes",
                         alternative.span);
            configured = false;
            continue;
          }
          bool names_declared = false;
          for (const auto& member : names->members) {
            const auto scheme = declared.find(member.key);
            if (scheme == declared.end()) {
              fields_.warn("security requirement names '" + member.key +
                               "', which securitySchemes does not declare",
                           member.key_span);
              continue;
            }
            names_declared = true;
            if (!scheme->second.empty()) add_method(scheme->second, fields_.loc(member.key_span));
          }
          configured = configured && names_declared;
        }
      }
    }
    // A2A v0.1: {"authentication": {"schemes": ["Bearer"]}}.
    if (const Node* legacy = fields_.object(root, "authentication", "authentication")) {
      if (const Node* schemes = fields_.array(*legacy, "schemes", "authentication.schemes")) {
        for (const Node& scheme : schemes->items) {
          if (!scheme.is_scalar()) continue;
          configured = true;
          auth_loc = fields_.loc(schemes->span);
          add_method(legacy_scheme_label(scheme.text), fields_.loc(scheme.span));
        }
      }
    }
    Value auth = Value::record(auth_loc);
    auth.set("configured", Value::of_bool(configured, auth_loc));
    auth.set("methods", std::move(methods));
    attrs.set("auth", std::move(auth));
  }

  FieldReader fields_;
};

/// The shape every A2A card version shares: a name, an endpoint and what the agent offers.
bool looks_like_card(const Node& root) {
  const Node* name = root.get("name");
  if (name == nullptr || !name->is_string()) return false;
  const Node* url = root.get("url");
  const Node* interfaces = root.get("supportedInterfaces");
  const bool endpoint = (url != nullptr && url->is_string()) ||
                        (interfaces != nullptr && interfaces->is_array()) ||
                        root.get("preferredTransport") != nullptr;
  const Node* skills = root.get("skills");
  const Node* capabilities = root.get("capabilities");
  const bool offers = (skills != nullptr && skills->is_array()) ||
                      (capabilities != nullptr && capabilities->is_object()) ||
                      root.get("protocolVersion") != nullptr;
  return endpoint && offers;
}

}  // namespace

Claim A2aAgentCardParser::claims(std::string_view path, std::string_view text) const {
  const std::string lowered = agents::lower(path);
  if (!card_path(lowered)) return {};
  using agents::has_json_key;
  const bool endpoint = has_json_key(text, "url") || has_json_key(text, "supportedInterfaces") ||
                        has_json_key(text, "preferredTransport");
  const bool offers = has_json_key(text, "skills") || has_json_key(text, "capabilities") ||
                      has_json_key(text, "protocolVersion");
  if (!has_json_key(text, "name") || !endpoint || !offers) return {};
  // `agent-card.json` is A2A's own name; `agent.json` is used by other tools too.
  const bool certain = agents::basename(lowered) == "agent-card.json";
  return {true, Syntax::kJson, certain};
}

bool A2aAgentCardParser::parse(const syntax::Document& document, model::Graph& graph,
                               core::DiagnosticSink& sink) const {
  if (document.roots.empty()) return false;
  const Node& root = document.roots[0];
  if (!root.is_object() || !looks_like_card(root)) return false;
  const Node& name = *root.get("name");
  const core::SourceLoc name_loc = document.loc(name.span);
  model::Entity& agent = graph.add(model::EntityKind::kAgent, name.text, name_loc);
  agent.attrs.set("name", Value::of_string(name.text, name_loc));
  CardReader(document, sink).read(root, agent);
  return true;
}

}  // namespace fermata::parsers
