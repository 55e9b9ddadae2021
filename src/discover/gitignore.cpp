#include "discover/gitignore.hpp"

#include <algorithm>
#include <cstddef>

namespace fermata::discover {
namespace {

constexpr size_t kNpos = std::string_view::npos;

// Scans one bracket expression whose '[' sits just before `pos`, deciding whether `c` belongs
// to it. On success `pos` ends just past the closing ']'. Returns false in `well_formed` when
// the expression never closes or names an unknown [:class:]; git then refuses the whole
// pattern, so callers treat that as "cannot match".
bool class_contains(std::string_view p, size_t& pos, unsigned char c, bool& well_formed) {
  well_formed = true;
  bool negated = false;
  if (pos < p.size() && (p[pos] == '!' || p[pos] == '^')) {
    negated = true;
    ++pos;
  }
  bool found = false;
  // The previous single character, usable as the start of a range; -1 when there is none,
  // including right after a range, so that "a-c-e" reads as a range, a literal '-' and 'e'.
  int prev = -1;
  bool first = true;
  while (true) {
    if (pos >= p.size()) {
      well_formed = false;
      return false;
    }
    auto ch = static_cast<unsigned char>(p[pos]);
    if (ch == ']' && !first) {
      ++pos;
      break;
    }
    first = false;
    if (ch == '\\') {
      if (pos + 1 >= p.size()) {
        well_formed = false;
        return false;
      }
      ch = static_cast<unsigned char>(p[pos + 1]);
      pos += 2;
      if (ch == c) found = true;
      prev = ch;
      continue;
    }
    if (ch == '-' && prev >= 0 && pos + 1 < p.size() && p[pos + 1] != ']') {
      size_t hi_pos = pos + 1;
      auto hi = static_cast<unsigned char>(p[hi_pos]);
      if (hi == '\\') {
        if (hi_pos + 1 >= p.size()) {
          well_formed = false;
          return false;
        }
        hi = static_cast<unsigned char>(p[++hi_pos]);
      }
      if (c >= prev && c <= hi) found = true;
      pos = hi_pos + 1;
      prev = -1;
      continue;
    }
    if (ch == '[' && pos + 1 < p.size() && p[pos + 1] == ':') {
      size_t close = p.find(']', pos + 2);
      if (close == kNpos) {
        well_formed = false;
        return false;
      }
      if (close > pos + 2 && p[close - 1] == ':') {
        std::string_view name = p.substr(pos + 2, close - 1 - (pos + 2));
        bool in_class = false;
        if (name == "alnum") {
          in_class = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        } else if (name == "alpha") {
          in_class = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        } else if (name == "blank") {
          in_class = c == ' ' || c == '\t';
        } else if (name == "cntrl") {
          in_class = c < 0x20 || c == 0x7f;
        } else if (name == "digit") {
          in_class = c >= '0' && c <= '9';
        } else if (name == "graph") {
          in_class = c > 0x20 && c < 0x7f;
        } else if (name == "lower") {
          in_class = c >= 'a' && c <= 'z';
        } else if (name == "print") {
          in_class = c >= 0x20 && c < 0x7f;
        } else if (name == "punct") {
          in_class = c > 0x20 && c < 0x7f &&
                     !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
        } else if (name == "space") {
          in_class = c == ' ' || (c >= '\t' && c <= '\r');
        } else if (name == "upper") {
          in_class = c >= 'A' && c <= 'Z';
        } else if (name == "xdigit") {
          in_class = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        } else {
          well_formed = false;
          return false;
        }
        if (in_class) found = true;
        pos = close + 1;
        prev = -1;
        continue;
      }
      // No ":]" before the next ']': git reads the '[' as an ordinary member.
    }
    if (ch == c) found = true;
    prev = ch;
    ++pos;
  }
  return found != negated;
}

// One path component against one pattern component (neither holds a separator). A `*` may
// stretch over any run of characters here, so the usual single-backtrack-point scan applies
// and stays linear per attempt even for hostile patterns such as "*a*a*a*b".
bool component_match(std::string_view p, std::string_view t) {
  size_t pi = 0;
  size_t ti = 0;
  size_t star_p = kNpos;
  size_t star_t = 0;
  while (ti < t.size()) {
    if (pi < p.size()) {
      const char pc = p[pi];
      if (pc == '*') {
        while (pi < p.size() && p[pi] == '*') ++pi;
        star_p = pi;
        star_t = ti;
        continue;
      }
      bool ok = false;
      size_t next = pi + 1;
      if (pc == '?') {
        ok = true;
      } else if (pc == '[') {
        bool well_formed = true;
        ok = class_contains(p, next, static_cast<unsigned char>(t[ti]), well_formed);
        if (!well_formed) return false;
      } else if (pc == '\\') {
        // A trailing backslash has nothing to escape and can never be consumed.
        if (pi + 1 >= p.size()) return false;
        ok = p[pi + 1] == t[ti];
        next = pi + 2;
      } else {
        ok = pc == t[ti];
      }
      if (ok) {
        pi = next;
        ++ti;
        continue;
      }
    }
    if (star_p == kNpos) return false;
    ti = ++star_t;
    pi = star_p;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

// Pattern components are separated by '/', but not by one inside a bracket expression; an
// escaped "\/" still separates, since the text side splits on every '/'.
struct Component {
  std::string_view text;
  size_t next;               ///< start of the following component, or size()+1 when last
  bool escaped_end = false;  ///< ended by "\/" rather than "/"
};

Component pattern_component(std::string_view p, size_t start) {
  size_t i = start;
  while (i < p.size()) {
    const char c = p[i];
    if (c == '/') return {p.substr(start, i - start), i + 1};
    if (c == '\\') {
      if (i + 1 < p.size() && p[i + 1] == '/') return {p.substr(start, i - start), i + 2, true};
      i += 2;
      continue;
    }
    if (c == '[') {
      size_t probe = i + 1;
      bool well_formed = true;
      class_contains(p, probe, 0, well_formed);
      // An unterminated '[' is left for component_match to reject.
      i = well_formed ? probe : i + 1;
      continue;
    }
    ++i;
  }
  return {p.substr(start, (i < p.size() ? i : p.size()) - start), p.size() + 1};
}

Component text_component(std::string_view t, size_t start) {
  const size_t slash = t.find('/', start);
  if (slash == kNpos) return {t.substr(start), t.size() + 1};
  return {t.substr(start, slash - start), slash + 1};
}

bool is_double_star(std::string_view component) {
  return component.size() >= 2 && component.find_first_not_of('*') == kNpos;
}

// Trims trailing spaces the way git does: a space survives only when a backslash escapes it.
std::string_view trim_trailing_spaces(std::string_view line) {
  size_t end = 0;
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] == '\\' && i + 1 < line.size()) {
      i += 2;
      end = i;
    } else if (line[i] == ' ') {
      ++i;
    } else {
      ++i;
      end = i;
    }
  }
  return line.substr(0, end);
}

// git compares the literal start of an anchored pattern (everything before the first
// wildcard) by itself and hands only the rest to the glob matcher. A "**" that directly
// follows that literal start therefore counts as a whole component there: "/a**" ignores
// "ab/c" and "/a**/b" ignores "ab". Matching git here keeps fermata ignoring exactly what
// `git status` hides.
bool anchored_match(std::string_view glob, std::string_view rel) {
  const size_t literal = std::min(glob.find_first_of("*?[\\"), glob.size());
  if (rel.substr(0, literal) != glob.substr(0, literal)) return false;
  if (literal == glob.size()) return rel.size() == literal;
  return glob_match(glob.substr(literal), rel.substr(literal));
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  // Components play the role characters play in an ordinary glob: a "**" component is the
  // star (any run of whole components), every other component matches exactly one. The
  // single backtrack point therefore suffices and keeps hostile patterns polynomial.
  const size_t p_end = pattern.size() + 1;
  const size_t t_end = text.size() + 1;
  size_t pi = 0;
  size_t ti = 0;
  size_t star_p = kNpos;
  size_t star_t = 0;
  while (true) {
    if (ti >= t_end) {
      // Text used up: only "**" components may remain, and a trailing "/**" still needs a
      // component of its own ("a/**" matches inside a, not a itself).
      while (pi < p_end) {
        const Component pc = pattern_component(pattern, pi);
        if (!is_double_star(pc.text) || pc.escaped_end || (pc.next >= p_end && pi != 0)) {
          return false;
        }
        pi = pc.next;
      }
      return true;
    }
    if (pi < p_end) {
      const Component pc = pattern_component(pattern, pi);
      if (is_double_star(pc.text)) {
        if (pc.next >= p_end) return true;
        star_p = pc.next;
        star_t = ti;
        // git takes the empty-directory shortcut of "**/" only for a plain slash: "**\/x"
        // wants at least one directory before x.
        if (pc.escaped_end) star_t = text_component(text, ti).next;
        ti = star_t;
        pi = pc.next;
        continue;
      }
      const Component tc = text_component(text, ti);
      if (component_match(pc.text, tc.text)) {
        pi = pc.next;
        ti = tc.next;
        continue;
      }
    }
    if (star_p == kNpos) return false;
    star_t = text_component(text, star_t).next;
    ti = star_t;
    pi = star_p;
  }
}

void IgnoreRules::add(std::string_view base, std::string_view content) {
  // git skips a UTF-8 byte order mark at the start of an ignore file.
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  while (!content.empty()) {
    const size_t newline = content.find('\n');
    std::string_view line = content.substr(0, newline);
    content.remove_prefix(newline == kNpos ? content.size() : newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    line = trim_trailing_spaces(line);

    Pattern pattern;
    pattern.base = std::string(base);
    if (!line.empty() && line.front() == '!') {
      pattern.negated = true;
      line.remove_prefix(1);
    }
    if (!line.empty() && line.back() == '/') {
      pattern.dir_only = true;
      line.remove_suffix(1);
    }
    // Any remaining slash, leading or inner, ties the pattern to the .gitignore's directory.
    pattern.anchored = line.find('/') != kNpos;
    if (!line.empty() && line.front() == '/') line.remove_prefix(1);
    if (line.empty()) continue;
    pattern.glob = std::string(line);
    patterns_.push_back(std::move(pattern));
  }
}

// Only `path` itself is examined, never its parent directories: the walker does not descend
// into an ignored directory, so a "!" rule for a file below one has nothing to re-include,
// exactly as gitignore(5) describes.
bool IgnoreRules::ignored(std::string_view path, bool is_dir) const {
  // The last matching pattern decides.
  for (size_t index = patterns_.size(); index-- > 0;) {
    const Pattern& pattern = patterns_[index];
    if (pattern.dir_only && !is_dir) continue;
    std::string_view rel = path;
    if (!pattern.base.empty()) {
      if (rel.size() <= pattern.base.size() + 1 ||
          rel.substr(0, pattern.base.size()) != pattern.base || rel[pattern.base.size()] != '/') {
        continue;
      }
      rel.remove_prefix(pattern.base.size() + 1);
    }
    bool hit = false;
    if (pattern.anchored) {
      hit = anchored_match(pattern.glob, rel);
    } else {
      const size_t slash = rel.rfind('/');
      hit = glob_match(pattern.glob, slash == kNpos ? rel : rel.substr(slash + 1));
    }
    if (hit) return !pattern.negated;
  }
  return false;
}

}  // namespace fermata::discover
