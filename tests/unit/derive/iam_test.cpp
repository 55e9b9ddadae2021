#include "derive/iam.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "parsers/iam/iam_parsers.hpp"
#include "parsers/syntax/json_reader.hpp"
#include "parsers/syntax/yaml_reader.hpp"
#include "rules/rule_set.hpp"

using namespace fermata;
using model::Value;

namespace {

const derive::PrivilegeCatalog& shipped_catalog() {
  static const derive::PrivilegeCatalog kCatalog = [] {
    core::DiagnosticSink sink;
    derive::PrivilegeCatalog catalog;
    for (const auto& source : rules::builtin_catalog_sources()) {
      if (source.path == "rules/catalog/iam-privilege.yaml")
        catalog = derive::parse_privilege_catalog(source.path, source.text, sink);
    }
    REQUIRE(sink.items().empty());
    return catalog;
  }();
  return kCatalog;
}

model::Graph derived_policy(const std::string& json) {
  model::Graph graph;
  core::DiagnosticSink sink;
  auto doc = syntax::read_json("p.json", json, core::Limits{}, sink);
  REQUIRE(doc.has_value());
  REQUIRE(parsers::AwsPolicyFileParser().parse(*doc, graph, sink));
  derive::derive_iam(graph, shipped_catalog());
  return graph;
}

std::vector<std::string> escalation_ids(const model::Graph& graph) {
  std::vector<std::string> out;
  for (const auto& item : graph.entities().front().attrs.get("escalations")->items)
    out.push_back(item.get("id")->text);
  return out;
}

}  // namespace

TEST_CASE("iam action patterns: IAM's wildcards, case-insensitive") {
  CHECK(derive::action_matches("*", "iam:PassRole"));
  CHECK(derive::action_matches("iam:*", "iam:PassRole"));
  CHECK(derive::action_matches("iam:Pass*", "iam:PassRole"));
  CHECK(derive::action_matches("IAM:passrole", "iam:PassRole"));
  CHECK(derive::action_matches("iam:P?ssRole", "iam:PassRole"));
  CHECK(derive::action_matches("s3:*Object*", "s3:GetObjectAcl"));
  CHECK_FALSE(derive::action_matches("s3:Get*", "s3:PutObject"));
  CHECK_FALSE(derive::action_matches("iam:PassRole", "iam:PassRoles"));
  CHECK_FALSE(derive::action_matches("iam", "iam:PassRole"));
  CHECK_FALSE(derive::action_matches("", "iam:PassRole"));
}

TEST_CASE("iam privilege catalog: the shipped one is valid, a broken one is diagnosed") {
  const auto& catalog = shipped_catalog();
  CHECK(catalog.escalation_sets.size() >= 28);
  CHECK(catalog.aws_admin_policies.size() >= 2);
  CHECK(catalog.gcp_admin_roles.size() >= 2);
  core::DiagnosticSink sink;
  derive::parse_privilege_catalog(
      "bad.yaml",
      "aws_escalation_sets:\n  - {id: a, name: x, actions: [PassRole]}\n  - {id: a, name: y, "
      "actions: []}\nadmin_equivalent: {azure: []}\nextra: 1\n",
      sink);
  CHECK(sink.size() == 5);
  for (const auto& d : sink.items()) CHECK(d.code == core::DiagCode::kCatalogInvalid);
}

TEST_CASE("iam escalation sets: union of statements, wildcards, Deny and conditions") {
  CHECK(escalation_ids(derived_policy(R"({"Statement": [
      {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
      {"Effect": "Allow", "Action": ["ec2:Run*"], "Resource": "*"}]})")) ==
        std::vector<std::string>{"passrole-ec2"});
  // NotAction allows what it does not list.
  auto by_exclusion = escalation_ids(derived_policy(R"({"Statement": [
      {"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": "*"}]})"));
  CHECK(std::find(by_exclusion.begin(), by_exclusion.end(), "update-lambda-code") !=
        by_exclusion.end());
  CHECK(std::find(by_exclusion.begin(), by_exclusion.end(), "create-policy-version") ==
        by_exclusion.end());
  CHECK(escalation_ids(derived_policy(R"({"Statement": [
      {"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*"},
      {"Effect": "Deny", "Action": "iam:Create*", "Resource": "*"}]})"))
            .empty());
  CHECK(escalation_ids(derived_policy(R"({"Statement": [
      {"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*",
       "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})"))
            .empty());
  // An administrator policy is reported as such, not as every path at once.
  CHECK(escalation_ids(
            derived_policy(R"({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})"))
            .empty());
  const auto graph = derived_policy(R"({"Statement": [
      {"Effect": "Allow", "Action": ["s3:GetObject", "iam:AttachRolePolicy"],
       "Resource": "arn:aws:iam::111122223333:role/*"}]})");
  const Value& found = graph.entities().front().attrs.get("escalations")->items.at(0);
  CHECK(found.get("id")->text == "attach-role-policy");
  CHECK(found.loc.line() == 2);
  CHECK(found.loc.column() == 54);
}

TEST_CASE("iam principals: policies of the same template, admin managed policies") {
  model::Graph graph;
  core::DiagnosticSink sink;
  auto doc = syntax::read_yaml("t.yaml", R"(Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: agent
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/administratoraccess]
  Extra:
    Type: AWS::IAM::Policy
    Properties:
      Roles: [!Ref Role]
      PolicyDocument:
        Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]
)",
                               core::Limits{}, sink);
  REQUIRE(doc.has_value());
  REQUIRE(parsers::CloudFormationParser().parse(*doc, graph, sink));
  derive::derive_iam(graph, shipped_catalog());
  const model::Entity* role = nullptr;
  for (const auto& e : graph.entities()) {
    if (e.name == "AWS::IAM::Role/agent") role = &e;
  }
  REQUIRE(role != nullptr);
  REQUIRE(role->attrs.get("policies")->items.size() == 1);
  CHECK(graph.at(role->attrs.get("policies")->items[0].ref).name == "AWS::IAM::Policy/Extra");
  CHECK(graph.at(role->attrs.get("trust_policy")->ref).name == "AWS::IAM::Role/agent (trust)");
  REQUIRE(role->attrs.get("admin_policies")->items.size() == 1);
  CHECK(role->attrs.get("admin_policies")->items[0].get("arn")->loc.line() == 8);
}
