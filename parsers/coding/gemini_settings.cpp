#include <string>
#include <utility>

#include "parsers/coding/client_settings.hpp"
#include "parsers/coding/settings_reader.hpp"

namespace fermata::parsers::coding {
namespace {

using model::Value;
using syntax::Node;
using syntax::NodeKind;

/// A setting in the nested schema (`tools.allowed`) or, failing that, under its name in the
/// flat schema it replaced (`allowedTools`); `name` receives the spelling found.
const Node* setting(const Node& root, std::string_view category, std::string_view key,
                    std::string_view flat_key, std::string& name) {
  if (const Node* group = root.get(category); group != nullptr && group->is_object()) {
    if (const Node* node = group->get(key); node != nullptr && node->kind != NodeKind::kNull) {
      name = std::string(category) + "." + std::string(key);
      return node;
    }
  }
  if (const Node* node = root.get(flat_key); node != nullptr && node->kind != NodeKind::kNull) {
    name = std::string(flat_key);
    return node;
  }
  return nullptr;
}

/// general.defaultApprovalMode (default | auto_edit | plan) and tools.autoAccept, which lets
/// read-only tools run unasked; YOLO cannot be set in a settings file, only on the command
/// line.
void read_approval(const SettingsReader& reader, const Node& root, Value& agent) {
  std::string approval;
  std::string written;
  core::Span span = root.span;
  std::string name;
  if (const Node* mode =
          setting(root, "general", "defaultApprovalMode", "defaultApprovalMode", name)) {
    span = mode->span;
    written = name + ": " + mode->text;
    if (mode->text == "default") {
      approval = "untrusted";
    } else if (mode->text == "auto_edit") {
      approval = "on-request";
    } else if (mode->text == "plan") {
      approval = "always";
    } else {
      reader.warn(name + " '" + mode->text +
                      "' is not one of default, auto_edit, plan (YOLO is only enabled on the "
                      "command line)",
                  mode->span);
    }
  } else if (const Node* accept = setting(root, "tools", "autoAccept", "autoAccept", name);
             accept != nullptr && accept->kind == NodeKind::kBool && accept->as_bool(false)) {
    approval = "untrusted";
    written = name + ": true";
    span = accept->span;
  }
  agent.set("approval", Value::of_string(approval, reader.loc(span)));
  agent.set("approval_setting", Value::of_string(written, reader.loc(span)));
}

/// tools.sandbox: true, "docker" or "podman" run tools in a container; "sandbox-exec" is
/// macOS Seatbelt, which by default confines writes to the project; false is off.
void read_sandbox(const SettingsReader& reader, const Node& root, Value& agent) {
  std::string sandbox;
  core::Span span = root.span;
  std::string name;
  if (const Node* node = setting(root, "tools", "sandbox", "sandbox", name)) {
    span = node->span;
    if (node->kind == NodeKind::kBool) {
      sandbox = node->as_bool(false) ? "container" : "none";
    } else if (node->kind == NodeKind::kString) {
      sandbox = node->text == "sandbox-exec" ? "workspace-write" : "container";
    } else {
      reader.warn("'" + name + "' should be true, false or a sandbox command, not " +
                      std::string(syntax::to_string(node->kind)),
                  node->span);
    }
  }
  agent.set("sandbox", Value::of_string(sandbox, reader.loc(span)));
}

/// tools.allowed bypasses confirmation; run_shell_command without a command prefix (or the
/// old ShellTool name) pre-approves every command.
void read_tools(const SettingsReader& reader, const Node& root, Value& agent) {
  const core::SourceLoc root_loc = reader.loc(root.span);
  Value permissions = Value::record(root_loc);
  permissions.set("default_mode", Value::of_string("", root_loc));
  std::string name;
  Value allow = Value::list(root_loc);
  if (const Node* node = setting(root, "tools", "allowed", "allowedTools", name)) {
    allow = reader.string_list(*node, name);
  }
  Value deny = Value::list(root_loc);
  if (const Node* node = setting(root, "tools", "exclude", "excludeTools", name)) {
    deny = reader.string_list(*node, name);
  }
  Value unrestricted = Value::of_bool(false, root_loc);
  for (const auto& rule : allow.items) {
    std::string tool;
    std::string pattern;
    const bool scoped = split_rule(rule.text, tool, pattern);
    if ((tool == "run_shell_command" || tool == "ShellTool") &&
        (!scoped || shell_pattern_unrestricted(pattern))) {
      unrestricted = Value::of_bool(true, rule.loc);
      break;
    }
  }
  permissions.set("allow", std::move(allow));
  permissions.set("ask", Value::list(root_loc));
  permissions.set("deny", std::move(deny));
  Value directories = Value::list(root_loc);
  if (const Node* node =
          setting(root, "context", "includeDirectories", "includeDirectories", name)) {
    directories = reader.string_list(*node, name);
  }
  permissions.set("additional_directories", std::move(directories));
  agent.set("permissions", std::move(permissions));
  agent.set("unrestricted_shell", std::move(unrestricted));
}

void read_model(const SettingsReader& reader, const Node& root, Value& agent) {
  const Node* name = nullptr;
  if (const Node* group = root.get("model"); group != nullptr) {
    if (group->is_object()) {
      name = reader.scalar(*group, "name", "model.name");
    } else {
      name = reader.scalar(root, "model", "model");
    }
  }
  Value models = Value::list(reader.loc(root.span));
  if (name != nullptr) {
    const core::SourceLoc at = reader.loc(name->span);
    Value model = Value::record(at);
    model.set("name", Value::of_string(name->text, at));
    model.set("provider", Value::of_string("gemini", at));
    model.set("model", Value::of_string(name->text, at));
    model.set("base_url", Value::of_string("", at));
    model.set("api_key", Value::of_string("", at));
    models.push(std::move(model));
  }
  agent.set("models", std::move(models));
}

}  // namespace

void read_gemini_settings(const syntax::Document& document, const Node& root, Value& agent,
                          core::DiagnosticSink& sink) {
  const SettingsReader reader(document, sink);
  read_approval(reader, root, agent);
  read_sandbox(reader, root, agent);
  read_tools(reader, root, agent);
  read_model(reader, root, agent);
  if (const Node* hooks = root.get("hooks"); hooks != nullptr && hooks->kind != NodeKind::kNull) {
    agent.set("hooks", reader.hooks(*hooks, "hooks"));
  }
  add_hook_literals(agent);
}

}  // namespace fermata::parsers::coding
