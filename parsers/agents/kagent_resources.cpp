#include "parsers/agents/kagent_resources.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "parsers/agents/agent_fields.hpp"

namespace fermata::parsers {
namespace {

using agents::ManifestFieldReader;
using model::Value;
using syntax::Node;
using syntax::NodeKind;

constexpr std::string_view kKagentGroup = "kagent.dev";
constexpr std::string_view kToolHiveGroup = "toolhive.stacklok.dev";

struct Resource {
  std::string group;
  std::string version;
  std::string kind;
  std::string name;
  core::Span name_span;
  const Node* spec = nullptr;
  const Node* root = nullptr;
};

std::optional<Resource> resource_of(const Node& root) {
  if (!root.is_object()) return std::nullopt;
  const Node* api_version = root.get("apiVersion");
  const Node* kind = root.get("kind");
  if (api_version == nullptr || kind == nullptr || !api_version->is_string() || !kind->is_string())
    return std::nullopt;
  const size_t slash = api_version->text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  Resource out;
  out.group = api_version->text.substr(0, slash);
  out.version = api_version->text.substr(slash + 1);
  out.kind = kind->text;
  if (out.group != kKagentGroup && out.group != kToolHiveGroup) return std::nullopt;
  const bool known =
      out.group == kToolHiveGroup
          ? out.kind == "MCPServer"
          : (out.kind == "Agent" || out.kind == "SandboxAgent" || out.kind == "ModelConfig" ||
             out.kind == "RemoteMCPServer" || out.kind == "MCPServer" || out.kind == "ToolServer");
  if (!known) return std::nullopt;
  out.root = &root;
  out.name_span = kind->span;
  if (const Node* metadata = root.get("metadata"); metadata != nullptr && metadata->is_object()) {
    if (const Node* name = metadata->get("name"); name != nullptr && name->is_scalar()) {
      out.name = name->text;
      out.name_span = name->span;
    }
  }
  if (out.name.empty()) out.name = out.kind;
  const Node* spec = root.get("spec");
  out.spec = spec != nullptr && spec->is_object() ? spec : nullptr;
  return out;
}

/// A kagent reference may name another namespace: "namespace/name".
std::string local_name(const std::string& reference) {
  const size_t slash = reference.rfind('/');
  return slash == std::string::npos ? reference : reference.substr(slash + 1);
}

std::string transport_of_protocol(const std::string& protocol) {
  if (protocol == "SSE") return "sse";
  if (protocol == "STREAMABLE_HTTP") return "streamable-http";
  return "unknown";
}

class KagentReader {
 public:
  KagentReader(const syntax::Document& document, model::Graph& graph, core::DiagnosticSink& sink)
      : graph_(graph), fields_(document, sink) {}

  /// ModelConfigs first, so an Agent of the same file takes its model from the one it names.
  void read_model_config(const Resource& resource) {
    const std::string owner = "ModelConfig '" + resource.name + "'";
    const Node& spec = *resource.spec;
    const Value model_id = fields_.text(spec.get("model"), "model", owner);
    const core::SourceLoc at = fields_.loc(resource.name_span);
    Value model = Value::record(at);
    model.set("name", Value::of_string(resource.name, at));
    const Value provider = fields_.text(spec.get("provider"), "provider", owner);
    model.set("provider", Value::of_string(agents::lower(provider.text), provider.loc));
    model.set("model", model_id.is_null() ? Value::of_string("", at) : model_id);
    std::string base_url;
    core::SourceLoc base_loc = at;
    for (const auto& member : spec.members) {
      if (!member.value.is_object()) continue;
      for (const char* field : {"baseUrl", "endpoint", "host"}) {
        if (const Node* url = member.value.get(field); url != nullptr && url->is_scalar()) {
          base_url = url->text;
          base_loc = fields_.loc(url->span);
        }
      }
    }
    model.set("base_url", Value::of_string(base_url, base_loc));
    // The key lives in a Secret: kept as a reference, never a literal.
    std::string secret;
    core::SourceLoc key_loc = at;
    for (const char* field : {"apiKeySecret", "apiKeySecretRef"}) {
      if (const Node* ref = spec.get(field); ref != nullptr && ref->is_scalar()) {
        secret = ref->text;
        key_loc = fields_.loc(ref->span);
      }
    }
    if (const Node* key = spec.get("apiKeySecretKey");
        key != nullptr && key->is_scalar() && !secret.empty()) {
      secret += "/" + key->text;
    }
    model.set("api_key", Value::of_string(secret.empty() ? "" : "secretKeyRef:" + secret, key_loc));
    model.set("rpm", Value::null(at));
    model.set("tpm", Value::null(at));
    model.set("max_budget", Value::null(at));
    ModelConfig config{std::move(model), Value::list(at)};
    if (const Node* headers = spec.get("defaultHeaders")) {
      for (const auto& entry : fields_.entries(*headers, "defaultHeaders", owner).items) {
        agents::add_literal(config.literals, "header", entry.get("key")->text, *entry.get("value"));
      }
    }
    model_configs_[resource.name] = std::move(config);
  }

  void read_agent(const Resource& resource) {
    const std::string owner = resource.kind + " '" + resource.name + "'";
    const core::SourceLoc name_loc = fields_.loc(resource.name_span);
    model::Entity& entity = agents::add_agent(graph_, resource.name, name_loc, "kagent", "kagent");
    const model::EntityId id = entity.id;
    const Node& spec = *resource.spec;
    // v1alpha1 keeps the declarative settings in spec itself; later versions nest them.
    const Node* declarative = spec.get("declarative");
    if (resource.version == "v1alpha1" || declarative == nullptr || !declarative->is_object()) {
      declarative = resource.version == "v1alpha1" ? &spec : nullptr;
    }
    Value description = fields_.text(spec.get("description"), "description", owner);
    if (description.is_null() && declarative != nullptr) {
      description = fields_.text(declarative->get("systemMessage"), "systemMessage", owner);
    }
    if (!description.is_null()) {
      description.text = agents::trim(description.text);
      entity.attrs.set("description", std::move(description));
    }
    Value literals = Value::list(name_loc);
    size_t tool_count = 0;
    std::vector<Value> approved;
    if (declarative != nullptr) {
      if (const Node* config = declarative->get("modelConfig")) {
        const Value reference = fields_.text(config, "modelConfig", owner);
        if (!reference.is_null()) add_model(id, reference);
      }
      if (const Node* tools = declarative->get("tools")) {
        read_tools(id, *tools, owner, literals, tool_count, approved);
      }
      if (const Node* a2a = declarative->get("a2aConfig"); a2a != nullptr && a2a->is_object()) {
        read_skills(id, *a2a, owner);
      }
      if (const Node* deployment = declarative->get("deployment")) {
        read_deployment_env(*deployment, owner, literals);
      }
    }
    if (const Node* byo = spec.get("byo"); byo != nullptr && byo->is_object()) {
      if (const Node* deployment = byo->get("deployment")) {
        read_deployment_env(*deployment, owner, literals);
      }
    }
    model::Entity& agent = graph_.at_mut(id);
    agent.attrs.set("literals", std::move(literals));
    set_approval(agent, tool_count, approved, name_loc);
    agents_.push_back(id);
  }

  /// kmcp MCPServer, ToolHive MCPServer, RemoteMCPServer and ToolServer: MCP servers agents
  /// of the cluster reach.
  void read_server(const Resource& resource) {
    const std::string owner = resource.kind + " '" + resource.name + "'";
    const core::SourceLoc name_loc = fields_.loc(resource.name_span);
    model::Entity& server = graph_.add(model::EntityKind::kMcpServer, resource.name, name_loc);
    server.attrs.set("name", Value::of_string(resource.name, name_loc));
    server.attrs.set(
        "config_format",
        Value::of_string(resource.group == kToolHiveGroup ? "toolhive" : "kagent", name_loc));
    server.attrs.set("disabled", Value::of_bool(false, name_loc));
    const Node& spec = *resource.spec;
    Value& attrs = server.attrs;
    if (resource.kind == "RemoteMCPServer") {
      read_remote(spec, owner, name_loc, attrs);
    } else if (resource.kind == "ToolServer") {
      read_tool_server(spec, owner, name_loc, attrs);
    } else if (resource.group == kToolHiveGroup) {
      read_toolhive(spec, owner, name_loc, attrs);
    } else {
      read_kmcp(spec, owner, name_loc, attrs);
    }
    servers_[resource.name] = server.id;
  }

  /// Agents and the servers they name in the same file are linked here; the rest stay names.
  void link_servers() {
    for (model::EntityId id : agents_) {
      std::vector<std::pair<model::EntityId, core::SourceLoc>> links;
      for (const auto& name : graph_.at(id).attrs.get("server_names")->items) {
        const auto found = servers_.find(local_name(name.text));
        if (found != servers_.end()) links.emplace_back(found->second, name.loc);
      }
      for (auto& [server, loc] : links) {
        model::Entity& agent = graph_.at_mut(id);
        agent.attrs.get_mut("servers")->push(Value::of_ref(server, loc));
        if (graph_.at(server).attrs.get("client") == nullptr)
          graph_.at_mut(server).attrs.set("client", Value::of_ref(id, loc));
        graph_.connect(id, server, model::EdgeKind::kUsesServer, loc);
      }
    }
  }

 private:
  struct ModelConfig {
    Value model;
    Value literals;
  };

  void add_model(model::EntityId id, const Value& reference) {
    model::Entity& agent = graph_.at_mut(id);
    const auto found = model_configs_.find(local_name(reference.text));
    if (found == model_configs_.end()) {
      Value model = Value::record(reference.loc);
      model.set("name", reference);
      for (const char* field : {"provider", "model", "base_url", "api_key"})
        model.set(field, Value::of_string("", reference.loc));
      for (const char* field : {"rpm", "tpm", "max_budget"})
        model.set(field, Value::null(reference.loc));
      agent.attrs.get_mut("models")->push(std::move(model));
      return;
    }
    agent.attrs.get_mut("models")->push(found->second.model);
    for (const auto& literal : found->second.literals.items)
      agent.attrs.get_mut("literals")->push(literal);
  }

  void read_tools(model::EntityId id, const Node& tools, const std::string& owner, Value& literals,
                  size_t& tool_count, std::vector<Value>& approved) {
    if (!tools.is_array()) {
      fields_.warn("'tools' of " + owner + " should be a list", tools.span);
      return;
    }
    for (const auto& tool : tools.items) {
      if (!tool.is_object()) {
        fields_.warn("a tool of " + owner + " should be a mapping", tool.span);
        continue;
      }
      if (const Node* headers = tool.get("headersFrom")) {
        for (const auto& entry : fields_.entries(*headers, "headersFrom", owner).items)
          agents::add_literal(literals, "header", entry.get("key")->text, *entry.get("value"));
      }
      if (const Node* server = tool.get("mcpServer"); server != nullptr && server->is_object()) {
        read_server_tools(id, *server, owner, tool_count, approved);
      } else if (const Node* agent = tool.get("agent"); agent != nullptr && agent->is_object()) {
        const Node* name = agent->get("name");
        if (name == nullptr) name = agent->get("ref");
        const Value delegate = fields_.text(name, "agent.name", owner);
        if (delegate.is_null()) continue;
        model::Entity& entity = graph_.at_mut(id);
        entity.attrs.get_mut("delegate_names")->push(delegate);
        entity.attrs.get_mut("tools")->push(
            agents::tool_record(delegate.text, "agent", "", false, delegate.loc));
        ++tool_count;
      }
    }
  }

  void read_server_tools(model::EntityId id, const Node& server, const std::string& owner,
                         size_t& tool_count, std::vector<Value>& approved) {
    const Node* name = server.get("name");
    if (name == nullptr) name = server.get("toolServer");  // v1alpha1
    const Value server_name = fields_.text(name, "mcpServer.name", owner);
    if (server_name.is_null()) {
      fields_.warn("an mcpServer tool of " + owner + " names no server", server.span);
      return;
    }
    std::vector<std::string> needs_approval;
    if (const Node* list = server.get("requireApproval")) {
      for (const auto& item : fields_.strings(*list, "requireApproval", owner).items) {
        needs_approval.push_back(item.text);
        approved.push_back(item);
      }
    }
    model::Entity& agent = graph_.at_mut(id);
    agent.attrs.get_mut("server_names")->push(server_name);
    const Node* names = server.get("toolNames");
    if (names == nullptr) return;
    for (const auto& tool : fields_.strings(*names, "toolNames", owner).items) {
      const bool gated = std::find(needs_approval.begin(), needs_approval.end(), tool.text) !=
                         needs_approval.end();
      agent.attrs.get_mut("tools")->push(
          agents::tool_record(tool.text, "mcp", server_name.text, gated, tool.loc));
      ++tool_count;
    }
  }

  void read_skills(model::EntityId id, const Node& a2a, const std::string& owner) {
    const Node* skills = a2a.get("skills");
    if (skills == nullptr) return;
    Value list = Value::list(fields_.loc(skills->span));
    if (!skills->is_array()) {
      fields_.warn("'a2aConfig.skills' of " + owner + " should be a list", skills->span);
      return;
    }
    for (const auto& skill : skills->items) {
      const Node* name = skill.get("name");
      if (name == nullptr) name = skill.get("id");
      if (name != nullptr && name->is_scalar())
        list.push(Value::of_string(name->text, fields_.loc(name->span)));
    }
    graph_.at_mut(id).attrs.set("skills", std::move(list));
  }

  void read_deployment_env(const Node& deployment, const std::string& owner, Value& literals) {
    if (!deployment.is_object()) return;
    const Node* env = deployment.get("env");
    if (env == nullptr) return;
    for (const auto& entry : fields_.entries(*env, "deployment.env", owner).items)
      agents::add_literal(literals, "env", entry.get("key")->text, *entry.get("value"));
  }

  /// never without a gate; always when every tool asks; on-request when only some do.
  static void set_approval(model::Entity& agent, size_t tool_count,
                           const std::vector<Value>& approved, const core::SourceLoc& at) {
    if (approved.empty()) {
      agent.attrs.set("approval", Value::of_string("never", at));
      agent.attrs.set("approval_setting", Value::of_string("no tool has requireApproval", at));
      return;
    }
    std::string listed;
    for (const auto& item : approved) listed += (listed.empty() ? "" : ", ") + item.text;
    const core::SourceLoc& where = approved.front().loc;
    agent.attrs.set(
        "approval",
        Value::of_string(approved.size() >= tool_count ? "always" : "on-request", where));
    agent.attrs.set("approval_setting", Value::of_string("requireApproval: " + listed, where));
  }

  void read_remote(const Node& spec, const std::string& owner, const core::SourceLoc& at,
                   Value& attrs) {
    const Value protocol = fields_.text(spec.get("protocol"), "protocol", owner);
    // STREAMABLE_HTTP is the CRD's default.
    attrs.set("transport",
              protocol.is_null()
                  ? Value::of_string("streamable-http", at)
                  : Value::of_string(transport_of_protocol(protocol.text), protocol.loc));
    const Value url = fields_.text(spec.get("url"), "url", owner);
    if (!url.is_null()) attrs.set("url", url);
    attrs.set("remote", Value::of_bool(!url.is_null(), url.is_null() ? at : url.loc));
    if (const Node* headers = spec.get("headersFrom"))
      attrs.set("headers", headers_from(*headers, owner));
  }

  /// headersFrom: a literal `value`, or a Secret/ConfigMap reference kept as
  /// `secretKeyRef:NAME/KEY` so the header counts as authentication without a literal.
  Value headers_from(const Node& node, const std::string& owner) {
    Value list = Value::list(fields_.loc(node.span));
    if (!node.is_array()) {
      fields_.warn("'headersFrom' of " + owner + " should be a list", node.span);
      return list;
    }
    for (const auto& item : node.items) {
      const Node* name = item.get("name");
      if (name == nullptr || !name->is_scalar()) {
        fields_.warn("a 'headersFrom' entry of " + owner + " has no name", item.span);
        continue;
      }
      if (const Node* value = item.get("value"); value != nullptr && value->is_scalar()) {
        list.push(model::make_entry(name->text, fields_.loc(name->span),
                                    Value::of_string(value->text, fields_.loc(value->span))));
        continue;
      }
      const Node* from = item.get("valueFrom");
      if (from == nullptr || !from->is_object()) continue;
      const Node* type = from->get("type");
      const Node* source = from->get("name");
      const Node* key = from->get("key");
      const std::string prefix =
          type != nullptr && type->text == "ConfigMap" ? "configMapKeyRef:" : "secretKeyRef:";
      const std::string reference = prefix + (source != nullptr ? source->text : "") + "/" +
                                    (key != nullptr ? key->text : "");
      list.push(model::make_entry(name->text, fields_.loc(name->span),
                                  Value::of_string(reference, fields_.loc(from->span))));
    }
    return list;
  }

  void read_tool_server(const Node& spec, const std::string& owner, const core::SourceLoc& at,
                        Value& attrs) {
    const Node* config = spec.get("config");
    if (config == nullptr || !config->is_object()) {
      attrs.set("transport", Value::of_string("unknown", at));
      attrs.set("remote", Value::of_bool(false, at));
      return;
    }
    if (const Node* stdio = config->get("stdio"); stdio != nullptr && stdio->is_object()) {
      set_launch(*stdio, "command", owner, attrs);
      attrs.set("transport", Value::of_string("stdio", fields_.loc(stdio->span)));
      attrs.set("remote", Value::of_bool(false, fields_.loc(stdio->span)));
      return;
    }
    for (const auto& [field, transport] :
         {std::pair{"sse", "sse"}, std::pair{"streamableHttp", "streamable-http"}}) {
      const Node* remote = config->get(field);
      if (remote == nullptr || !remote->is_object()) continue;
      attrs.set("transport", Value::of_string(transport, fields_.loc(remote->span)));
      const Value url = fields_.text(remote->get("url"), "url", owner);
      if (!url.is_null()) attrs.set("url", url);
      attrs.set("remote", Value::of_bool(!url.is_null(), fields_.loc(remote->span)));
      if (const Node* headers = remote->get("headers"))
        attrs.set("headers", fields_.entries(*headers, "headers", owner));
      if (const Node* headers = remote->get("headersFrom"))
        attrs.set("headers", headers_from(*headers, owner));
      return;
    }
    attrs.set("transport", Value::of_string("unknown", at));
    attrs.set("remote", Value::of_bool(false, at));
  }

  void read_kmcp(const Node& spec, const std::string& owner, const core::SourceLoc& at,
                 Value& attrs) {
    const Value transport = fields_.text(spec.get("transportType"), "transportType", owner);
    attrs.set(
        "transport",
        transport.is_null()
            ? Value::of_string("stdio", at)
            : Value::of_string(transport.text == "http" ? "http" : transport.text, transport.loc));
    attrs.set("remote", Value::of_bool(false, at));
    const Node* deployment = spec.get("deployment");
    if (deployment == nullptr || !deployment->is_object()) return;
    set_launch(*deployment, "cmd", owner, attrs);
    const Value image = fields_.text(deployment->get("image"), "deployment.image", owner);
    if (!image.is_null()) attrs.set("image", image);
  }

  void read_toolhive(const Node& spec, const std::string& owner, const core::SourceLoc& at,
                     Value& attrs) {
    const Value transport = fields_.text(spec.get("transport"), "transport", owner);
    // stdio is the CRD's default; ToolHive's proxy then serves it over HTTP in the cluster.
    attrs.set("transport", transport.is_null() ? Value::of_string("stdio", at) : transport);
    attrs.set("remote", Value::of_bool(false, at));
    const Value image = fields_.text(spec.get("image"), "image", owner);
    if (!image.is_null()) attrs.set("image", image);
    if (const Node* args = spec.get("args"))
      attrs.set("args", fields_.strings(*args, "args", owner));
    if (const Node* env = spec.get("env")) attrs.set("env", fields_.entries(*env, "env", owner));
  }

  /// command (or cmd) / args / env of a container or a stdio launch.
  void set_launch(const Node& spec, const char* command_field, const std::string& owner,
                  Value& attrs) {
    const Value command = fields_.text(spec.get(command_field), command_field, owner);
    if (!command.is_null()) attrs.set("command", command);
    if (const Node* args = spec.get("args"))
      attrs.set("args", fields_.strings(*args, "args", owner));
    if (const Node* env = spec.get("env")) attrs.set("env", fields_.entries(*env, "env", owner));
  }

  model::Graph& graph_;
  ManifestFieldReader fields_;
  std::map<std::string, ModelConfig> model_configs_;
  std::map<std::string, model::EntityId> servers_;
  std::vector<model::EntityId> agents_;
};

}  // namespace

Claim KagentResourceParser::claims(std::string_view path, std::string_view text) const {
  if (!agents::yaml_extension(path)) return {};
  const bool group = text.find(kKagentGroup) != std::string_view::npos ||
                     text.find(kToolHiveGroup) != std::string_view::npos;
  if (!group || !agents::has_yaml_key(text, "kind", false)) return {};
  // Helm templates are left to the Kubernetes parser, which reports them as skipped.
  const bool templated = text.find("{{") != std::string_view::npos;
  return {true, Syntax::kYaml, false, templated};
}

bool KagentResourceParser::parse(const syntax::Document& document, model::Graph& graph,
                                 core::DiagnosticSink& sink) const {
  std::vector<Resource> resources;
  for (const auto& root : document.roots) {
    if (auto resource = resource_of(root)) resources.push_back(*resource);
  }
  if (resources.empty()) return false;
  KagentReader reader(document, graph, sink);
  ManifestFieldReader fields(document, sink);
  for (const auto& resource : resources) {
    if (resource.spec == nullptr) {
      const Node* spec = resource.root->get("spec");
      if (spec != nullptr && spec->kind != NodeKind::kNull)
        fields.warn(resource.kind + " '" + resource.name + "' has a spec that is not a mapping",
                    spec->span);
      continue;
    }
    if (resource.kind == "ModelConfig") reader.read_model_config(resource);
  }
  for (const auto& resource : resources) {
    if (resource.spec == nullptr) continue;
    if (resource.kind == "Agent" || resource.kind == "SandboxAgent") {
      reader.read_agent(resource);
    } else if (resource.kind != "ModelConfig") {
      reader.read_server(resource);
    }
  }
  reader.link_servers();
  return true;
}

}  // namespace fermata::parsers
