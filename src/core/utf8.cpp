#include "core/utf8.hpp"

namespace fermata::core {

size_t utf8_sequence_length(std::string_view text, size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead < 0x80U) return 1;
  size_t length = 0;
  unsigned char low = 0x80U;
  unsigned char high = 0xBFU;
  if (lead >= 0xC2U && lead <= 0xDFU) {
    length = 2;
  } else if (lead >= 0xE0U && lead <= 0xEFU) {
    length = 3;
    if (lead == 0xE0U) low = 0xA0U;
    if (lead == 0xEDU) high = 0x9FU;
  } else if (lead >= 0xF0U && lead <= 0xF4U) {
    length = 4;
    if (lead == 0xF0U) low = 0x90U;
    if (lead == 0xF4U) high = 0x8FU;
  } else {
    return 0;
  }
  if (text.size() - i < length) return 0;
  const auto second = static_cast<unsigned char>(text[i + 1]);
  if (second < low || second > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (!is_utf8_continuation(static_cast<unsigned char>(text[i + k]))) return 0;
  }
  return length;
}

std::string hex_byte(unsigned char c) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  return {'0', 'x', kDigits[c >> 4U], kDigits[c & 0xFU]};
}

const char* wide_encoding(std::string_view text) {
  auto byte = [&](size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 1U; };
  if (byte(0) == 0x00U && byte(1) == 0x00U && byte(2) == 0xFEU && byte(3) == 0xFFU) return "UTF-32";
  if (byte(0) == 0xFFU && byte(1) == 0xFEU && byte(2) == 0x00U && byte(3) == 0x00U) return "UTF-32";
  if ((byte(0) == 0xFFU && byte(1) == 0xFEU) || (byte(0) == 0xFEU && byte(1) == 0xFFU)) {
    return "UTF-16";
  }
  const size_t probe = text.size() < 4 ? text.size() : 4;
  size_t zeros = 0;
  for (size_t i = 0; i < probe; ++i) zeros += byte(i) == 0x00U ? 1 : 0;
  if (zeros == 0) return nullptr;
  return zeros >= 3 && probe == 4 ? "UTF-32" : "UTF-16";
}

}  // namespace fermata::core
