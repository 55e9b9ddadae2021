#include "parsers/agents/cagent_config.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "parsers/agents/agent_fields.hpp"

namespace fermata::parsers {
namespace {

using agents::ManifestFieldReader;
using model::Value;
using syntax::Member;
using syntax::Node;
using syntax::NodeKind;

/// `*` and `?` glob as cagent's permission patterns use them; the two-pointer walk stays
/// linear however many stars a hostile pattern holds.
bool glob_matches(std::string_view pattern, std::string_view text) {
  size_t p = 0;
  size_t t = 0;
  size_t star = std::string_view::npos;
  size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

/// An allow pattern that approves every command of the shell tool in advance: the tool part
/// matches `shell` and any argument condition accepts every command (`shell`, `*`,
/// `shell:cmd=*`).
bool approves_any_shell_command(const std::string& pattern) {
  std::string tool;
  std::vector<std::string> conditions;
  size_t start = 0;
  bool first = true;
  while (start <= pattern.size()) {
    size_t end = pattern.find(':', start);
    if (end == std::string::npos) end = pattern.size();
    const std::string part = pattern.substr(start, end - start);
    if (first) {
      tool = part;
      first = false;
    } else if (part.find('=') != std::string::npos) {
      conditions.push_back(part.substr(part.find('=') + 1));
    } else if (conditions.empty()) {
      tool += ":" + part;
    }
    start = end + 1;
  }
  return glob_matches(tool, "shell") &&
         std::all_of(conditions.begin(), conditions.end(),
                     [](const std::string& condition) { return condition == "*"; });
}

/// The kind of a built-in toolset type.
std::string kind_of_toolset(const std::string& type) {
  if (type == "shell" || type == "script") return "shell";
  if (type == "filesystem") return "filesystem";
  if (type == "fetch") return "fetch";
  if (type == "mcp") return "mcp";
  if (type == "a2a" || type == "background_agents") return "agent";
  if (type == "api" || type == "openapi") return "function";
  if (type == "think" || type == "todo" || type == "memory" || type == "tasks" ||
      type == "user_prompt" || type == "model_picker" || type == "lsp" || type == "rag") {
    return "builtin";
  }
  return "other";
}

bool looks_like_agent(const Node& spec) {
  return spec.is_object() && (spec.get("model") != nullptr || spec.get("instruction") != nullptr ||
                              spec.get("toolsets") != nullptr);
}

const Node* agents_map(const Node& root) {
  if (!root.is_object()) return nullptr;
  const Node* agents = root.get("agents");
  if (agents == nullptr || !agents->is_object()) return nullptr;
  for (const auto& member : agents->members) {
    if (looks_like_agent(member.value)) return agents;
  }
  return nullptr;
}

class CagentReader {
 public:
  CagentReader(const syntax::Document& document, model::Graph& graph, core::DiagnosticSink& sink)
      : graph_(graph), fields_(document, sink) {}

  void read(const Node& root, const Node& agents) {
    if (const Node* models = root.get("models"); models != nullptr && models->is_object())
      models_ = models;
    if (const Node* mcps = root.get("mcps"); mcps != nullptr && mcps->is_object()) mcps_ = mcps;
    read_permissions(root);
    for (const auto& member : agents.members) {
      if (!member.value.is_object()) {
        fields_.warn("cagent agent '" + member.key + "' should be a mapping of its settings, not " +
                         std::string(syntax::to_string(member.value.kind)),
                     member.value.span);
        continue;
      }
      read_agent(member);
    }
  }

 private:
  void read_permissions(const Node& root) {
    const Node* permissions = root.get("permissions");
    if (permissions == nullptr || permissions->kind == NodeKind::kNull) return;
    const core::SourceLoc at = fields_.loc(permissions->span);
    permissions_ = Value::record(at);
    permissions_.set("default_mode", Value::of_string("", at));
    if (!permissions->is_object()) {
      fields_.warn("'permissions' should map allow, ask and deny to lists of patterns",
                   permissions->span);
      return;
    }
    for (const char* field : {"allow", "ask", "deny"}) {
      const Node* list = permissions->get(field);
      permissions_.set(field, list != nullptr ? fields_.strings(*list, field, "'permissions'")
                                              : Value::list(at));
    }
    permissions_.set("additional_directories", Value::list(at));
    for (const auto& pattern : permissions_.get("allow")->items) {
      if (pattern.text == "*" && allow_all_.is_null()) allow_all_ = pattern;
      if (approves_any_shell_command(pattern.text) && shell_allowed_.is_null())
        shell_allowed_ = pattern;
    }
  }

  void read_agent(const Member& member) {
    const Node& spec = member.value;
    const std::string owner = "cagent agent '" + member.key + "'";
    const core::SourceLoc name_loc = fields_.loc(member.key_span);
    model::Entity& entity =
        agents::add_agent(graph_, member.key, name_loc, "Docker cagent", "cagent");
    const model::EntityId id = entity.id;
    Value description = fields_.text(spec.get("description"), "description", owner);
    if (description.is_null())
      description = fields_.text(spec.get("instruction"), "instruction", owner);
    if (!description.is_null()) {
      description.text = agents::trim(description.text);
      entity.attrs.set("description", std::move(description));
    }
    const Value model = fields_.text(spec.get("model"), "model", owner);
    if (!model.is_null()) add_model(id, model);
    for (const char* field : {"sub_agents", "handoffs"}) {
      if (const Node* list = spec.get(field)) {
        for (const auto& name : fields_.strings(*list, field, owner).items)
          graph_.at_mut(id).attrs.get_mut("delegate_names")->push(name);
      }
    }
    // 0 and absent both mean no bound: the runtime stops only when the model does.
    const Value bound = fields_.number(spec.get("max_iterations"), "max_iterations", owner);
    graph_.at_mut(id).attrs.set("max_iterations",
                                bound.kind == model::ValueKind::kNumber && bound.number > 0
                                    ? bound
                                    : Value::null(bound.is_null() ? name_loc : bound.loc));
    bool shell = false;
    if (const Node* toolsets = spec.get("toolsets")) {
      if (!toolsets->is_array()) {
        fields_.warn("'toolsets' of " + owner + " should be a list", toolsets->span);
      } else {
        for (const auto& toolset : toolsets->items)
          shell = read_toolset(id, toolset, owner) || shell;
      }
    }
    model::Entity& agent = graph_.at_mut(id);
    if (!permissions_.is_null()) agent.attrs.set("permissions", permissions_);
    set_approval(agent, name_loc);
    agent.attrs.set("unrestricted_shell", shell && !shell_allowed_.is_null()
                                              ? Value::of_bool(true, shell_allowed_.loc)
                                              : Value::of_bool(false, name_loc));
    agent.attrs.set("sandbox", Value::of_string("", name_loc));
    agent.attrs.set("code_execution", Value::of_string("none", name_loc));
  }

  /// cagent asks before every tool call that is not read-only unless a permission pattern
  /// allows it or the run uses --yolo (a command-line flag, not in the file).
  void set_approval(model::Entity& agent, const core::SourceLoc& at) const {
    if (!allow_all_.is_null()) {
      agent.attrs.set("approval", Value::of_string("never", allow_all_.loc));
      agent.attrs.set("approval_setting", Value::of_string("permissions.allow: *", allow_all_.loc));
      return;
    }
    agent.attrs.set("approval", Value::of_string("untrusted", at));
    agent.attrs.set("approval_setting",
                    Value::of_string("cagent confirms each tool call that is not read-only", at));
  }

  void add_model(model::EntityId id, const Value& name) {
    Value* models = graph_.at_mut(id).attrs.get_mut("models");
    const Node* defined = models_ != nullptr ? models_->get(name.text) : nullptr;
    if (defined == nullptr || !defined->is_object()) {
      models->push(agents::model_record(name.text, name));
      return;
    }
    const std::string owner = "model '" + name.text + "'";
    Value record = agents::model_record(name.text, name);
    for (const auto& [field, key] : {std::pair{"provider", "provider"}, std::pair{"model", "model"},
                                     std::pair{"base_url", "base_url"}}) {
      const Value value = fields_.text(defined->get(key), key, owner);
      if (!value.is_null()) record.set(field, value);
    }
    // token_key names the environment variable that holds the key, never the key itself.
    const Value token = fields_.text(defined->get("token_key"), "token_key", owner);
    if (!token.is_null())
      record.set("api_key", Value::of_string("${" + token.text + "}", token.loc));
    models->push(std::move(record));
  }

  /// Returns true for a shell toolset.
  bool read_toolset(model::EntityId id, const Node& toolset, const std::string& owner) {
    if (!toolset.is_object()) {
      fields_.warn("a toolset of " + owner + " should be a mapping", toolset.span);
      return false;
    }
    const Value type = fields_.text(toolset.get("type"), "type", owner);
    if (type.is_null()) {
      fields_.warn("a toolset of " + owner + " has no type", toolset.span);
      return false;
    }
    const std::string kind = kind_of_toolset(type.text);
    Value* tools = graph_.at_mut(id).attrs.get_mut("tools");
    if (type.text == "mcp") {
      read_mcp_toolset(id, toolset, owner);
      return false;
    }
    if (type.text == "script") {
      // Named commands written into the file: fixed command lines, not a free shell.
      if (const Node* shell = toolset.get("shell"); shell != nullptr && shell->is_object()) {
        for (const auto& command : shell->members) {
          graph_.at_mut(id).attrs.get_mut("tools")->push(agents::tool_record(
              command.key, "shell", "script", false, fields_.loc(command.key_span)));
        }
      }
      return false;
    }
    std::string name = type.text;
    if (type.text == "a2a") {
      const Value url = fields_.text(toolset.get("url"), "url", owner);
      if (!url.is_null()) name = url.text;
    }
    tools->push(agents::tool_record(name, kind, "", false, type.loc));
    return type.text == "shell";
  }

  void read_mcp_toolset(model::EntityId id, const Node& toolset, const std::string& owner) {
    const Value ref = fields_.text(toolset.get("ref"), "ref", owner);
    // A name of the top-level `mcps:` map stands for that definition; agents that use it
    // without overriding its environment share one server.
    const Member* shared = nullptr;
    if (!ref.is_null() && mcps_ != nullptr) {
      const Member* member = mcps_->member(ref.text);
      if (member != nullptr && member->value.is_object()) shared = member;
    }
    const bool overrides_env = toolset.get("env") != nullptr;
    model::EntityId server_id = model::kNoEntity;
    std::string name;
    if (shared != nullptr && !overrides_env) {
      if (const auto found = shared_servers_.find(shared->key); found != shared_servers_.end()) {
        server_id = found->second;
        name = graph_.at(server_id).name;
      }
    }
    if (server_id == model::kNoEntity) {
      const Node& definition = shared != nullptr ? shared->value : toolset;
      const core::SourceLoc at = shared != nullptr && !overrides_env ? fields_.loc(shared->key_span)
                                 : ref.is_null()                     ? fields_.loc(toolset.span)
                                                                     : ref.loc;
      server_id =
          add_server(id, definition, shared != nullptr ? &toolset : nullptr, ref, at, owner);
      if (server_id == model::kNoEntity) return;
      name = graph_.at(server_id).name;
      if (shared != nullptr && !overrides_env) shared_servers_[shared->key] = server_id;
    }
    const core::SourceLoc at = ref.is_null() ? fields_.loc(toolset.span) : ref.loc;
    // `tools:` keeps only the tools listed; the toolset's own list overrides the shared one.
    const Node* allowed = toolset.get("tools");
    if (allowed == nullptr && shared != nullptr) allowed = shared->value.get("tools");
    Value tool_names = Value::list(at);
    if (allowed != nullptr) tool_names = fields_.strings(*allowed, "tools", owner);
    model::Entity& agent = graph_.at_mut(id);
    agent.attrs.get_mut("servers")->push(Value::of_ref(server_id, at));
    agent.attrs.get_mut("server_names")->push(Value::of_string(name, at));
    if (tool_names.items.empty()) {
      agent.attrs.get_mut("tools")->push(agents::tool_record(name, "mcp", name, false, at));
    }
    for (const auto& tool : tool_names.items) {
      agent.attrs.get_mut("tools")->push(
          agents::tool_record(tool.text, "mcp", name, false, tool.loc));
    }
    graph_.connect(id, server_id, model::EdgeKind::kUsesServer, at);
  }

  /// One MCP server from a toolset (or a shared definition, with `overrides` the toolset that
  /// refers to it); kNoEntity when it names nothing to launch or reach.
  model::EntityId add_server(model::EntityId agent_id, const Node& definition,
                             const Node* overrides, const Value& ref, const core::SourceLoc& at,
                             const std::string& owner) {
    const Node* remote = definition.get("remote");
    if (remote != nullptr && !remote->is_object()) remote = nullptr;
    const Value url =
        fields_.text(remote != nullptr ? remote->get("url") : definition.get("url"), "url", owner);
    const Value command = fields_.text(definition.get("command"), "command", owner);
    Value launch_args = Value::list(at);
    if (const Node* args = definition.get("args"))
      launch_args = fields_.strings(*args, "args", owner);
    std::string name = ref.text;
    if (name.empty())
      name = !command.is_null() ? agents::server_label(command, launch_args) : url.text;
    if (name.empty()) {
      fields_.warn("an mcp toolset of " + owner + " has no command, remote url or ref",
                   definition.span);
      return model::kNoEntity;
    }
    // Two agents may write the same server: each keeps its own entity, named apart.
    name = agents::distinct_name(server_names_, std::move(name), graph_.at(agent_id).name);
    model::Entity& server = graph_.add(model::EntityKind::kMcpServer, name, at);
    const model::EntityId server_id = server.id;
    Value& attrs = server.attrs;
    attrs.set("name", Value::of_string(name, at));
    attrs.set("client", Value::of_ref(agent_id, at));
    attrs.set("config_format", Value::of_string("cagent", at));
    attrs.set("disabled", Value::of_bool(false, at));
    std::string transport = "stdio";
    if (!url.is_null()) {
      transport = "streamable-http";
      if (remote != nullptr) {
        const Value type = fields_.text(remote->get("transport_type"), "transport_type", owner);
        if (type.text == "sse") transport = "sse";
      }
      attrs.set("url", url);
    }
    attrs.set("transport", Value::of_string(transport, at));
    attrs.set("remote", Value::of_bool(!url.is_null(), url.is_null() ? at : url.loc));
    if (!command.is_null()) attrs.set("command", command);
    if (definition.get("args") != nullptr) attrs.set("args", std::move(launch_args));
    for (const Node* source : {&definition, overrides}) {
      if (source == nullptr) continue;
      if (const Node* env = source->get("env"))
        attrs.set("env", fields_.entries(*env, "env", owner));
    }
    const Node* headers = remote != nullptr ? remote->get("headers") : definition.get("headers");
    if (headers != nullptr) attrs.set("headers", fields_.entries(*headers, "headers", owner));
    if (const Node* allowed = definition.get("tools"))
      attrs.set("enabled_tools", fields_.strings(*allowed, "tools", owner));
    agents::add_query_literals(*graph_.at_mut(agent_id).attrs.get_mut("literals"), url);
    return server_id;
  }

  model::Graph& graph_;
  ManifestFieldReader fields_;
  const Node* models_ = nullptr;
  const Node* mcps_ = nullptr;
  std::map<std::string, model::EntityId> shared_servers_;
  std::set<std::string> server_names_;
  Value permissions_;
  Value allow_all_;
  Value shell_allowed_;
};

bool cagent_marker(std::string_view text) {
  const std::string_view head = text.substr(0, 512);
  return head.find("docker agent run") != std::string_view::npos ||
         head.find("cagent run") != std::string_view::npos ||
         head.find("cagent") != std::string_view::npos ||
         head.find("agent-schema.json") != std::string_view::npos;
}

}  // namespace

Claim CagentConfigParser::claims(std::string_view path, std::string_view text) const {
  if (!agents::yaml_extension(path)) return {};
  if (!agents::has_yaml_key(text, "agents", true)) return {};
  if (!agents::has_yaml_key(text, "instruction", false) &&
      !agents::has_yaml_key(text, "toolsets", false) && !agents::has_yaml_key(text, "model", false))
    return {};
  // A shebang or schema comment naming cagent leaves no doubt; otherwise the content decides.
  return {true, Syntax::kYaml, cagent_marker(text)};
}

bool CagentConfigParser::parse(const syntax::Document& document, model::Graph& graph,
                               core::DiagnosticSink& sink) const {
  if (document.roots.empty()) return false;
  const Node& root = document.roots[0];
  const Node* agents = agents_map(root);
  if (agents == nullptr) return false;
  CagentReader reader(document, graph, sink);
  reader.read(root, *agents);
  return true;
}

}  // namespace fermata::parsers
