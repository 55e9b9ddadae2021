#include "derive/reach.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fermata::derive {
namespace {

using model::Entity;
using model::EntityId;
using model::EntityKind;
using model::has_items;
using model::is_true;
using model::text_of;
using model::Value;
using model::ValueKind;

struct Step {
  std::string text;
  core::SourceLoc loc;
};
using Chain = std::vector<Step>;

struct Reached {
  std::string capability;
  std::string via;
  Chain chain;
};

struct Power {
  std::string power;
  std::string identity;
  std::string via;
  Step grant;
  Chain chain;
};

struct Reach {
  std::vector<Reached> capabilities;
  std::vector<Power> powers;
};

constexpr size_t kMaxDelegationDepth = 8;

std::string_view capability_phrase(std::string_view capability) {
  if (capability == "untrusted_input") return "reads content others control";
  if (capability == "private_data") return "reads private data";
  if (capability == "writes_files") return "writes files";
  if (capability == "code_execution") return "executes code";
  if (capability == "sends_out") return "sends data out";
  if (capability == "modifies_infrastructure") return "changes infrastructure";
  if (capability == "spends_money") return "spends money";
  return capability;
}

/// What a Kubernetes or cloud power lets its holder do, as capabilities.
std::vector<std::string_view> capabilities_of_power(std::string_view power) {
  if (power == "cluster-admin") return {"modifies_infrastructure", "private_data"};
  if (power == "read-secrets") return {"private_data"};
  if (power == "exec-pods") return {"code_execution"};
  if (power == "create-workloads") return {"modifies_infrastructure", "code_execution"};
  if (power == "rbac-escalation") return {"modifies_infrastructure"};
  if (power == "cloud-admin") return {"modifies_infrastructure", "private_data", "spends_money"};
  if (power == "cloud-escalation") return {"modifies_infrastructure"};
  return {};
}

std::vector<std::string_view> capabilities_of_tool_kind(std::string_view kind) {
  if (kind == "shell" || kind == "code") return {"code_execution"};
  if (kind == "filesystem") return {"private_data", "writes_files"};
  if (kind == "fetch") return {"untrusted_input", "sends_out"};
  return {};
}

bool holds(const Value* list, std::initializer_list<std::string_view> wanted) {
  if (!has_items(list)) return false;
  return std::any_of(list->items.begin(), list->items.end(), [&](const Value& item) {
    return item.text == "*" || std::find(wanted.begin(), wanted.end(), item.text) != wanted.end();
  });
}

/// The powers one grant gives, each with the location that gives it.
std::vector<std::pair<std::string, Step>> powers_of_grant(const Entity& grant) {
  std::vector<std::pair<std::string, Step>> found;
  const Value& attrs = grant.attrs;
  const std::string& source = text_of(attrs.get("source"));
  const std::string& role = text_of(attrs.get("role"));
  const std::string label = role.empty() ? grant.name : role;
  if (source == "kubernetes") {
    const Value* verbs = attrs.get("verbs");
    const Value* resources = attrs.get("resources");
    auto add = [&](std::string power, const std::string& what) {
      found.emplace_back(std::move(power), Step{"role '" + label + "' " + what, grant.loc});
    };
    const bool all_verbs = holds(verbs, {}) && has_items(verbs) &&
                           std::any_of(verbs->items.begin(), verbs->items.end(),
                                       [](const Value& v) { return v.text == "*"; });
    const bool all_resources =
        has_items(resources) && std::any_of(resources->items.begin(), resources->items.end(),
                                            [](const Value& v) { return v.text == "*"; });
    if (all_verbs && all_resources) {
      add("cluster-admin", "allows every verb on every resource");
      return found;
    }
    // resourceNames confines a rule to named objects: reading one Secret is not reading all.
    const bool named_objects_only = has_items(attrs.get("resource_names"));
    if (!named_objects_only && holds(resources, {"secrets"}) &&
        holds(verbs, {"get", "list", "watch"})) {
      add("read-secrets", "can read Secrets");
    }
    if (holds(resources, {"pods/exec", "pods/attach"}) && holds(verbs, {"create", "get"})) {
      add("exec-pods", "can run commands in pods (pods/exec)");
    }
    if (holds(resources, {"pods", "deployments", "daemonsets", "statefulsets", "jobs", "cronjobs",
                          "replicasets"}) &&
        holds(verbs, {"create"})) {
      add("create-workloads", "can create workloads");
    }
    if (holds(verbs, {"bind", "escalate", "impersonate"}) ||
        (holds(resources, {"roles", "clusterroles", "rolebindings", "clusterrolebindings"}) &&
         holds(verbs, {"create", "update", "patch"}))) {
      add("rbac-escalation", "can grant itself more (bind, escalate, impersonate or RBAC writes)");
    }
    return found;
  }
  if (const Value* statements = attrs.get("statements")) {
    for (const auto& statement : statements->items) {
      if (is_true(statement.get("admin"))) {
        found.emplace_back("cloud-admin", Step{"policy '" + label +
                                                   "' allows every action on "
                                                   "every resource",
                                               statement.loc});
        break;
      }
    }
  }
  if (const Value* escalations = attrs.get("escalations"); has_items(escalations)) {
    const Value& first = escalations->items.front();
    found.emplace_back("cloud-escalation",
                       Step{"policy '" + label + "' allows privilege escalation (" +
                                text_of(first.get("name")) + ")",
                            first.loc});
  }
  if (is_true(attrs.get("admin_equivalent"))) {
    found.emplace_back("cloud-admin",
                       Step{"Google role '" + label + "' is admin-equivalent", grant.loc});
  }
  if (source == "azure-rbac" && holds(attrs.get("actions"), {})) {
    const Value* actions = attrs.get("actions");
    for (const auto& action : actions->items) {
      if (action.text == "*") {
        found.emplace_back("cloud-admin",
                           Step{"Azure role '" + label + "' allows every action", action.loc});
        break;
      }
    }
  }
  return found;
}

std::string concat(std::initializer_list<std::string_view> parts) {
  std::string joined;
  for (auto part : parts) joined += part;
  return joined;
}

/// A Kubernetes object as people write it: `namespace/name`; other entities by name.
std::string short_name(const Entity& entity) {
  const std::string& name = text_of(entity.attrs.get("name"));
  if (name.empty()) return entity.name;
  const std::string& ns = text_of(entity.attrs.get("namespace"));
  return ns.empty() ? name : ns + "/" + name;
}

Chain prefixed(const Step& first, const Chain& rest) {
  Chain chain;
  chain.reserve(rest.size() + 1);
  chain.push_back(first);
  chain.insert(chain.end(), rest.begin(), rest.end());
  return chain;
}

class ReachCalculator {
 public:
  explicit ReachCalculator(model::Graph& graph) : graph_(graph) {}

  /// An MCP server's own capabilities and the powers of the identities behind it.
  const Reach& server(EntityId id) {
    if (auto found = servers_.find(id); found != servers_.end()) return found->second;
    Reach reach;
    const Entity& server = graph_.at(id);
    const std::string via = "MCP server '" + server.name + "'";
    if (const Value* capabilities = server.attrs.get("capabilities")) {
      const std::string& entry = text_of(server.attrs.get("catalog_entry"));
      const std::string basis = entry.empty() ? " (assumed: not in the capability catalog)"
                                              : " (capability catalog: " + entry + ")";
      for (const auto& capability : capabilities->items) {
        reach.capabilities.push_back(
            {capability.text,
             via,
             {{concat({via, " ", capability_phrase(capability.text), basis}),
               capability.loc.valid() ? capability.loc : server.loc}}});
      }
    }
    if (const Value* workloads = server.attrs.get("workloads")) {
      for (const auto& workload_ref : workloads->items) {
        if (workload_ref.ref >= graph_.size()) continue;
        add_workload_powers(server, workload_ref.ref, via, reach);
      }
    }
    return servers_.emplace(id, std::move(reach)).first->second;
  }

  /// An agent's whole reach: its own settings, tools, servers and delegates.
  Reach agent(EntityId id, std::set<EntityId>& visiting, size_t depth) {
    Reach reach;
    const Entity& agent = graph_.at(id);
    const Value& attrs = agent.attrs;
    const std::string self = "agent '" + agent.name + "'";
    // What the agent holds itself, as opposed to through a server, a tool or a delegate.
    const std::string own = "its own configuration";
    if (text_of(attrs.get("kind")) == "coding-assistant") {
      for (std::string_view capability : {"private_data", "writes_files"}) {
        reach.capabilities.push_back(
            {std::string(capability),
             "the repository it works in",
             {{self + " is a coding assistant: it reads and edits the repository", agent.loc}}});
      }
    }
    const std::string& code = text_of(attrs.get("code_execution"));
    if (code == "safe" || code == "unsafe") {
      reach.capabilities.push_back({"code_execution",
                                    own,
                                    {{self + " executes the code it writes (" + code + " mode)",
                                      attrs.get("code_execution")->loc}}});
    }
    if (is_true(attrs.get("unrestricted_shell"))) {
      reach.capabilities.push_back({"code_execution",
                                    own,
                                    {{self + " may run any shell command without asking",
                                      attrs.get("unrestricted_shell")->loc}}});
    }
    if (const Value* tools = attrs.get("tools")) {
      for (const auto& tool : tools->items) add_tool(self, tool, reach);
    }
    if (const Value* servers = attrs.get("servers")) {
      for (const auto& ref : servers->items) {
        if (ref.ref >= graph_.size()) continue;
        const Entity& server = graph_.at(ref.ref);
        if (is_true(server.attrs.get("disabled"))) continue;
        const Step uses{self + " uses MCP server '" + server.name + "'",
                        ref.loc.valid() ? ref.loc : server.loc};
        const Reach& behind = this->server(ref.ref);
        for (const auto& item : behind.capabilities) {
          reach.capabilities.push_back({item.capability, item.via, prefixed(uses, item.chain)});
        }
        for (const auto& power : behind.powers) {
          Power through = power;
          through.chain = prefixed(uses, power.chain);
          reach.powers.push_back(std::move(through));
        }
      }
    }
    if (const Value* delegates = attrs.get("delegates"); depth < kMaxDelegationDepth) {
      if (delegates != nullptr) {
        for (const auto& ref : delegates->items) {
          if (ref.ref >= graph_.size() || visiting.contains(ref.ref)) continue;
          const Entity& delegate = graph_.at(ref.ref);
          const Step hands{self + " delegates to agent '" + delegate.name + "'", ref.loc};
          visiting.insert(ref.ref);
          const Reach behind = this->agent(ref.ref, visiting, depth + 1);
          visiting.erase(ref.ref);
          for (const auto& item : behind.capabilities) {
            reach.capabilities.push_back(
                {item.capability, "agent '" + delegate.name + "'", prefixed(hands, item.chain)});
          }
          for (const auto& power : behind.powers) {
            Power through = power;
            through.via = "agent '" + delegate.name + "'";
            through.chain = prefixed(hands, power.chain);
            reach.powers.push_back(std::move(through));
          }
        }
      }
    }
    return reach;
  }

  /// identity id -> who acts as it, each at the line that makes it so.
  std::map<EntityId, std::vector<Step>>& acting_for() { return acting_for_; }

 private:
  void add_tool(const std::string& self, const Value& tool, Reach& reach) {
    const std::string name = text_of(tool.get("name"));
    const std::string via = "tool '" + name + "'";
    std::vector<std::pair<std::string, core::SourceLoc>> capabilities;
    if (const Value* listed = tool.get("capabilities"); has_items(listed)) {
      for (const auto& item : listed->items) capabilities.emplace_back(item.text, item.loc);
    } else {
      for (auto capability : capabilities_of_tool_kind(text_of(tool.get("kind")))) {
        capabilities.emplace_back(std::string(capability), tool.loc);
      }
    }
    for (auto& [capability, loc] : capabilities) {
      reach.capabilities.push_back(
          {capability,
           via,
           {{concat({self, " has ", via, ", which ", capability_phrase(capability)}),
             loc.valid() ? loc : tool.loc}}});
    }
  }

  void add_workload_powers(const Entity& server, EntityId workload_id, const std::string& via,
                           Reach& reach) {
    const Entity& workload = graph_.at(workload_id);
    const Step served{via + " is served by " + text_of(workload.attrs.get("kind")) + " '" +
                          short_name(workload) + "'",
                      workload.loc};
    const Value* identity_ref = workload.attrs.get("identity");
    if (identity_ref == nullptr || identity_ref->kind != ValueKind::kRef ||
        identity_ref->ref >= graph_.size()) {
      return;
    }
    const Entity& account = graph_.at(identity_ref->ref);
    const Value* account_setting = workload.attrs.get("service_account");
    const core::SourceLoc runs_loc = account_setting != nullptr && account_setting->loc.valid()
                                         ? account_setting->loc
                                         : workload.loc;
    const std::string account_name = "ServiceAccount '" + short_name(account) + "'";
    const Step runs_as{"'" + short_name(workload) + "' runs as " + account_name, runs_loc};
    note_acting(identity_ref->ref,
                Step{"MCP server '" + server.name + "' (workload '" + short_name(workload) + "')",
                     runs_loc});
    if (const Value* grants = account.attrs.get("grants")) {
      for (const auto& grant_ref : grants->items) {
        if (grant_ref.ref >= graph_.size()) continue;
        for (auto& [power, step] : powers_of_grant(graph_.at(grant_ref.ref))) {
          reach.powers.push_back({power, account_name, via, step, {served, runs_as, step}});
        }
      }
    }
    add_builtin_role_powers(account, account_name, via, {served, runs_as}, reach);
    const Value* cloud = account.attrs.get("cloud_role");
    if (cloud == nullptr || cloud->kind != ValueKind::kRef || cloud->ref >= graph_.size()) return;
    const Entity& role = graph_.at(cloud->ref);
    const std::string role_name = "cloud identity '" + short_name(role) + "'";
    const Step assumes{account_name + " acts as " + role_name, cloud->loc};
    note_acting(cloud->ref, Step{account_name, cloud->loc});
    auto add_cloud = [&](const Entity& grant) {
      for (auto& [power, step] : powers_of_grant(grant)) {
        reach.powers.push_back({power, role_name, via, step, {served, runs_as, assumes, step}});
      }
    };
    if (const Value* policies = role.attrs.get("policies")) {
      for (const auto& policy : policies->items) {
        if (policy.ref < graph_.size()) add_cloud(graph_.at(policy.ref));
      }
    }
    if (const Value* admin = role.attrs.get("admin_policies")) {
      for (const auto& policy : admin->items) {
        const Step step{role_name + " has the managed policy " + text_of(policy.get("arn")) + " (" +
                            text_of(policy.get("why")) + ")",
                        policy.loc};
        reach.powers.push_back(
            {"cloud-admin", role_name, via, step, {served, runs_as, assumes, step}});
      }
    }
  }

  /// Kubernetes' default user-facing ClusterRoles, bound by name but defined by the API
  /// server rather than the repository.
  void add_builtin_role_powers(const Entity& account, const std::string& account_name,
                               const std::string& via, const Chain& chain, Reach& reach) const {
    static const std::map<std::string, std::vector<std::string>> kBuiltin = {
        {"cluster-admin", {"cluster-admin"}},
        {"admin", {"read-secrets", "exec-pods", "create-workloads", "rbac-escalation"}},
        {"edit", {"read-secrets", "exec-pods", "create-workloads"}}};
    const Value* roles = account.attrs.get("roles");
    if (!has_items(roles)) return;
    for (const auto& role : roles->items) {
      const auto builtin = kBuiltin.find(role.text);
      if (builtin == kBuiltin.end() || defined_in_repository(account, role.text)) continue;
      const Step step{"the built-in ClusterRole '" + role.text + "' is bound to " + account_name,
                      role.loc};
      for (const auto& power : builtin->second) {
        Chain full = chain;
        full.push_back(step);
        reach.powers.push_back({power, account_name, via, step, std::move(full)});
      }
    }
  }

  [[nodiscard]] bool defined_in_repository(const Entity& account, const std::string& role) const {
    const Value* grants = account.attrs.get("grants");
    if (!has_items(grants)) return false;
    return std::any_of(grants->items.begin(), grants->items.end(), [&](const Value& grant) {
      return grant.ref < graph_.size() && text_of(graph_.at(grant.ref).attrs.get("role")) == role;
    });
  }

  void note_acting(EntityId identity, Step step) {
    auto& steps = acting_for_[identity];
    const bool present =
        std::any_of(steps.begin(), steps.end(), [&](const Step& s) { return s.text == step.text; });
    if (!present) steps.push_back(std::move(step));
  }

  model::Graph& graph_;
  std::map<EntityId, Reach> servers_;
  std::map<EntityId, std::vector<Step>> acting_for_;
};

Value chain_value(const Chain& chain, const core::SourceLoc& fallback) {
  Value steps = Value::list(chain.empty() ? fallback : chain.front().loc);
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& step : chain) {
    const std::string where = step.loc.file + ":" + std::to_string(step.loc.span.line);
    if (!seen.insert({step.text, where}).second) continue;
    steps.push(Value::of_string(step.text, step.loc));
  }
  return steps;
}

/// Every capability once per (capability, via), the powers' implied capabilities added.
std::vector<Reached> all_capabilities(const Reach& reach) {
  std::vector<Reached> all = reach.capabilities;
  for (const auto& power : reach.powers) {
    for (auto capability : capabilities_of_power(power.power)) {
      all.push_back(
          {std::string(capability), power.identity + " behind " + power.via, power.chain});
    }
  }
  std::vector<Reached> unique;
  std::set<std::pair<std::string, std::string>> seen;
  for (auto& item : all) {
    if (seen.insert({item.capability, item.via}).second) unique.push_back(std::move(item));
  }
  return unique;
}

/// The first item with one of `capabilities`, preferring one that does not come through
/// `other_than` (so a flow names distinct legs when the agent has them).
const Reached* first_of(const std::vector<Reached>& reach,
                        std::initializer_list<std::string_view> capabilities,
                        std::string_view other_than = {}) {
  const Reached* fallback = nullptr;
  for (const auto& item : reach) {
    if (std::find(capabilities.begin(), capabilities.end(), item.capability) ==
        capabilities.end()) {
      continue;
    }
    if (other_than.empty() || item.via != other_than) return &item;
    if (fallback == nullptr) fallback = &item;
  }
  return fallback;
}

Value flow_value(const Reached& source, const Reached& target, const Reached& sink,
                 const core::SourceLoc& fallback) {
  Chain chain = source.chain;
  chain.insert(chain.end(), target.chain.begin(), target.chain.end());
  chain.insert(chain.end(), sink.chain.begin(), sink.chain.end());
  const core::SourceLoc loc = chain.empty() ? fallback : chain.front().loc;
  Value flow = Value::record(loc);
  flow.set("source", Value::of_string(source.via, loc));
  flow.set("target",
           Value::of_string(
               target.via + " (" + std::string(capability_phrase(target.capability)) + ")", loc));
  flow.set("sink",
           Value::of_string(sink.via + " (" + std::string(capability_phrase(sink.capability)) + ")",
                            loc));
  flow.set("steps", chain_value(chain, fallback));
  return flow;
}

/// Budgets that configuration in the repository enforces (an LLM gateway's caps).
std::vector<Step> enforced_budgets(const model::Graph& graph) {
  std::vector<Step> caps;
  for (const auto& entity : graph.entities()) {
    if (entity.kind != EntityKind::kGateway) continue;
    for (const char* scope : {"limits", "key_limits", "default_key_limits"}) {
      const Value* limits = entity.attrs.get(scope);
      const Value* budget = limits != nullptr ? limits->get("max_budget") : nullptr;
      if (budget != nullptr && budget->kind == ValueKind::kNumber) {
        caps.push_back(
            {"gateway '" + entity.name + "' caps spending (" + scope + ")", budget->loc});
      }
    }
  }
  return caps;
}

Value spending_value(const Entity& agent, const std::vector<Reached>& reach,
                     const std::vector<Step>& budgets) {
  Value spending = Value::record(agent.loc);
  const Reached* money = first_of(reach, {"spends_money"});
  const Value* models = agent.attrs.get("models");
  const Value* keyed_model = nullptr;
  if (has_items(models)) {
    for (const auto& model : models->items) {
      if (!text_of(model.get("api_key")).empty()) {
        keyed_model = &model;
        break;
      }
    }
  }
  const bool can_spend = money != nullptr || keyed_model != nullptr;
  spending.set("can_spend", Value::of_bool(can_spend, agent.loc));
  spending.set("kind", Value::of_string(money != nullptr         ? "money"
                                        : keyed_model != nullptr ? "llm"
                                                                 : "",
                                        agent.loc));
  Chain chain;
  if (money != nullptr) {
    chain = money->chain;
    spending.set("via",
                 Value::of_string(money->via, chain.empty() ? agent.loc : chain.front().loc));
  } else if (keyed_model != nullptr) {
    const Value* key = keyed_model->get("api_key");
    chain.push_back({"model '" + text_of(keyed_model->get("name")) +
                         "' is called with an API key, billed per token",
                     key->loc});
    spending.set("via",
                 Value::of_string("model '" + text_of(keyed_model->get("name")) + "'", key->loc));
  } else {
    spending.set("via", Value::null(agent.loc));
  }
  spending.set("steps", chain_value(chain, agent.loc));
  // A gateway budget caps metered model use; nothing in configuration caps a payment tool.
  const bool capped = can_spend && money == nullptr && !budgets.empty();
  spending.set("capped", Value::of_bool(capped, agent.loc));
  Value caps = Value::list(agent.loc);
  for (const auto& budget : budgets) caps.push(Value::of_string(budget.text, budget.loc));
  spending.set("caps", std::move(caps));
  return spending;
}

Value undeclared_tools(const Entity& agent, const model::Graph& graph) {
  Value undeclared = Value::list(agent.loc);
  const Value* declared = agent.attrs.get("declared");
  const Value* allowed = declared != nullptr ? declared->get("tools") : nullptr;
  if (allowed == nullptr || allowed->items.empty()) return undeclared;
  auto permitted = [&](const std::string& name) {
    return std::any_of(allowed->items.begin(), allowed->items.end(),
                       [&](const Value& item) { return item.text == name; });
  };
  if (const Value* servers = agent.attrs.get("servers")) {
    for (const auto& ref : servers->items) {
      if (ref.ref >= graph.size()) continue;
      const Entity& server = graph.at(ref.ref);
      if (!permitted(server.name)) {
        undeclared.push(Value::of_string(server.name, ref.loc.valid() ? ref.loc : server.loc));
      }
    }
  }
  if (const Value* tools = agent.attrs.get("tools")) {
    for (const auto& tool : tools->items) {
      // An MCP server's tools are judged with the server itself, above.
      if (text_of(tool.get("kind")) == "mcp") continue;
      const std::string& name = text_of(tool.get("name"));
      const std::string& server = text_of(tool.get("server"));
      if (!permitted(name) && (server.empty() || !permitted(server))) {
        undeclared.push(Value::of_string(name, tool.loc));
      }
    }
  }
  return undeclared;
}

}  // namespace

void derive_reach(model::Graph& graph) {
  ReachCalculator calculator(graph);
  const std::vector<Step> budgets = enforced_budgets(graph);
  for (EntityId id = 0; id < graph.size(); ++id) {
    if (graph.at(id).kind != EntityKind::kAgent || graph.at(id).merged_into != model::kNoEntity) {
      continue;
    }
    std::set<EntityId> visiting{id};
    const Reach reach = calculator.agent(id, visiting, 0);
    const std::vector<Reached> capabilities = all_capabilities(reach);
    Entity& agent = graph.at_mut(id);
    const core::SourceLoc& loc = agent.loc;

    Value reach_list = Value::list(loc);
    for (const auto& item : capabilities) {
      const core::SourceLoc at = item.chain.empty() ? loc : item.chain.front().loc;
      Value record = Value::record(at);
      record.set("capability", Value::of_string(item.capability, at));
      record.set("via", Value::of_string(item.via, at));
      record.set("steps", chain_value(item.chain, loc));
      reach_list.push(std::move(record));
    }
    Value powers = Value::list(loc);
    std::set<std::string> seen_powers;
    for (const auto& power : reach.powers) {
      const std::string key = power.power + "\n" + power.identity + "\n" + power.via;
      if (!seen_powers.insert(key).second) continue;
      Value record = Value::record(power.grant.loc);
      record.set("power", Value::of_string(power.power, power.grant.loc));
      record.set("identity", Value::of_string(power.identity, power.grant.loc));
      record.set("via", Value::of_string(power.via, power.grant.loc));
      record.set("grant", Value::of_string(power.grant.text, power.grant.loc));
      record.set("steps", chain_value(power.chain, loc));
      powers.push(std::move(record));
    }

    const Value* approval = agent.attrs.get("approval");
    const Value* autonomy = agent.attrs.get("autonomy");
    const bool unattended = text_of(approval) == "never" || text_of(autonomy) == "fully-autonomous";
    const core::SourceLoc unattended_loc =
        text_of(approval) == "never" ? approval->loc : (autonomy != nullptr ? autonomy->loc : loc);

    Value toxic = Value::list(loc);
    Value code = Value::list(loc);
    if (const Reached* untrusted = first_of(capabilities, {"untrusted_input"})) {
      const Reached* sensitive = first_of(capabilities, {"private_data"}, untrusted->via);
      const Reached* out =
          first_of(capabilities, {"sends_out", "modifies_infrastructure"}, untrusted->via);
      if (sensitive != nullptr && out != nullptr) {
        toxic.push(flow_value(*untrusted, *sensitive, *out, loc));
      }
      if (const Reached* runs = first_of(capabilities, {"code_execution"}, untrusted->via)) {
        code.push(flow_value(*untrusted, *runs, *runs, loc));
      }
    }
    agent.attrs.set("unattended", Value::of_bool(unattended, unattended_loc));
    agent.attrs.set("reach", std::move(reach_list));
    agent.attrs.set("powers", std::move(powers));
    agent.attrs.set("toxic_flows", std::move(toxic));
    agent.attrs.set("code_flows", std::move(code));
    agent.attrs.set("spending", spending_value(agent, capabilities, budgets));
    agent.attrs.set("undeclared_tools", undeclared_tools(agent, graph));
  }
  for (auto& [identity, steps] : calculator.acting_for()) {
    Entity& entity = graph.at_mut(identity);
    Value acting = Value::list(entity.loc);
    for (const auto& step : steps) acting.push(Value::of_string(step.text, step.loc));
    entity.attrs.set("acting_for", std::move(acting));
  }
}

}  // namespace fermata::derive
