#include "derive/derive.hpp"

#include <doctest/doctest.h>

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
