#include "parsers/coding/settings_reader.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace fermata::parsers::coding {
namespace {

using model::Value;
using syntax::Node;
using syntax::NodeKind;

std::string kind_name(const Node& node) { return std::string(syntax::to_string(node.kind)); }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool one_of(std::string_view word, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

/// Shells and interpreters that run what they are fed.
bool runs_code(std::string_view word) {
  return one_of(word,
                {"sh", "bash", "zsh", "dash", "ksh", "fish", "python", "python3", "node", "ruby",
                 "perl", "php", "pwsh", "powershell", "iex", "deno", "bun", "Invoke-Expression"});
}

bool downloads(std::string_view word) {
  return one_of(word, {"curl", "wget", "iwr", "irm", "Invoke-WebRequest", "Invoke-RestMethod"});
}

/// One simple command of a command line, and whether its output is piped into the next.
struct Segment {
  std::string text;
  std::vector<std::string> words;
  bool piped = false;
};

std::string_view command_name(std::string_view word) {
  const size_t slash = word.find_last_of("/\\");
  return slash == std::string_view::npos ? word : word.substr(slash + 1);
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : text) {
    if (is_space(c)) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else if (c != '"' && c != '\'') {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  // Leading assignments and wrappers do not change what runs.
  size_t first = 0;
  while (first < words.size() &&
         (words[first].find('=') != std::string::npos ||
          one_of(words[first], {"sudo", "exec", "command", "time", "nohup"}))) {
    ++first;
  }
  words.erase(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(first));
  return words;
}

std::vector<Segment> split_segments(std::string_view command) {
  std::vector<Segment> segments;
  std::string current;
  auto flush = [&](bool piped) {
    Segment segment;
    segment.text = current;
    segment.words = split_words(current);
    segment.piped = piped;
    segments.push_back(std::move(segment));
    current.clear();
  };
  for (size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    const char next = i + 1 < command.size() ? command[i + 1] : '\0';
    if ((c == '&' && next == '&') || (c == '|' && next == '|')) {
      flush(false);
      ++i;
    } else if (c == '|') {
      flush(true);
    } else if (c == ';' || c == '\n') {
      flush(false);
    } else {
      current += c;
    }
  }
  flush(false);
  return segments;
}

/// The first argument that is not an option, after `skip` words.
std::string_view first_operand(const std::vector<std::string>& words, size_t skip) {
  for (size_t i = skip; i < words.size(); ++i) {
    if (!words[i].empty() && words[i][0] != '-') return words[i];
  }
  return {};
}

bool is_url(std::string_view word) {
  return word.rfind("http://", 0) == 0 || word.rfind("https://", 0) == 0;
}

bool segment_fetches(const Segment& segment) {
  if (segment.words.empty()) return false;
  const std::string_view head = command_name(segment.words[0]);
  const std::string_view second =
      segment.words.size() > 1 ? std::string_view(segment.words[1]) : std::string_view();
  if (one_of(head, {"npx", "bunx", "pnpx", "uvx"})) return !first_operand(segment.words, 1).empty();
  if ((one_of(head, {"pnpm", "yarn"}) && second == "dlx") || (head == "pipx" && second == "run") ||
      (head == "npm" && (second == "exec" || second == "x")) || (head == "bun" && second == "x")) {
    return !first_operand(segment.words, 2).empty();
  }
  if (head == "uv" && second == "tool" && segment.words.size() > 2 && segment.words[2] == "run") {
    return !first_operand(segment.words, 3).empty();
  }
  if (runs_code(head) || one_of(head, {"eval", "source", "."})) {
    static constexpr std::array<std::string_view, 4> kSubstitutions = {"<(", "$(", "`", "<<<"};
    for (const std::string_view opener : kSubstitutions) {
      size_t at = segment.text.find(opener);
      while (at != std::string::npos) {
        const std::string_view rest =
            trim(std::string_view(segment.text).substr(at + opener.size()));
        for (const std::string_view tool : {"curl", "wget"}) {
          if (rest.rfind(tool, 0) == 0) return true;
        }
        at = segment.text.find(opener, at + 1);
      }
    }
    const size_t skip = (head == "deno" || head == "bun") && second == "run" ? 2 : 1;
    if (is_url(first_operand(segment.words, skip))) return true;
  }
  return false;
}

}  // namespace

void SettingsReader::warn(const std::string& message, const core::Span& span) const {
  sink_.report(core::DiagCode::kSchema, message, document_.loc(span));
}

const Node* SettingsReader::scalar(const Node& parent, std::string_view key,
                                   std::string_view setting) const {
  const Node* node = parent.get(key);
  if (node == nullptr || node->kind == NodeKind::kNull) return nullptr;
  if (!node->is_scalar()) {
    warn("'" + std::string(setting) + "' should be a string, not " + kind_name(*node), node->span);
    return nullptr;
  }
  return node;
}

const Node* SettingsReader::boolean(const Node& parent, std::string_view key,
                                    std::string_view setting) const {
  const Node* node = parent.get(key);
  if (node == nullptr || node->kind == NodeKind::kNull) return nullptr;
  if (node->kind != NodeKind::kBool) {
    warn("'" + std::string(setting) + "' should be true or false, not " + kind_name(*node),
         node->span);
    return nullptr;
  }
  return node;
}

const Node* SettingsReader::object(const Node& parent, std::string_view key,
                                   std::string_view setting) const {
  const Node* node = parent.get(key);
  if (node == nullptr || node->kind == NodeKind::kNull) return nullptr;
  if (!node->is_object()) {
    warn("'" + std::string(setting) + "' should be an object, not " + kind_name(*node), node->span);
    return nullptr;
  }
  return node;
}

Value SettingsReader::string_list(const Node& node, std::string_view setting) const {
  Value list = Value::list(loc(node.span));
  if (node.kind == NodeKind::kNull) return list;
  if (!node.is_array()) {
    warn("'" + std::string(setting) + "' should be a list of strings, not " + kind_name(node),
         node.span);
    return list;
  }
  for (const auto& item : node.items) {
    if (!item.is_scalar()) {
      warn("an element of '" + std::string(setting) + "' is " + kind_name(item) + ", not a string",
           item.span);
      continue;
    }
    list.push(Value::of_string(item.text, loc(item.span)));
  }
  return list;
}

Value SettingsReader::entries(const Node& node, std::string_view setting, Value* literals,
                              std::string_view literal_source) const {
  Value list = Value::list(loc(node.span));
  if (!node.is_object()) {
    warn("'" + std::string(setting) + "' should be an object of names to values, not " +
             kind_name(node),
         node.span);
    return list;
  }
  for (const auto& member : node.members) {
    if (member.value.kind == NodeKind::kNull) continue;
    if (!member.value.is_scalar()) {
      warn("'" + std::string(setting) + "." + member.key + "' should be a string, not " +
               kind_name(member.value),
           member.value.span);
      continue;
    }
    Value value = Value::of_string(member.value.text, loc(member.value.span));
    if (literals != nullptr && member.value.kind == NodeKind::kString) {
      add_literal(*literals, literal_source, member.key, value);
    }
    list.push(model::make_entry(member.key, loc(member.key_span), std::move(value)));
  }
  return list;
}

Value SettingsReader::hooks(const Node& node, std::string_view setting) const {
  Value list = Value::list(loc(node.span));
  if (!node.is_object()) {
    warn("'" + std::string(setting) + "' should map event names to lists of hooks, not " +
             kind_name(node),
         node.span);
    return list;
  }
  for (const auto& event : node.members) {
    const std::string where = std::string(setting) + "." + event.key;
    if (!event.value.is_array()) {
      warn("'" + where + "' should be a list of matchers with hooks, not " + kind_name(event.value),
           event.value.span);
      continue;
    }
    for (const auto& matcher : event.value.items) {
      if (!matcher.is_object()) {
        warn("an entry of '" + where + "' should be an object with 'hooks', not " +
                 kind_name(matcher),
             matcher.span);
        continue;
      }
      const Node* inner = matcher.get("hooks");
      if (inner == nullptr) continue;
      if (!inner->is_array()) {
        warn("'hooks' in '" + where + "' should be a list, not " + kind_name(*inner), inner->span);
        continue;
      }
      for (const auto& hook : inner->items) {
        if (!hook.is_object()) {
          warn("a hook in '" + where + "' should be an object, not " + kind_name(hook), hook.span);
          continue;
        }
        const Node* type = scalar(hook, "type", where + " hook type");
        const std::string type_text = type != nullptr ? type->text : "command";
        if (type_text != "command" && type_text != "http") continue;
        const Node* command =
            scalar(hook, type_text == "http" ? "url" : "command", where + " hook command");
        if (command == nullptr) continue;
        Value record = Value::record(loc(command->span));
        record.set("event", Value::of_string(event.key, loc(event.key_span)));
        record.set("type",
                   Value::of_string(type_text, loc(type != nullptr ? type->span : hook.span)));
        record.set("command", Value::of_string(command->text, loc(command->span)));
        record.set("fetches_network",
                   Value::of_bool(type_text == "command" && command_fetches_network(command->text),
                                  loc(command->span)));
        list.push(std::move(record));
      }
    }
  }
  return list;
}

void add_literal(Value& literals, std::string_view source, std::string_view key,
                 const Value& value) {
  if (value.kind != model::ValueKind::kString) return;
  Value literal = Value::record(value.loc);
  literal.set("source", Value::of_string(std::string(source), value.loc));
  literal.set("key", Value::of_string(std::string(key), value.loc));
  literal.set("value", value);
  literals.push(std::move(literal));
}

void add_hook_literals(Value& agent) {
  const Value* hooks = agent.get("hooks");
  if (hooks == nullptr || hooks->items.empty()) return;
  Value literals =
      agent.get("literals") != nullptr ? *agent.get("literals") : Value::list(hooks->loc);
  for (const auto& hook : hooks->items) {
    const Value* event = hook.get("event");
    const Value* command = hook.get("command");
    if (command != nullptr)
      add_literal(literals, "command", event != nullptr ? event->text : "", *command);
  }
  agent.set("literals", std::move(literals));
}

bool command_fetches_network(std::string_view command) {
  const std::vector<Segment> segments = split_segments(command);
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& segment = segments[i];
    if (segment_fetches(segment)) return true;
    const bool fetch = !segment.words.empty() && downloads(command_name(segment.words[0]));
    if (fetch && segment.piped && i + 1 < segments.size()) {
      const auto& next = segments[i + 1].words;
      if (!next.empty() && runs_code(command_name(next[0]))) return true;
    }
  }
  return false;
}

bool split_rule(std::string_view rule, std::string& tool, std::string& pattern) {
  rule = trim(rule);
  const size_t open = rule.find('(');
  if (open == std::string_view::npos || rule.back() != ')') {
    tool = std::string(rule);
    pattern.clear();
    return false;
  }
  tool = std::string(trim(rule.substr(0, open)));
  pattern = std::string(trim(rule.substr(open + 1, rule.size() - open - 2)));
  return true;
}

bool shell_pattern_unrestricted(std::string_view pattern) {
  pattern = trim(pattern);
  if (std::all_of(pattern.begin(), pattern.end(),
                  [](char c) { return c == '*' || c == ':' || is_space(c); })) {
    return true;
  }
  std::string_view prefix;
  if (pattern.size() > 2 && pattern.substr(pattern.size() - 2) == ":*") {
    prefix = pattern.substr(0, pattern.size() - 2);
  } else if (pattern.back() == '*') {
    prefix = pattern.substr(0, pattern.size() - 1);
  } else {
    return false;
  }
  prefix = trim(prefix);
  static constexpr std::array<std::string_view, 22> kRunners = {
      "sh",     "bash",   "zsh",  "dash",    "fish",       "ksh",          "sh -c", "bash -c",
      "zsh -c", "env",    "sudo", "eval",    "exec",       "xargs",        "nohup", "command",
      "cmd",    "cmd /c", "pwsh", "pwsh -c", "powershell", "powershell -c"};
  return std::find(kRunners.begin(), kRunners.end(), prefix) != kRunners.end();
}

}  // namespace fermata::parsers::coding
