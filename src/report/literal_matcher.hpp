// report: finds where any of many literal strings occur in a text, in one pass (Aho-Corasick).
// Masking secrets must cost time linear in the text however many secrets a hostile file
// plants: searching for each secret in turn is quadratic in the size of such a file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fermata::report {

class LiteralMatcher {
 public:
  /// `patterns` must be distinct and non-empty.
  explicit LiteralMatcher(const std::vector<std::string>& patterns);

  struct Match {
    size_t begin = 0;    ///< byte offset of the first byte
    size_t end = 0;      ///< one past the last byte
    size_t pattern = 0;  ///< index into the patterns given to the constructor
  };

  /// For each byte offset where at least one pattern ends, the longest pattern ending there,
  /// in order of `end`. Shorter patterns ending at the same offset lie inside it, so the
  /// union of the spans equals that of all occurrences, at O(text) cost.
  [[nodiscard]] std::vector<Match> longest_at_each_end(std::string_view text) const;

 private:
  [[nodiscard]] int32_t step(int32_t state, unsigned char byte) const;
  [[nodiscard]] int32_t child(int32_t state, unsigned char byte) const;

  // States are numbered in breadth-first order, and a state's children are contiguous in
  // the edge arrays, sorted by byte: first_edge_[s] .. first_edge_[s + 1].
  std::vector<uint32_t> first_edge_;
  std::vector<unsigned char> edge_byte_;
  std::vector<int32_t> edge_target_;
  std::vector<int32_t> fail_;
  std::vector<int32_t> longest_;  ///< pattern index of the longest pattern ending here, or -1
  std::vector<size_t> lengths_;
};

}  // namespace fermata::report
