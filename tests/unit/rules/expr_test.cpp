#include "rules/expr.hpp"

#include <doctest/doctest.h>

#include "rules/evaluator.hpp"

using namespace fermata;
using model::Value;

namespace {

struct Fixture {
  model::Graph graph;
  model::EntityId agent = 0;
  model::EntityId server = 0;

  Fixture() {
    model::Entity& a =
        graph.add(model::EntityKind::kAgent, "Claude Code", {"f.json", {1, 1, 1, 1}});
    agent = a.id;
    a.attrs.set("name", Value::of_string("Claude Code"));
    a.attrs.set("client", Value::of_string("Claude Code"));
    model::Entity& s =
        graph.add(model::EntityKind::kMcpServer, "github", {"f.json", {3, 5, 3, 12}});
    server = s.id;
    s.attrs.set("name", Value::of_string("github"));
    s.attrs.set("client", Value::of_ref(agent));
    s.attrs.set("remote", Value::of_bool(true));
    s.attrs.set("transport", Value::of_string("http"));
    Value args = Value::list();
    args.push(Value::of_string("-y"));
    args.push(Value::of_string("/"));
    s.attrs.set("args", args);
    Value endpoint = Value::record();
    endpoint.set("scheme", Value::of_string("http"));
    endpoint.set("port", Value::of_number(8080));
    endpoint.set("loopback", Value::of_bool(false));
    s.attrs.set("endpoint", endpoint);
  }

  bool eval(std::string_view text) {
    rules::ExprError error;
    rules::TypeScope scope;
    scope.entity = model::EntityKind::kMcpServer;
    auto expr = rules::compile_expression(text, scope, true, error);
    REQUIRE_MESSAGE(expr != nullptr, error.message);
    rules::EvalContext context(graph, graph.at(server));
    return context.condition(*expr);
  }

  rules::ExprError error_of(std::string_view text) {
    rules::ExprError error;
    rules::TypeScope scope;
    scope.entity = model::EntityKind::kMcpServer;
    auto expr = rules::compile_expression(text, scope, true, error);
    CHECK(expr == nullptr);
    return error;
  }
};

}  // namespace

TEST_CASE("expressions evaluate with the documented semantics") {
  Fixture f;
  CHECK(f.eval("remote"));
  CHECK(f.eval("remote and endpoint.scheme == \"http\" and not endpoint.loopback"));
  CHECK_FALSE(f.eval("endpoint.scheme == 'https'"));
  CHECK(f.eval("endpoint.scheme in [\"http\", \"ws\"]"));
  CHECK(f.eval("endpoint.scheme not in [\"https\"]"));
  CHECK(f.eval("endpoint.port >= 8000 and endpoint.port < 9000"));
  CHECK(f.eval("name startswith \"git\" and name endswith \"hub\" and name contains \"th\""));
  CHECK(f.eval("name matches \"^gi.h\\\\w+$\""));
  CHECK(f.eval("upper(name) == \"GITHUB\" and lower(\"AbC\") == \"abc\""));
  CHECK(f.eval("len(args) == 2 and len(name) == 6"));
  CHECK(f.eval("basename(\"a/b/c.json\") == \"c.json\""));
  CHECK(f.eval("any a in args: a == \"/\""));
  CHECK_FALSE(f.eval("all a in args: a == \"/\""));
  CHECK(f.eval("args contains \"-y\""));
  CHECK(f.eval("client.client == \"Claude Code\""));
  CHECK(f.eval("client.name == \"Claude Code\" or false"));
}

TEST_CASE("missing attributes are null, and null compares false except with == null") {
  Fixture f;
  CHECK(f.eval("url == null"));
  CHECK_FALSE(f.eval("url != null"));
  CHECK_FALSE(f.eval("url == \"x\""));
  CHECK_FALSE(f.eval("url matches \".*\""));
  CHECK(f.eval("not (url startswith \"h\")"));
  CHECK_FALSE(f.eval("any e in env: e.key == \"A\""));
  CHECK(f.eval("all e in env: e.key == \"A\""));
  CHECK_FALSE(f.eval("launch.pinned"));
}

TEST_CASE("expression errors point at the offending character") {
  Fixture f;
  auto unknown = f.error_of("remote and endpoint.shceme == \"http\"");
  CHECK(unknown.offset == 11);
  CHECK(unknown.message.find("unknown attribute 'shceme' of endpoint") != std::string::npos);
  CHECK(unknown.message.find("scheme") != std::string::npos);  // lists what is known

  auto regex = f.error_of("name matches \"(unclosed\"");
  CHECK(regex.regex);
  CHECK(regex.offset == 13);

  CHECK(f.error_of("name ==").message.find("end of expression") != std::string::npos);
  CHECK(f.error_of("name").message.find("must be a condition") != std::string::npos);
  CHECK(f.error_of("remote and args").offset == 11);
  CHECK(f.error_of("endpoint.port == \"80\"").message.find("cannot compare number with string") !=
        std::string::npos);
  CHECK(f.error_of("name matches 5").message.find("string pattern") != std::string::npos);
  CHECK(f.error_of("any x in name: x == \"a\"").message.find("ranges over a list") !=
        std::string::npos);
  CHECK(f.error_of("name == \"unterminated").message == "unterminated string");
  CHECK(f.error_of("name == 'a' ; remote").message.find("unexpected character ';'") !=
        std::string::npos);
  CHECK(f.error_of("remote.x").message.find("has no attribute 'x'") != std::string::npos);
  CHECK(f.error_of("endpoint.port < \"a\"").message.find("ordering") != std::string::npos);
}

TEST_CASE("expression nesting is bounded, so a hostile rule cannot overflow the stack") {
  // Found by review and confirmed with a rule of 100000 '(' (and 200000 'not '): before the
  // bound, `fermata rules validate` died of a stack overflow.
  Fixture f;
  const std::string ok = std::string(30, '(') + "remote" + std::string(30, ')');
  CHECK(f.eval(ok));
  const auto deep = f.error_of(std::string(100000, '(') + "remote" + std::string(100000, ')'));
  CHECK(deep.message == "expression nested deeper than 64 levels");
  CHECK(deep.offset == 64);
  std::string nots;
  for (int i = 0; i < 200000; ++i) nots += "not ";
  CHECK(f.error_of(nots + "remote").message.find("nested deeper") != std::string::npos);
  std::string lists = "name in ";
  for (int i = 0; i < 5000; ++i) lists += "[";
  CHECK(f.error_of(lists).message.find("nested deeper") != std::string::npos);
  std::string calls;
  for (int i = 0; i < 5000; ++i) calls += "len(";
  CHECK(f.error_of(calls).message.find("nested deeper") != std::string::npos);
  std::string quantifiers;
  for (int i = 0; i < 5000; ++i) quantifiers += "any a" + std::to_string(i) + " in args: ";
  CHECK(f.error_of(quantifiers + "remote").message.find("nested deeper") != std::string::npos);
}

TEST_CASE("a number too large for a double is an error at its offset") {
  Fixture f;
  const auto error = f.error_of("len(name) > " + std::string(400, '9'));
  CHECK(error.offset == 12);
  CHECK(error.message == "number 99999999999999999999... is out of range");
}
