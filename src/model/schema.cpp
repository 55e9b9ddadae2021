#include "model/schema.hpp"

#include <array>

namespace fermata::model {
namespace {

TypePtr make(TypeKind kind) {
  auto type = std::make_shared<Type>();
  type->kind = kind;
  return type;
}

class RecordBuilder {
 public:
  RecordBuilder& add(std::string name, TypePtr type, std::string doc) {
    record_->fields.push_back(TypeField{std::move(name), std::move(type), std::move(doc)});
    return *this;
  }
  [[nodiscard]] TypePtr build() const { return record_; }

 private:
  std::shared_ptr<Type> record_ = std::make_shared<Type>(Type{TypeKind::kRecord, {}, {}, {}});
};

TypePtr entry_type() {
  return RecordBuilder()
      .add("key", string_type(), "the name (environment variable, header)")
      .add("value", string_type(), "the value as written")
      .build();
}

TypePtr literal_type() {
  return RecordBuilder()
      .add("source", string_type(), "where the literal sits: env | header | arg | url | other")
      .add("key", string_type(), "its name; for an argument, the option before it (--token)")
      .add("value", string_type(), "the literal as written")
      .add("secret_kind", string_type(),
           "the credential format it matches (\"GitHub personal access token\", "
           "\"high-entropy token\"), or \"\" when it is no secret")
      .build();
}

TypePtr endpoint_type() {
  return RecordBuilder()
      .add("url", string_type(), "the URL as written")
      .add("scheme", string_type(), "lower-case scheme: http | https | ws | wss | unix | pipe")
      .add("host", string_type(), "lower-case host without brackets")
      .add("port", number_type(), "explicit port, or null")
      .add("path", string_type(), "path component")
      .add("loopback", bool_type(),
           "host is localhost, 127.0.0.0/8, ::1 or 0.0.0.0 (never leaves the machine)")
      .add("has_variables", bool_type(), "the URL holds ${...} references")
      .add("has_userinfo", bool_type(), "the URL carries user:password@")
      .add("query_keys", list_of(string_type()), "names of the query parameters")
      .build();
}

TypePtr launch_type() {
  return RecordBuilder()
      .add("launcher", string_type(),
           "npx | bunx | pnpm-dlx | yarn-dlx | uvx | pipx | uv-run | docker | podman | node | "
           "python | deno | bun | shell | binary | \"\"")
      .add("package", string_type(), "package (or image) launched, without version")
      .add("version", string_type(), "version as written, \"\" when none")
      .add("pinned", bool_type(), "exact version, or image digest")
      .add("image", string_type(), "container image without tag or digest")
      .add("image_tag", string_type(), "container image tag")
      .add("image_digest", string_type(), "container image digest")
      .add("package_args", list_of(string_type()), "the launched server's own arguments")
      .add("mounts", list_of(string_type()), "host paths mounted into a container")
      .add("host_paths", list_of(string_type()),
           "host paths the server is handed: the host side of its container mounts, or else "
           "its own arguments")
      .add("inline_shell", bool_type(), "code written into the config (sh -c, python -c, ...)")
      .add("shell_code", string_type(), "that code")
      .add("pipe_to_shell", bool_type(), "a download piped into an interpreter")
      .add("bridge_url", string_type(), "remote URL reached through a bridge (mcp-remote)")
      .build();
}

TypePtr auth_type() {
  return RecordBuilder()
      .add("configured", bool_type(), "any authentication is configured")
      .add("methods", list_of(string_type()),
           "header:<name> | oauth | bearer-env | headers-helper | provider:<type> | url-credential")
      .build();
}

TypePtr build_schema(EntityKind kind) {
  RecordBuilder record;
  record.add("name", string_type(), "the entity's name as written");
  switch (kind) {
    case EntityKind::kAgent:
      record.add("kind", string_type(), "coding-assistant | agent")
          .add("client", string_type(), "the product (Claude Code, Cursor, VS Code, ...)")
          .add("config_format", string_type(), "the format it was read from")
          .add("servers", list_of(ref_to(EntityKind::kMcpServer)), "MCP servers it uses");
      break;
    case EntityKind::kMcpServer:
      record.add("client", ref_to(EntityKind::kAgent), "the agent whose config declares it")
          .add("config_format", string_type(),
               "claude-code | claude-desktop | cursor | vscode | windsurf | gemini | generic")
          .add("transport", string_type(), "stdio | http | sse | streamable-http | unknown")
          .add("remote", bool_type(), "reached over the network (transport is not stdio)")
          .add("disabled", bool_type(), "switched off in the config")
          .add("command", string_type(), "stdio command as written")
          .add("args", list_of(string_type()), "stdio arguments")
          .add("env", list_of(entry_type()), "environment variables")
          .add("headers", list_of(entry_type()), "HTTP headers")
          .add("cwd", string_type(), "working directory")
          .add("url", string_type(), "remote URL as written")
          .add("endpoint", endpoint_type(), "the remote URL, parsed (or the bridged URL)")
          .add("launch", launch_type(), "what the command line launches")
          .add("auth", auth_type(), "authentication configured for a remote server")
          .add("literals", list_of(literal_type()),
               "every literal string in env, headers, args and url, classified")
          .add("trust", bool_type(), "Gemini CLI trust: tool calls never ask for confirmation");
      break;
    case EntityKind::kTool:
    case EntityKind::kWorkload:
    case EntityKind::kIdentity:
    case EntityKind::kGrant:
    case EntityKind::kEndpoint: break;
  }
  return record.build();
}

}  // namespace

const TypeField* Type::field(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string to_string(const Type& type) {
  switch (type.kind) {
    case TypeKind::kAny: return "any";
    case TypeKind::kNull: return "null";
    case TypeKind::kBool: return "bool";
    case TypeKind::kNumber: return "number";
    case TypeKind::kString: return "string";
    case TypeKind::kList: return "list<" + to_string(*type.element) + ">";
    case TypeKind::kRecord: return "record";
    case TypeKind::kRef: return "ref<" + std::string(model::to_string(type.ref_kind)) + ">";
  }
  return "any";
}

TypePtr any_type() {
  static const TypePtr t = make(TypeKind::kAny);
  return t;
}
TypePtr null_type() {
  static const TypePtr t = make(TypeKind::kNull);
  return t;
}
TypePtr bool_type() {
  static const TypePtr t = make(TypeKind::kBool);
  return t;
}
TypePtr number_type() {
  static const TypePtr t = make(TypeKind::kNumber);
  return t;
}
TypePtr string_type() {
  static const TypePtr t = make(TypeKind::kString);
  return t;
}
TypePtr list_of(TypePtr element) {
  auto t = std::make_shared<Type>();
  t->kind = TypeKind::kList;
  t->element = std::move(element);
  return t;
}
TypePtr ref_to(EntityKind kind) {
  auto t = std::make_shared<Type>();
  t->kind = TypeKind::kRef;
  t->ref_kind = kind;
  return t;
}

const Type& entity_schema(EntityKind kind) {
  static const std::array<TypePtr, 7> kSchemas = [] {
    std::array<TypePtr, 7> schemas;
    for (auto k : kAllEntityKinds) schemas.at(static_cast<size_t>(k)) = build_schema(k);
    return schemas;
  }();
  return *kSchemas.at(static_cast<size_t>(kind));
}

std::string_view entity_doc(EntityKind kind) {
  switch (kind) {
    case EntityKind::kAgent:
      return "An agent, including a coding assistant configured by a repository.";
    case EntityKind::kMcpServer: return "An MCP server an agent is configured to use.";
    case EntityKind::kTool: return "A tool an agent can call.";
    case EntityKind::kWorkload: return "A workload (container, pod) something runs in.";
    case EntityKind::kIdentity:
      return "An identity something acts as (service account, cloud role).";
    case EntityKind::kGrant: return "A permission granted to an identity.";
    case EntityKind::kEndpoint: return "A network endpoint.";
  }
  return "";
}

}  // namespace fermata::model
