#include "parsers/mcp/mcp_client_config.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "parsers/coding/client_settings.hpp"

namespace fermata::parsers {
namespace {

using model::Value;
using syntax::Node;
using syntax::NodeKind;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view basename(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view parent_name(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  const std::string_view dir = path.substr(0, slash);
  const size_t before = dir.rfind('/');
  return before == std::string_view::npos ? dir : dir.substr(before + 1);
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

/// A JSON key `"name"` followed by `:` somewhere in the text.
bool has_json_key(std::string_view text, std::string_view name) {
  const std::string quoted = "\"" + std::string(name) + "\"";
  size_t at = text.find(quoted);
  while (at != std::string_view::npos) {
    size_t i = at + quoted.size();
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
      ++i;
    if (i < text.size() && text[i] == ':') return true;
    at = text.find(quoted, at + 1);
  }
  return false;
}

/// File names that only MCP configurations use.
bool mcp_file_name(std::string_view name) {
  static constexpr std::array<std::string_view, 6> kNames = {
      "mcp.json",          "mcp_config.json",         "mcp-config.json",
      "mcp_settings.json", "cline_mcp_settings.json", "mcp-config.jsonc"};
  if (std::find(kNames.begin(), kNames.end(), name) != kNames.end()) return true;
  return (starts_with(name, "mcp_config.") || starts_with(name, "mcp-config.")) &&
         ends_with(name, ".json");
}

/// The transport a config's `type` names, in the clients' several spellings.
std::string transport_for_type(const std::string& type) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kTypes = {{
      {"stdio", "stdio"},
      {"local", "stdio"},
      {"sse", "sse"},
      {"http", "http"},
      {"remote", "http"},
      {"streamable-http", "streamable-http"},
      {"streamablehttp", "streamable-http"},
      {"streamable_http", "streamable-http"},
      {"ws", "websocket"},
  }};
  for (const auto& [name, transport] : kTypes) {
    if (type == name) return std::string(transport);
  }
  return type == "websocket" ? "websocket" : "unknown";
}

/// Every member is an object with a launch command or a URL: a map of servers.
bool is_bare_server_map(const Node& root) {
  if (root.members.empty()) return false;
  return std::all_of(root.members.begin(), root.members.end(), [](const syntax::Member& member) {
    const Node& spec = member.value;
    return spec.is_object() && (spec.get("command") != nullptr || spec.get("url") != nullptr ||
                                spec.get("serverUrl") != nullptr || spec.get("httpUrl") != nullptr);
  });
}

class ServerReader {
 public:
  ServerReader(const syntax::Document& document, core::DiagnosticSink& sink)
      : document_(document), sink_(sink) {}

  void schema_warning(std::string message, const core::Span& span) {
    sink_.report(core::DiagCode::kSchema, std::move(message), document_.loc(span));
  }

  Value string_of(const Node& node, std::string_view field, std::string_view server) {
    if (node.kind == NodeKind::kNull) return Value::null(document_.loc(node.span));
    if (!node.is_scalar()) {
      schema_warning("'" + std::string(field) + "' of MCP server '" + std::string(server) +
                         "' should be a string, not " + std::string(syntax::to_string(node.kind)),
                     node.span);
      return Value::null(document_.loc(node.span));
    }
    return Value::of_string(node.text, document_.loc(node.span));
  }

  Value string_list(const Node& node, std::string_view field, std::string_view server) {
    Value list = Value::list(document_.loc(node.span));
    if (node.kind == NodeKind::kString) {
      // A single string where a list belongs: keep it as the only element.
      list.push(Value::of_string(node.text, document_.loc(node.span)));
      return list;
    }
    if (!node.is_array()) {
      schema_warning("'" + std::string(field) + "' of MCP server '" + std::string(server) +
                         "' should be a list of strings",
                     node.span);
      return list;
    }
    for (const auto& item : node.items) {
      if (!item.is_scalar()) {
        schema_warning("an element of '" + std::string(field) + "' of MCP server '" +
                           std::string(server) + "' is not a string",
                       item.span);
        continue;
      }
      list.push(Value::of_string(item.text, document_.loc(item.span)));
    }
    return list;
  }

  Value entries(const Node& node, std::string_view field, std::string_view server) {
    Value list = Value::list(document_.loc(node.span));
    if (!node.is_object()) {
      schema_warning("'" + std::string(field) + "' of MCP server '" + std::string(server) +
                         "' should be an object of names to values",
                     node.span);
      return list;
    }
    for (const auto& member : node.members) {
      if (member.value.kind == NodeKind::kNull) continue;
      if (!member.value.is_scalar()) {
        schema_warning("'" + std::string(field) + "." + member.key + "' of MCP server '" +
                           std::string(server) + "' is not a string",
                       member.value.span);
        continue;
      }
      list.push(
          model::make_entry(member.key, document_.loc(member.key_span),
                            Value::of_string(member.value.text, document_.loc(member.value.span))));
    }
    return list;
  }

  /// Reads one server entry into `attrs`.
  void read(const syntax::Member& member, Value& attrs, const McpClient& client) {
    const Node& spec = member.value;
    const std::string& name = member.key;
    const Node* transport_obj = spec.get("transport");
    const Node* url = spec.get("url");
    std::string url_field = "url";
    if (url == nullptr && (url = spec.get("serverUrl")) != nullptr) url_field = "serverUrl";
    if (url == nullptr && (url = spec.get("httpUrl")) != nullptr) url_field = "httpUrl";
    if (url == nullptr && transport_obj != nullptr && transport_obj->is_object()) {
      url = transport_obj->get("url");
    }
    const Node* headers = spec.get("headers");
    if (headers == nullptr && transport_obj != nullptr && transport_obj->is_object()) {
      headers = transport_obj->get("headers");
    }

    std::string type;
    if (const Node* t = spec.get("type"); t != nullptr && t->is_scalar()) {
      type = lower(t->text);
    } else if (transport_obj != nullptr) {
      if (transport_obj->is_string()) type = lower(transport_obj->text);
      if (const Node* t2 = transport_obj->get("type"); t2 != nullptr && t2->is_scalar())
        type = lower(t2->text);
    }
    const Node* command = spec.get("command");
    std::string transport;
    if (!type.empty()) {
      transport = transport_for_type(type);
    } else if (url_field == "httpUrl") {
      transport = "streamable-http";
    } else if (url != nullptr && command == nullptr) {
      // Gemini CLI reads a bare `url` as SSE; the other clients try streamable HTTP first.
      transport = client.format == "gemini" ? "sse" : "http";
    } else {
      transport = "stdio";
    }

    attrs.set("transport", Value::of_string(transport, document_.loc(spec.span)));
    if (command != nullptr) attrs.set("command", string_of(*command, "command", name));
    if (const Node* args = spec.get("args")) attrs.set("args", string_list(*args, "args", name));
    if (const Node* env = spec.get("env")) attrs.set("env", entries(*env, "env", name));
    if (headers != nullptr) attrs.set("headers", entries(*headers, "headers", name));
    if (const Node* cwd = spec.get("cwd")) attrs.set("cwd", string_of(*cwd, "cwd", name));
    if (url != nullptr) attrs.set("url", string_of(*url, url_field, name));
    const bool remote = transport != "stdio" && url != nullptr && url->is_scalar();
    attrs.set("remote",
              Value::of_bool(remote, document_.loc(url != nullptr ? url->span : spec.span)));

    bool disabled = false;
    core::Span disabled_span = spec.span;
    if (const Node* d = spec.get("disabled"); d != nullptr && d->kind == NodeKind::kBool) {
      disabled = d->as_bool(false);
      disabled_span = d->span;
    }
    if (const Node* e = spec.get("enabled");
        e != nullptr && e->kind == NodeKind::kBool && !e->as_bool(true)) {
      disabled = true;
      disabled_span = e->span;
    }
    attrs.set("disabled", Value::of_bool(disabled, document_.loc(disabled_span)));
    if (const Node* trust = spec.get("trust"); trust != nullptr && trust->kind == NodeKind::kBool) {
      attrs.set("trust", Value::of_bool(trust->as_bool(false), document_.loc(trust->span)));
    }
    // Raw authentication facts; derive turns them into `auth`.
    if (const Node* oauth = spec.get("oauth");
        oauth != nullptr && oauth->kind != NodeKind::kNull &&
        !(oauth->kind == NodeKind::kBool && !oauth->as_bool(false))) {
      attrs.set("oauth", Value::of_bool(true, document_.loc(oauth->span)));
    }
    if (const Node* helper = spec.get("headersHelper"); helper != nullptr && helper->is_scalar()) {
      attrs.set("headers_helper", Value::of_string(helper->text, document_.loc(helper->span)));
    }
    if (const Node* provider = spec.get("authProviderType");
        provider != nullptr && provider->is_scalar()) {
      attrs.set("auth_provider", Value::of_string(provider->text, document_.loc(provider->span)));
    }
  }

 private:
  const syntax::Document& document_;
  core::DiagnosticSink& sink_;
};

}  // namespace

McpClient mcp_client_for_path(std::string_view path) {
  const std::string lowered = lower(path);
  const std::string_view name = basename(lowered);
  const std::string_view parent = parent_name(lowered);
  if (name == ".mcp.json") return {"Claude Code", "claude-code"};
  if (parent == ".claude" && (name == "settings.json" || name == "settings.local.json")) {
    return {"Claude Code", "claude-settings"};
  }
  if (starts_with(name, "claude_desktop_config") && ends_with(name, ".json")) {
    return {"Claude Desktop", "claude-desktop"};
  }
  if (parent == ".cursor" && name == "mcp.json") return {"Cursor", "cursor"};
  if (parent == ".vscode" && name == "mcp.json") return {"VS Code", "vscode"};
  if ((parent == ".windsurf" || lowered.find(".codeium/windsurf/") != std::string::npos) &&
      (starts_with(name, "mcp_config") || starts_with(name, "mcp-config"))) {
    return {"Windsurf", "windsurf"};
  }
  if (parent == ".gemini" && name == "settings.json") return {"Gemini CLI", "gemini"};
  if (name == "gemini-extension.json") return {"Gemini CLI extension", "gemini"};
  if (parent == ".roo" && name == "mcp.json") return {"Roo Code", "generic"};
  if (parent == ".kilocode" && name == "mcp.json") return {"Kilo Code", "generic"};
  if (parent == ".amazonq" && name == "mcp.json") return {"Amazon Q Developer", "generic"};
  if (lowered.find(".kiro/settings/") != std::string::npos && name == "mcp.json")
    return {"Kiro", "generic"};
  if (parent == ".copilot" && name == "mcp-config.json") return {"GitHub Copilot CLI", "generic"};
  if (mcp_file_name(name)) return {"MCP client", "generic"};
  return {};
}

Claim McpClientConfigParser::claims(std::string_view path, std::string_view text) const {
  const std::string lowered = lower(path);
  const std::string_view name = basename(lowered);
  if (!ends_with(name, ".json") && !ends_with(name, ".jsonc")) return {};
  if (!mcp_client_for_path(path).product.empty()) return {true, Syntax::kJson, true};
  // Anywhere else, the content decides: a top-level server map under a key only MCP
  // configurations use.
  if (has_json_key(text, "mcpServers")) return {true, Syntax::kJson, true};
  return {};
}

bool McpClientConfigParser::parse(const syntax::Document& document, model::Graph& graph,
                                  core::DiagnosticSink& sink) const {
  if (document.roots.empty()) return false;
  const Node& root = document.roots[0];
  McpClient client = mcp_client_for_path(document.path);
  const bool known_path = !client.product.empty();
  if (!root.is_object()) {
    if (known_path) {
      sink.report(core::DiagCode::kSchema,
                  "an MCP client configuration is a JSON object, not " +
                      std::string(syntax::to_string(root.kind)),
                  document.loc(root.span));
      return true;
    }
    return false;
  }
  const syntax::Member* servers = root.member("mcpServers");
  if (servers == nullptr) servers = root.member("servers");
  // Plugin bundles (Cursor, Claude Code plugins) write the server map itself as the file; a
  // settings file never does (its statusLine has a command too).
  const bool settings_file =
      client.format == "claude-settings" ||
      (client.format == "gemini" && basename(lower(document.path)) == "settings.json");
  syntax::Member top_level;
  if (servers == nullptr && known_path && !settings_file && is_bare_server_map(root)) {
    top_level = syntax::Member{"(top level)", root.span, root};
    servers = &top_level;
  }
  if (servers == nullptr) {
    // A named client file without servers still describes that client; other files are
    // simply not MCP configurations.
    if (!known_path || client.format == "generic") return false;
  }
  if (client.product.empty()) client = {"MCP client", "generic"};

  model::Entity& agent =
      graph.add(model::EntityKind::kAgent, client.product, document.loc(root.span));
  const model::EntityId agent_id = agent.id;
  agent.attrs.set("name", Value::of_string(client.product, document.loc(root.span)));
  agent.attrs.set("kind", Value::of_string("coding-assistant", document.loc(root.span)));
  agent.attrs.set("client", Value::of_string(client.product, document.loc(root.span)));
  agent.attrs.set("config_format", Value::of_string(client.format, document.loc(root.span)));
  agent.attrs.set("servers", Value::list(document.loc(root.span)));
  // The product's own settings in the same file belong to the same agent.
  if (client.format == "claude-settings") {
    coding::read_claude_settings(document, root, agent.attrs, sink);
  } else if (settings_file) {
    coding::read_gemini_settings(document, root, agent.attrs, sink);
  }
  if (servers == nullptr) return true;
  // The usual shape maps names to settings; some clients (Continue, and files written for
  // them) list servers with a `name` field instead.
  std::vector<syntax::Member> listed;
  const std::vector<syntax::Member>* entries = &servers->value.members;
  if (servers->value.is_array()) {
    for (const auto& item : servers->value.items) {
      syntax::Member entry{"", item.span, item};
      if (const syntax::Member* name = item.member("name");
          name != nullptr && name->value.is_scalar()) {
        entry.key = name->value.text;
        entry.key_span = name->value.span;
      } else {
        entry.key = "server " + std::to_string(listed.size() + 1);
      }
      listed.push_back(std::move(entry));
    }
    entries = &listed;
  } else if (!servers->value.is_object()) {
    sink.report(core::DiagCode::kSchema,
                "'" + servers->key + "' should map server names to their settings, not be " +
                    std::string(syntax::to_string(servers->value.kind)),
                document.loc(servers->value.span));
    return true;
  }

  ServerReader reader(document, sink);
  for (const auto& member : *entries) {
    if (!member.value.is_object()) {
      reader.schema_warning("MCP server '" + member.key +
                                "' should be an object of settings, not " +
                                std::string(syntax::to_string(member.value.kind)),
                            member.value.span);
      continue;
    }
    const core::SourceLoc name_loc = document.loc(member.key_span);
    model::Entity& server = graph.add(model::EntityKind::kMcpServer, member.key, name_loc);
    const model::EntityId server_id = server.id;
    server.attrs.set("name", Value::of_string(member.key, name_loc));
    server.attrs.set("client", Value::of_ref(agent_id, document.loc(root.span)));
    server.attrs.set("config_format", Value::of_string(client.format, name_loc));
    reader.read(member, server.attrs, client);
    graph.at_mut(agent_id).attrs.get_mut("servers")->push(Value::of_ref(server_id, name_loc));
    graph.connect(agent_id, server_id, model::EdgeKind::kUsesServer, name_loc);
  }
  return true;
}

}  // namespace fermata::parsers
