#include "derive/agents.hpp"

#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include "derive/derive.hpp"

namespace fermata::derive {
namespace {

using model::Entity;
using model::EntityId;
using model::EntityKind;
using model::Value;
using model::ValueKind;

using model::has_items;
using model::is_true;
using model::text_of;

std::string directory_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? "" : std::string(path.substr(0, slash));
}

/// `base/./a/../b.yaml` -> `base/b.yaml`, for references written relative to a file.
std::string normalise_path(const std::string& directory, std::string_view reference) {
  std::vector<std::string> parts;
  auto push_all = [&parts](std::string_view text) {
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('/', start);
      if (end == std::string_view::npos) end = text.size();
      const std::string_view part = text.substr(start, end - start);
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.emplace_back(part);
      }
      start = end + 1;
    }
  };
  if (!reference.empty() && reference.front() != '/') push_all(directory);
  push_all(reference);
  std::string joined;
  for (const auto& part : parts) joined += (joined.empty() ? "" : "/") + part;
  return joined;
}

bool looks_like_path(std::string_view name) {
  return name.size() > 5 &&
         (name.substr(name.size() - 5) == ".yaml" || name.substr(name.size() - 4) == ".yml");
}

Value reason(std::string text, const core::SourceLoc& loc) {
  return Value::of_string(std::move(text), loc);
}

/// The location of an attribute when it is set, else of the agent itself.
const core::SourceLoc& where(const Entity& agent, std::string_view attribute) {
  const Value* value = agent.attrs.get(attribute);
  return value != nullptr && !value->loc.file.empty() ? value->loc : agent.loc;
}

void classify_literals(Entity& entity, const SecretClassifier& secrets,
                       std::vector<std::string>& found) {
  Value* literals = entity.attrs.get_mut("literals");
  if (literals == nullptr || literals->kind != ValueKind::kList) return;
  for (auto& literal : literals->items) {
    const Value* value = literal.get("value");
    std::string kind;
    if (value != nullptr && value->kind == ValueKind::kString) {
      if (auto match = secrets.classify(text_of(literal.get("key")), value->text)) {
        kind = match->kind;
        found.push_back(match->secret);
      }
    }
    const core::SourceLoc loc = value != nullptr ? value->loc : literal.loc;
    literal.set("secret_kind", Value::of_string(kind, loc));
  }
}

class AgentIndex {
 public:
  explicit AgentIndex(const model::Graph& graph) {
    for (const auto& entity : graph.entities()) {
      if (entity.kind != EntityKind::kAgent) continue;
      by_name_[{text_of(entity.attrs.get("client")), entity.name}].push_back(entity.id);
      by_file_[entity.loc.file].push_back(entity.id);
    }
  }

  /// The agent `name` refers to from `from`: a file path (ADK config_path), else an agent of
  /// the same product with that name — in the same file, the same directory, or the only one.
  [[nodiscard]] std::optional<EntityId> resolve(const model::Graph& graph, const Entity& from,
                                                const std::string& name) const {
    if (looks_like_path(name)) {
      const auto found = by_file_.find(normalise_path(directory_of(from.loc.file), name));
      if (found != by_file_.end() && !found->second.empty()) return found->second.front();
      return std::nullopt;
    }
    const auto found = by_name_.find({text_of(from.attrs.get("client")), name});
    if (found == by_name_.end()) return std::nullopt;
    const std::vector<EntityId>& candidates = found->second;
    for (EntityId id : candidates) {
      if (id != from.id && graph.at(id).loc.file == from.loc.file) return id;
    }
    const std::string directory = directory_of(from.loc.file);
    for (EntityId id : candidates) {
      if (id != from.id && directory_of(graph.at(id).loc.file) == directory) return id;
    }
    if (candidates.size() == 1 && candidates.front() != from.id) return candidates.front();
    return std::nullopt;
  }

 private:
  std::map<std::pair<std::string, std::string>, std::vector<EntityId>> by_name_;
  std::map<std::string, std::vector<EntityId>> by_file_;
};

void link_delegates(model::Graph& graph, const AgentIndex& index) {
  for (EntityId id = 0; id < graph.size(); ++id) {
    const Entity& agent = graph.at(id);
    if (agent.kind != EntityKind::kAgent) continue;
    const Value* names = agent.attrs.get("delegate_names");
    if (!has_items(names)) continue;
    Value delegates = Value::list(names->loc);
    if (const Value* resolved = agent.attrs.get("delegates"); has_items(resolved)) {
      delegates = *resolved;
    }
    std::vector<std::pair<EntityId, core::SourceLoc>> edges;
    for (const auto& name : names->items) {
      const auto target = index.resolve(graph, agent, name.text);
      if (!target) continue;
      bool present = false;
      for (const auto& item : delegates.items) present = present || item.ref == *target;
      if (!present) {
        delegates.push(Value::of_ref(*target, name.loc));
        edges.emplace_back(*target, name.loc);
      }
    }
    graph.at_mut(id).attrs.set("delegates", std::move(delegates));
    for (auto& [target, loc] : edges) {
      graph.connect(id, target, model::EdgeKind::kDelegatesTo, std::move(loc));
    }
  }
}

/// A CrewAI task names its agent; the crew's agents.yaml sits in the same directory.
void link_tasks(model::Graph& graph, const AgentIndex& index) {
  for (auto& task : graph.entities_mut()) {
    if (task.kind != EntityKind::kTask) continue;
    const Value* name = task.attrs.get("agent_name");
    if (name == nullptr || name->text.empty()) continue;
    const auto agent = index.resolve(graph, task, name->text);
    if (agent) task.attrs.set("agent", Value::of_ref(*agent, name->loc));
  }
}

bool confined(const std::string& sandbox) {
  return sandbox == "read-only" || sandbox == "workspace-write" || sandbox == "container";
}

/// Codex runs in its own sandbox (read-only, or workspace-write in a trusted project) unless
/// `sandbox_mode` says otherwise, so an unset sandbox still confines it.
bool confined(const model::Entity& agent, const std::string& sandbox) {
  return confined(sandbox) ||
         (sandbox.empty() && text_of(agent.attrs.get("client")) == "OpenAI Codex");
}

std::string describe_sandbox(const std::string& sandbox) {
  if (sandbox.empty()) return "no sandbox is configured";
  if (sandbox == "none") return "its sandbox is off";
  if (sandbox == "full-access") return "its sandbox grants full access";
  return "it runs in a " + sandbox + " sandbox";
}

}  // namespace

std::string autonomy_explanation() {
  return R"(# How fermata derives an agent's autonomy

<!-- Generated by `fermata explain autonomy`; do not edit by hand. -->

MAESTRO asks, for every agent, how much it does without a human: its autonomy level. fermata
derives it from the configuration, for every agent it reads (coding assistants, framework
agents, kagent agents), as one of three levels:

- **limited**: a human approves every action that changes something, or the agent cannot
  act at all;
- **semi-autonomous**: it acts alone within bounds (a sandbox, pre-approved actions, a human
  reviewing its results), and asks a human for the rest;
- **fully-autonomous**: it acts without asking and nothing confines what it does.

An agent known only from its A2A card is **unknown**: a card describes the interface, not how
the agent acts.

## The inputs

Each format fills the same attributes (`fermata rules schema` lists them):

| attribute | values | from |
|---|---|---|
| `approval` | `never` (acts without asking), `on-failure` (asks only when a confined action fails), `on-request` (decides itself when to ask, or some actions are pre-approved), `untrusted` (asks before anything but reads and pre-approved commands), `always` (asks before every action), `""` (the product's default) | Codex `approval_policy`; Claude Code `permissions.defaultMode` (`bypassPermissions` never, `acceptEdits` and `dontAsk` (runs only what the allow rules pre-approve) on-request, `plan` always, `default` untrusted); Gemini CLI approval mode (`yolo` never, `auto_edit` on-request, `default` untrusted); frameworks that run tools without asking (CrewAI, ADK) never |
| `sandbox` | `none`, `read-only`, `workspace-write`, `full-access`, `container`, `""` | Codex `sandbox_mode`; Claude Code `sandbox.enabled`; Gemini CLI `sandbox` |
| `unrestricted_shell` | a shell that runs any command is pre-approved | Claude Code `Bash`/`Bash(*)` allow rules; Gemini CLI `tools.allowed`; a cagent shell toolset |
| `code_execution` | `none`, `safe` (in a container), `unsafe` (on the host) | CrewAI `allow_code_execution`, `code_execution_mode` |
| tools, servers, delegates | what it can act through | every format |
| tasks' `human_input` | a human reviews every task the agent is given | CrewAI tasks |

A sandbox *confines* the agent when it is `read-only`, `workspace-write` or `container`, and
an OpenAI Codex agent with no `sandbox_mode` is confined by Codex's own default sandbox.

## The decision list

The first rule that applies decides; `fermata explain` and every finding quote the facts,
each at its line (`autonomy_reasons`).

1. It has no tools, MCP servers, delegates, shell or code execution (and is no coding
   assistant, which can always edit files): **limited**: it can only answer.
2. `approval` is `never`, no sandbox confines it, and no human reviews all its tasks:
   **fully-autonomous**.
3. `code_execution` is `unsafe`: **fully-autonomous**: it runs the code it writes on the host.
4. `unrestricted_shell` and no sandbox confines it: **fully-autonomous**.
5. `approval` is `always` or `untrusted`: **limited**.
6. `approval` is `never` and a human reviews every task it is given: **semi-autonomous**.
7. `approval` is `never` inside a confining sandbox: **semi-autonomous**.
8. Otherwise (`on-failure`, `on-request`, or the product's default): **semi-autonomous**.

Rules read the result as `autonomy` and `autonomy_reasons`; `.fermata.yaml` may declare an
agent's intended ceiling (`agents.NAME.autonomy`), see docs/configuration.md.
)";
}

Autonomy assess_autonomy(const Entity& agent, bool human_reviews_tasks) {
  const Value& attrs = agent.attrs;
  const std::string& approval = text_of(attrs.get("approval"));
  const std::string& setting = text_of(attrs.get("approval_setting"));
  const std::string& sandbox = text_of(attrs.get("sandbox"));
  const std::string& code = text_of(attrs.get("code_execution"));
  const bool shell = is_true(attrs.get("unrestricted_shell"));
  const bool is_assistant = text_of(attrs.get("kind")) == "coding-assistant";
  const std::string asked = setting.empty() ? approval : setting;
  const std::string sandbox_words =
      sandbox.empty() && confined(agent, sandbox)
          ? "no sandbox_mode is set, so Codex's default sandbox confines it"
          : describe_sandbox(sandbox);

  if (text_of(attrs.get("client")) == "A2A" && approval.empty()) {
    return {"unknown",
            {reason("an A2A card describes the agent's interface, not how it acts", agent.loc)}};
  }
  const bool can_act = is_assistant || has_items(attrs.get("tools")) ||
                       has_items(attrs.get("servers")) || has_items(attrs.get("server_names")) ||
                       has_items(attrs.get("delegate_names")) || code == "safe" ||
                       code == "unsafe" || shell;
  if (!can_act) {
    return {"limited",
            {reason("it has no tools, MCP servers, delegates or code execution: it can only "
                    "answer",
                    agent.loc)}};
  }
  if (approval == "never" && !confined(agent, sandbox) && !human_reviews_tasks) {
    return {"fully-autonomous",
            {reason("it never asks before acting (" + asked + ")", where(agent, "approval")),
             reason(sandbox_words + ", so nothing confines its actions", where(agent, "sandbox"))}};
  }
  if (code == "unsafe") {
    return {"fully-autonomous",
            {reason("it runs the code it writes directly on the host",
                    where(agent, "code_execution"))}};
  }
  if (shell && !confined(agent, sandbox)) {
    return {"fully-autonomous",
            {reason("a shell that runs any command is pre-approved",
                    where(agent, "unrestricted_shell")),
             reason(sandbox_words, where(agent, "sandbox"))}};
  }
  if (approval == "always" || approval == "untrusted") {
    return {"limited",
            {reason("it asks a human before any action that changes something (" + asked + ")",
                    where(agent, "approval"))}};
  }
  if (approval == "never" && human_reviews_tasks) {
    return {"semi-autonomous",
            {reason("it acts without asking (" + asked + ")", where(agent, "approval")),
             reason("a human reviews the result of its tasks (human_input)", agent.loc)}};
  }
  if (approval == "never") {
    return {"semi-autonomous",
            {reason("it acts without asking (" + asked + ")", where(agent, "approval")),
             reason(sandbox_words, where(agent, "sandbox"))}};
  }
  if (approval.empty()) {
    return {"semi-autonomous",
            {reason("no approval policy is set: the product's default applies, which asks "
                    "before some actions",
                    agent.loc)}};
  }
  return {"semi-autonomous",
          {reason("it asks a human only in some cases (" + asked + ")", where(agent, "approval"))}};
}

void derive_agents(model::Graph& graph, const SecretClassifier& secrets,
                   std::vector<std::string>& found) {
  for (auto& entity : graph.entities_mut()) {
    if (entity.kind == EntityKind::kAgent || entity.kind == EntityKind::kGateway ||
        entity.kind == EntityKind::kTask) {
      classify_literals(entity, secrets, found);
    }
    if (entity.kind != EntityKind::kAgent) continue;
    const Value* url = entity.attrs.get("url");
    if (url != nullptr && url->kind == ValueKind::kString &&
        entity.attrs.get("endpoint") == nullptr) {
      Value endpoint = parse_endpoint(*url);
      entity.attrs.set("endpoint", std::move(endpoint));
    }
  }
  const AgentIndex index(graph);
  link_delegates(graph, index);
  link_tasks(graph, index);

  // An agent counts as reviewed when a human reviews every task it is given.
  std::map<EntityId, bool> reviewed;
  for (const auto& task : graph.entities()) {
    if (task.kind != EntityKind::kTask) continue;
    const Value* agent = task.attrs.get("agent");
    if (agent == nullptr || agent->kind != ValueKind::kRef) continue;
    const bool human = is_true(task.attrs.get("human_input"));
    const auto [entry, inserted] = reviewed.emplace(agent->ref, human);
    if (!inserted) entry->second = entry->second && human;
  }
  for (auto& entity : graph.entities_mut()) {
    if (entity.kind != EntityKind::kAgent) continue;
    const auto review = reviewed.find(entity.id);
    Autonomy autonomy = assess_autonomy(entity, review != reviewed.end() && review->second);
    const core::SourceLoc loc =
        autonomy.reasons.empty() ? entity.loc : autonomy.reasons.front().loc;
    Value reasons = Value::list(loc);
    for (auto& item : autonomy.reasons) reasons.push(std::move(item));
    entity.attrs.set("autonomy", Value::of_string(std::move(autonomy.level), loc));
    entity.attrs.set("autonomy_reasons", std::move(reasons));
  }
}

}  // namespace fermata::derive
