#include "parsers/agents/field_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "core/text.hpp"

namespace fermata::parsers::agents {

using syntax::Node;
using syntax::NodeKind;

std::string_view parent_name(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  const std::string_view dir = path.substr(0, slash);
  const size_t before = dir.rfind('/');
  return before == std::string_view::npos ? dir : dir.substr(before + 1);
}

bool has_json_key(std::string_view text, std::string_view name) {
  const std::string quoted = "\"" + std::string(name) + "\"";
  size_t at = text.find(quoted);
  while (at != std::string_view::npos) {
    size_t i = at + quoted.size();
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) {
      ++i;
    }
    if (i < text.size() && text[i] == ':') return true;
    at = text.find(quoted, at + 1);
  }
  return false;
}

bool has_line_start_key(std::string_view text, std::string_view key) {
  size_t at = text.find(key);
  while (at != std::string_view::npos) {
    if (at == 0 || text[at - 1] == '\n') return true;
    at = text.find(key, at + 1);
  }
  return false;
}

bool is_templated(std::string_view text) {
  return text.find("$(") != std::string_view::npos || text.find("<<") != std::string_view::npos ||
         text.find("{{") != std::string_view::npos || text.find("${") != std::string_view::npos;
}

void FieldReader::warn(const std::string& message, const core::Span& span) const {
  sink_.report(core::DiagCode::kSchema, message, document_.loc(span));
}

const Node* FieldReader::scalar(const Node& object, std::string_view key,
                                std::string_view field) const {
  const Node* node = object.get(key);
  if (node == nullptr || node->kind == NodeKind::kNull) return nullptr;
  if (!node->is_scalar()) {
    warn("'" + std::string(field) + "' of the " + what_ + " should be a string, not " +
             std::string(syntax::to_string(node->kind)),
         node->span);
    return nullptr;
  }
  return node;
}

const Node* FieldReader::object(const Node& object, std::string_view key,
                                std::string_view field) const {
  const Node* node = object.get(key);
  if (node == nullptr || node->kind == NodeKind::kNull) return nullptr;
  if (!node->is_object()) {
    warn("'" + std::string(field) + "' of the " + what_ + " should be a mapping, not " +
             std::string(syntax::to_string(node->kind)),
         node->span);
    return nullptr;
  }
  return node;
}

const Node* FieldReader::array(const Node& object, std::string_view key,
                               std::string_view field) const {
  const Node* node = object.get(key);
  if (node == nullptr || node->kind == NodeKind::kNull) return nullptr;
  if (!node->is_array()) {
    warn("'" + std::string(field) + "' of the " + what_ + " should be a list, not " +
             std::string(syntax::to_string(node->kind)),
         node->span);
    return nullptr;
  }
  return node;
}

std::optional<model::Value> FieldReader::string_value(const Node& object, std::string_view key,
                                                      std::string_view field) const {
  const Node* node = scalar(object, key, field);
  if (node == nullptr) return std::nullopt;
  return model::Value::of_string(node->text, loc(node->span));
}

std::optional<model::Value> FieldReader::number_value(const Node& object, std::string_view key,
                                                      std::string_view field) const {
  const Node* node = object.get(key);
  if (node == nullptr || node->kind == NodeKind::kNull) return std::nullopt;
  // LiteLLM reads any value from the environment (os.environ/NAME): not a number here, and
  // not a mistake either.
  if (node->kind == NodeKind::kString &&
      (starts_with(node->text, "os.environ/") || is_templated(node->text))) {
    return std::nullopt;
  }
  if (node->kind == NodeKind::kNumber || node->kind == NodeKind::kString) {
    const std::string& text = node->text;
    char* end = nullptr;
    const double number = std::strtod(text.c_str(), &end);
    if (!text.empty() && end == text.c_str() + text.size() && std::isfinite(number)) {
      return model::Value::of_number(number, loc(node->span));
    }
  }
  warn("'" + std::string(field) + "' of the " + what_ + " should be a number, not '" +
           (node->is_scalar() ? node->text : std::string(syntax::to_string(node->kind))) + "'",
       node->span);
  return std::nullopt;
}

}  // namespace fermata::parsers::agents
