#include <map>
#include <string>
#include <utility>
#include <vector>

#include "parsers/iam/iam_parsers.hpp"
#include "parsers/iam/policy_document.hpp"

namespace fermata::parsers {
namespace {

using model::Value;
using syntax::Member;
using syntax::Node;

/// Resource types whose property holds a resource policy.
struct ResourcePolicy {
  std::string_view type;
  std::string_view property;
};
constexpr ResourcePolicy kResourcePolicies[] = {
    {"AWS::S3::BucketPolicy", "PolicyDocument"},
    {"AWS::SQS::QueuePolicy", "PolicyDocument"},
    {"AWS::SNS::TopicPolicy", "PolicyDocument"},
    {"AWS::KMS::Key", "KeyPolicy"},
    {"AWS::SecretsManager::ResourcePolicy", "ResourcePolicy"},
    {"AWS::ECR::Repository", "RepositoryPolicyText"},
};

class TemplateReader {
 public:
  TemplateReader(const syntax::Document& document, model::Graph& graph)
      : document_(document), graph_(graph) {}

  bool read(const Node& resources) {
    // Names first: policies name the roles they attach to by !Ref, before or after them.
    for (const auto& resource : resources.members) {
      const Node* properties = resource.value.get("Properties");
      const std::string type = type_of(resource.value);
      std::string name = resource.key;
      for (const char* key : {"RoleName", "UserName", "GroupName", "ManagedPolicyName"}) {
        const Node* given =
            properties != nullptr && properties->is_object() ? properties->get(key) : nullptr;
        if (given != nullptr && given->is_scalar()) name = given->text;
      }
      names_[resource.key] = name;
      types_[resource.key] = type;
    }
    bool any = false;
    for (const auto& resource : resources.members) any = resource_facts(resource) || any;
    for (auto& [logical, roles] : managed_attachments_) {
      for (model::Entity* grant : policies_[logical]) {
        Value* attached = grant->attrs.get_mut("attached_to");
        for (auto& role : roles) attached->push(role);
      }
    }
    return any;
  }

 private:
  static std::string type_of(const Node& resource) {
    const Node* type = resource.is_object() ? resource.get("Type") : nullptr;
    return type != nullptr && type->is_scalar() ? type->text : "";
  }

  /// A `${LogicalId}` reference resolves to that resource's name.
  [[nodiscard]] std::string resolve(const std::string& text) const {
    if (text.size() > 3 && text.rfind("${", 0) == 0 && text.back() == '}') {
      const std::string logical = text.substr(2, text.size() - 3);
      if (const auto found = names_.find(logical); found != names_.end()) return found->second;
    }
    return text;
  }

  Value names_at(const Node& properties, std::string_view key) const {
    const Member* member = properties.member(key);
    if (member == nullptr) return Value::list(document_.loc(properties.span));
    Value list = iam::string_list(document_, &member->value, document_.loc(member->key_span));
    for (auto& item : list.items) item.text = resolve(item.text);
    return list;
  }

  bool resource_facts(const Member& resource) {
    const std::string& type = types_[resource.key];
    const Node* properties =
        resource.value.is_object() ? resource.value.get("Properties") : nullptr;
    if (properties == nullptr || !properties->is_object()) return false;
    const std::string& name = names_[resource.key];
    const core::SourceLoc at = document_.loc(resource.key_span);
    if (type == "AWS::IAM::Role" || type == "AWS::IAM::User" || type == "AWS::IAM::Group") {
      Value managed = Value::list(at);
      if (const Member* arns = properties->member("ManagedPolicyArns")) {
        managed = iam::string_list(document_, &arns->value, document_.loc(arns->key_span));
        for (const auto& arn : managed.items) {
          // A !Ref to a managed policy of this template attaches that policy here.
          if (arn.text.rfind("${", 0) == 0 && arn.text.back() == '}') {
            managed_attachments_[arn.text.substr(2, arn.text.size() - 3)].push_back(
                Value::of_string(name, arn.loc));
          }
        }
      }
      iam::add_aws_principal(graph_, type, name, at, std::move(managed));
      const Value attached = Value::of_string(name, at);
      if (const Member* trust = properties->member("AssumeRolePolicyDocument")) {
        add_policy(trust->value, name + " (trust)", "trust", {attached}, type, trust->key_span);
      }
      if (const Node* inline_policies = properties->get("Policies");
          inline_policies != nullptr && inline_policies->is_array()) {
        for (const auto& policy : inline_policies->items) {
          const Member* doc = policy.is_object() ? policy.member("PolicyDocument") : nullptr;
          if (doc == nullptr) continue;
          const Node* policy_name = policy.get("PolicyName");
          const auto text = policy_name != nullptr ? iam::scalar_text(*policy_name) : std::nullopt;
          add_policy(doc->value, name + "/" + text.value_or("inline"), "identity", {attached}, type,
                     doc->key_span);
        }
      }
      return true;
    }
    if (type == "AWS::IAM::Policy" || type == "AWS::IAM::ManagedPolicy") {
      const Member* doc = properties->member("PolicyDocument");
      if (doc == nullptr) return false;
      std::vector<Value> attached;
      for (const char* key : {"Roles", "Users", "Groups"}) {
        for (auto& item : names_at(*properties, key).items) attached.push_back(std::move(item));
      }
      std::string policy_name = name;
      if (const Node* given = properties->get("PolicyName")) {
        if (const auto text = iam::scalar_text(*given)) policy_name = *text;
      }
      model::Entity* grant =
          add_policy(doc->value, policy_name, "identity", attached, type, doc->key_span);
      if (grant != nullptr) policies_[resource.key].push_back(grant);
      return grant != nullptr;
    }
    for (const auto& rp : kResourcePolicies) {
      if (type != rp.type) continue;
      const Member* doc = properties->member(rp.property);
      if (doc == nullptr) return false;
      return add_policy(doc->value, name, "resource", {}, type, doc->key_span) != nullptr;
    }
    return false;
  }

  model::Entity* add_policy(const Node& doc, const std::string& name, const std::string& type,
                            const std::vector<Value>& attached, const std::string& carrier,
                            const core::Span& key_span) {
    iam::PolicySource source;
    source.name = name;
    source.policy_type = type;
    source.attached_to = attached;
    source.carrier = carrier;
    source.loc = document_.loc(key_span);
    return iam::add_aws_policy(document_, doc, source, graph_);
  }

  const syntax::Document& document_;
  model::Graph& graph_;
  std::map<std::string, std::string> names_;
  std::map<std::string, std::string> types_;
  std::map<std::string, std::vector<Value>> managed_attachments_;
  std::map<std::string, std::vector<model::Entity*>> policies_;
};

}  // namespace

Claim CloudFormationParser::claims(std::string_view path, std::string_view text) const {
  const bool yaml = iam::path_ends_with(path, ".yaml") || iam::path_ends_with(path, ".yml") ||
                    iam::path_ends_with(path, ".template");
  const bool json = iam::path_ends_with(path, ".json");
  if (yaml) {
    if (iam::has_line_key(text, "AWSTemplateFormatVersion:"))
      return {true, Syntax::kYaml, true, false};
    if (iam::has_line_key(text, "Resources:") && text.find("AWS::") != std::string_view::npos &&
        text.find("Type:") != std::string_view::npos) {
      return {true, Syntax::kYaml, false, false};
    }
  } else if (json) {
    if (iam::has_json_key(text, "AWSTemplateFormatVersion"))
      return {true, Syntax::kJson, true, false};
    if (iam::has_json_key(text, "Resources") && text.find("\"AWS::") != std::string_view::npos)
      return {true, Syntax::kJson, false, false};
  }
  return {};
}

bool CloudFormationParser::parse(const syntax::Document& document, model::Graph& graph,
                                 core::DiagnosticSink& /*sink*/) const {
  if (document.roots.empty() || !document.roots.front().is_object()) return false;
  const Node* resources = document.roots.front().get("Resources");
  if (resources == nullptr || !resources->is_object()) return false;
  TemplateReader reader(document, graph);
  reader.read(*resources);
  // A template is recognised even when it declares no IAM: its format is known.
  return true;
}

}  // namespace fermata::parsers
