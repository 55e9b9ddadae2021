#include "parsers/syntax/document.hpp"

#include <algorithm>

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
  // The last duplicate wins, as in JSON.parse.
  const auto found =
      std::find_if(members.rbegin(), members.rend(), [&](const Member& m) { return m.key == key; });
  return found == members.rend() ? nullptr : &*found;
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
