#include "parsers/syntax/toml_reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/utf8.hpp"

namespace fermata::syntax::toml_detail {

/// Thrown where toml++ 3.3 would assert: a few of its parser's expectations are checked with
/// assertions that a malformed file can reach (`1979-05-27tX`), which abort a debug build and
/// are undefined behaviour (an assumption) in a release build with clang.
struct AssertionFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void assertion_failed(const char* check);

}  // namespace fermata::syntax::toml_detail

// TOML 1.1 lets inline tables span lines and end with a comma, and Codex (a Rust TOML 1.1
// reader) accepts such files; toml++ 3.3 reads them with its "unreleased features" on, which
// takes its header-only build (this is the one file that includes it; see CMakeLists.txt).
// Its assertions stay checks in every build type and throw instead of aborting.
// NOLINTBEGIN(cppcoreguidelines-macro-usage)
#define TOML_HEADER_ONLY 1
#define TOML_ENABLE_UNRELEASED_FEATURES 1
#define TOML_ASSERT(expr) \
  ((expr) ? static_cast<void>(0) : ::fermata::syntax::toml_detail::assertion_failed(#expr))
#pragma push_macro("NDEBUG")
#undef NDEBUG
#include <toml++/toml.h>
#pragma pop_macro("NDEBUG")
// NOLINTEND(cppcoreguidelines-macro-usage)

namespace fermata::syntax {

void toml_detail::assertion_failed(const char* check) { throw AssertionFailed(check); }

namespace {

using core::DiagCode;

/// A 1-based line and column (columns in code points).
struct Pos {
  uint32_t line = 1;
  uint32_t column = 1;
};

/// Carries the one diagnostic of a failed read to the boundary in read_toml.
struct ParseAbort {
  DiagCode code;
  std::string message;
  Pos pos;
};

[[noreturn]] void fail(DiagCode code, std::string message, Pos pos) {
  throw ParseAbort{code, std::move(message), pos};
}

/// Refuses text that is not UTF-8 with the place of the first bad byte; toml++ would refuse it
/// too, but without naming the encoding as the other readers do.
void check_encoding(std::string_view text) {
  if (const char* wide = core::wide_encoding(text)) {
    fail(DiagCode::kEncoding, std::string("file is ") + wide + "; fermata reads UTF-8", Pos{});
  }
  Pos pos;
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++i;
      ++pos.line;
      pos.column = 1;
      continue;
    }
    const size_t length = core::utf8_sequence_length(text, i);
    if (length == 0) {
      fail(DiagCode::kEncoding, "invalid UTF-8 byte " + core::hex_byte(c) + "; fermata reads UTF-8",
           pos);
    }
    i += length;
    ++pos.column;
  }
}

/// A pass over the text, before toml++ builds anything, that bounds what it would build.
/// toml++ limits nested arrays and inline tables to 256 levels on its own, but a dotted key or
/// a table header of many segments (`[a.a.a.a…]`) nests tables without any limit, and its tree
/// is freed recursively; the values it would allocate are bounded here too. The scan follows
/// TOML's lexical structure (strings, comments, headers, keys, arrays, inline tables) closely
/// enough that its depth is the document's depth and its value count an upper estimate.
class ShapeScan {
 public:
  ShapeScan(std::string_view text, const core::Limits& limits) : text_(text), limits_(limits) {}

  void run() {
    while (i_ < text_.size()) {
      const char c = text_[i_];
      if (c == '\n') {
        advance();
        if (stack_.empty()) {
          key_context_ = true;
          key_dots_ = 0;
          line_start_ = true;
        }
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        advance();
        continue;
      }
      if (c == '#') {
        while (i_ < text_.size() && text_[i_] != '\n') advance();
        continue;
      }
      if (line_start_ && stack_.empty() && c == '[') {
        line_start_ = false;
        read_header();
        continue;
      }
      line_start_ = false;
      if (c == '"' || c == '\'') {
        skip_string(c);
        continue;
      }
      if (static_cast<unsigned char>(c) >= 0x80U) fail_non_ascii();
      step(c);
    }
  }

 private:
  struct Frame {
    char kind;       ///< '[' or '{'
    uint32_t level;  ///< nesting level of the container itself (the root table is 1)
  };

  [[nodiscard]] Pos here() const { return pos_; }

  void advance() {
    const auto c = static_cast<unsigned char>(text_[i_]);
    if (c == '\n') {
      ++pos_.line;
      pos_.column = 1;
      ++i_;
      return;
    }
    const size_t length = core::utf8_sequence_length(text_, i_);
    i_ += length == 0 ? 1 : length;
    ++pos_.column;
  }

  /// TOML allows other than ASCII only in strings and comments. toml++ 3.3 would test such a
  /// character for Unicode whitespace, and its table for that runs into
  /// __builtin_unreachable for most code points (é among them): undefined behaviour.
  [[noreturn]] void fail_non_ascii() const {
    fail(DiagCode::kTomlSyntax,
         "a character other than ASCII outside a string or comment; quote the key or value",
         here());
  }

  void check_level(uint32_t level, Pos at) const {
    if (level > limits_.max_depth) {
      fail(DiagCode::kDepthLimit,
           "nesting deeper than " + std::to_string(limits_.max_depth) + " levels", at);
    }
  }

  void count_values(uint64_t count, Pos at) {
    values_ += count;
    if (values_ > limits_.max_nodes) {
      fail(DiagCode::kNodeLimit, "more than " + std::to_string(limits_.max_nodes) + " values", at);
    }
  }

  /// `[a.b]` or `[[a.b]]`: the table it opens sits one level per segment below the root, and
  /// an array of tables adds the array's level.
  void read_header() {
    const Pos start = here();
    advance();
    uint32_t level = 2;
    if (i_ < text_.size() && text_[i_] == '[') {
      ++level;
      advance();
    }
    check_header_key(level == 3);
    while (i_ < text_.size() && text_[i_] != ']' && text_[i_] != '\n') {
      const char c = text_[i_];
      if (c == '"' || c == '\'') {
        skip_string(c);
        continue;
      }
      if (c == '.') {
        ++level;
        check_level(level, start);
      }
      if (static_cast<unsigned char>(c) >= 0x80U) fail_non_ascii();
      advance();
    }
    check_level(level, start);
    count_values(level, start);
    header_level_ = level;
    while (i_ < text_.size() && text_[i_] == ']') advance();
    key_context_ = true;
    key_dots_ = 0;
  }

  /// toml++ 3.3 asserts, rather than reports, when a table header's key starts with a
  /// character no key starts with (`[=a]`); such a header is refused here first.
  void check_header_key(bool array_of_tables) {
    size_t i = i_;
    uint32_t column = pos_.column;
    while (i < text_.size() && (text_[i] == ' ' || text_[i] == '\t')) {
      ++i;
      ++column;
    }
    if (i >= text_.size()) return;
    const char c = text_[i];
    const bool key_start = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '"' ||
                           c == '\'' || c == ']' || (c == '[' && !array_of_tables);
    if (key_start) return;
    const auto byte = static_cast<unsigned char>(c);
    const std::string found = byte > 0x20U && byte < 0x7FU ? "'" + std::string(1, c) + "'"
                              : c == '\n' || c == '\r'     ? "the end of the line"
                                                           : "byte " + core::hex_byte(byte);
    fail(DiagCode::kTomlSyntax, "expected a key in the table header, found " + found,
         Pos{pos_.line, column});
  }

  /// Skips a basic or literal string, single- or multi-line. An unterminated one ends at the
  /// line break (single-line) or the end of the text; toml++ then reports it.
  void skip_string(char quote) {
    const bool triple = text_.substr(i_, 3) == std::string(3, quote);
    if (triple) {
      advance();
      advance();
      advance();
      while (i_ < text_.size()) {
        if (quote == '"' && text_[i_] == '\\') {
          advance();
          if (i_ < text_.size()) advance();
          continue;
        }
        if (text_.substr(i_, 3) == std::string(3, quote)) {
          // Up to two more quotes may close the string as part of its content.
          while (i_ < text_.size() && text_[i_] == quote) advance();
          return;
        }
        advance();
      }
      return;
    }
    advance();
    while (i_ < text_.size() && text_[i_] != '\n') {
      const char c = text_[i_];
      if (quote == '"' && c == '\\') {
        advance();
        if (i_ < text_.size() && text_[i_] != '\n') advance();
        continue;
      }
      advance();
      if (c == quote) return;
    }
  }

  [[nodiscard]] uint32_t enclosing_level() const {
    return stack_.empty() ? header_level_ : stack_.back().level;
  }

  /// One structural character outside strings and comments.
  void step(char c) {
    const Pos at = here();
    if (key_context_) {
      if (c == '.') {
        ++key_dots_;
        check_level(enclosing_level() + key_dots_ + 1, at);
        count_values(1, at);
      } else if (c == '=') {
        key_context_ = false;
        value_level_ = enclosing_level() + key_dots_ + 1;
        check_level(value_level_, at);
        count_values(1, at);
        key_dots_ = 0;
      } else if (c == '}' && !stack_.empty() && stack_.back().kind == '{') {
        close();  // an empty inline table
      }
      advance();
      return;
    }
    switch (c) {
      case '[':
        check_level(value_level_, at);
        count_values(1, at);
        stack_.push_back(Frame{'[', value_level_});
        value_level_ = value_level_ + 1;
        break;
      case '{':
        check_level(value_level_, at);
        count_values(1, at);
        stack_.push_back(Frame{'{', value_level_});
        key_context_ = true;
        key_dots_ = 0;
        break;
      case ',':
        count_values(1, at);
        if (!stack_.empty() && stack_.back().kind == '{') {
          key_context_ = true;
          key_dots_ = 0;
        }
        break;
      case ']':
        if (!stack_.empty()) close();
        break;
      case '}':
        // toml++ 3.3 asserts on a '}' where an array expects a value; it is an error anywhere
        // in an array, so it is reported here.
        if (!stack_.empty() && stack_.back().kind == '[') {
          fail(DiagCode::kTomlSyntax, "expected a value, ',' or ']' in the array, found '}'", at);
        }
        if (!stack_.empty()) close();
        break;
      case '=': break;
      default: skip_bare_value(); return;
    }
    advance();
  }

  /// A value not in quotes (number, boolean, date) runs to the next space, comma, bracket,
  /// brace or comment, quotes included, since toml++ reads that far to tell its type; no
  /// character other than ASCII may be part of it (see fail_non_ascii).
  void skip_bare_value() {
    while (i_ < text_.size()) {
      const char c = text_[i_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ']' || c == '}' ||
          c == '#') {
        return;
      }
      if (static_cast<unsigned char>(c) >= 0x80U) fail_non_ascii();
      advance();
    }
  }

  void close() {
    stack_.pop_back();
    key_context_ = false;
    if (!stack_.empty() && stack_.back().kind == '[') value_level_ = stack_.back().level + 1;
  }

  std::string_view text_;
  const core::Limits& limits_;
  size_t i_ = 0;
  Pos pos_;
  std::vector<Frame> stack_;
  bool key_context_ = true;
  bool line_start_ = true;
  uint32_t key_dots_ = 0;
  uint32_t header_level_ = 1;  ///< level of the table the last header opened (root: 1)
  uint32_t value_level_ = 2;   ///< level of the value that starts next
  uint64_t values_ = 1;
};

/// Maps toml++ positions (line, code-point column) back to byte offsets, to read a number's
/// text as written.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) : text_(text) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts_.push_back(i + 1);
    }
  }

  [[nodiscard]] uint32_t line_count() const { return static_cast<uint32_t>(starts_.size()); }

  /// Code points on `line` (1-based), line break excluded.
  [[nodiscard]] uint32_t line_width(uint32_t line) const {
    if (line == 0 || line > starts_.size()) return 0;
    const size_t begin = starts_[line - 1];
    const size_t end = line < starts_.size() ? starts_[line] - 1 : text_.size();
    uint32_t width = 0;
    for (size_t i = begin; i < end; ++i) {
      if (!core::is_utf8_continuation(static_cast<unsigned char>(text_[i]))) ++width;
    }
    return width;
  }

  /// The byte offset of (line, column), or npos when outside the text.
  [[nodiscard]] size_t offset(uint32_t line, uint32_t column) const {
    if (line == 0 || line > starts_.size() || column == 0) return std::string_view::npos;
    size_t i = starts_[line - 1];
    for (uint32_t seen = 1; seen < column; ++seen) {
      if (i >= text_.size() || text_[i] == '\n') return std::string_view::npos;
      const size_t length = core::utf8_sequence_length(text_, i);
      i += length == 0 ? 1 : length;
    }
    return i;
  }

 private:
  std::string_view text_;
  std::vector<size_t> starts_;
};

/// toml++'s reason for a syntax error. It quotes at most a character or a key of the file, but
/// the message is still bounded so a pathological key cannot flood the output.
std::string describe(std::string_view description) {
  constexpr size_t kMaxMessage = 200;
  std::string message(description.substr(0, kMaxMessage));
  if (description.size() > kMaxMessage) message += "…";
  return message;
}

class Converter {
 public:
  Converter(std::string_view text, const core::Limits& limits) : index_(text), limits_(limits) {
    text_ = text;
  }

  Node root(const toml::table& table) {
    Node node = convert(table, 1);
    const uint32_t last = index_.line_count();
    node.span = {1, 1, last, std::max<uint32_t>(1, index_.line_width(last))};
    return node;
  }

 private:
  /// toml++ regions end one past the last character; ours include it.
  static core::Span span_of(const toml::source_region& region) {
    const auto line = static_cast<uint32_t>(region.begin.line);
    const auto column = static_cast<uint32_t>(region.begin.column);
    auto end_line = static_cast<uint32_t>(region.end.line);
    auto end_column = static_cast<uint32_t>(region.end.column);
    if (line == 0) return {};
    if (end_line < line || (end_line == line && end_column <= column)) {
      end_line = line;
      end_column = column;
    } else if (end_column > 1) {
      --end_column;
    }
    return {line, column, end_line, end_column};
  }

  static Pos pos_of(const toml::source_region& region) {
    return Pos{static_cast<uint32_t>(std::max<toml::source_index>(region.begin.line, 1)),
               static_cast<uint32_t>(std::max<toml::source_index>(region.begin.column, 1))};
  }

  void count(const toml::source_region& region) {
    if (++values_ > limits_.max_nodes) {
      fail(DiagCode::kNodeLimit, "more than " + std::to_string(limits_.max_nodes) + " values",
           pos_of(region));
    }
  }

  Node convert(const toml::node& value, uint32_t level) {
    const toml::source_region& region = value.source();
    count(region);
    Node node;
    node.span = span_of(region);
    switch (value.type()) {
      case toml::node_type::table: {
        if (level > limits_.max_depth) {
          fail(DiagCode::kDepthLimit,
               "nesting deeper than " + std::to_string(limits_.max_depth) + " levels",
               pos_of(region));
        }
        node.kind = NodeKind::kObject;
        const toml::table& table = *value.as_table();
        std::vector<std::pair<const toml::key*, const toml::node*>> members;
        members.reserve(table.size());
        for (auto&& [key, member] : table) members.emplace_back(&key, &member);
        // toml++ keeps a table's keys sorted; the document keeps them in source order.
        std::stable_sort(members.begin(), members.end(), [](const auto& a, const auto& b) {
          return a.first->source().begin < b.first->source().begin;
        });
        for (const auto& [key, member] : members) {
          node.members.push_back(
              Member{std::string(key->str()), span_of(key->source()), convert(*member, level + 1)});
        }
        break;
      }
      case toml::node_type::array: {
        if (level > limits_.max_depth) {
          fail(DiagCode::kDepthLimit,
               "nesting deeper than " + std::to_string(limits_.max_depth) + " levels",
               pos_of(region));
        }
        node.kind = NodeKind::kArray;
        for (const toml::node& item : *value.as_array()) {
          node.items.push_back(convert(item, level + 1));
        }
        break;
      }
      case toml::node_type::string:
        node.kind = NodeKind::kString;
        node.text = value.as_string()->get();
        break;
      case toml::node_type::integer:
        node.kind = NodeKind::kNumber;
        node.text = std::to_string(value.as_integer()->get());
        break;
      case toml::node_type::floating_point:
        node.kind = NodeKind::kNumber;
        node.text = float_text(value.as_floating_point()->get(), region);
        break;
      case toml::node_type::boolean:
        node.kind = NodeKind::kBool;
        node.text = value.as_boolean()->get() ? "true" : "false";
        break;
      case toml::node_type::date:
      case toml::node_type::time:
      case toml::node_type::date_time: {
        std::ostringstream out;
        value.visit([&out](const auto& typed) {
          if constexpr (toml::is_date<decltype(typed)> || toml::is_time<decltype(typed)> ||
                        toml::is_date_time<decltype(typed)>) {
            out << typed.get();
          }
        });
        node.kind = NodeKind::kString;
        node.text = out.str();
        break;
      }
      case toml::node_type::none: break;
    }
    return node;
  }

  /// A float as written, digit separators removed (`1_000.5` reads 1000.5); inf and nan
  /// spelled as TOML spells them.
  std::string float_text(double number, const toml::source_region& region) const {
    if (std::isnan(number)) return "nan";
    if (std::isinf(number)) return number < 0 ? "-inf" : "inf";
    const size_t begin = index_.offset(static_cast<uint32_t>(region.begin.line),
                                       static_cast<uint32_t>(region.begin.column));
    const size_t end = index_.offset(static_cast<uint32_t>(region.end.line),
                                     static_cast<uint32_t>(region.end.column));
    std::string written;
    if (begin != std::string_view::npos && end != std::string_view::npos && end > begin) {
      for (const char c : text_.substr(begin, end - begin)) {
        if (c != '_') written += c;
      }
    }
    const bool plain = !written.empty() && std::all_of(written.begin(), written.end(), [](char c) {
      return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
    });
    if (plain) return written;
    std::ostringstream out;
    out.precision(17);
    out << number;
    return out.str();
  }

  std::string_view text_;
  LineIndex index_;
  const core::Limits& limits_;
  uint64_t values_ = 0;
};

}  // namespace

std::optional<Document> read_toml(std::string_view path, std::string_view text,
                                  const core::Limits& limits, core::DiagnosticSink& sink) {
  const auto at = [&](Pos pos) {
    return core::SourceLoc{std::string(path), {pos.line, pos.column, pos.line, pos.column}};
  };
  try {
    check_encoding(text);
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    ShapeScan(text, limits).run();
    const toml::table table = toml::parse(text, path);
    Document document;
    document.path = std::string(path);
    document.roots.push_back(Converter(text, limits).root(table));
    return document;
  } catch (const ParseAbort& abort) {
    sink.report(abort.code, abort.message, at(abort.pos));
  } catch (const toml::parse_error& error) {
    const toml::source_position& begin = error.source().begin;
    sink.report(DiagCode::kTomlSyntax, describe(error.description()),
                at(Pos{static_cast<uint32_t>(std::max<toml::source_index>(begin.line, 1)),
                       static_cast<uint32_t>(std::max<toml::source_index>(begin.column, 1))}));
  } catch (const toml_detail::AssertionFailed&) {
    sink.report(DiagCode::kTomlSyntax,
                "not valid TOML: the TOML reader met a character it does not expect in this place",
                at(Pos{}));
  } catch (const std::exception& error) {
    sink.report(DiagCode::kTomlSyntax, std::string("could not read the file: ") + error.what(),
                at(Pos{}));
  }
  return std::nullopt;
}

}  // namespace fermata::syntax
