#include "derive/derive.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>

#include "core/parallel.hpp"
#include "core/text.hpp"
#include "derive/agents.hpp"
#include "derive/k8s.hpp"
#include "derive/launch.hpp"

namespace fermata::derive {
namespace {

using core::lower;

using model::Value;
using model::ValueKind;

bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "0.0.0.0" || host == "::") return true;
  if (host.size() > 10 && host.substr(host.size() - 10) == ".localhost") return true;
  if (host.rfind("127.", 0) == 0) {
    return std::all_of(host.begin(), host.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '.';
    });
  }
  return false;
}

const std::string& text_or_empty(const Value* value) {
  static const std::string kEmpty;
  return value != nullptr && value->kind == ValueKind::kString ? value->text : kEmpty;
}

Value launch_record(const Value& attrs, const core::SourceLoc& fallback) {
  const Value* command = attrs.get("command");
  const Value* args = attrs.get("args");
  std::vector<std::string> arg_texts;
  if (args != nullptr) {
    for (const auto& item : args->items) arg_texts.push_back(item.text);
  }
  const auto tokens = launch_tokens(text_or_empty(command), arg_texts);
  const LaunchInfo info = analyse_launch(tokens);
  auto loc_of = [&](int token) -> core::SourceLoc {
    if (token < 0 || static_cast<size_t>(token) >= tokens.size()) {
      return command != nullptr ? command->loc : fallback;
    }
    const int origin = tokens[static_cast<size_t>(token)].origin;
    if (origin >= 0 && args != nullptr && static_cast<size_t>(origin) < args->items.size()) {
      return args->items[static_cast<size_t>(origin)].loc;
    }
    return command != nullptr ? command->loc : fallback;
  };
  auto token_text = [&](int token) -> std::string {
    if (token < 0 || static_cast<size_t>(token) >= tokens.size()) return "";
    return tokens[static_cast<size_t>(token)].text;
  };
  const core::SourceLoc package_loc = loc_of(info.package_token);
  Value launch = Value::record(command != nullptr ? command->loc : fallback);
  launch.set("launcher",
             Value::of_string(info.launcher, command != nullptr ? command->loc : fallback));
  launch.set("package", Value::of_string(info.package, package_loc));
  launch.set("version", Value::of_string(info.version, package_loc));
  launch.set("pinned", Value::of_bool(info.pinned, package_loc));
  launch.set("image", Value::of_string(info.image, package_loc));
  launch.set("image_tag", Value::of_string(info.image_tag, package_loc));
  launch.set("image_digest", Value::of_string(info.image_digest, package_loc));
  // A server a cluster runs (kmcp, ToolHive) names its image beside the command it runs in it.
  if (const Value* image = attrs.get("image"); info.image.empty() && image != nullptr &&
                                               image->kind == ValueKind::kString &&
                                               !image->text.empty()) {
    const ContainerImage ref = parse_container_image(image->text);
    launch.set("image", Value::of_string(ref.name, image->loc));
    launch.set("image_tag", Value::of_string(ref.tag, image->loc));
    launch.set("image_digest", Value::of_string(ref.digest, image->loc));
    if (info.package.empty()) {
      launch.set("launcher", Value::of_string("container", image->loc));
      launch.set("package", Value::of_string(ref.name, image->loc));
      launch.set("version", Value::of_string(ref.tag, image->loc));
      launch.set("pinned", Value::of_bool(ref.pinned, image->loc));
    }
  }
  Value package_args = Value::list(package_loc);
  for (int token : info.package_args)
    package_args.push(Value::of_string(token_text(token), loc_of(token)));
  Value mounts = Value::list(package_loc);
  for (const auto& mount : info.mounts) {
    // The mount's own argument holds it; find the token that mentions it for its location.
    core::SourceLoc where = package_loc;
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (tokens[i].text.find(mount) != std::string::npos) {
        where = loc_of(static_cast<int>(i));
        break;
      }
    }
    mounts.push(Value::of_string(mount, where));
  }
  // Host paths the server is handed: the host side of container mounts, else its own args.
  Value host_paths = Value::list(package_loc);
  for (const auto& item : (info.mounts.empty() ? package_args : mounts).items)
    host_paths.push(item);
  launch.set("package_args", std::move(package_args));
  launch.set("mounts", std::move(mounts));
  launch.set("host_paths", std::move(host_paths));
  launch.set("inline_shell", Value::of_bool(info.inline_shell, loc_of(info.shell_code_token)));
  launch.set("shell_code",
             Value::of_string(token_text(info.shell_code_token), loc_of(info.shell_code_token)));
  launch.set("pipe_to_shell", Value::of_bool(info.pipe_to_shell, loc_of(info.shell_code_token)));
  launch.set("bridge_url", Value::of_string(info.bridge_url, loc_of(info.bridge_url_token)));
  return launch;
}

bool secret_header_name(const std::string& name) {
  const std::string key = lower(name);
  static constexpr std::string_view kExact[] = {"authorization", "proxy-authorization", "cookie"};
  for (auto exact : kExact) {
    if (key == exact) return true;
  }
  static constexpr std::string_view kParts[] = {"token",  "key",      "auth",
                                                "secret", "password", "session"};
  return std::any_of(std::begin(kParts), std::end(kParts),
                     [&](std::string_view part) { return key.find(part) != std::string::npos; });
}

Value auth_record(const Value& attrs, const Value& endpoint) {
  Value methods = Value::list(endpoint.loc);
  if (const Value* headers = attrs.get("headers")) {
    for (const auto& entry : headers->items) {
      const std::string& name = text_or_empty(entry.get("key"));
      if (secret_header_name(name)) methods.push(Value::of_string("header:" + name, entry.loc));
    }
  }
  if (const Value* oauth = attrs.get("oauth")) methods.push(Value::of_string("oauth", oauth->loc));
  if (const Value* helper = attrs.get("headers_helper"))
    methods.push(Value::of_string("headers-helper", helper->loc));
  if (const Value* provider = attrs.get("auth_provider")) {
    methods.push(Value::of_string("provider:" + provider->text, provider->loc));
  }
  if (const Value* bearer = attrs.get("bearer_token_env_var"))
    methods.push(Value::of_string("bearer-env", bearer->loc));
  const Value* userinfo = endpoint.get("has_userinfo");
  bool url_credential = userinfo != nullptr && userinfo->boolean;
  if (const Value* keys = endpoint.get("query_keys")) {
    for (const auto& key : keys->items) {
      if (secret_header_name(key.text) || lower(key.text) == "sig" ||
          lower(key.text) == "signature") {
        url_credential = true;
      }
    }
  }
  if (url_credential) methods.push(Value::of_string("url-credential", endpoint.loc));
  // A bridge such as mcp-remote passes --header options and runs OAuth discovery itself.
  if (const Value* launch = attrs.get("launch")) {
    if (!text_or_empty(launch->get("bridge_url")).empty()) {
      if (const Value* args = attrs.get("args")) {
        for (size_t i = 0; i + 1 < args->items.size(); ++i) {
          if (args->items[i].text == "--header") {
            methods.push(Value::of_string(
                "header:" + args->items[i + 1].text.substr(0, args->items[i + 1].text.find(':')),
                args->items[i + 1].loc));
          }
        }
      }
      methods.push(Value::of_string("oauth", launch->get("bridge_url")->loc));
    }
  }
  Value auth = Value::record(endpoint.loc);
  auth.set("configured", Value::of_bool(!methods.items.empty(), endpoint.loc));
  auth.set("methods", std::move(methods));
  return auth;
}

void add_literal(Value& literals, std::string source, const std::string& key, const Value& value,
                 const SecretClassifier& secrets, std::vector<std::string>& found) {
  if (value.kind != ValueKind::kString) return;
  Value literal = Value::record(value.loc);
  literal.set("source", Value::of_string(std::move(source), value.loc));
  literal.set("key", Value::of_string(key, value.loc));
  literal.set("value", value);
  std::string kind;
  if (auto match = secrets.classify(key, value.text)) {
    kind = match->kind;
    found.push_back(match->secret);
  }
  literal.set("secret_kind", Value::of_string(kind, value.loc));
  literals.push(std::move(literal));
}

void derive_mcp_server(model::Entity& server, const SecretClassifier& secrets,
                       std::vector<std::string>& found) {
  Value& attrs = server.attrs;
  Value launch = launch_record(attrs, server.loc);
  const Value* url = attrs.get("url");
  Value endpoint;
  const std::string bridge = text_or_empty(launch.get("bridge_url"));
  if (url != nullptr && url->kind == ValueKind::kString) {
    endpoint = parse_endpoint(*url);
  } else if (!bridge.empty()) {
    endpoint = parse_endpoint(*launch.get("bridge_url"));
    attrs.set("remote", Value::of_bool(true, launch.get("bridge_url")->loc));
  }
  attrs.set("launch", std::move(launch));
  if (!endpoint.is_null()) {
    attrs.set("auth", auth_record(attrs, endpoint));
    attrs.set("endpoint", std::move(endpoint));
  }

  Value literals = Value::list(server.loc);
  if (const Value* env = attrs.get("env")) {
    for (const auto& entry : env->items) {
      add_literal(literals, "env", text_or_empty(entry.get("key")), *entry.get("value"), secrets,
                  found);
    }
  }
  if (const Value* headers = attrs.get("headers")) {
    for (const auto& entry : headers->items) {
      add_literal(literals, "header", text_or_empty(entry.get("key")), *entry.get("value"), secrets,
                  found);
    }
  }
  if (const Value* args = attrs.get("args")) {
    std::string previous;
    for (const auto& arg : args->items) {
      // `--token=abc` and `--token abc` both name the value they carry.
      const size_t eq = arg.text.find('=');
      if (arg.text.rfind('-', 0) == 0 && eq != std::string::npos) {
        Value value = Value::of_string(arg.text.substr(eq + 1), arg.loc);
        add_literal(literals, "arg", arg.text.substr(0, eq), value, secrets, found);
      } else {
        add_literal(literals, "arg", previous.rfind('-', 0) == 0 ? previous : "", arg, secrets,
                    found);
      }
      previous = arg.text;
    }
  }
  // Setting attributes above may have moved the record's fields: look the URL up again.
  if (const Value* url_now = attrs.get("url"))
    add_literal(literals, "url", "url", *url_now, secrets, found);
  if (const Value* command = attrs.get("command"))
    add_literal(literals, "command", "command", *command, secrets, found);
  attrs.set("literals", std::move(literals));
}

}  // namespace

Value parse_endpoint(const Value& url) {
  const core::SourceLoc& loc = url.loc;
  const std::string& text = url.text;
  Value endpoint = Value::record(loc);
  endpoint.set("url", Value::of_string(text, loc));
  std::string rest = text;
  std::string scheme;
  if (const size_t colon = rest.find("://"); colon != std::string::npos) {
    scheme = lower(rest.substr(0, colon));
    rest = rest.substr(colon + 3);
  } else if (rest.rfind("unix:", 0) == 0 || rest.rfind("pipe:", 0) == 0) {
    scheme = lower(rest.substr(0, 4));
    rest.clear();
  }
  const size_t path_start = rest.find_first_of("/?#");
  std::string authority = rest.substr(0, path_start);
  std::string path_and_more = path_start == std::string::npos ? "" : rest.substr(path_start);
  bool has_userinfo = false;
  if (const size_t at = authority.rfind('@'); at != std::string::npos) {
    has_userinfo = authority.substr(0, at).find(':') != std::string::npos;
    authority = authority.substr(at + 1);
  }
  std::string host = authority;
  Value port = Value::null(loc);
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    std::string after = close == std::string::npos ? "" : host.substr(close + 1);
    host = host.substr(1, close == std::string::npos ? std::string::npos : close - 1);
    if (after.size() > 1 && after.front() == ':') {
      const std::string digits = after.substr(1);
      if (!digits.empty() && std::all_of(digits.begin(), digits.end(), ::isdigit) &&
          digits.size() < 6) {
        port = Value::of_number(std::stod(digits), loc);
      }
    }
  } else if (const size_t colon = host.rfind(':'); colon != std::string::npos) {
    const std::string digits = host.substr(colon + 1);
    if (!digits.empty() && std::all_of(digits.begin(), digits.end(), ::isdigit) &&
        digits.size() < 6) {
      port = Value::of_number(std::stod(digits), loc);
    }
    host = host.substr(0, colon);
  }
  host = lower(host);
  std::string path = path_and_more.substr(0, path_and_more.find_first_of("?#"));
  Value query_keys = Value::list(loc);
  if (const size_t q = path_and_more.find('?'); q != std::string::npos) {
    std::string query = path_and_more.substr(q + 1, path_and_more.find('#', q) - q - 1);
    size_t start = 0;
    while (start <= query.size()) {
      const size_t amp = query.find('&', start);
      const std::string pair =
          query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      if (!pair.empty()) query_keys.push(Value::of_string(pair.substr(0, pair.find('=')), loc));
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
  }
  endpoint.set("scheme", Value::of_string(scheme, loc));
  endpoint.set("host", Value::of_string(host, loc));
  endpoint.set("port", std::move(port));
  endpoint.set("path", Value::of_string(path, loc));
  endpoint.set("loopback", Value::of_bool(is_loopback_host(host), loc));
  endpoint.set("has_variables", Value::of_bool(text.find("${") != std::string::npos ||
                                                   text.find("{{") != std::string::npos,
                                               loc));
  endpoint.set("has_userinfo", Value::of_bool(has_userinfo, loc));
  endpoint.set("query_keys", std::move(query_keys));
  return endpoint;
}

std::vector<std::string> derive_all(model::Graph& graph, const SecretClassifier& secrets,
                                    const PrivilegeCatalog* privileges,
                                    const CapabilityCatalog* capabilities, unsigned jobs) {
  // Each MCP server is derived on its own (secret classification is most of the work), so
  // they run in parallel; the secrets found are joined in entity order, as sequentially.
  std::vector<model::Entity*> servers;
  for (auto& entity : graph.entities_mut()) {
    if (entity.kind == model::EntityKind::kMcpServer) servers.push_back(&entity);
  }
  std::vector<std::vector<std::string>> found_per_server(servers.size());
  core::parallel_for(servers.size(), jobs, [&](size_t i) {
    derive_mcp_server(*servers[i], secrets, found_per_server[i]);
  });
  std::vector<std::string> found;
  for (auto& secrets_found : found_per_server) {
    found.insert(found.end(), std::make_move_iterator(secrets_found.begin()),
                 std::make_move_iterator(secrets_found.end()));
  }
  // After the servers' launch and endpoint, which it reads.
  derive_capabilities(graph, capabilities != nullptr ? *capabilities : CapabilityCatalog{});
  derive_agents(graph, secrets, found);
  derive_k8s(graph, secrets, found);
  derive_iam(graph, privileges != nullptr ? *privileges : PrivilegeCatalog{});
  return found;
}

}  // namespace fermata::derive
