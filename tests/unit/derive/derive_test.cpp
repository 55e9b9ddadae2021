#include "derive/derive.hpp"

#include <doctest/doctest.h>

#include "derive/secrets.hpp"

using namespace fermata;
using model::Value;

namespace {

bool loopback(const std::string& url) {
  return derive::parse_endpoint(Value::of_string(url)).get("loopback")->boolean;
}

std::string field(const std::string& url, const std::string& name) {
  return derive::parse_endpoint(Value::of_string(url)).get(name)->text;
}

}  // namespace

TEST_CASE("endpoints are parsed into scheme, host, port, path and query keys") {
  CHECK(field("HTTP://Example.COM:8080/mcp?x=1", "scheme") == "http");
  CHECK(field("HTTP://Example.COM:8080/mcp?x=1", "host") == "example.com");
  CHECK(field("https://h/mcp/sse?token=a&b=2#frag", "path") == "/mcp/sse");
  CHECK(derive::parse_endpoint(Value::of_string("https://h:443/x")).get("port")->number == 443);
  CHECK(derive::parse_endpoint(Value::of_string("https://h/x")).get("port")->is_null());
  // Held in a variable: get() points into the value, which must outlive `keys`.
  const Value endpoint = derive::parse_endpoint(Value::of_string("https://h/?token=a&b=2"));
  const Value* keys = endpoint.get("query_keys");
  REQUIRE(keys->items.size() == 2);
  CHECK(keys->items[0].text == "token");
  CHECK(field("http://[::1]:7000/mcp", "host") == "::1");
  CHECK(derive::parse_endpoint(Value::of_string("https://u:p@h/")).get("has_userinfo")->boolean);
  CHECK_FALSE(
      derive::parse_endpoint(Value::of_string("https://u@h/")).get("has_userinfo")->boolean);
}

TEST_CASE("loopback means the traffic never leaves the machine") {
  CHECK(loopback("http://localhost:3000/mcp"));
  CHECK(loopback("http://LOCALHOST/mcp"));
  CHECK(loopback("http://127.0.0.1:8931/sse"));
  CHECK(loopback("http://127.1.2.3/"));
  CHECK(loopback("http://[::1]:7000/"));
  CHECK(loopback("http://app.localhost/"));
  CHECK_FALSE(loopback("http://127.0.0.1.example.com/"));
  CHECK_FALSE(loopback("http://localhost.example.com/"));
  CHECK_FALSE(loopback("http://10.0.0.1/"));
  CHECK_FALSE(loopback("http://host.docker.internal:8080/"));
}

TEST_CASE("a server a cluster runs from an image gets launch.image from its image attribute") {
  std::vector<derive::SecretPattern> no_patterns;
  core::DiagnosticSink sink;
  const derive::SecretClassifier secrets(no_patterns, "none", sink);
  model::Graph graph;
  const core::SourceLoc at{"mcp.yaml", {7, 12, 7, 40}};
  model::Entity& only_image = graph.add(model::EntityKind::kMcpServer, "github", at);
  only_image.attrs.set("image", Value::of_string("ghcr.io/github/github-mcp-server:v1", at));
  model::Entity& pinned = graph.add(model::EntityKind::kMcpServer, "fetch", at);
  pinned.attrs.set("image",
                   Value::of_string("ghcr.io/acme/fetch@sha256:" + std::string(64, 'a'), at));
  model::Entity& with_command = graph.add(model::EntityKind::kMcpServer, "everything", at);
  with_command.attrs.set("image", Value::of_string("node:22", at));
  with_command.attrs.set("command", Value::of_string("npx", at));
  Value args = Value::list(at);
  args.push(Value::of_string("-y", at));
  args.push(Value::of_string("@modelcontextprotocol/server-everything@2026.1.14", at));
  with_command.attrs.set("args", std::move(args));
  derive::derive_all(graph, secrets);

  const Value* launch = graph.at(0).attrs.get("launch");
  CHECK(launch->get("launcher")->text == "container");
  CHECK(launch->get("image")->text == "ghcr.io/github/github-mcp-server");
  CHECK(launch->get("image_tag")->text == "v1");
  CHECK_FALSE(launch->get("pinned")->boolean);
  CHECK(launch->get("image")->loc.line() == 7);
  CHECK(graph.at(1).attrs.get("launch")->get("pinned")->boolean);
  // The package launched inside the image decides the launcher and its pinning.
  const Value* inner = graph.at(2).attrs.get("launch");
  CHECK(inner->get("launcher")->text == "npx");
  CHECK(inner->get("pinned")->boolean);
  CHECK(inner->get("image")->text == "node");
}
