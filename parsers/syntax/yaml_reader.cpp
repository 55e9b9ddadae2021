#include "parsers/syntax/yaml_reader.hpp"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/emitterstyle.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/utf8.hpp"

namespace fermata::syntax {
namespace {

using core::DiagCode;

/// A 1-based line and column (columns in code points).
struct Pos {
  uint32_t line = 1;
  uint32_t column = 1;
};

/// Carries the one diagnostic of a failed read to the boundary in read_yaml.
struct ParseAbort {
  DiagCode code;
  std::string message;
  Pos pos;
};

[[noreturn]] void fail(DiagCode code, std::string message, Pos pos) {
  throw ParseAbort{code, std::move(message), pos};
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_break(char c) { return c == '\n' || c == '\r'; }
bool is_space(char c) { return is_blank(c) || is_break(c); }

/// Maps byte offsets to line:column. Lines break at LF only, as yaml-cpp counts them, so our
/// positions and yaml-cpp's marks agree. Columns count code points; a lead-byte count sampled
/// every kBlock bytes keeps each lookup cheap even on megabyte-long lines.
class SourceMap {
 public:
  explicit SourceMap(std::string_view text) : text_(text) {
    line_starts_.push_back(0);
    lead_prefix_.reserve(text.size() / kBlock + 1);
    uint32_t leads = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      if (i % kBlock == 0) lead_prefix_.push_back(leads);
      const auto c = static_cast<unsigned char>(text[i]);
      if (!core::is_utf8_continuation(c)) ++leads;
      if (c == '\n') line_starts_.push_back(i + 1);
    }
    if (text.size() % kBlock == 0) lead_prefix_.push_back(leads);
  }

  [[nodiscard]] Pos at(size_t offset) const {
    offset = std::min(offset, text_.size());
    const auto next = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    const auto line = static_cast<size_t>(next - line_starts_.begin());
    const size_t start = line_starts_[line - 1];
    return Pos{static_cast<uint32_t>(line), leads_before(offset) - leads_before(start) + 1};
  }

  [[nodiscard]] core::Span span(size_t start, size_t end) const {
    const Pos a = at(start);
    const Pos b = at(std::max(start, end));
    return {a.line, a.column, b.line, b.column};
  }

 private:
  static constexpr size_t kBlock = 64;

  [[nodiscard]] uint32_t leads_before(size_t offset) const {
    const size_t block = offset / kBlock;
    uint32_t count = lead_prefix_[block];
    for (size_t i = block * kBlock; i < offset; ++i) {
      if (!core::is_utf8_continuation(static_cast<unsigned char>(text_[i]))) ++count;
    }
    return count;
  }

  std::string_view text_;
  std::vector<size_t> line_starts_;
  std::vector<uint32_t> lead_prefix_;
};

// ---------------------------------------------------------------------------------------------
// Nesting pre-scan. yaml-cpp's parser recurses once per nesting level and its own guard only
// stops at 500 levels, so Limits::max_depth is applied to the text before yaml-cpp sees it.
// The estimate follows block indentation, `- ` and `? ` indicators, keys and flow brackets;
// it errs low rather than high (a valid file is never refused for it), and the tree builder
// then checks the exact depth.

class NestingScan {
 public:
  NestingScan(std::string_view text, uint32_t max_depth) : text_(text), max_depth_(max_depth) {}

  /// Offset of the token that first nests deeper than the limit, if any.
  std::optional<size_t> run() {
    size_t i = 0;
    while (i < text_.size() && !excess_) i = scan_line(i);
    return excess_;
  }

 private:
  struct Level {
    size_t indent;
    bool open_key;  ///< a key whose value starts on a later line
  };

  [[nodiscard]] bool at(size_t i, char c) const { return i < text_.size() && text_[i] == c; }
  [[nodiscard]] bool line_end(size_t i) const { return i >= text_.size() || is_break(text_[i]); }
  [[nodiscard]] bool token_end(size_t i) const { return line_end(i) || is_blank(text_[i]); }

  [[nodiscard]] size_t next_line(size_t i) const {
    while (!line_end(i)) ++i;
    while (i < text_.size() && is_break(text_[i])) {
      if (text_[i] == '\n') return i + 1;
      ++i;
    }
    return i;
  }

  [[nodiscard]] bool document_marker(size_t i) const {
    if (text_.size() - i < 3) return false;
    const std::string_view mark = text_.substr(i, 3);
    return (mark == "---" || mark == "...") && token_end(i + 3);
  }

  void push(size_t indent, bool open_key, size_t offset) {
    if (levels_.size() >= max_depth_) {
      excess_ = offset;
      return;
    }
    levels_.push_back(Level{indent, open_key});
  }

  size_t scan_line(size_t start) {
    size_t indent = 0;
    while (at(start + indent, ' ')) ++indent;
    size_t p = start + indent;
    while (!line_end(p) && is_blank(text_[p])) ++p;
    const bool blank = line_end(p) || text_[p] == '#';
    const bool marker = indent == 0 && document_marker(p);
    if (scalar_parent_ && !marker && (blank || static_cast<int64_t>(indent) > *scalar_parent_)) {
      return next_line(p);
    }
    scalar_parent_.reset();
    if (blank) return next_line(p);
    if (indent == 0 && text_[p] == '%') return next_line(p);
    if (marker) {
      levels_.clear();
      if (text_[p] == '.') return next_line(p);
      p += 3;
    } else {
      const bool entry = at(p, '-') && token_end(p + 1);
      while (!levels_.empty() && levels_.back().indent >= indent) {
        if (entry && levels_.back().indent == indent && levels_.back().open_key) break;
        levels_.pop_back();
      }
    }
    return scan_tokens(start, p);
  }

  /// Walks the structural tokens of one line (and of any flow collection or quoted scalar
  /// that continues onto later lines). Returns the start of the next line to scan.
  size_t scan_tokens(size_t line_start, size_t p) {
    while (!excess_) {
      while (!line_end(p) && is_blank(text_[p])) ++p;
      if (line_end(p)) return next_line(p);
      const char c = text_[p];
      if (c == '#') return next_line(p);
      if ((c == '-' || c == '?') && token_end(p + 1)) {
        push(p - line_start, false, p);
        ++p;
      } else if (c == ':' && token_end(p + 1)) {
        ++p;
      } else if (c == '&' || c == '!' || c == '*') {
        while (!token_end(p)) ++p;
      } else if (c == '[' || c == '{') {
        p = scan_flow(p);
      } else if (c == '|' || c == '>') {
        scalar_parent_ = levels_.empty() ? -1 : static_cast<int64_t>(levels_.back().indent);
        return next_line(p);
      } else {
        const size_t token = p;
        p = (c == '"' || c == '\'') ? skip_quoted(p) : skip_plain(p);
        if (at(p, ':') && token_end(p + 1)) {
          size_t rest = p + 1;
          while (!line_end(rest) && is_blank(text_[rest])) ++rest;
          push(token - line_start, line_end(rest) || text_[rest] == '#', token);
          ++p;
        } else if (!line_end(p) && c != '"' && c != '\'') {
          return next_line(p);
        }
      }
    }
    return text_.size();
  }

  /// A plain scalar in block context runs to `: `, ` #` or the end of the line.
  size_t skip_plain(size_t p) const {
    for (++p; !line_end(p); ++p) {
      if (text_[p] == ':' && token_end(p + 1)) return p;
      if (text_[p] == '#' && is_blank(text_[p - 1])) return p;
    }
    return p;
  }

  size_t skip_quoted(size_t p) const {
    const char quote = text_[p];
    for (++p; p < text_.size(); ++p) {
      if (quote == '"' && text_[p] == '\\') {
        ++p;
      } else if (text_[p] == quote) {
        if (quote == '\'' && at(p + 1, '\'')) {
          ++p;
        } else {
          return p + 1;
        }
      }
    }
    return p;
  }

  /// Counts brackets to the end of the flow collection at `p`, which may span lines.
  size_t scan_flow(size_t p) {
    size_t depth = 0;
    char previous = ' ';
    while (p < text_.size()) {
      const char c = text_[p];
      if (c == '[' || c == '{') {
        ++depth;
        if (levels_.size() + depth > max_depth_) {
          excess_ = p;
          return p;
        }
      } else if (c == ']' || c == '}') {
        if (depth <= 1) return p + 1;
        --depth;
      } else if ((c == '"' || c == '\'') &&
                 (is_space(previous) || previous == '[' || previous == '{' || previous == ',' ||
                  previous == ':')) {
        p = skip_quoted(p);
        previous = text_[p - 1];
        continue;
      } else if (c == '#' && is_space(previous)) {
        while (!line_end(p)) ++p;
        continue;
      }
      previous = c;
      ++p;
    }
    return p;
  }

  std::string_view text_;
  uint32_t max_depth_;
  std::vector<Level> levels_;
  std::optional<int64_t> scalar_parent_;  ///< inside a block scalar: its parent's indentation
  std::optional<size_t> excess_;
};

// ---------------------------------------------------------------------------------------------
// Scalar typing (YAML 1.2 core schema, booleans in any case as fermata documents).

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

bool is_null_word(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> bool_word(std::string_view s) {
  auto equals = [](std::string_view a, std::string_view lower) {
    if (a.size() != lower.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      char c = a[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != lower[i]) return false;
    }
    return true;
  };
  if (equals(s, "true")) return true;
  if (equals(s, "false")) return false;
  return std::nullopt;
}

bool is_number_word(std::string_view s) {
  auto all = [](std::string_view digits, auto pred) {
    return !digits.empty() && std::all_of(digits.begin(), digits.end(), pred);
  };
  auto decimal = [](char c) { return c >= '0' && c <= '9'; };
  if (s.size() > 2 && s[0] == '0' && s[1] == 'o') {
    return all(s.substr(2), [](char c) { return c >= '0' && c <= '7'; });
  }
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x') {
    return all(s.substr(2), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
  }
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
  if (body == ".inf" || body == ".Inf" || body == ".INF") return true;
  const size_t exponent = body.find_first_of("eE");
  std::string_view mantissa = body.substr(0, exponent);
  if (exponent != std::string_view::npos) {
    std::string_view power = body.substr(exponent + 1);
    if (!power.empty() && (power[0] == '+' || power[0] == '-')) power.remove_prefix(1);
    if (!all(power, decimal)) return false;
  }
  const size_t dot = mantissa.find('.');
  if (dot == std::string_view::npos) return all(mantissa, decimal);
  const std::string_view whole = mantissa.substr(0, dot);
  const std::string_view fraction = mantissa.substr(dot + 1);
  if (whole.empty()) return all(fraction, decimal);
  return all(whole, decimal) && (fraction.empty() || all(fraction, decimal));
}

/// Types a scalar from its yaml-cpp tag: "?" marks a plain scalar, "!" a quoted one.
void type_scalar(Node& node, const std::string& tag) {
  if (tag == "?") {
    if (is_null_word(node.text)) {
      node.kind = NodeKind::kNull;
      node.text.clear();
    } else if (const auto truth = bool_word(node.text)) {
      node.kind = NodeKind::kBool;
      node.text = *truth ? "true" : "false";
    } else {
      node.kind = is_number_word(node.text) ? NodeKind::kNumber : NodeKind::kString;
    }
    return;
  }
  node.kind = NodeKind::kString;
  if (tag.empty() || tag == "!") return;
  node.tag = tag;
  if (tag.size() <= kTagPrefix.size() || tag.compare(0, kTagPrefix.size(), kTagPrefix) != 0) {
    return;
  }
  const std::string_view standard = std::string_view(tag).substr(kTagPrefix.size());
  if (standard == "null") {
    node.kind = NodeKind::kNull;
    node.text.clear();
  } else if (standard == "bool") {
    if (const auto truth = bool_word(node.text)) {
      node.kind = NodeKind::kBool;
      node.text = *truth ? "true" : "false";
    }
  } else if (standard == "int" || standard == "float") {
    if (is_number_word(node.text)) node.kind = NodeKind::kNumber;
  }
}

std::string collection_tag(const std::string& tag) {
  return (tag.empty() || tag == "?" || tag == "!") ? std::string() : tag;
}

// ---------------------------------------------------------------------------------------------
// Extents. yaml-cpp reports only where a node starts; where it ends is read from the text.

class SourceText {
 public:
  explicit SourceText(std::string_view text) : text_(text) {}

  [[nodiscard]] char at(size_t i) const { return i < text_.size() ? text_[i] : '\0'; }
  [[nodiscard]] size_t size() const { return text_.size(); }

  /// Offset just past the character whose first byte is at `i`.
  [[nodiscard]] size_t after(size_t i) const {
    return i + std::max<size_t>(1, i < text_.size() ? core::utf8_sequence_length(text_, i) : 1);
  }

  /// Skips the tag and anchor written before a node's content.
  [[nodiscard]] size_t skip_properties(size_t p) const {
    while (at(p) == '!' || at(p) == '&') {
      while (p < text_.size() && !is_space(text_[p])) ++p;
      while (p < text_.size() && is_space(text_[p])) ++p;
    }
    return std::min(p, text_.size());
  }

  /// Length of a `null`/`~` literal at `p`, or 0 when nothing is written there.
  [[nodiscard]] size_t null_literal_length(size_t p) const {
    for (std::string_view word : {"null", "Null", "NULL", "~"}) {
      if (p < text_.size() && text_.substr(p, word.size()) == word) {
        const char after = at(p + word.size());
        if (after == '\0' || is_space(after) || after == ',' || after == ']' || after == '}' ||
            after == '#' || after == ':') {
          return word.size();
        }
      }
    }
    return 0;
  }

  [[nodiscard]] std::string_view slice(size_t p, size_t length) const {
    return p < text_.size() ? text_.substr(p, length) : std::string_view();
  }

  /// Offset of the first byte of a scalar's last character.
  [[nodiscard]] size_t scalar_end(size_t start, const std::string& value) const {
    const size_t p = skip_properties(start);
    if (p >= text_.size()) return std::min(start, text_.size());
    size_t end = std::min(content_end(p, value), text_.size() - 1);
    while (end > p && core::is_utf8_continuation(static_cast<unsigned char>(text_[end]))) --end;
    return end;
  }

  /// The closing bracket of the flow collection opened at `open`, searched after `from`
  /// (the end of its last entry), or nullopt when something unexpected is in the way.
  [[nodiscard]] std::optional<size_t> flow_end(size_t open, size_t from) const {
    const char close = at(open) == '[' ? ']' : '}';
    for (size_t p = from; p < text_.size(); ++p) {
      const char c = text_[p];
      if (c == close) return p;
      if (c == '#') {
        while (p + 1 < text_.size() && text_[p + 1] != '\n') ++p;
      } else if (!is_space(c) && c != ',') {
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

 private:
  [[nodiscard]] size_t content_end(size_t p, const std::string& value) const {
    const char c = text_[p];
    if (c == '"' || c == '\'') return quoted_end(p);
    if (c == '|' || c == '>') return block_scalar_end(p, value.empty());
    return plain_end(p, value);
  }

  [[nodiscard]] size_t quoted_end(size_t p) const {
    const char quote = text_[p];
    for (size_t i = p + 1; i < text_.size(); ++i) {
      if (quote == '"' && text_[i] == '\\') {
        ++i;
      } else if (text_[i] == quote) {
        if (quote == '\'' && at(i + 1) == '\'') {
          ++i;
        } else {
          return i;
        }
      }
    }
    return text_.size() - 1;
  }

  /// Matches the folded value against the source, where a space or newline in the value
  /// stands for any run of whitespace and line breaks (plain scalars fold that way).
  [[nodiscard]] size_t plain_end(size_t p, const std::string& value) const {
    size_t i = 0;
    size_t j = p;
    size_t last = p;
    while (i < value.size()) {
      if (j < text_.size() && value[i] == text_[j]) {
        last = j;
        ++i;
        ++j;
      } else if ((value[i] == ' ' || value[i] == '\n') && j < text_.size() && is_space(text_[j])) {
        while (i < value.size() && (value[i] == ' ' || value[i] == '\n')) ++i;
        while (j < text_.size() && is_space(text_[j])) ++j;
      } else {
        return p;
      }
    }
    return last;
  }

  /// The last non-blank character of the content lines after a `|` or `>` header: the first
  /// content line sets the indentation; a less indented line or a `---` ends the scalar.
  [[nodiscard]] size_t block_scalar_end(size_t p, bool empty) const {
    size_t end = p;
    while (end + 1 < text_.size() && !is_space(text_[end + 1])) ++end;
    if (empty) return end;
    size_t stop = end;
    while (stop < text_.size() && text_[stop] != '\n') ++stop;
    std::optional<size_t> content_indent;
    while (stop < text_.size()) {
      const size_t begin = stop + 1;
      size_t indent = 0;
      while (begin + indent < text_.size() && text_[begin + indent] == ' ') ++indent;
      stop = begin + indent;
      while (stop < text_.size() && text_[stop] != '\n') ++stop;
      size_t last = stop;
      while (last > begin + indent && is_space(text_[last - 1])) --last;
      if (last == begin + indent) continue;
      const std::string_view head = slice(begin, 3);
      if (indent == 0 && (head == "---" || head == "...")) break;
      if (!content_indent) content_indent = indent;
      if (indent < *content_indent) break;
      end = last - 1;
    }
    return end;
  }

  std::string_view text_;
};

/// A compact flow rendering of a collection used as a mapping key (`? [a, b]` -> "[a, b]").
void render_key(const Node& node, std::string& out, int depth) {
  constexpr int kMaxDepth = 32;
  if (depth > kMaxDepth) {
    out += "...";
    return;
  }
  switch (node.kind) {
    case NodeKind::kNull: out += "null"; return;
    case NodeKind::kBool:
    case NodeKind::kNumber: out += node.text; return;
    case NodeKind::kString: {
      const bool bare = !node.text.empty() &&
                        node.text.find_first_of(",:[]{}#&*!|>'\"%@`\\ \t\r\n") == std::string::npos;
      if (bare) {
        out += node.text;
        return;
      }
      out += '"';
      for (const char c : node.text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
      return;
    }
    case NodeKind::kArray: {
      out += '[';
      for (size_t i = 0; i < node.items.size(); ++i) {
        if (i > 0) out += ", ";
        render_key(node.items[i], out, depth + 1);
      }
      out += ']';
      return;
    }
    case NodeKind::kObject: {
      out += '{';
      for (size_t i = 0; i < node.members.size(); ++i) {
        if (i > 0) out += ", ";
        out += node.members[i].key;
        out += ": ";
        render_key(node.members[i].value, out, depth + 1);
      }
      out += '}';
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Tree building from yaml-cpp's parse events rather than YAML::LoadAll: LoadAll loops forever,
// allocating, on a stray `,` (yaml-cpp issue 1040), and with events every alias is charged
// against the node, byte and depth budgets before it is copied, so exponential alias
// expansion ("billion laughs") and recursive aliases stop at once.

class TreeBuilder final : public YAML::EventHandler {
 public:
  TreeBuilder(std::string_view text, const SourceMap& map, const core::Limits& limits)
      : source_(text),
        map_(map),
        limits_(limits),
        alias_budget_(
            std::max<uint64_t>(kAliasBudgetFloor, 4 * static_cast<uint64_t>(text.size()))) {}

  [[nodiscard]] std::vector<Node> take_roots() { return std::move(roots_); }

  void OnDocumentStart(const YAML::Mark& mark) override {
    const size_t start = offset_of(mark, source_.size());
    // yaml-cpp 0.7 starts "documents" forever at a token it cannot place; LoadAll hangs there.
    if (documents_ > 0 && start == document_start_) {
      fail(DiagCode::kYamlSyntax, "unexpected " + describe(start), map_.at(start));
    }
    if (++documents_ > limits_.max_documents) {
      fail(DiagCode::kNodeLimit,
           "more than " + std::to_string(limits_.max_documents) + " documents", map_.at(start));
    }
    document_start_ = start;
    stack_.clear();
    anchors_.clear();
    anchor_names_.clear();
  }

  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Built built = begin_node(mark);
    built.node.kind = NodeKind::kNull;
    const size_t p = source_.skip_properties(built.start);
    const size_t length = source_.null_literal_length(p);
    built.implicit_null = length == 0;
    if (length > 0) built.end = p + length - 1;
    // A null key keeps what was written ("~", "null") as its key text.
    if (expecting_key()) built.node.text = std::string(source_.slice(p, length));
    built.node.span = map_.span(built.start, built.end);
    add(std::move(built), anchor);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Built built = begin_node(mark);
    built.node.text = value;
    if (expecting_key()) {
      built.node.kind = NodeKind::kString;  // keys keep their text exactly as written
    } else {
      type_scalar(built.node, tag);
    }
    built.bytes = built.node.text.size() + built.node.tag.size();
    built.end = source_.scalar_end(built.start, value);
    built.node.span = map_.span(built.start, built.end);
    add(std::move(built), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const size_t at = offset_of(mark, fallback_offset());
    const auto found = anchors_.find(anchor);
    if (found == anchors_.end()) {
      const auto name = anchor_names_.find(anchor);
      fail(DiagCode::kYamlSyntax,
           "alias *" + (name == anchor_names_.end() ? std::string() : name->second) +
               " refers to a node that contains it",
           map_.at(at));
    }
    const Built& stored = found->second;
    charge_nodes(stored.count, at);
    charge_alias(stored.count * sizeof(Node) + stored.bytes, at);
    if (stack_.size() + stored.height > limits_.max_depth) fail_depth(at);
    add(Built(stored), YAML::NullAnchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    open(mark, tag, anchor, style, NodeKind::kArray);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    open(mark, tag, anchor, style, NodeKind::kObject);
  }
  void OnMapEnd() override { close(); }

  void OnAnchor(const YAML::Mark& /*mark*/, const std::string& name) override {
    pending_anchor_name_ = name;
  }

 private:
  /// Alias copies may take this much memory however small the file (or four times its size).
  static constexpr uint64_t kAliasBudgetFloor = 32ULL << 20U;

  /// A finished value with what it costs, so an alias to it can be charged before copying.
  struct Built {
    Node node;
    size_t start = 0;
    size_t end = 0;              ///< offset of the last character's first byte
    bool implicit_null = false;  ///< nothing written: yaml-cpp's mark points past it
    uint64_t count = 1;          ///< values in the subtree
    uint64_t bytes = 0;          ///< text and tag bytes in the subtree
    uint32_t height = 0;         ///< nesting levels the subtree adds
  };

  struct Frame {
    Built built;
    size_t last_end = 0;
    bool has_children = false;
    bool flow = false;
    YAML::anchor_t anchor = YAML::NullAnchor;
    bool have_key = false;
    std::string key;
    core::Span key_span;
    size_t key_end = 0;
  };

  [[nodiscard]] size_t offset_of(const YAML::Mark& mark, size_t fallback) const {
    if (mark.pos < 0 || static_cast<size_t>(mark.pos) > source_.size()) return fallback;
    return static_cast<size_t>(mark.pos);
  }

  [[nodiscard]] size_t fallback_offset() const {
    return stack_.empty() ? document_start_ : stack_.back().built.start;
  }

  [[nodiscard]] bool expecting_key() const {
    return !stack_.empty() && stack_.back().built.node.kind == NodeKind::kObject &&
           !stack_.back().have_key;
  }

  [[nodiscard]] std::string describe(size_t offset) const {
    const char c = source_.at(offset);
    if (c > ' ' && c < 0x7F) return std::string("'") + c + "'";
    return "content";
  }

  void charge_nodes(uint64_t count, size_t offset) {
    nodes_ += count;
    if (nodes_ > limits_.max_nodes) {
      fail(DiagCode::kNodeLimit,
           "more than " + std::to_string(limits_.max_nodes) + " values (aliases count each time)",
           map_.at(offset));
    }
  }

  /// Without aliases the tree is bounded by the file's size; aliases multiply it, so their
  /// copies (values and text alike: one alias of a long string is one value) share a budget.
  void charge_alias(uint64_t bytes, size_t offset) {
    alias_bytes_ += bytes;
    if (alias_bytes_ > alias_budget_) {
      fail(DiagCode::kNodeLimit,
           "aliases expand to more than " + std::to_string(alias_budget_ >> 20U) + " MiB",
           map_.at(offset));
    }
  }

  [[noreturn]] void fail_depth(size_t offset) const {
    fail(DiagCode::kDepthLimit,
         "nesting deeper than " + std::to_string(limits_.max_depth) + " levels", map_.at(offset));
  }

  Built begin_node(const YAML::Mark& mark) {
    Built built;
    built.start = offset_of(mark, fallback_offset());
    built.end = built.start;
    charge_nodes(1, built.start);
    return built;
  }

  void name_anchor(YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) anchor_names_[anchor] = pending_anchor_name_;
    pending_anchor_name_.clear();
  }

  void open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
            YAML::EmitterStyle::value style, NodeKind kind) {
    Frame frame;
    frame.built = begin_node(mark);
    if (stack_.size() >= limits_.max_depth) fail_depth(frame.built.start);
    frame.built.node.kind = kind;
    frame.built.node.tag = collection_tag(tag);
    frame.built.bytes = frame.built.node.tag.size();
    frame.built.height = 1;
    const char bracket = source_.at(source_.skip_properties(frame.built.start));
    frame.flow = style == YAML::EmitterStyle::Flow && (bracket == '[' || bracket == '{');
    frame.last_end = frame.built.start;
    frame.anchor = anchor;
    name_anchor(anchor);
    stack_.push_back(std::move(frame));
  }

  void close() {
    if (stack_.empty()) return;
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    Built built = std::move(frame.built);
    const size_t open = source_.skip_properties(built.start);
    std::optional<size_t> end;
    if (frame.flow) {
      end = source_.flow_end(open, frame.has_children ? source_.after(frame.last_end) : open + 1);
    }
    built.end = end ? *end : frame.last_end;
    built.node.span = map_.span(built.start, built.end);
    add(std::move(built), frame.anchor);
  }

  /// Hands a finished value to its collection, or makes it the document's root.
  void add(Built built, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) {
      if (built.node.kind != NodeKind::kArray && built.node.kind != NodeKind::kObject) {
        name_anchor(anchor);
      }
      anchors_.insert_or_assign(anchor, built);
    }
    if (stack_.empty()) {
      if (built.implicit_null) {
        const size_t marker = source_.slice(document_start_, 3) == "---" ? 2 : 0;
        built.node.span = map_.span(document_start_, document_start_ + marker);
      }
      roots_.push_back(std::move(built.node));
      return;
    }
    Frame& parent = stack_.back();
    parent.built.count += built.count;
    parent.built.bytes += built.bytes;
    parent.built.height = std::max(parent.built.height, built.height + 1);
    if (parent.built.node.kind == NodeKind::kArray) {
      if (built.implicit_null) place_item_null(parent, built);
      parent.built.node.items.push_back(std::move(built.node));
      parent.last_end = std::max(parent.last_end, built.end);
      parent.has_children = true;
      return;
    }
    if (!parent.have_key) {
      if (built.node.kind == NodeKind::kArray || built.node.kind == NodeKind::kObject) {
        parent.key.clear();
        render_key(built.node, parent.key, 0);
        parent.built.bytes += parent.key.size();
      } else {
        parent.key = std::move(built.node.text);
      }
      parent.key_span = built.node.span;
      parent.key_end = built.end;
      parent.have_key = true;
      return;
    }
    if (built.node.kind == NodeKind::kNull) place_member_null(parent, built);
    parent.built.node.members.push_back(
        Member{std::move(parent.key), parent.key_span, std::move(built.node)});
    parent.key.clear();
    parent.have_key = false;
    parent.last_end = std::max(parent.last_end, built.end);
    parent.has_children = true;
  }

  /// yaml-cpp marks an empty value (`key:` and nothing) at the next token, often on a later
  /// line; the value is placed right after the key's colon instead.
  void place_member_null(const Frame& parent, Built& value) const {
    size_t colon = source_.after(parent.key_end);
    while (colon < source_.size() && is_blank(source_.at(colon))) ++colon;
    if (source_.at(colon) != ':') return;
    bool same_line = value.start > colon;
    for (size_t i = colon; same_line && i < value.start; ++i) same_line = !is_break(source_.at(i));
    if (!value.implicit_null && same_line) return;
    value.start = colon + 1;
    value.end = colon + 1;
    value.node.span = map_.span(value.start, value.end);
  }

  /// Likewise an empty item of a block sequence is placed right after its `-`.
  void place_item_null(const Frame& parent, Built& item) const {
    const size_t first = source_.skip_properties(parent.built.start);
    if (source_.at(first) != '-') return;
    size_t p = first;
    if (parent.has_children) {
      p = source_.after(parent.last_end);
      while (p < source_.size() && (is_space(source_.at(p)) || source_.at(p) == '#')) {
        if (source_.at(p) == '#') {
          while (p < source_.size() && source_.at(p) != '\n') ++p;
        } else {
          ++p;
        }
      }
    }
    if (source_.at(p) != '-' || p >= item.start) return;
    item.start = p + 1;
    item.end = p + 1;
    item.node.span = map_.span(item.start, item.end);
  }

  SourceText source_;
  const SourceMap& map_;
  const core::Limits& limits_;
  uint64_t alias_budget_;
  uint64_t nodes_ = 0;
  uint64_t alias_bytes_ = 0;
  uint64_t documents_ = 0;
  size_t document_start_ = 0;
  std::vector<Frame> stack_;
  std::vector<Node> roots_;
  std::unordered_map<YAML::anchor_t, Built> anchors_;
  std::unordered_map<YAML::anchor_t, std::string> anchor_names_;
  std::string pending_anchor_name_;
};

Pos mark_pos(const YAML::Mark& mark, std::string_view text, const SourceMap& map) {
  if (mark.pos >= 0 && static_cast<size_t>(mark.pos) <= text.size()) {
    const Pos pos = map.at(static_cast<size_t>(mark.pos));
    if (mark.line < 0 || pos.line == static_cast<uint32_t>(mark.line) + 1) return pos;
  }
  if (mark.line < 0 || mark.column < 0) return Pos{};
  return Pos{static_cast<uint32_t>(mark.line) + 1, static_cast<uint32_t>(mark.column) + 1};
}

void check_encoding(std::string_view text, const SourceMap& map) {
  for (size_t i = 0; i < text.size();) {
    const size_t length = core::utf8_sequence_length(text, i);
    if (length == 0) {
      const auto c = static_cast<unsigned char>(text[i]);
      fail(DiagCode::kEncoding, "invalid UTF-8 byte " + core::hex_byte(c) + "; fermata reads UTF-8",
           map.at(i));
    }
    i += length;
  }
}

std::vector<Node> read_documents(std::string_view text, const SourceMap& map,
                                 const core::Limits& limits) {
  if (const auto excess = NestingScan(text, limits.max_depth).run()) {
    fail(DiagCode::kDepthLimit,
         "nesting deeper than " + std::to_string(limits.max_depth) + " levels", map.at(*excess));
  }
  std::istringstream stream{std::string(text)};
  YAML::Parser parser(stream);
  TreeBuilder builder(text, map, limits);
  while (parser.HandleNextDocument(builder)) {
  }
  std::vector<Node> roots = builder.take_roots();
  if (roots.empty()) {
    // Only comments or nothing at all: one empty document, as YAML loaders report it.
    Node empty;
    empty.span = map.span(0, 0);
    roots.push_back(std::move(empty));
  }
  return roots;
}

}  // namespace

std::optional<Document> read_yaml(std::string_view path, std::string_view text,
                                  const core::Limits& limits, core::DiagnosticSink& sink) {
  const auto loc = [&](Pos pos) {
    return core::SourceLoc{std::string(path), {pos.line, pos.column, pos.line, pos.column}};
  };
  if (const char* wide = core::wide_encoding(text)) {
    sink.report(DiagCode::kEncoding, std::string("file is ") + wide + "; fermata reads UTF-8",
                loc(Pos{}));
    return std::nullopt;
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  try {
    const SourceMap map(text);
    try {
      check_encoding(text, map);
      Document document;
      document.path = std::string(path);
      document.roots = read_documents(text, map, limits);
      return document;
    } catch (const YAML::DeepRecursion& error) {
      sink.report(DiagCode::kDepthLimit,
                  "nesting deeper than the YAML parser's own limit of " +
                      std::to_string(error.depth() - 1) + " levels",
                  loc(mark_pos(error.mark, text, map)));
    } catch (const YAML::Exception& error) {
      sink.report(DiagCode::kYamlSyntax, error.msg, loc(mark_pos(error.mark, text, map)));
    }
  } catch (const ParseAbort& abort) {
    sink.report(abort.code, abort.message, loc(abort.pos));
  } catch (const std::exception& error) {
    sink.report(DiagCode::kYamlSyntax, std::string("could not read the file: ") + error.what(),
                loc(Pos{}));
  } catch (...) {
    sink.report(DiagCode::kYamlSyntax, "could not read the file", loc(Pos{}));
  }
  return std::nullopt;
}

}  // namespace fermata::syntax
