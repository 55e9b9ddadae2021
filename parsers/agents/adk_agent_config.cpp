#include "parsers/agents/adk_agent_config.hpp"

#include <set>
#include <string>

#include "parsers/agents/agent_fields.hpp"

namespace fermata::parsers {
namespace {

using agents::ManifestFieldReader;
using model::Value;
using syntax::Node;

/// ADK's RunConfig.max_llm_calls: an invocation stops after 500 model calls unless the code
/// that runs the agent sets another limit. A LoopAgent's own loop has no such default.
constexpr double kAdkDefaultMaxLlmCalls = 500;

/// `MCPToolset`, `McpToolset` or a dotted path ending in either.
bool is_mcp_toolset(std::string_view name) {
  const size_t dot = name.rfind('.');
  const std::string last =
      agents::lower(dot == std::string_view::npos ? name : name.substr(dot + 1));
  return last == "mcptoolset";
}

bool is_adk_config(const Node& root) {
  if (!root.is_object()) return false;
  if (const Node* agent_class = root.get("agent_class");
      agent_class != nullptr && agent_class->is_string()) {
    return root.get("name") != nullptr;
  }
  return root.get("name") != nullptr && root.get("model") != nullptr &&
         root.get("instruction") != nullptr;
}

class AdkReader {
 public:
  AdkReader(const syntax::Document& document, model::Graph& graph, core::DiagnosticSink& sink)
      : graph_(graph), fields_(document, sink) {}

  void read(const Node& root) {
    const Node* name_node = root.get("name");
    const Value name = fields_.text(name_node, "name", "ADK agent config");
    const core::SourceLoc at = name.is_null() ? fields_.loc(root.span) : name.loc;
    const std::string agent_name = name.text.empty() ? "root_agent" : name.text;
    const std::string owner = "ADK agent '" + agent_name + "'";
    model::Entity& entity = agents::add_agent(graph_, agent_name, at, "Google ADK", "adk");
    id_ = entity.id;
    const Value agent_class = fields_.text(root.get("agent_class"), "agent_class", owner);
    // LlmAgent is the default class.
    const std::string cls = agent_class.is_null() ? "LlmAgent" : agent_class.text;

    Value description = fields_.text(root.get("description"), "description", owner);
    if (description.is_null())
      description = fields_.text(root.get("instruction"), "instruction", owner);
    if (!description.is_null()) {
      description.text = agents::trim(description.text);
      entity.attrs.set("description", std::move(description));
    }
    const Value model = fields_.text(root.get("model"), "model", owner);
    if (!model.is_null())
      graph_.at_mut(id_).attrs.get_mut("models")->push(agents::model_record(model.text, model));

    const Value bound = fields_.number(root.get("max_iterations"), "max_iterations", owner);
    Value iterations = bound;
    if (bound.is_null()) {
      iterations = cls == "LoopAgent" || cls == "GraphAgent"
                       ? Value::null(agent_class.is_null() ? at : agent_class.loc)
                       : Value::of_number(kAdkDefaultMaxLlmCalls, at);
    }
    graph_.at_mut(id_).attrs.set("max_iterations", std::move(iterations));

    if (const Node* tools = root.get("tools")) read_tools(*tools, owner);
    if (const Node* sub_agents = root.get("sub_agents")) read_sub_agents(*sub_agents, owner);
    // GraphAgent nodes run sub-agents too.
    if (const Node* nodes = root.get("nodes"); nodes != nullptr && nodes->is_array()) {
      for (const auto& node : nodes->items) {
        if (const Node* sub_agents = node.get("sub_agents")) read_sub_agents(*sub_agents, owner);
      }
    }

    model::Entity& agent = graph_.at_mut(id_);
    // ADK calls tools as the model asks; a tool confirms with a human only when it is built
    // with require_confirmation.
    agent.attrs.set("approval",
                    Value::of_string(all_confirm_ && tool_count_ > 0 ? "always" : "never", at));
    agent.attrs.set(
        "approval_setting",
        Value::of_string(all_confirm_ && tool_count_ > 0 ? "every tool has require_confirmation"
                                                         : "ADK runs tools without confirmation",
                         at));
    agent.attrs.set("sandbox", Value::of_string("", at));
    agent.attrs.set("code_execution", Value::of_string("none", at));
  }

 private:
  void read_tools(const Node& tools, const std::string& owner) {
    if (!tools.is_array()) {
      fields_.warn("'tools' of " + owner + " should be a list", tools.span);
      return;
    }
    for (const auto& tool : tools.items) {
      if (!tool.is_object()) {
        fields_.warn("a tool of " + owner + " should be a mapping with a name", tool.span);
        continue;
      }
      const Value name = fields_.text(tool.get("name"), "tools[].name", owner);
      if (name.is_null()) {
        fields_.warn("a tool of " + owner + " has no name", tool.span);
        continue;
      }
      const Node* args = tool.get("args");
      if (args != nullptr && !args->is_object()) args = nullptr;
      if (is_mcp_toolset(name.text)) {
        read_mcp_toolset(name, args, owner);
        continue;
      }
      bool confirm = false;
      if (args != nullptr) {
        const Value flag =
            fields_.boolean(args->get("require_confirmation"), "require_confirmation", owner);
        confirm = flag.kind == model::ValueKind::kBool && flag.boolean;
      }
      add_tool(agents::tool_record(name.text, agents::tool_kind_for_name(name.text), "", confirm,
                                   name.loc));
    }
  }

  void add_tool(Value tool) {
    const Value* gated = tool.get("require_approval");
    all_confirm_ = all_confirm_ && gated != nullptr && gated->boolean;
    ++tool_count_;
    graph_.at_mut(id_).attrs.get_mut("tools")->push(std::move(tool));
  }

  void read_mcp_toolset(const Value& name, const Node* args, const std::string& owner) {
    if (args == nullptr) {
      fields_.warn("MCPToolset of " + owner + " has no connection args", name.loc.span);
      return;
    }
    const Node* launch = args->get("stdio_server_params");
    if (const Node* connection = args->get("stdio_connection_params");
        launch == nullptr && connection != nullptr && connection->is_object()) {
      launch = connection->get("server_params");
    }
    const Node* remote = nullptr;
    std::string transport = "stdio";
    if (launch == nullptr || !launch->is_object()) {
      launch = nullptr;
      for (const auto& [field, kind] :
           {std::pair{"sse_connection_params", "sse"},
            std::pair{"streamable_http_connection_params", "streamable-http"}}) {
        if (const Node* params = args->get(field); params != nullptr && params->is_object()) {
          remote = params;
          transport = kind;
        }
      }
    }
    if (launch == nullptr && remote == nullptr) {
      fields_.warn("MCPToolset of " + owner + " has no stdio, SSE or streamable HTTP parameters",
                   args->span);
      return;
    }
    const Value command =
        launch != nullptr ? fields_.text(launch->get("command"), "command", owner) : Value::null();
    const Value url =
        remote != nullptr ? fields_.text(remote->get("url"), "url", owner) : Value::null();
    Value launch_args = Value::list(name.loc);
    if (launch != nullptr) {
      if (const Node* list = launch->get("args"))
        launch_args = fields_.strings(*list, "args", owner);
    }
    const std::string server_name = agents::distinct_name(
        server_names_, !command.is_null() ? agents::server_label(command, launch_args) : url.text,
        "MCPToolset " + std::to_string(server_names_.size() + 1));
    const core::SourceLoc at = name.loc;
    model::Entity& server = graph_.add(model::EntityKind::kMcpServer, server_name, at);
    const model::EntityId server_id = server.id;
    Value& attrs = server.attrs;
    attrs.set("name", Value::of_string(server_name, at));
    attrs.set("client", Value::of_ref(id_, at));
    attrs.set("config_format", Value::of_string("adk", at));
    attrs.set("transport", Value::of_string(transport, at));
    attrs.set("disabled", Value::of_bool(false, at));
    attrs.set("remote", Value::of_bool(remote != nullptr && !url.is_null(), at));
    if (launch != nullptr) {
      if (!command.is_null()) attrs.set("command", command);
      if (launch->get("args") != nullptr) attrs.set("args", std::move(launch_args));
      if (const Node* env = launch->get("env"))
        attrs.set("env", fields_.entries(*env, "env", owner));
    } else {
      if (!url.is_null()) attrs.set("url", url);
      if (const Node* headers = remote->get("headers"))
        attrs.set("headers", fields_.entries(*headers, "headers", owner));
    }
    Value filter = Value::list(at);
    if (const Node* list = args->get("tool_filter")) {
      filter = fields_.strings(*list, "tool_filter", owner);
      attrs.set("enabled_tools", filter);
    }
    model::Entity& agent = graph_.at_mut(id_);
    agents::add_query_literals(*agent.attrs.get_mut("literals"), url);
    agent.attrs.get_mut("servers")->push(Value::of_ref(server_id, at));
    agent.attrs.get_mut("server_names")->push(Value::of_string(server_name, at));
    graph_.connect(id_, server_id, model::EdgeKind::kUsesServer, at);
    if (filter.items.empty())
      add_tool(agents::tool_record(server_name, "mcp", server_name, false, at));
    for (const auto& tool : filter.items)
      add_tool(agents::tool_record(tool.text, "mcp", server_name, false, tool.loc));
  }

  void read_sub_agents(const Node& list, const std::string& owner) {
    if (!list.is_array()) {
      fields_.warn("'sub_agents' of " + owner + " should be a list", list.span);
      return;
    }
    for (const auto& item : list.items) {
      const Node* reference = item.is_object() ? item.get("config_path") : nullptr;
      if (reference == nullptr && item.is_object()) reference = item.get("code");
      const Value name = fields_.text(reference, "sub_agents[]", owner);
      if (name.is_null()) {
        fields_.warn("a sub-agent of " + owner + " should have config_path or code", item.span);
        continue;
      }
      graph_.at_mut(id_).attrs.get_mut("delegate_names")->push(name);
    }
  }

  model::Graph& graph_;
  ManifestFieldReader fields_;
  model::EntityId id_ = model::kNoEntity;
  std::set<std::string> server_names_;
  bool all_confirm_ = true;
  size_t tool_count_ = 0;
};

}  // namespace

Claim AdkAgentConfigParser::claims(std::string_view path, std::string_view text) const {
  if (!agents::yaml_extension(path)) return {};
  // Real config files carry the schema comment; root_agent.yaml is ADK's entry file name.
  const bool schema = text.find("AgentConfig.json") != std::string_view::npos;
  const bool entry = agents::basename(path) == "root_agent.yaml";
  const bool shaped =
      agents::has_yaml_key(text, "agent_class", true) ||
      (agents::has_yaml_key(text, "name", true) && agents::has_yaml_key(text, "model", true) &&
       agents::has_yaml_key(text, "instruction", true));
  if (!schema && !shaped) return {};
  return {true, Syntax::kYaml, schema || (entry && shaped)};
}

bool AdkAgentConfigParser::parse(const syntax::Document& document, model::Graph& graph,
                                 core::DiagnosticSink& sink) const {
  if (document.roots.empty() || !is_adk_config(document.roots[0])) return false;
  AdkReader reader(document, graph, sink);
  reader.read(document.roots[0]);
  return true;
}

}  // namespace fermata::parsers
