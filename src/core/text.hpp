// core: the few text helpers every stage needs, once. ASCII only: configuration keys,
// hosts, package names and paths are compared case-insensitively in ASCII, never by locale.
#pragma once

#include <string>
#include <string_view>

namespace fermata::core {

inline std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

inline bool starts_with(std::string_view text, std::string_view prefix) {
  return text.starts_with(prefix);
}

inline bool ends_with(std::string_view text, std::string_view suffix) {
  return text.ends_with(suffix);
}

/// The last component of a '/'-separated path.
inline std::string_view basename(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace fermata::core
