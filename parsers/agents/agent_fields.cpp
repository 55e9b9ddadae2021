#include "parsers/agents/agent_fields.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace fermata::parsers::agents {

using model::Value;
using syntax::Node;
using syntax::NodeKind;

std::string trim(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin])) != 0) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1])) != 0) --end;
  return std::string(text.substr(begin, end - begin));
}

bool yaml_extension(std::string_view path) {
  const std::string name = lower(basename(path));
  return ends_with(name, ".yaml") || ends_with(name, ".yml");
}

bool has_yaml_key(std::string_view text, std::string_view key, bool top_level_only) {
  size_t at = 0;
  while ((at = text.find(key, at)) != std::string_view::npos) {
    const size_t after = at + key.size();
    const bool colon = after < text.size() && text[after] == ':';
    size_t line_start = at;
    while (line_start > 0 && (text[line_start - 1] == ' ' || text[line_start - 1] == '\t' ||
                              text[line_start - 1] == '-')) {
      --line_start;
    }
    const bool at_line_start = line_start == 0 || text[line_start - 1] == '\n';
    if (colon && at_line_start && (!top_level_only || line_start == at)) return true;
    at = after;
  }
  return false;
}

void ManifestFieldReader::warn(std::string message, const core::Span& span) const {
  sink_.report(core::DiagCode::kSchema, std::move(message), document_.loc(span));
}

Value ManifestFieldReader::text(const Node* node, std::string_view field,
                                std::string_view owner) const {
  if (node == nullptr) return Value::null();
  if (node->kind == NodeKind::kNull) return Value::null(loc(node->span));
  if (!node->is_scalar()) {
    warn("'" + std::string(field) + "' of " + std::string(owner) + " should be a string, not " +
             std::string(syntax::to_string(node->kind)),
         node->span);
    return Value::null(loc(node->span));
  }
  return Value::of_string(node->text, loc(node->span));
}

Value ManifestFieldReader::number(const Node* node, std::string_view field,
                                  std::string_view owner) const {
  if (node == nullptr) return Value::null();
  if (node->kind == NodeKind::kNull) return Value::null(loc(node->span));
  if (node->kind == NodeKind::kNumber) {
    try {
      return Value::of_number(std::stod(node->text), loc(node->span));
    } catch (const std::exception&) {
      // Hexadecimal or other spellings std::stod refuses: reported below like any non-number.
    }
  }
  warn("'" + std::string(field) + "' of " + std::string(owner) + " should be a number, not '" +
           node->text + "'",
       node->span);
  return Value::null(loc(node->span));
}

Value ManifestFieldReader::boolean(const Node* node, std::string_view field,
                                   std::string_view owner) const {
  if (node == nullptr) return Value::null();
  if (node->kind == NodeKind::kNull) return Value::null(loc(node->span));
  if (node->kind == NodeKind::kBool) return Value::of_bool(node->as_bool(false), loc(node->span));
  warn("'" + std::string(field) + "' of " + std::string(owner) + " should be true or false, not " +
           std::string(syntax::to_string(node->kind)),
       node->span);
  return Value::null(loc(node->span));
}

Value ManifestFieldReader::strings(const Node& node, std::string_view field,
                                   std::string_view owner) const {
  Value list = Value::list(loc(node.span));
  if (node.kind == NodeKind::kNull) return list;
  if (node.is_scalar()) {
    list.push(Value::of_string(node.text, loc(node.span)));
    return list;
  }
  if (!node.is_array()) {
    warn("'" + std::string(field) + "' of " + std::string(owner) + " should be a list of strings",
         node.span);
    return list;
  }
  for (const auto& item : node.items) {
    if (!item.is_scalar()) {
      warn("an element of '" + std::string(field) + "' of " + std::string(owner) +
               " is not a string",
           item.span);
      continue;
    }
    list.push(Value::of_string(item.text, loc(item.span)));
  }
  return list;
}

Value ManifestFieldReader::entries(const Node& node, std::string_view field,
                                   std::string_view owner) const {
  Value list = Value::list(loc(node.span));
  if (node.kind == NodeKind::kNull) return list;
  if (node.is_object()) {
    for (const auto& member : node.members) {
      if (member.value.kind == NodeKind::kNull) continue;
      if (!member.value.is_scalar()) {
        warn("'" + std::string(field) + "." + member.key + "' of " + std::string(owner) +
                 " is not a string",
             member.value.span);
        continue;
      }
      list.push(model::make_entry(member.key, loc(member.key_span),
                                  Value::of_string(member.value.text, loc(member.value.span))));
    }
    return list;
  }
  if (!node.is_array()) {
    warn("'" + std::string(field) + "' of " + std::string(owner) +
             " should map names to values or list {name, value} entries",
         node.span);
    return list;
  }
  for (const auto& item : node.items) {
    const Node* name = item.get("name");
    if (!item.is_object() || name == nullptr || !name->is_scalar()) {
      warn("an element of '" + std::string(field) + "' of " + std::string(owner) +
               " should have a 'name'",
           item.span);
      continue;
    }
    const Node* value = item.get("value");
    if (value == nullptr || value->kind == NodeKind::kNull) continue;
    if (!value->is_scalar()) {
      warn("'" + std::string(field) + "' entry '" + name->text + "' of " + std::string(owner) +
               " has a value that is not a string",
           value->span);
      continue;
    }
    list.push(model::make_entry(name->text, loc(name->span),
                                Value::of_string(value->text, loc(value->span))));
  }
  return list;
}

std::string server_label(const Value& command, const Value& args) {
  if (args.kind == model::ValueKind::kList) {
    for (const auto& arg : args.items) {
      if (!arg.text.empty() && arg.text.front() != '-') return arg.text;
    }
  }
  return command.text;
}

std::string distinct_name(std::set<std::string>& used, std::string name,
                          std::string_view qualifier) {
  if (used.insert(name).second) return name;
  const std::string base = name + " (" + std::string(qualifier) + ")";
  name = base;
  for (int n = 2; !used.insert(name).second; ++n) name = base + " #" + std::to_string(n);
  return name;
}

Value tool_record(std::string name, std::string kind, std::string server, bool require_approval,
                  const core::SourceLoc& loc) {
  Value tool = Value::record(loc);
  tool.set("name", Value::of_string(std::move(name), loc));
  tool.set("kind", Value::of_string(std::move(kind), loc));
  tool.set("server", Value::of_string(std::move(server), loc));
  tool.set("require_approval", Value::of_bool(require_approval, loc));
  return tool;
}

std::string tool_kind_for_name(std::string_view name) {
  const std::string key = lower(name);
  auto has = [&key](std::string_view part) { return key.find(part) != std::string::npos; };
  if (has("codeinterpreter") || has("code_interpreter") || has("code_execution") ||
      has("codeexecut") || has("python_repl") || has("pythonrepl")) {
    return "code";
  }
  if (has("shell") || has("bash") || has("terminal")) return "shell";
  if (has("filewrite") || has("file_write") || has("fileread") || has("file_read") ||
      has("directoryread") || has("directory_read") || has("directorysearch") ||
      has("filesystem")) {
    return "filesystem";
  }
  if (has("scrape") || has("serper") || has("website") || has("browser") || has("google_search") ||
      has("url_context") || has("fetch") || has("crawl")) {
    return "fetch";
  }
  return "function";
}

Value model_record(const std::string& name, const Value& model_id) {
  const core::SourceLoc& loc = model_id.loc;
  Value model = Value::record(loc);
  model.set("name", Value::of_string(name, loc));
  std::string provider;
  std::string id = model_id.text;
  if (const size_t slash = id.find('/'); slash != std::string::npos) {
    provider = id.substr(0, slash);
    id = id.substr(slash + 1);
  }
  model.set("provider", Value::of_string(provider, loc));
  model.set("model", Value::of_string(id, loc));
  model.set("base_url", Value::of_string("", loc));
  model.set("api_key", Value::of_string("", loc));
  model.set("rpm", Value::null(loc));
  model.set("tpm", Value::null(loc));
  model.set("max_budget", Value::null(loc));
  return model;
}

void add_literal(Value& literals, std::string source, std::string key, const Value& value) {
  if (value.kind != model::ValueKind::kString || value.text.empty()) return;
  Value literal = Value::record(value.loc);
  literal.set("source", Value::of_string(std::move(source), value.loc));
  literal.set("key", Value::of_string(std::move(key), value.loc));
  literal.set("value", value);
  literals.push(std::move(literal));
}

void add_query_literals(Value& literals, const Value& url) {
  if (url.kind != model::ValueKind::kString) return;
  const size_t question = url.text.find('?');
  if (question == std::string::npos) return;
  const size_t fragment = url.text.find('#', question);
  const std::string query = url.text.substr(
      question + 1, fragment == std::string::npos ? std::string::npos : fragment - question - 1);
  size_t start = 0;
  while (start < query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(start, end - start);
    if (const size_t eq = pair.find('='); eq != std::string::npos && eq > 0) {
      add_literal(literals, "url", pair.substr(0, eq),
                  Value::of_string(pair.substr(eq + 1), url.loc));
    }
    start = end + 1;
  }
}

model::Entity& add_agent(model::Graph& graph, const std::string& name, const core::SourceLoc& loc,
                         std::string_view client, std::string_view config_format) {
  model::Entity& agent = graph.add(model::EntityKind::kAgent, name, loc);
  agent.attrs.set("name", Value::of_string(name, loc));
  agent.attrs.set("kind", Value::of_string("agent", loc));
  agent.attrs.set("client", Value::of_string(std::string(client), loc));
  agent.attrs.set("config_format", Value::of_string(std::string(config_format), loc));
  agent.attrs.set("tools", Value::list(loc));
  agent.attrs.set("servers", Value::list(loc));
  agent.attrs.set("server_names", Value::list(loc));
  agent.attrs.set("delegate_names", Value::list(loc));
  agent.attrs.set("models", Value::list(loc));
  agent.attrs.set("literals", Value::list(loc));
  return agent;
}

}  // namespace fermata::parsers::agents
