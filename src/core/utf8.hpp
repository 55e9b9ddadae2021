// core: UTF-8 facts every reader and reporter needs, once: which bytes continue a sequence,
// how long a well-formed sequence is, and what a plainly UTF-16/32 file looks like.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fermata::core {

inline bool is_utf8_continuation(unsigned char c) { return (c & 0xC0U) == 0x80U; }

/// Length of the well-formed UTF-8 sequence at `text[i]`, or 0 when it is not well formed
/// (overlong forms, surrogates and values above U+10FFFF are rejected, as RFC 3629 asks).
size_t utf8_sequence_length(std::string_view text, size_t i);

/// "0xAB", for messages about a byte that is not UTF-8.
std::string hex_byte(unsigned char c);

/// Names the encoding when the bytes are plainly UTF-16 or UTF-32 rather than UTF-8, so the
/// user hears about the encoding instead of a confusing syntax error at column 2; nullptr
/// otherwise.
const char* wide_encoding(std::string_view text);

}  // namespace fermata::core
