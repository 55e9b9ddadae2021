#include "parsers/syntax/document.hpp"

namespace fermata::syntax {

std::string_view to_string(NodeKind kind) {
  switch (kind) {
    case NodeKind::kNull: return "null";
    case NodeKind::kBool: return "boolean";
    case NodeKind::kNumber: return "number";
    case NodeKind::kString: return "string";
    case NodeKind::kArray: return "array";
    case NodeKind::kObject: return "object";
  }
  return "null";
}

const Member* Node::member(std::string_view key) const {
  for (auto it = members.rbegin(); it != members.rend(); ++it) {
    if (it->key == key) return &*it;
  }
  return nullptr;
}

const Node* Node::get(std::string_view key) const {
  const Member* found = member(key);
  return found == nullptr ? nullptr : &found->value;
}

bool Node::as_bool(bool fallback) const {
  if (kind != NodeKind::kBool) return fallback;
  return text == "true";
}

}  // namespace fermata::syntax
