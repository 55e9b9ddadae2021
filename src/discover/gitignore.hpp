// discover: .gitignore semantics (gitignore(5)): blank lines and # comments, trailing
// spaces, \-escapes, ! negation, trailing / for directories only, a leading or middle /
// anchoring to the .gitignore's directory, *, ?, [...] classes, and ** in leading,
// trailing and middle positions. Nested .gitignore files apply below their directory;
// later and deeper patterns win; a file inside an excluded directory stays excluded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fermata::discover {

class IgnoreRules {
 public:
  /// Adds the patterns of a .gitignore located in directory `base` ("" = root, else
  /// "a/b" with no trailing slash), in file order.
  void add(std::string_view base, std::string_view content);
  /// Whether `path` (relative to the root, '/'-separated) is ignored by the patterns
  /// added so far. Callers walk top-down and do not descend into ignored directories.
  [[nodiscard]] bool ignored(std::string_view path, bool is_dir) const;

 private:
  struct Pattern {
    std::string base;  ///< directory of the .gitignore that holds it
    std::string glob;  ///< pattern text without !, leading / and trailing /
    bool negated = false;
    bool dir_only = false;
    bool anchored = false;  ///< matched against the path relative to base
  };
  std::vector<Pattern> patterns_;
};

/// wildmatch: `*` and `?` do not cross '/', `**` does (as a whole path component),
/// `[...]` classes with ranges and `!`/`^` negation, `\` escapes.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace fermata::discover
