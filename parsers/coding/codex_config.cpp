#include "parsers/coding/codex_config.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "parsers/coding/settings_reader.hpp"

namespace fermata::parsers {
namespace {

using coding::SettingsReader;
using model::Value;
using syntax::Node;
using syntax::NodeKind;

constexpr std::string_view kProduct = "OpenAI Codex";
constexpr std::string_view kFormat = "codex";

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

/// The project (or home) Codex configuration: `.codex/config.toml`.
bool is_codex_path(std::string_view path) {
  return path == ".codex/config.toml" || ends_with(path, "/.codex/config.toml");
}

std::string_view basename(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

/// A TOML key at the start of a line (after indentation), followed by `=`.
bool has_line_key(std::string_view text, std::string_view key) {
  size_t at = text.find(key);
  while (at != std::string_view::npos) {
    size_t before = at;
    while (before > 0 && (text[before - 1] == ' ' || text[before - 1] == '\t')) --before;
    size_t after = at + key.size();
    while (after < text.size() && (text[after] == ' ' || text[after] == '\t')) ++after;
    if ((before == 0 || text[before - 1] == '\n') && after < text.size() && text[after] == '=') {
      return true;
    }
    at = text.find(key, at + 1);
  }
  return false;
}

/// The settings that decide how far an agent acts alone, from the base table or a profile.
struct Access {
  const Node* approval = nullptr;         ///< approval_policy
  const Node* sandbox = nullptr;          ///< sandbox_mode
  const Node* workspace_write = nullptr;  ///< [sandbox_workspace_write]
  const Node* model = nullptr;
  const Node* provider = nullptr;  ///< model_provider
};

std::string quoted_setting(std::string_view key, const Node& value) {
  if (value.is_object()) return std::string(key) + " = {…}";
  if (value.kind == NodeKind::kString) return std::string(key) + " = \"" + value.text + "\"";
  return std::string(key) + " = " + value.text;
}

class CodexReader {
 public:
  CodexReader(const syntax::Document& document, model::Graph& graph, core::DiagnosticSink& sink)
      : document_(document), graph_(graph), settings_(document, sink) {}

  void read(const Node& root) {
    root_ = &root;
    const Access base = access_of(root, "");
    read_servers(root);
    read_providers(root);
    const model::EntityId agent = add_agent(std::string(kProduct), "", base, root.span, false);
    Value& attrs = graph_.at_mut(agent).attrs;
    read_environment(root, attrs);
    read_hooks(root, attrs);
    coding::add_hook_literals(attrs);
    const Node* profiles = settings_.object(root, "profiles", "profiles");
    if (profiles == nullptr) return;
    for (const auto& member : profiles->members) {
      if (!member.value.is_object()) {
        settings_.warn("profile '" + member.key + "' should be a table of settings, not " +
                           std::string(syntax::to_string(member.value.kind)),
                       member.value.span);
        continue;
      }
      Access access = access_of(member.value, "profiles." + member.key + ".");
      // A profile overrides what it sets and inherits the rest from the base configuration;
      // `inherited` names what it takes unchanged, so rules report a base setting once.
      std::vector<std::string> inherited;
      if (access.approval == nullptr) {
        access.approval = base.approval;
        inherited.emplace_back("approval");
      }
      if (access.sandbox == nullptr) {
        access.sandbox = base.sandbox;
        inherited.emplace_back("sandbox");
      }
      if (access.workspace_write == nullptr) {
        access.workspace_write = base.workspace_write;
        inherited.emplace_back("network_access");
        inherited.emplace_back("writable_roots");
      }
      const bool own_model = access.model != nullptr || access.provider != nullptr;
      if (!own_model) inherited.emplace_back("models");
      if (access.model == nullptr) access.model = base.model;
      if (access.provider == nullptr) access.provider = base.provider;
      const model::EntityId id = add_agent(std::string(kProduct) + " (profile " + member.key + ")",
                                           member.key, access, member.key_span, own_model);
      Value names = Value::list(loc(member.key_span));
      for (auto& attribute : inherited) {
        names.push(Value::of_string(std::move(attribute), loc(member.key_span)));
      }
      graph_.at_mut(id).attrs.set("inherited", std::move(names));
    }
  }

 private:
  struct Provider {
    std::string id;
    core::Span span;
    const Node* base_url = nullptr;
    const Node* bearer_token = nullptr;
  };

  core::SourceLoc loc(const core::Span& span) const { return document_.loc(span); }

  Access access_of(const Node& table, const std::string& prefix) const {
    Access access;
    if (const Node* approval = table.get("approval_policy");
        approval != nullptr && approval->kind != NodeKind::kNull) {
      if (approval->kind == NodeKind::kString || approval->is_object()) {
        access.approval = approval;
      } else {
        settings_.warn("'" + prefix + "approval_policy' should be a string, not " +
                           std::string(syntax::to_string(approval->kind)),
                       approval->span);
      }
    }
    access.sandbox = settings_.scalar(table, "sandbox_mode", prefix + "sandbox_mode");
    access.workspace_write =
        settings_.object(table, "sandbox_workspace_write", prefix + "sandbox_workspace_write");
    access.model = settings_.scalar(table, "model", prefix + "model");
    access.provider = settings_.scalar(table, "model_provider", prefix + "model_provider");
    return access;
  }

  /// approval_policy: untrusted | on-failure | on-request | never; a table (granular
  /// approvals) asks per category, which no single word describes, so it reads as "".
  void set_approval(Value& attrs, const Access& access) const {
    if (access.approval == nullptr) {
      attrs.set("approval", Value::of_string("", loc(root_->span)));
      attrs.set("approval_setting", Value::of_string("", loc(root_->span)));
      return;
    }
    const Node& node = *access.approval;
    std::string approval;
    if (node.kind == NodeKind::kString) {
      static constexpr std::array<std::string_view, 4> kPolicies = {"untrusted", "on-failure",
                                                                    "on-request", "never"};
      if (std::find(kPolicies.begin(), kPolicies.end(), node.text) != kPolicies.end()) {
        approval = node.text;
      } else {
        settings_.warn("approval_policy '" + node.text +
                           "' is not one of untrusted, on-failure, on-request, never",
                       node.span);
      }
    }
    attrs.set("approval", Value::of_string(approval, loc(node.span)));
    attrs.set("approval_setting",
              Value::of_string(quoted_setting("approval_policy", node), loc(node.span)));
  }

  void set_sandbox(Value& attrs, const Access& access) const {
    std::string sandbox;
    core::Span span = root_->span;
    if (access.sandbox != nullptr) {
      span = access.sandbox->span;
      const std::string& mode = access.sandbox->text;
      if (mode == "read-only" || mode == "workspace-write") {
        sandbox = mode;
      } else if (mode == "danger-full-access") {
        sandbox = "full-access";
      } else {
        settings_.warn("sandbox_mode '" + mode +
                           "' is not one of read-only, workspace-write, danger-full-access",
                       access.sandbox->span);
      }
    }
    attrs.set("sandbox", Value::of_string(sandbox, loc(span)));
    if (access.workspace_write == nullptr) return;
    const Node& table = *access.workspace_write;
    if (const Node* network =
            settings_.boolean(table, "network_access", "sandbox_workspace_write.network_access")) {
      attrs.set("network_access", Value::of_bool(network->as_bool(false), loc(network->span)));
    }
    if (const Node* roots = table.get("writable_roots")) {
      attrs.set("writable_roots",
                settings_.string_list(*roots, "sandbox_workspace_write.writable_roots"));
    }
  }

  /// One model entry per configured provider, plus the selected model when its provider is
  /// Codex's built-in one; with `only_selected` (a profile choosing its own model), just the
  /// entry of the provider it selects.
  void set_models(Value& attrs, const Access& access, const core::Span& at,
                  bool only_selected) const {
    Value models = Value::list(loc(at));
    const std::string selected = access.provider != nullptr ? access.provider->text : "openai";
    const core::Span selected_span = access.provider != nullptr ? access.provider->span : at;
    bool selected_listed = false;
    for (const Provider& provider : providers_) {
      const bool chosen = provider.id == selected;
      selected_listed = selected_listed || chosen;
      if (only_selected && !chosen) continue;
      Value model = Value::record(loc(provider.span));
      model.set("name", Value::of_string(provider.id, loc(provider.span)));
      model.set("provider", Value::of_string(provider.id, loc(provider.span)));
      model.set("model",
                Value::of_string(
                    chosen && access.model != nullptr ? access.model->text : "",
                    loc(chosen && access.model != nullptr ? access.model->span : provider.span)));
      model.set("base_url",
                provider.base_url != nullptr
                    ? Value::of_string(provider.base_url->text, loc(provider.base_url->span))
                    : Value::of_string("", loc(provider.span)));
      model.set("api_key", provider.bearer_token != nullptr
                               ? Value::of_string(provider.bearer_token->text,
                                                  loc(provider.bearer_token->span))
                               : Value::of_string("", loc(provider.span)));
      models.push(std::move(model));
    }
    if (!selected_listed && (access.model != nullptr || access.provider != nullptr)) {
      const core::Span span = access.model != nullptr ? access.model->span : selected_span;
      Value model = Value::record(loc(span));
      model.set("name", Value::of_string(access.model != nullptr ? access.model->text : selected,
                                         loc(span)));
      model.set("provider", Value::of_string(selected, loc(selected_span)));
      model.set("model",
                Value::of_string(access.model != nullptr ? access.model->text : "", loc(span)));
      model.set("base_url", Value::of_string("", loc(span)));
      model.set("api_key", Value::of_string("", loc(span)));
      models.push(std::move(model));
    }
    attrs.set("models", std::move(models));
  }

  model::EntityId add_agent(const std::string& name, const std::string& profile,
                            const Access& access, const core::Span& at, bool only_selected_model) {
    model::Entity& agent = graph_.add(model::EntityKind::kAgent, name, loc(at));
    const model::EntityId id = agent.id;
    Value& attrs = agent.attrs;
    attrs.set("name", Value::of_string(name, loc(at)));
    attrs.set("kind", Value::of_string("coding-assistant", loc(at)));
    attrs.set("client", Value::of_string(std::string(kProduct), loc(at)));
    attrs.set("config_format", Value::of_string(std::string(kFormat), loc(at)));
    attrs.set("profile", Value::of_string(profile, loc(at)));
    set_approval(attrs, access);
    set_sandbox(attrs, access);
    set_models(attrs, access, at, only_selected_model);
    Value servers = Value::list(loc(at));
    Value names = Value::list(loc(at));
    for (const auto& [server, name_span] : servers_) {
      servers.push(Value::of_ref(server, loc(name_span)));
      names.push(Value::of_string(graph_.at(server).name, loc(name_span)));
    }
    attrs.set("servers", std::move(servers));
    attrs.set("server_names", std::move(names));
    for (const auto& [server, name_span] : servers_) {
      graph_.connect(id, server, model::EdgeKind::kUsesServer, loc(name_span));
      // The base agent is the one whose configuration declares the servers.
      if (profile.empty()) graph_.at_mut(server).attrs.set("client", Value::of_ref(id, loc(at)));
    }
    return id;
  }

  void read_providers(const Node& root) {
    const Node* providers = settings_.object(root, "model_providers", "model_providers");
    if (providers == nullptr) return;
    for (const auto& member : providers->members) {
      const std::string where = "model_providers." + member.key;
      if (!member.value.is_object()) {
        settings_.warn("'" + where + "' should be a table of settings, not " +
                           std::string(syntax::to_string(member.value.kind)),
                       member.value.span);
        continue;
      }
      Provider provider;
      provider.id = member.key;
      provider.span = member.key_span;
      provider.base_url = settings_.scalar(member.value, "base_url", where + ".base_url");
      provider.bearer_token = settings_.scalar(member.value, "experimental_bearer_token",
                                               where + ".experimental_bearer_token");
      providers_.push_back(provider);
    }
  }

  /// Literals the base agent carries: what shell commands get in their environment, and the
  /// providers' tokens and headers. Profiles share them, so they are read once.
  void read_environment(const Node& root, Value& attrs) const {
    Value literals = Value::list(loc(root.span));
    if (const Node* policy =
            settings_.object(root, "shell_environment_policy", "shell_environment_policy")) {
      if (const Node* set = policy->get("set"); set != nullptr && set->kind != NodeKind::kNull) {
        attrs.set("env", settings_.entries(*set, "shell_environment_policy.set", &literals, "env"));
      }
    }
    if (const Node* providers = root.get("model_providers");
        providers != nullptr && providers->is_object()) {
      for (const auto& member : providers->members) {
        if (!member.value.is_object()) continue;
        const std::string where = "model_providers." + member.key;
        if (const Node* token = member.value.get("experimental_bearer_token");
            token != nullptr && token->kind == NodeKind::kString) {
          coding::add_literal(literals, "setting", "experimental_bearer_token",
                              Value::of_string(token->text, loc(token->span)));
        }
        if (const Node* headers = member.value.get("http_headers");
            headers != nullptr && headers->kind != NodeKind::kNull) {
          settings_.entries(*headers, where + ".http_headers", &literals, "header");
        }
      }
    }
    attrs.set("literals", std::move(literals));
  }

  /// `[[hooks]]` tables with an event and a command, as hook installers write them for
  /// Codex's hooks feature; other shapes are left alone.
  void read_hooks(const Node& root, Value& attrs) const {
    const Node* hooks = root.get("hooks");
    if (hooks == nullptr || !hooks->is_array()) return;
    Value list = Value::list(loc(hooks->span));
    for (const auto& hook : hooks->items) {
      if (!hook.is_object()) continue;
      const Node* command = hook.get("command");
      if (command == nullptr || command->kind != NodeKind::kString) continue;
      const Node* event = hook.get("event");
      Value record = Value::record(loc(command->span));
      record.set("event",
                 Value::of_string(event != nullptr && event->is_scalar() ? event->text : "",
                                  loc(event != nullptr ? event->span : hook.span)));
      record.set("type", Value::of_string("command", loc(command->span)));
      record.set("command", Value::of_string(command->text, loc(command->span)));
      record.set("fetches_network", Value::of_bool(coding::command_fetches_network(command->text),
                                                   loc(command->span)));
      list.push(std::move(record));
    }
    attrs.set("hooks", std::move(list));
  }

  void read_servers(const Node& root) {
    const Node* servers = settings_.object(root, "mcp_servers", "mcp_servers");
    if (servers == nullptr) return;
    for (const auto& member : servers->members) {
      if (!member.value.is_object()) {
        settings_.warn("MCP server '" + member.key + "' should be a table of settings, not " +
                           std::string(syntax::to_string(member.value.kind)),
                       member.value.span);
        continue;
      }
      read_server(member);
    }
  }

  void read_server(const syntax::Member& member) {
    const Node& spec = member.value;
    const std::string where = "mcp_servers." + member.key;
    const core::SourceLoc name_loc = loc(member.key_span);
    model::Entity& entity = graph_.add(model::EntityKind::kMcpServer, member.key, name_loc);
    const model::EntityId id = entity.id;
    servers_.emplace_back(id, member.key_span);
    Value& attrs = entity.attrs;
    attrs.set("name", Value::of_string(member.key, name_loc));
    attrs.set("config_format", Value::of_string(std::string(kFormat), name_loc));
    const Node* command = settings_.scalar(spec, "command", where + ".command");
    const Node* url = settings_.scalar(spec, "url", where + ".url");
    // Codex speaks stdio to a command and streamable HTTP to a URL.
    const bool remote = url != nullptr && command == nullptr;
    attrs.set("transport", Value::of_string(remote ? "streamable-http" : "stdio", name_loc));
    if (command != nullptr) {
      attrs.set("command", Value::of_string(command->text, loc(command->span)));
    }
    if (const Node* args = spec.get("args")) {
      attrs.set("args", settings_.string_list(*args, where + ".args"));
    }
    if (const Node* env = spec.get("env"); env != nullptr && env->kind != NodeKind::kNull) {
      attrs.set("env", settings_.entries(*env, where + ".env", nullptr, ""));
    }
    if (const Node* cwd = settings_.scalar(spec, "cwd", where + ".cwd")) {
      attrs.set("cwd", Value::of_string(cwd->text, loc(cwd->span)));
    }
    if (url != nullptr) attrs.set("url", Value::of_string(url->text, loc(url->span)));
    attrs.set("remote", Value::of_bool(remote, loc(url != nullptr ? url->span : member.key_span)));
    read_headers(spec, where, attrs);
    if (const Node* bearer =
            settings_.scalar(spec, "bearer_token_env_var", where + ".bearer_token_env_var")) {
      attrs.set("bearer_token_env_var", Value::of_string(bearer->text, loc(bearer->span)));
    }
    bool disabled = false;
    core::Span disabled_span = member.key_span;
    if (const Node* enabled = settings_.boolean(spec, "enabled", where + ".enabled")) {
      disabled = !enabled->as_bool(true);
      disabled_span = enabled->span;
    }
    attrs.set("disabled", Value::of_bool(disabled, loc(disabled_span)));
    if (const Node* tools = spec.get("enabled_tools")) {
      attrs.set("enabled_tools", settings_.string_list(*tools, where + ".enabled_tools"));
    }
    if (const Node* tools = spec.get("disabled_tools")) {
      attrs.set("disabled_tools", settings_.string_list(*tools, where + ".disabled_tools"));
    }
  }

  /// http_headers are literal; env_http_headers name the variable that holds each header's
  /// value, kept as `${NAME}` so they read as the references they are.
  void read_headers(const Node& spec, const std::string& where, Value& attrs) const {
    Value headers = Value::list(loc(spec.span));
    bool any = false;
    if (const Node* literal = spec.get("http_headers");
        literal != nullptr && literal->kind != NodeKind::kNull) {
      headers = settings_.entries(*literal, where + ".http_headers", nullptr, "");
      any = true;
    }
    if (const Node* from_env = spec.get("env_http_headers");
        from_env != nullptr && from_env->kind != NodeKind::kNull) {
      Value named = settings_.entries(*from_env, where + ".env_http_headers", nullptr, "");
      for (auto& entry : named.items) {
        if (Value* value = entry.get_mut("value")) value->text = "${" + value->text + "}";
        headers.push(std::move(entry));
      }
      any = true;
    }
    if (any) attrs.set("headers", std::move(headers));
  }

  const syntax::Document& document_;
  model::Graph& graph_;
  SettingsReader settings_;
  const Node* root_ = nullptr;
  std::vector<Provider> providers_;
  std::vector<std::pair<model::EntityId, core::Span>> servers_;
};

}  // namespace

Claim CodexConfigParser::claims(std::string_view path, std::string_view text) const {
  if (basename(path) != "config.toml") return {};
  if (is_codex_path(path)) return {true, Syntax::kToml, true};
  const bool codex_keys = text.find("[mcp_servers.") != std::string_view::npos ||
                          has_line_key(text, "approval_policy") ||
                          has_line_key(text, "sandbox_mode");
  if (codex_keys) return {true, Syntax::kToml, false};
  return {};
}

bool CodexConfigParser::parse(const syntax::Document& document, model::Graph& graph,
                              core::DiagnosticSink& sink) const {
  if (document.roots.empty() || !document.roots[0].is_object()) return false;
  const Node& root = document.roots[0];
  if (!is_codex_path(document.path)) {
    const Node* servers = root.get("mcp_servers");
    const bool codex = (servers != nullptr && servers->is_object()) ||
                       root.get("approval_policy") != nullptr ||
                       root.get("sandbox_mode") != nullptr;
    if (!codex) return false;
  }
  CodexReader(document, graph, sink).read(root);
  return true;
}

}  // namespace fermata::parsers
