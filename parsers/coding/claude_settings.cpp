#include <array>
#include <string>
#include <utility>

#include "parsers/coding/client_settings.hpp"
#include "parsers/coding/settings_reader.hpp"

namespace fermata::parsers::coding {
namespace {

using model::Value;
using syntax::Node;
using syntax::NodeKind;

/// permissions.defaultMode to the approval vocabulary. `dontAsk` never asks, but it runs only
/// what the allow rules pre-approve and refuses the rest: acting alone within pre-approved
/// bounds, which the vocabulary calls on-request (the allow rules decide how far it goes). `auto`
/// lets a classifier decide, which no word of the vocabulary describes, so it reads as "" like
/// modes fermata does not know.
std::string approval_for_mode(const std::string& mode) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kModes = {{
      {"bypassPermissions", "never"},
      {"dontAsk", "on-request"},
      {"acceptEdits", "on-request"},
      {"plan", "always"},
      {"default", "untrusted"},
      {"manual", "untrusted"},
  }};
  for (const auto& [name, approval] : kModes) {
    if (mode == name) return std::string(approval);
  }
  return "";
}

/// Settings that name a command Claude Code runs itself (for credentials or the status
/// line): read as hooks, since they run unasked like hooks do.
constexpr std::array<std::string_view, 5> kCommandSettings = {
    "apiKeyHelper", "awsCredentialExport", "awsAuthRefresh", "gcpAuthRefresh", "otelHeadersHelper"};

Value hook_record(const SettingsReader& reader, std::string event, const core::Span& event_span,
                  const Node& command) {
  Value record = Value::record(reader.loc(command.span));
  record.set("event", Value::of_string(std::move(event), reader.loc(event_span)));
  record.set("type", Value::of_string("command", reader.loc(command.span)));
  record.set("command", Value::of_string(command.text, reader.loc(command.span)));
  record.set("fetches_network",
             Value::of_bool(command_fetches_network(command.text), reader.loc(command.span)));
  return record;
}

void read_permissions(const SettingsReader& reader, const Node& root, Value& agent) {
  const core::SourceLoc root_loc = reader.loc(root.span);
  Value permissions = Value::record(root_loc);
  std::string mode;
  core::Span mode_span = root.span;
  Value allow = Value::list(root_loc);
  const Node* block = reader.object(root, "permissions", "permissions");
  if (block != nullptr) {
    permissions = Value::record(reader.loc(block->span));
    if (const Node* node = reader.scalar(*block, "defaultMode", "permissions.defaultMode")) {
      mode = node->text;
      mode_span = node->span;
    }
    if (const Node* node = block->get("allow")) {
      allow = reader.string_list(*node, "permissions.allow");
    }
  }
  permissions.set("default_mode", Value::of_string(mode, reader.loc(mode_span)));
  permissions.set("allow", allow);
  for (const char* field : {"ask", "deny", "additionalDirectories"}) {
    const Node* node = block != nullptr ? block->get(field) : nullptr;
    const std::string name = std::string(field) == "additionalDirectories"
                                 ? "additional_directories"
                                 : std::string(field);
    permissions.set(name, node != nullptr
                              ? reader.string_list(*node, "permissions." + std::string(field))
                              : Value::list(root_loc));
  }
  agent.set("permissions", std::move(permissions));
  agent.set("approval", Value::of_string(approval_for_mode(mode), reader.loc(mode_span)));
  agent.set("approval_setting",
            Value::of_string(mode.empty() ? "" : "defaultMode: " + mode, reader.loc(mode_span)));

  // `Bash` alone, or a Bash rule whose pattern accepts any command, runs anything unasked.
  Value unrestricted = Value::of_bool(false, root_loc);
  for (const auto& rule : allow.items) {
    std::string tool;
    std::string pattern;
    const bool scoped = split_rule(rule.text, tool, pattern);
    if (tool == "Bash" && (!scoped || shell_pattern_unrestricted(pattern))) {
      unrestricted = Value::of_bool(true, rule.loc);
      break;
    }
  }
  agent.set("unrestricted_shell", std::move(unrestricted));
}

/// `sandbox.enabled` confines Bash to the working directory (writes) and the allowed
/// network; set to false it is off; absent, nothing is configured.
void read_sandbox(const SettingsReader& reader, const Node& root, Value& agent) {
  std::string sandbox;
  core::Span span = root.span;
  if (const Node* block = reader.object(root, "sandbox", "sandbox")) {
    span = block->span;
    if (const Node* enabled = reader.boolean(*block, "enabled", "sandbox.enabled")) {
      sandbox = enabled->as_bool(false) ? "workspace-write" : "none";
      span = enabled->span;
    }
  }
  agent.set("sandbox", Value::of_string(sandbox, reader.loc(span)));
}

void read_servers(const SettingsReader& reader, const Node& root, Value& agent) {
  if (const Node* all =
          reader.boolean(root, "enableAllProjectMcpServers", "enableAllProjectMcpServers")) {
    agent.set("enable_all_project_servers",
              Value::of_bool(all->as_bool(false), reader.loc(all->span)));
  }
  if (const Node* enabled = root.get("enabledMcpjsonServers")) {
    Value names = reader.string_list(*enabled, "enabledMcpjsonServers");
    agent.set("enabled_servers", names);
    agent.set("server_names", std::move(names));
  }
}

void read_hooks(const SettingsReader& reader, const Node& root, Value& agent) {
  Value hooks = Value::list(reader.loc(root.span));
  if (const Node* node = root.get("hooks"); node != nullptr && node->kind != NodeKind::kNull) {
    hooks = reader.hooks(*node, "hooks");
  }
  if (const Node* status = reader.object(root, "statusLine", "statusLine")) {
    if (const Node* command = reader.scalar(*status, "command", "statusLine.command")) {
      hooks.push(hook_record(reader, "statusLine", status->span, *command));
    }
  }
  for (const std::string_view setting : kCommandSettings) {
    if (const Node* command = reader.scalar(root, setting, setting)) {
      const syntax::Member* member = root.member(setting);
      hooks.push(hook_record(reader, std::string(setting), member->key_span, *command));
    }
  }
  agent.set("hooks", std::move(hooks));
}

/// env, with every string value a literal; the model it calls comes from `model` and the
/// ANTHROPIC_* variables Claude Code reads.
void read_environment(const SettingsReader& reader, const Node& root, Value& agent) {
  Value literals = Value::list(reader.loc(root.span));
  Value env = Value::list(reader.loc(root.span));
  if (const Node* node = root.get("env"); node != nullptr && node->kind != NodeKind::kNull) {
    env = reader.entries(*node, "env", &literals, "env");
  }
  const Value* base_url = nullptr;
  const Value* model_name = nullptr;
  const Value* api_key = nullptr;
  for (const auto& entry : env.items) {
    const std::string& key = entry.get("key")->text;
    if (key == "ANTHROPIC_BASE_URL") base_url = entry.get("value");
    if (key == "ANTHROPIC_MODEL") model_name = entry.get("value");
    if (key == "ANTHROPIC_API_KEY" || (key == "ANTHROPIC_AUTH_TOKEN" && api_key == nullptr)) {
      api_key = entry.get("value");
    }
  }
  const Node* model_setting = reader.scalar(root, "model", "model");
  Value models = Value::list(reader.loc(root.span));
  if (base_url != nullptr || model_name != nullptr || model_setting != nullptr) {
    const core::SourceLoc at = base_url != nullptr     ? base_url->loc
                               : model_name != nullptr ? model_name->loc
                                                       : reader.loc(model_setting->span);
    Value model = Value::record(at);
    const Value chosen =
        model_name != nullptr ? *model_name
        : model_setting != nullptr
            ? Value::of_string(model_setting->text, reader.loc(model_setting->span))
            : Value::of_string("", at);
    model.set("name", chosen);
    model.set("provider", Value::of_string("anthropic", at));
    model.set("model", chosen);
    model.set("base_url", base_url != nullptr ? *base_url : Value::of_string("", at));
    model.set("api_key", api_key != nullptr ? *api_key : Value::of_string("", at));
    models.push(std::move(model));
  }
  agent.set("models", std::move(models));
  agent.set("env", std::move(env));
  agent.set("literals", std::move(literals));
}

}  // namespace

void read_claude_settings(const syntax::Document& document, const Node& root, Value& agent,
                          core::DiagnosticSink& sink) {
  const SettingsReader reader(document, sink);
  read_permissions(reader, root, agent);
  read_sandbox(reader, root, agent);
  read_servers(reader, root, agent);
  read_hooks(reader, root, agent);
  read_environment(reader, root, agent);
  add_hook_literals(agent);
}

}  // namespace fermata::parsers::coding
