#include <algorithm>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "parsers/agents/card_gateway_parsers.hpp"
#include "parsers/agents/field_reader.hpp"

namespace fermata::parsers {
namespace {

using agents::FieldReader;
using model::Value;
using syntax::Node;

constexpr std::string_view kSchemaHost = "modelcontextprotocol.io/schemas/";

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// An exact version as the registry requires one: 1.2.3, v1.2, 1.0.0-rc.1, 2.0.0+build, and
/// PEP 440's 1.2rc1, 1.0.post1, 2.0.dev3 — never "latest", a range (^1.2, ~1.2, >=1, 1.x,
/// 1.2 - 1.4) or a wildcard.
bool exact_version(std::string_view version) {
  if (!version.empty() && version.front() == 'v') version.remove_prefix(1);
  size_t i = 0;
  while (i < version.size() &&
         (is_digit(version[i]) || (version[i] == '.' && i > 0 && is_digit(version[i - 1]) &&
                                   i + 1 < version.size() && is_digit(version[i + 1])))) {
    ++i;
  }
  if (i == 0) return false;
  if (i == version.size()) return true;
  std::string_view suffix = version.substr(i);
  if (suffix.front() == '-' || suffix.front() == '+') {
    suffix.remove_prefix(1);
  } else {
    // PEP 440 writes pre-, post- and development releases without a separator, or with a dot.
    if (suffix.front() == '.') suffix.remove_prefix(1);
    bool marker = false;
    for (const std::string_view word :
         {"alpha", "beta", "preview", "pre", "post", "dev", "rc", "a", "b", "c"}) {
      if (suffix.substr(0, word.size()) == word) {
        marker = true;
        break;
      }
    }
    if (!marker) return false;
  }
  if (suffix.empty()) return false;
  return std::all_of(suffix.begin(), suffix.end(), [](char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
           c == '-' || c == '+';
  });
}

/// The transports server.json names (transport.type of a package, type of a remote).
std::string transport_for(const std::string& type) {
  if (type == "stdio" || type == "sse" || type == "streamable-http") return type;
  if (type == "http" || type == "streamable_http" || type == "streamablehttp") {
    return "streamable-http";
  }
  return "unknown";
}

/// The first member present among current (camelCase) and earlier (snake_case) names.
const Node* first_of(const Node& object, std::initializer_list<std::string_view> keys) {
  for (const std::string_view key : keys) {
    if (const Node* node = object.get(key);
        node != nullptr && node->kind != syntax::NodeKind::kNull)
      return node;
  }
  return nullptr;
}

struct Server {
  Value name;
  Value version;
  Value repository;
};

class ManifestReader {
 public:
  ManifestReader(const syntax::Document& document, core::DiagnosticSink& sink, model::Graph& graph)
      : fields_(document, sink, "MCP registry server.json"), graph_(graph) {}

  void read(const Node& root, const Server& server) {
    const Node* packages = fields_.array(root, "packages", "packages");
    if (packages != nullptr) {
      for (size_t i = 0; i < packages->items.size(); ++i)
        read_package(packages->items[i], i, server);
    }
    const Node* remotes = fields_.array(root, "remotes", "remotes");
    if (remotes != nullptr) {
      for (size_t i = 0; i < remotes->items.size(); ++i) {
        read_remote(remotes->items[i], i, remotes->items.size(), server);
      }
    }
  }

 private:
  /// A string field under one of its spellings, as a positioned value.
  std::optional<Value> text(const Node& object, std::initializer_list<std::string_view> keys,
                            const std::string& field) {
    const Node* node = first_of(object, keys);
    if (node == nullptr) return std::nullopt;
    if (!node->is_scalar()) {
      fields_.warn("'" + field + "' of the MCP registry server.json should be a string",
                   node->span);
      return std::nullopt;
    }
    return Value::of_string(node->text, fields_.loc(node->span));
  }

  model::Entity& add_server(const std::string& name, const core::SourceLoc& loc) {
    model::Entity& entity = graph_.add(model::EntityKind::kMcpServer, name, loc);
    entity.attrs.set("name", Value::of_string(name, loc));
    entity.attrs.set("config_format", Value::of_string("mcp-registry", loc));
    entity.attrs.set("disabled", Value::of_bool(false, loc));
    return entity;
  }

  Value registry_record(const Server& server, const core::SourceLoc& loc) {
    Value record = Value::record(loc);
    record.set("name", server.name);
    record.set("version", server.version);
    return record;
  }

  /// `[{name, value, default, isSecret, ...}]` (environmentVariables, headers) as entries;
  /// a value is kept only when the file writes one, so a literal secret can be caught.
  Value entries(const Node& list, const std::string& field) {
    Value out = Value::list(fields_.loc(list.span));
    for (size_t i = 0; i < list.items.size(); ++i) {
      const Node& item = list.items[i];
      const std::string item_field = field + "[" + std::to_string(i) + "]";
      if (!item.is_object()) {
        fields_.warn(
            item_field + " of the MCP registry server.json should be an object with a name",
            item.span);
        continue;
      }
      const Node* name = fields_.scalar(item, "name", item_field + ".name");
      if (name == nullptr) {
        fields_.warn(item_field + " of the MCP registry server.json has no name", item.span);
        continue;
      }
      std::optional<Value> value = text(item, {"value"}, item_field + ".value");
      if (!value) value = text(item, {"default"}, item_field + ".default");
      out.push(model::make_entry(name->text, fields_.loc(name->span),
                                 value ? std::move(*value) : Value::null(fields_.loc(item.span))));
    }
    return out;
  }

  void read_package(const Node& package, size_t index, const Server& server) {
    const std::string field = "packages[" + std::to_string(index) + "]";
    if (!package.is_object()) {
      fields_.warn(field + " of the MCP registry server.json should be an object", package.span);
      return;
    }
    const core::SourceLoc package_loc = fields_.loc(package.span);
    std::optional<Value> type =
        text(package, {"registryType", "registry_type", "registry_name"}, field + ".registryType");
    if (!type) {
      fields_.warn(field + " of the MCP registry server.json has no registryType", package.span);
      type = Value::of_string("", package_loc);
    }
    // Current manifests name the package `identifier`; the first drafts called it `name`.
    std::optional<Value> identifier = text(package, {"identifier", "name"}, field + ".identifier");
    if (!identifier) {
      fields_.warn(field + " of the MCP registry server.json has no identifier", package.span);
      identifier = Value::of_string("", package_loc);
    }
    std::optional<Value> version = text(package, {"version"}, field + ".version");
    std::optional<Value> sha = text(package, {"fileSha256", "file_sha256"}, field + ".fileSha256");

    const std::string& registry_type = type->text;
    const std::string& id = identifier->text;
    bool pinned = false;
    Value package_version = version ? *version : Value::of_string("", identifier->loc);
    if (registry_type == "mcpb") {
      pinned = sha && !sha->text.empty();
    } else if (registry_type == "oci" || registry_type == "docker") {
      // An image is pinned by digest, or by an exact version tag (the registry's rule); the
      // tag is part of the identifier when there is no `version`.
      const size_t slash = id.rfind('/');
      const size_t colon = id.rfind(':');
      if (!version && colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
        package_version = Value::of_string(id.substr(colon + 1), identifier->loc);
      }
      pinned = id.find("@sha256:") != std::string::npos || exact_version(package_version.text);
    } else {
      pinned = exact_version(package_version.text);
    }

    const std::string name =
        server.name.text + " (" + registry_type +
        (++seen_[registry_type] > 1 ? " " + std::to_string(seen_[registry_type]) : "") + ")";
    model::Entity& entity = add_server(name, identifier->loc);
    Value& attrs = entity.attrs;

    std::string transport = "stdio";
    const Node* transport_node = fields_.object(package, "transport", field + ".transport");
    core::SourceLoc transport_loc = package_loc;
    if (transport_node != nullptr) {
      transport_loc = fields_.loc(transport_node->span);
      if (const Node* t = fields_.scalar(*transport_node, "type", field + ".transport.type")) {
        transport = transport_for(t->text);
        if (transport == "unknown") {
          fields_.warn(field + ".transport.type of the MCP registry server.json is '" + t->text +
                           "'; the registry knows stdio, streamable-http and sse",
                       t->span);
        }
      }
      if (auto url = text(*transport_node, {"url"}, field + ".transport.url")) {
        attrs.set("url", std::move(*url));
      }
      if (const Node* headers =
              fields_.array(*transport_node, "headers", field + ".transport.headers")) {
        attrs.set("headers", entries(*headers, field + ".transport.headers"));
      }
    }
    attrs.set("transport", Value::of_string(transport, transport_loc));
    // A package runs on the user's machine, whatever transport it then serves.
    attrs.set("remote", Value::of_bool(false, transport_loc));
    if (const Node* env = first_of(package, {"environmentVariables", "environment_variables"})) {
      if (env->is_array()) {
        attrs.set("env", entries(*env, field + ".environmentVariables"));
      } else {
        fields_.warn(
            field + ".environmentVariables of the MCP registry server.json should be a list",
            env->span);
      }
    }

    Value registry = registry_record(server, identifier->loc);
    registry.set("registry_type", *type);
    registry.set("identifier", *identifier);
    registry.set("package_version", package_version);
    registry.set("pinned", Value::of_bool(pinned, package_version.loc));
    registry.set("file_sha256", sha ? *sha : Value::of_string("", identifier->loc));
    registry.set("repository", server.repository);
    attrs.set("registry", std::move(registry));
  }

  void read_remote(const Node& remote, size_t index, size_t count, const Server& server) {
    const std::string field = "remotes[" + std::to_string(index) + "]";
    if (!remote.is_object()) {
      fields_.warn(field + " of the MCP registry server.json should be an object", remote.span);
      return;
    }
    std::optional<Value> url = text(remote, {"url"}, field + ".url");
    if (!url) {
      fields_.warn(field + " of the MCP registry server.json has no url", remote.span);
      return;
    }
    const std::string name =
        server.name.text +
        (count > 1 ? " (remote " + std::to_string(index + 1) + ")" : " (remote)");
    model::Entity& entity = add_server(name, url->loc);
    Value& attrs = entity.attrs;
    std::string transport = "streamable-http";
    core::SourceLoc transport_loc = fields_.loc(remote.span);
    if (const Node* type = first_of(remote, {"type", "transport_type"});
        type != nullptr && type->is_scalar()) {
      transport = transport_for(type->text);
      transport_loc = fields_.loc(type->span);
      if (transport == "unknown" || transport == "stdio") {
        fields_.warn(field + ".type of the MCP registry server.json is '" + type->text +
                         "'; a remote is streamable-http or sse",
                     type->span);
      }
    }
    attrs.set("transport", Value::of_string(transport, transport_loc));
    attrs.set("remote", Value::of_bool(true, url->loc));
    attrs.set("url", *url);
    if (const Node* headers = fields_.array(remote, "headers", field + ".headers")) {
      attrs.set("headers", entries(*headers, field + ".headers"));
    }
    Value registry = registry_record(server, url->loc);
    registry.set("registry_type", Value::of_string("remote", url->loc));
    registry.set("identifier", *url);
    registry.set("package_version", Value::of_string("", url->loc));
    registry.set("pinned", Value::of_bool(false, url->loc));
    registry.set("file_sha256", Value::of_string("", url->loc));
    registry.set("repository", server.repository);
    attrs.set("registry", std::move(registry));
  }

  FieldReader fields_;
  model::Graph& graph_;
  std::map<std::string, int> seen_;
};

/// A registry entry: a name and the packages or remotes that deliver it. Without the
/// registry's `$schema`, some package must name its registry or some remote its URL, so
/// that an unrelated `server.json` with a `packages` list is left alone.
bool looks_like_manifest(const Node& root, bool schema) {
  const Node* name = root.get("name");
  if (name == nullptr || !name->is_string()) return false;
  const Node* packages = root.get("packages");
  const Node* remotes = root.get("remotes");
  const bool has_packages = packages != nullptr && packages->is_array();
  const bool has_remotes = remotes != nullptr && remotes->is_array();
  if (!has_packages && !has_remotes) return false;
  if (schema) return true;
  if (has_packages) {
    for (const Node& package : packages->items) {
      if (first_of(package, {"registryType", "registry_type", "registry_name"}) != nullptr)
        return true;
    }
  }
  if (has_remotes) {
    for (const Node& remote : remotes->items) {
      if (remote.get("url") != nullptr) return true;
    }
  }
  return false;
}

}  // namespace

Claim McpRegistryServerParser::claims(std::string_view path, std::string_view text) const {
  const std::string lowered = agents::lower(path);
  if (!agents::ends_with(lowered, ".json")) return {};
  const bool schema = text.find(kSchemaHost) != std::string_view::npos &&
                      text.find("server.schema.json") != std::string_view::npos;
  if (schema) return {true, Syntax::kJson, true};
  if (agents::basename(lowered) != "server.json") return {};
  if (!agents::has_json_key(text, "name")) return {};
  if (!agents::has_json_key(text, "packages") && !agents::has_json_key(text, "remotes")) return {};
  return {true, Syntax::kJson, false};
}

bool McpRegistryServerParser::parse(const syntax::Document& document, model::Graph& graph,
                                    core::DiagnosticSink& sink) const {
  if (document.roots.empty()) return false;
  const Node& root = document.roots[0];
  if (!root.is_object()) return false;
  const Node* schema = root.get("$schema");
  const bool registry_schema = schema != nullptr && schema->is_string() &&
                               schema->text.find(kSchemaHost) != std::string::npos;
  if (!looks_like_manifest(root, registry_schema)) return false;

  const Node& name = *root.get("name");
  Server server{Value::of_string(name.text, document.loc(name.span)), Value(), Value()};
  const Node* version = root.get("version");
  if (version == nullptr || !version->is_scalar()) {
    // The first drafts kept it in version_detail.version.
    if (const Node* detail = root.get("version_detail"); detail != nullptr && detail->is_object())
      version = detail->get("version");
  }
  server.version = version != nullptr && version->is_scalar()
                       ? Value::of_string(version->text, document.loc(version->span))
                       : Value::of_string("", document.loc(root.span));
  server.repository = Value::of_string("", document.loc(root.span));
  if (const Node* repository = root.get("repository"); repository != nullptr) {
    const Node* url = repository->is_object() ? repository->get("url") : repository;
    if (url != nullptr && url->is_string()) {
      server.repository = Value::of_string(url->text, document.loc(url->span));
    }
  }
  ManifestReader(document, sink, graph).read(root, server);
  return true;
}

}  // namespace fermata::parsers
