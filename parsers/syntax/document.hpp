// parsers/syntax: the positioned document every front end (JSON, YAML, TOML) produces.
// Only front ends see third-party parser types; schema parsers read this tree.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/source_loc.hpp"

namespace fermata::syntax {

enum class NodeKind { kNull, kBool, kNumber, kString, kArray, kObject };

std::string_view to_string(NodeKind kind);

struct Member;

/// One value with the span it occupies in its file.
/// Scalars keep their text: strings decoded, numbers as written, booleans "true"/"false".
struct Node {
  NodeKind kind = NodeKind::kNull;
  std::string text;             ///< scalar text (decoded for strings)
  std::vector<Node> items;      ///< kArray
  std::vector<Member> members;  ///< kObject, in source order (duplicates: last one wins on lookup)
  core::Span span;              ///< where the value is written
  std::string tag;              ///< YAML tag as written (e.g. "!Ref"); empty otherwise

  [[nodiscard]] bool is_object() const { return kind == NodeKind::kObject; }
  [[nodiscard]] bool is_array() const { return kind == NodeKind::kArray; }
  [[nodiscard]] bool is_string() const { return kind == NodeKind::kString; }
  [[nodiscard]] bool is_scalar() const {
    return kind == NodeKind::kString || kind == NodeKind::kNumber || kind == NodeKind::kBool;
  }
  /// The member value for `key` (last duplicate wins, as in JSON.parse), or nullptr.
  [[nodiscard]] const Node* get(std::string_view key) const;
  /// The member (key and value) for `key`, or nullptr.
  [[nodiscard]] const Member* member(std::string_view key) const;
  [[nodiscard]] bool as_bool(bool fallback) const;
};

/// An object member: the key with its own span, and the value.
struct Member {
  std::string key;
  core::Span key_span;
  Node value;
};

/// A parsed file: one root per document (YAML may hold several; JSON and TOML hold one).
struct Document {
  std::string path;  ///< repository-relative, '/'-separated
  std::vector<Node> roots;

  [[nodiscard]] core::SourceLoc loc(const core::Span& span) const { return {path, span}; }
};

}  // namespace fermata::syntax
