#include "parsers/agents/crewai_config.hpp"

#include <set>
#include <string>
#include <vector>

#include "parsers/agents/agent_fields.hpp"

namespace fermata::parsers {
namespace {

using agents::ManifestFieldReader;
using model::Value;
using syntax::Member;
using syntax::Node;

/// CrewAI bounds an agent's reasoning loop at 25 iterations when max_iter is not set
/// (BaseAgent.max_iter in crewai/agents/agent_builder/base_agent.py; some doc pages say 20).
constexpr double kCrewAiDefaultMaxIter = 25;

enum class CrewFile { kNone, kAgents, kTasks };

CrewFile crew_file_for_path(std::string_view path) {
  const std::string lowered = agents::lower(path);
  const std::string_view name = agents::basename(lowered);
  const bool in_config = lowered == std::string("config/").append(name) ||
                         agents::ends_with(lowered, std::string("/config/").append(name));
  if (!in_config) return CrewFile::kNone;
  if (name == "agents.yaml" || name == "agents.yml") return CrewFile::kAgents;
  if (name == "tasks.yaml" || name == "tasks.yml") return CrewFile::kTasks;
  return CrewFile::kNone;
}

bool is_crew_agent(const Node& spec) {
  return spec.is_object() && (spec.get("role") != nullptr || spec.get("goal") != nullptr ||
                              spec.get("backstory") != nullptr);
}

bool is_crew_task(const Node& spec) {
  return spec.is_object() && (spec.get("expected_output") != nullptr ||
                              (spec.get("description") != nullptr && spec.get("agent") != nullptr));
}

class CrewReader {
 public:
  CrewReader(const syntax::Document& document, model::Graph& graph, core::DiagnosticSink& sink)
      : graph_(graph), fields_(document, sink) {}

  void read_agents(const Node& root) {
    std::vector<model::EntityId> delegators;
    std::vector<std::string> names;
    for (const auto& member : root.members) {
      if (!member.value.is_object()) {
        fields_.warn("CrewAI agent '" + member.key + "' should be a mapping of its settings, not " +
                         std::string(syntax::to_string(member.value.kind)),
                     member.value.span);
        continue;
      }
      const model::EntityId id = read_agent(member);
      names.push_back(member.key);
      const Value* delegation = graph_.at(id).attrs.get("allow_delegation");
      if (delegation != nullptr && delegation->kind == model::ValueKind::kBool &&
          delegation->boolean) {
        delegators.push_back(id);
      }
    }
    // An agent allowed to delegate may hand work to any other agent of its crew: the crew is
    // assembled in Python, so the agents defined beside it are the best static guess.
    for (model::EntityId id : delegators) {
      model::Entity& agent = graph_.at_mut(id);
      Value* delegates = agent.attrs.get_mut("delegate_names");
      for (const auto& name : names) {
        if (name != agent.name)
          delegates->push(Value::of_string(name, agent.attrs.get("allow_delegation")->loc));
      }
    }
  }

  void read_tasks(const Node& root) {
    for (const auto& member : root.members) {
      if (!member.value.is_object()) {
        fields_.warn("CrewAI task '" + member.key + "' should be a mapping of its settings, not " +
                         std::string(syntax::to_string(member.value.kind)),
                     member.value.span);
        continue;
      }
      read_task(member);
    }
  }

 private:
  model::EntityId read_agent(const Member& member) {
    const Node& spec = member.value;
    const std::string owner = "CrewAI agent '" + member.key + "'";
    const core::SourceLoc name_loc = fields_.loc(member.key_span);
    model::Entity& agent = agents::add_agent(graph_, member.key, name_loc, "CrewAI", "crewai");
    const model::EntityId id = agent.id;
    Value& attrs = agent.attrs;

    const Value role = fields_.text(spec.get("role"), "role", owner);
    const Value goal = fields_.text(spec.get("goal"), "goal", owner);
    std::string description = agents::trim(role.text);
    if (!goal.text.empty()) {
      description += (description.empty() ? "" : ": ") + agents::trim(goal.text);
    }
    attrs.set("description", Value::of_string(description, role.is_null() ? goal.loc : role.loc));

    if (const Node* tools = spec.get("tools")) {
      Value* list = attrs.get_mut("tools");
      for (const auto& name : fields_.strings(*tools, "tools", owner).items) {
        list->push(agents::tool_record(name.text, agents::tool_kind_for_name(name.text), "", false,
                                       name.loc));
      }
    }
    if (const Node* mcps = spec.get("mcps")) read_mcps(id, *mcps, owner);

    for (const char* field : {"llm", "function_calling_llm"}) {
      const Value model_id = fields_.text(spec.get(field), field, owner);
      if (!model_id.is_null() && !model_id.text.empty()) {
        attrs.get_mut("models")->push(agents::model_record(model_id.text, model_id));
      }
    }

    const Value delegation =
        fields_.boolean(spec.get("allow_delegation"), "allow_delegation", owner);
    attrs.set("allow_delegation", delegation);

    Value max_iter = fields_.number(spec.get("max_iter"), "max_iter", owner);
    if (spec.get("max_iter") == nullptr)
      max_iter = Value::of_number(kCrewAiDefaultMaxIter, name_loc);
    attrs.set("max_iterations", max_iter);
    attrs.set("max_rpm", fields_.number(spec.get("max_rpm"), "max_rpm", owner));
    attrs.set("max_execution_seconds",
              fields_.number(spec.get("max_execution_time"), "max_execution_time", owner));

    attrs.set("code_execution", code_execution(spec, owner, name_loc));
    // CrewAI calls tools as the model asks, with no confirmation step; a human reviews a
    // task's result only when the task sets human_input (derive weighs that in).
    attrs.set("approval", Value::of_string("never", name_loc));
    attrs.set("approval_setting", Value::of_string("CrewAI has no tool approval", name_loc));
    attrs.set("sandbox", Value::of_string("", name_loc));
    return id;
  }

  /// none when code execution is off; safe (Docker) or unsafe (the host) when on.
  Value code_execution(const Node& spec, const std::string& owner, const core::SourceLoc& at) {
    const Value allowed =
        fields_.boolean(spec.get("allow_code_execution"), "allow_code_execution", owner);
    if (allowed.kind != model::ValueKind::kBool || !allowed.boolean) {
      return Value::of_string("none", allowed.is_null() ? at : allowed.loc);
    }
    Value mode = fields_.text(spec.get("code_execution_mode"), "code_execution_mode", owner);
    if (mode.is_null()) return Value::of_string("safe", allowed.loc);
    if (mode.text == "safe" || mode.text == "unsafe") return mode;
    fields_.warn(
        "'code_execution_mode' of " + owner + " should be safe or unsafe, not '" + mode.text + "'",
        spec.get("code_execution_mode")->span);
    return Value::of_string("", mode.loc);
  }

  /// `mcps`: HTTPS URLs of remote MCP servers (a `#tool` suffix picks one tool) or
  /// `crewai-amp:` references to servers of CrewAI's marketplace.
  void read_mcps(model::EntityId agent_id, const Node& node, const std::string& owner) {
    for (const auto& entry : fields_.strings(node, "mcps", owner).items) {
      graph_.at_mut(agent_id).attrs.get_mut("server_names")->push(entry);
      agents::add_query_literals(*graph_.at_mut(agent_id).attrs.get_mut("literals"), entry);
      std::string url = entry.text;
      if (!agents::starts_with(url, "http://") && !agents::starts_with(url, "https://")) continue;
      std::string tool;
      if (const size_t hash = url.find('#'); hash != std::string::npos) {
        tool = url.substr(hash + 1);
        url = url.substr(0, hash);
      }
      const std::string name = agents::distinct_name(server_names_, url, graph_.at(agent_id).name);
      model::Entity& server = graph_.add(model::EntityKind::kMcpServer, name, entry.loc);
      const model::EntityId server_id = server.id;
      server.attrs.set("name", Value::of_string(name, entry.loc));
      server.attrs.set("client", Value::of_ref(agent_id, entry.loc));
      server.attrs.set("config_format", Value::of_string("crewai", entry.loc));
      server.attrs.set("transport", Value::of_string("streamable-http", entry.loc));
      server.attrs.set("remote", Value::of_bool(true, entry.loc));
      server.attrs.set("disabled", Value::of_bool(false, entry.loc));
      server.attrs.set("url", Value::of_string(url, entry.loc));
      if (!tool.empty()) {
        Value enabled = Value::list(entry.loc);
        enabled.push(Value::of_string(tool, entry.loc));
        server.attrs.set("enabled_tools", std::move(enabled));
      }
      model::Entity& agent = graph_.at_mut(agent_id);
      agent.attrs.get_mut("servers")->push(Value::of_ref(server_id, entry.loc));
      agent.attrs.get_mut("tools")->push(
          agents::tool_record(tool.empty() ? url : tool, "mcp", url, false, entry.loc));
      graph_.connect(agent_id, server_id, model::EdgeKind::kUsesServer, entry.loc);
    }
  }

  void read_task(const Member& member) {
    const Node& spec = member.value;
    const std::string owner = "CrewAI task '" + member.key + "'";
    const core::SourceLoc name_loc = fields_.loc(member.key_span);
    model::Entity& task = graph_.add(model::EntityKind::kTask, member.key, name_loc);
    Value& attrs = task.attrs;
    attrs.set("name", Value::of_string(member.key, name_loc));
    attrs.set("client", Value::of_string("CrewAI", name_loc));
    attrs.set("config_format", Value::of_string("crewai", name_loc));
    Value description = fields_.text(spec.get("description"), "description", owner);
    if (description.kind == model::ValueKind::kString)
      description.text = agents::trim(description.text);
    attrs.set("description", description);
    attrs.set("agent_name", fields_.text(spec.get("agent"), "agent", owner));
    attrs.set("human_input", fields_.boolean(spec.get("human_input"), "human_input", owner));
    attrs.set("async_execution",
              fields_.boolean(spec.get("async_execution"), "async_execution", owner));
    for (const char* field : {"tools", "context"}) {
      const Node* node = spec.get(field);
      attrs.set(field,
                node != nullptr ? fields_.strings(*node, field, owner) : Value::list(name_loc));
    }
  }

  model::Graph& graph_;
  ManifestFieldReader fields_;
  std::set<std::string> server_names_;
};

}  // namespace

Claim CrewAiConfigParser::claims(std::string_view path, std::string_view text) const {
  switch (crew_file_for_path(path)) {
    case CrewFile::kAgents:
      if (agents::has_yaml_key(text, "role", false) || agents::has_yaml_key(text, "goal", false))
        return {true, Syntax::kYaml, true};
      return {};
    case CrewFile::kTasks:
      if (agents::has_yaml_key(text, "expected_output", false)) return {true, Syntax::kYaml, true};
      return {};
    case CrewFile::kNone: return {};
  }
  return {};
}

bool CrewAiConfigParser::parse(const syntax::Document& document, model::Graph& graph,
                               core::DiagnosticSink& sink) const {
  const CrewFile file = crew_file_for_path(document.path);
  if (file == CrewFile::kNone || document.roots.empty()) return false;
  const Node& root = document.roots[0];
  if (!root.is_object()) return false;
  // Only a file whose entries look like CrewAI's is read: another tool's config/agents.yaml
  // is not this format.
  bool recognised = false;
  for (const auto& member : root.members) {
    recognised = recognised || (file == CrewFile::kAgents ? is_crew_agent(member.value)
                                                          : is_crew_task(member.value));
  }
  if (!recognised) return false;
  CrewReader reader(document, graph, sink);
  if (file == CrewFile::kAgents) {
    reader.read_agents(root);
  } else {
    reader.read_tasks(root);
  }
  return true;
}

}  // namespace fermata::parsers
