#include "parsers/syntax/json_reader.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
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

/// Carries the one diagnostic of a failed parse to the boundary in read_json.
struct ParseAbort {
  DiagCode code;
  std::string message;
  Pos pos;
};

core::Span span_of(Pos start, Pos end) { return {start.line, start.column, end.line, end.column}; }

std::string code_point_name(uint32_t cp) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out = "U+";
  const int width = cp > 0xFFFFU ? 6 : 4;
  for (int shift = (width - 1) * 4; shift >= 0; shift -= 4) out += kDigits[(cp >> shift) & 0xFU];
  return out;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80U) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800U) {
    out += static_cast<char>(0xC0U | (cp >> 6U));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  } else if (cp < 0x10000U) {
    out += static_cast<char>(0xE0U | (cp >> 12U));
    out += static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  } else {
    out += static_cast<char>(0xF0U | (cp >> 18U));
    out += static_cast<char>(0x80U | ((cp >> 12U) & 0x3FU));
    out += static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  }
}

uint32_t decode_utf8(std::string_view text, size_t i, size_t length) {
  const auto lead = static_cast<unsigned char>(text[i]);
  if (length == 1) return lead;
  uint32_t cp = lead & (0x7FU >> length);
  for (size_t k = 1; k < length; ++k) {
    cp = (cp << 6U) | (static_cast<unsigned char>(text[i + k]) & 0x3FU);
  }
  return cp;
}

/// Literals of other languages that people write in JSON by mistake, and short near misses of
/// true, false and null: only these are quoted back in a message.
bool known_misspelling(std::string_view word) {
  static constexpr std::string_view kWords[] = {"None", "nil", "undefined", "yes",     "no",
                                                "on",   "off", "NaN",       "Infinity"};
  for (const std::string_view known : kWords) {
    if (word == known) return true;
  }
  constexpr size_t kNearMiss = 6;
  if (word.size() > kNearMiss) return false;
  std::string lowered(word);
  for (char& c : lowered) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  for (const std::string_view literal : {"true", "false", "null"}) {
    const size_t shared = std::min(lowered.size(), literal.size());
    if (shared >= 3 && lowered.compare(0, shared, literal, 0, shared) == 0) return true;
  }
  return false;
}

std::string where(Pos pos) {
  return "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column);
}

/// A hand-written parser rather than nlohmann's, because every value needs the place it was
/// written. Containers live on an explicit stack so hostile nesting cannot exhaust the
/// call stack; depth is still bounded by Limits::max_depth.
class JsonParser {
 public:
  JsonParser(std::string_view text, const core::Limits& limits, const JsonOptions& options)
      : text_(text), limits_(limits), options_(options) {}

  Node parse_document() {
    check_encoding();
    skip_trivia();
    if (at_end()) fail(DiagCode::kJsonSyntax, "empty document", Pos{});
    Node root = parse_root_value();
    skip_trivia();
    if (!at_end()) {
      fail(DiagCode::kJsonSyntax, "expected end of file after the root value, found " + found(),
           here());
    }
    return root;
  }

 private:
  struct Frame {
    Node node;
    Pos start;
    std::string key;
    core::Span key_span;
  };

  enum class Step { kValue, kAfterOpen, kAfterValue };

  [[noreturn]] static void fail(DiagCode code, std::string message, Pos pos) {
    throw ParseAbort{code, std::move(message), pos};
  }

  [[nodiscard]] bool at_end() const { return pos_ >= text_.size(); }
  [[nodiscard]] char peek() const { return text_[pos_]; }
  [[nodiscard]] bool peek_is(char c) const { return !at_end() && text_[pos_] == c; }
  [[nodiscard]] Pos here() const { return Pos{line_, column_}; }

  /// Consumes one character; CRLF counts as a single line break.
  void advance() {
    last_ = here();
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (c == '\r') {
      ++pos_;
      if (peek_is('\n')) ++pos_;
      ++line_;
      column_ = 1;
      return;
    }
    if (c == '\n') {
      ++pos_;
      ++line_;
      column_ = 1;
      return;
    }
    const size_t length = core::utf8_sequence_length(text_, pos_);
    pos_ += length == 0 ? 1 : length;
    ++column_;
  }

  /// Validates the whole file first, so the parser can then step by whole code points.
  void check_encoding() {
    if (const char* wide = core::wide_encoding(text_)) {
      fail(DiagCode::kEncoding, std::string("file is ") + wide + "; fermata reads UTF-8", Pos{});
    }
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);
    Pos pos;
    size_t i = 0;
    while (i < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[i]);
      if (c == '\r' || c == '\n') {
        i += (c == '\r' && i + 1 < text_.size() && text_[i + 1] == '\n') ? 2 : 1;
        ++pos.line;
        pos.column = 1;
        continue;
      }
      const size_t length = core::utf8_sequence_length(text_, i);
      if (length == 0) {
        fail(DiagCode::kEncoding,
             "invalid UTF-8 byte " + core::hex_byte(c) + "; fermata reads UTF-8", pos);
      }
      i += length;
      ++pos.column;
    }
  }

  /// A readable name for the character at the cursor, for "found ..." in messages.
  [[nodiscard]] std::string found() const {
    if (at_end()) return "end of file";
    const auto c = static_cast<unsigned char>(peek());
    if (c == '\n' || c == '\r') return "end of line";
    if (c < 0x20U || c == 0x7FU) return "control character " + code_point_name(c);
    if (c < 0x80U) return std::string("'") + static_cast<char>(c) + "'";
    const size_t length = core::utf8_sequence_length(text_, pos_);
    if (length == 0) return "byte " + core::hex_byte(c);
    return "'" + std::string(text_.substr(pos_, length)) + "' (" +
           code_point_name(decode_utf8(text_, pos_, length)) + ")";
  }

  void skip_trivia() {
    while (!at_end()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        advance();
      } else if (c == '/') {
        skip_comment();
      } else {
        return;
      }
    }
  }

  void skip_comment() {
    const Pos start = here();
    if (!options_.allow_comments) {
      fail(DiagCode::kJsonSyntax, "comments are not allowed in this file", start);
    }
    advance();
    if (peek_is('/')) {
      while (!at_end() && peek() != '\n' && peek() != '\r') advance();
      return;
    }
    if (!peek_is('*')) {
      fail(DiagCode::kJsonSyntax,
           "expected '/' or '*' after '/' to start a comment, found " + found(), here());
    }
    advance();
    while (!at_end()) {
      if (peek() == '*' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        advance();
        advance();
        return;
      }
      advance();
    }
    fail(DiagCode::kJsonSyntax, "unterminated block comment started at " + where(start), here());
  }

  void count_value(Pos start) {
    if (++values_ > limits_.max_nodes) {
      fail(DiagCode::kNodeLimit, "more than " + std::to_string(limits_.max_nodes) + " values",
           start);
    }
  }

  [[nodiscard]] static const char* container_name(const Frame& frame) {
    return frame.node.kind == NodeKind::kArray ? "array" : "object";
  }

  [[noreturn]] void fail_end_in(const Frame& frame) const {
    fail(DiagCode::kJsonSyntax,
         std::string("unexpected end of file in ") + container_name(frame) + " started at " +
             where(frame.start),
         here());
  }

  Node parse_root_value() {
    std::vector<Frame> stack;
    Node done;
    Step step = Step::kValue;
    while (true) {
      switch (step) {
        case Step::kValue: {
          skip_trivia();
          if (at_end() && !stack.empty()) fail_end_in(stack.back());
          if (peek() == '[' || peek() == '{') {
            open_container(stack);
            step = Step::kAfterOpen;
            continue;
          }
          done = parse_scalar();
          break;
        }
        case Step::kAfterOpen: {
          skip_trivia();
          Frame& top = stack.back();
          if (at_end()) fail_end_in(top);
          const char close = top.node.kind == NodeKind::kArray ? ']' : '}';
          if (peek() == close) {
            done = close_container(stack);
            break;
          }
          if (top.node.kind == NodeKind::kObject) {
            if (peek() != '"') {
              fail(DiagCode::kJsonSyntax, "expected a string key or '}', found " + found(), here());
            }
            parse_key(top);
          }
          step = Step::kValue;
          continue;
        }
        case Step::kAfterValue: {
          skip_trivia();
          Frame& top = stack.back();
          if (at_end()) fail_end_in(top);
          const bool is_array = top.node.kind == NodeKind::kArray;
          const char close = is_array ? ']' : '}';
          if (peek() == close) {
            done = close_container(stack);
            break;
          }
          if (peek() != ',') {
            fail(DiagCode::kJsonSyntax,
                 is_array ? "expected ',' or ']' after array element, found " + found()
                          : "expected ',' or '}' after object member, found " + found(),
                 here());
          }
          advance();
          skip_trivia();
          if (at_end()) fail_end_in(top);
          if (peek() == close) {
            if (!options_.allow_trailing_commas) {
              fail(DiagCode::kJsonSyntax,
                   std::string("trailing comma before '") + close + "' is not allowed", here());
            }
            done = close_container(stack);
            break;
          }
          if (!is_array) {
            if (peek() != '"') {
              fail(DiagCode::kJsonSyntax, "expected a string key after ',', found " + found(),
                   here());
            }
            parse_key(top);
          }
          step = Step::kValue;
          continue;
        }
      }
      // A value is complete: hand it to its container, or it is the root.
      if (stack.empty()) return done;
      Frame& parent = stack.back();
      if (parent.node.kind == NodeKind::kArray) {
        parent.node.items.push_back(std::move(done));
      } else {
        parent.node.members.push_back(
            Member{std::move(parent.key), parent.key_span, std::move(done)});
        parent.key.clear();
      }
      done = Node{};
      step = Step::kAfterValue;
    }
  }

  void open_container(std::vector<Frame>& stack) {
    const Pos start = here();
    if (stack.size() >= limits_.max_depth) {
      fail(DiagCode::kDepthLimit,
           "nesting deeper than " + std::to_string(limits_.max_depth) + " levels", start);
    }
    count_value(start);
    Frame frame;
    frame.node.kind = peek() == '[' ? NodeKind::kArray : NodeKind::kObject;
    frame.start = start;
    advance();
    stack.push_back(std::move(frame));
  }

  Node close_container(std::vector<Frame>& stack) {
    advance();
    Node node = std::move(stack.back().node);
    node.span = span_of(stack.back().start, last_);
    stack.pop_back();
    return node;
  }

  /// Reads `"key"` and the `:` after it into the frame.
  void parse_key(Frame& frame) {
    const Pos start = here();
    frame.key = parse_string();
    frame.key_span = span_of(start, last_);
    skip_trivia();
    if (!peek_is(':')) {
      fail(DiagCode::kJsonSyntax, "expected ':' after object key, found " + found(), here());
    }
    advance();
  }

  Node parse_scalar() {
    const Pos start = here();
    count_value(start);
    Node node;
    const char c = peek();
    if (c == '"') {
      node.kind = NodeKind::kString;
      node.text = parse_string();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      node.kind = NodeKind::kNumber;
      node.text = parse_number();
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      parse_literal(node);
    } else if (c == '\'') {
      fail(DiagCode::kJsonSyntax, "expected a value, found '''; JSON strings use double quotes",
           start);
    } else {
      fail(DiagCode::kJsonSyntax, "expected a value, found " + found(), start);
    }
    node.span = span_of(start, last_);
    return node;
  }

  void parse_literal(Node& node) {
    const Pos start = here();
    const size_t begin = pos_;
    while (!at_end()) {
      const char c = peek();
      const bool word =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      if (!word) break;
      advance();
    }
    const std::string_view word = text_.substr(begin, pos_ - begin);
    if (word == "true" || word == "false") {
      node.kind = NodeKind::kBool;
      node.text = std::string(word);
    } else if (word == "null") {
      node.kind = NodeKind::kNull;
    } else if (known_misspelling(word)) {
      fail(DiagCode::kJsonSyntax,
           "invalid literal '" + std::string(word) + "'; JSON literals are true, false and null",
           start);
    } else {
      // Any other bare word may be an unquoted credential, and a file that does not parse is
      // never classified, so nothing would mask it: the message describes it, never quotes it.
      fail(DiagCode::kJsonSyntax,
           "unquoted word of " + std::to_string(word.size()) +
               " characters; JSON strings take double quotes, and the literals are true, false "
               "and null",
           start);
    }
  }

  void expect_digits(const char* after) {
    if (at_end() || peek() < '0' || peek() > '9') {
      fail(DiagCode::kJsonSyntax,
           std::string("invalid number: expected a digit after ") + after + ", found " + found(),
           here());
    }
    while (!at_end() && peek() >= '0' && peek() <= '9') advance();
  }

  /// Checks the RFC 8259 number grammar and returns the number as written.
  std::string parse_number() {
    const size_t begin = pos_;
    if (peek() == '-') {
      advance();
      if (at_end() || peek() < '0' || peek() > '9') {
        fail(DiagCode::kJsonSyntax, "invalid number: expected a digit after '-', found " + found(),
             here());
      }
    }
    if (peek() == '0') {
      advance();
      if (!at_end() && peek() >= '0' && peek() <= '9') {
        fail(DiagCode::kJsonSyntax, "invalid number: leading zeros are not allowed", here());
      }
    } else {
      expect_digits("'-'");
    }
    if (peek_is('.')) {
      advance();
      expect_digits("'.'");
    }
    if (peek_is('e') || peek_is('E')) {
      advance();
      if (peek_is('+') || peek_is('-')) advance();
      expect_digits("the exponent");
    }
    return std::string(text_.substr(begin, pos_ - begin));
  }

  uint32_t read_hex4(Pos escape_start) {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = at_end() ? '\0' : peek();
      uint32_t digit = 0;
      if (c >= '0' && c <= '9') {
        digit = static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<uint32_t>(c - 'A' + 10);
      } else {
        fail(DiagCode::kJsonSyntax, "invalid \\u escape: expected four hex digits", escape_start);
      }
      value = (value << 4U) | digit;
      advance();
    }
    return value;
  }

  /// Decodes the escape at the cursor (a backslash) onto `out`.
  void parse_escape(std::string& out, Pos string_start) {
    const Pos start = here();
    advance();
    if (at_end()) {
      fail(DiagCode::kJsonSyntax, "unterminated string started at " + where(string_start), here());
    }
    const char c = peek();
    switch (c) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        advance();
        uint32_t cp = read_hex4(start);
        if (cp >= 0xDC00U && cp <= 0xDFFFU) {
          fail(DiagCode::kJsonSyntax,
               "lone low surrogate \\u" + code_point_name(cp).substr(2) + " in string", start);
        }
        if (cp >= 0xD800U && cp <= 0xDBFFU) {
          const bool escape_follows =
              pos_ + 1 < text_.size() && text_[pos_] == '\\' && text_[pos_ + 1] == 'u';
          if (!escape_follows) {
            fail(DiagCode::kJsonSyntax,
                 "lone high surrogate \\u" + code_point_name(cp).substr(2) +
                     " in string: expected a low surrogate escape after it",
                 start);
          }
          const Pos low_start = here();
          advance();
          advance();
          const uint32_t low = read_hex4(low_start);
          if (low < 0xDC00U || low > 0xDFFFU) {
            fail(DiagCode::kJsonSyntax,
                 "lone high surrogate \\u" + code_point_name(cp).substr(2) +
                     " in string: expected a low surrogate escape after it",
                 start);
          }
          cp = 0x10000U + ((cp - 0xD800U) << 10U) + (low - 0xDC00U);
        }
        append_utf8(out, cp);
        return;
      }
      default:
        if (c > ' ' && c < 0x7F) {
          fail(DiagCode::kJsonSyntax, std::string("invalid escape '\\") + c + "' in string", start);
        }
        fail(DiagCode::kJsonSyntax, "invalid escape: '\\' followed by " + found(), start);
    }
    advance();
  }

  /// Reads a string at the cursor (an opening quote) and returns it decoded.
  std::string parse_string() {
    const Pos start = here();
    advance();
    std::string out;
    while (true) {
      if (at_end()) {
        fail(DiagCode::kJsonSyntax, "unterminated string started at " + where(start), here());
      }
      const auto c = static_cast<unsigned char>(peek());
      if (c == '"') {
        advance();
        return out;
      }
      if (c == '\\') {
        parse_escape(out, start);
        continue;
      }
      if (c == '\n' || c == '\r') {
        fail(DiagCode::kJsonSyntax,
             "unterminated string started at " + where(start) +
                 " (a line break inside a string is written \\n)",
             here());
      }
      if (c < 0x20U) {
        fail(DiagCode::kJsonSyntax,
             "control character " + code_point_name(c) + " in string must be escaped", here());
      }
      // Copy the run of ordinary characters in one go; long strings are common.
      const size_t begin = pos_;
      while (!at_end()) {
        const auto d = static_cast<unsigned char>(peek());
        if (d == '"' || d == '\\' || d < 0x20U) break;
        ++pos_;
        if (!core::is_utf8_continuation(d)) {
          last_ = here();
          ++column_;
        }
      }
      out.append(text_.substr(begin, pos_ - begin));
    }
  }

  std::string_view text_;
  const core::Limits& limits_;
  const JsonOptions& options_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  uint32_t column_ = 1;
  Pos last_;  ///< position of the last consumed character: where spans end
  uint64_t values_ = 0;
};

}  // namespace

std::optional<Document> read_json(std::string_view path, std::string_view text,
                                  const core::Limits& limits, core::DiagnosticSink& sink,
                                  const JsonOptions& options) {
  const auto at = [&](Pos pos) { return core::SourceLoc{std::string(path), span_of(pos, pos)}; };
  try {
    JsonParser parser(text, limits, options);
    Document document;
    document.path = std::string(path);
    document.roots.push_back(parser.parse_document());
    return document;
  } catch (const ParseAbort& abort) {
    sink.report(abort.code, abort.message, at(abort.pos));
  } catch (const std::exception& error) {
    sink.report(DiagCode::kJsonSyntax, std::string("could not read the file: ") + error.what(),
                at(Pos{}));
  }
  return std::nullopt;
}

}  // namespace fermata::syntax
