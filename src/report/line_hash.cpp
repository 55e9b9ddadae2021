#include "report/line_hash.hpp"

#include <array>
#include <cstdint>
#include <map>

namespace fermata::report {
namespace {

constexpr size_t kBlockSize = 100;
constexpr uint64_t kMultiplier = 37;
constexpr uint16_t kEndOfFile = 65535;

// GitHub reads the file through Node's UTF-8 decoder, which follows the WHATWG decoding
// algorithm: each maximal invalid subsequence becomes one U+FFFD. Matching it exactly is what
// keeps our hash equal to GitHub's on files with stray bytes.
template <typename Emit>
void decode_utf16(std::string_view text, Emit&& emit) {
  auto emit_code_point = [&](uint32_t cp) {
    if (cp < 0x10000) {
      emit(static_cast<uint16_t>(cp));
    } else {
      cp -= 0x10000;
      emit(static_cast<uint16_t>(0xD800 + (cp >> 10)));
      emit(static_cast<uint16_t>(0xDC00 + (cp & 0x3FF)));
    }
  };
  uint32_t code_point = 0;
  int needed = 0;
  int seen = 0;
  uint8_t lower = 0x80;
  uint8_t upper = 0xBF;
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<uint8_t>(text[i]);
    if (needed == 0) {
      ++i;
      if (byte <= 0x7F) {
        emit(byte);
      } else if (byte >= 0xC2 && byte <= 0xDF) {
        needed = 1;
        code_point = byte & 0x1F;
      } else if (byte >= 0xE0 && byte <= 0xEF) {
        if (byte == 0xE0) lower = 0xA0;
        if (byte == 0xED) upper = 0x9F;
        needed = 2;
        code_point = byte & 0x0F;
      } else if (byte >= 0xF0 && byte <= 0xF4) {
        if (byte == 0xF0) lower = 0x90;
        if (byte == 0xF4) upper = 0x8F;
        needed = 3;
        code_point = byte & 0x07;
      } else {
        emit(0xFFFD);
      }
      continue;
    }
    if (byte < lower || byte > upper) {
      // The byte is not consumed: it may start the next sequence.
      code_point = 0;
      needed = 0;
      seen = 0;
      lower = 0x80;
      upper = 0xBF;
      emit(0xFFFD);
      continue;
    }
    ++i;
    lower = 0x80;
    upper = 0xBF;
    code_point = (code_point << 6) | (byte & 0x3F);
    if (++seen == needed) {
      emit_code_point(code_point);
      code_point = 0;
      needed = 0;
      seen = 0;
    }
  }
  if (needed != 0) emit(0xFFFD);
}

class RollingHasher {
 public:
  explicit RollingHasher(std::vector<std::string>& out) : out_(out) {
    line_numbers_.fill(-1);
    window_.fill(0);
    for (size_t i = 0; i < kBlockSize; ++i) first_mod_ *= kMultiplier;
  }

  void process(uint16_t c) {
    // A CRLF pair is one line break, and blanks never count, so re-indenting a line
    // leaves its hash unchanged.
    if (c == ' ' || c == '\t' || (prev_cr_ && c == '\n')) {
      prev_cr_ = false;
      return;
    }
    if (c == '\r') {
      c = '\n';
      prev_cr_ = true;
    } else {
      prev_cr_ = false;
    }
    if (line_numbers_[index_] != -1) output();
    if (line_start_) {
      line_start_ = false;
      ++line_number_;
      line_numbers_[index_] = line_number_;
    }
    if (c == '\n') line_start_ = true;
    update(c);
  }

  void finish() {
    process(kEndOfFile);
    for (size_t i = 0; i < kBlockSize; ++i) {
      if (line_numbers_[index_] != -1) output();
      update(0);
    }
  }

 private:
  void update(uint16_t c) {
    const uint64_t begin = window_[index_];
    window_[index_] = c;
    // Unsigned arithmetic wraps modulo 2^64, which is what the reference's 64-bit Long does.
    hash_ = kMultiplier * hash_ + c - first_mod_ * begin;
    index_ = (index_ + 1) % kBlockSize;
  }

  void output() {
    std::string hex = to_hex(hash_);
    const int count = ++counts_[hex];
    const auto line = static_cast<size_t>(line_numbers_[index_]);
    if (out_.size() < line) out_.resize(line);
    out_[line - 1] = hex + ":" + std::to_string(count);
    line_numbers_[index_] = -1;
  }

  static std::string to_hex(uint64_t value) {
    if (value == 0) return "0";
    std::string hex;
    while (value != 0) {
      hex.insert(hex.begin(), "0123456789abcdef"[value & 0xF]);
      value >>= 4;
    }
    return hex;
  }

  std::vector<std::string>& out_;
  std::array<uint16_t, kBlockSize> window_{};
  std::array<int64_t, kBlockSize> line_numbers_{};
  std::map<std::string, int> counts_;
  uint64_t hash_ = 0;
  uint64_t first_mod_ = 1;
  size_t index_ = 0;
  int64_t line_number_ = 0;
  bool line_start_ = true;
  bool prev_cr_ = false;
};

}  // namespace

std::vector<std::string> line_hashes(std::string_view text) {
  std::vector<std::string> out;
  RollingHasher hasher(out);
  decode_utf16(text, [&](uint16_t unit) { hasher.process(unit); });
  hasher.finish();
  return out;
}

}  // namespace fermata::report
