#include "report/literal_matcher.hpp"

#include <algorithm>
#include <numeric>

namespace fermata::report {

LiteralMatcher::LiteralMatcher(const std::vector<std::string>& patterns) {
  lengths_.reserve(patterns.size());
  for (const auto& pattern : patterns) lengths_.push_back(pattern.size());
  // Sorted patterns put each trie node's patterns in one range, grouped by the next byte, so
  // the trie is built level by level without a map per node.
  std::vector<size_t> order(patterns.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return patterns[a] < patterns[b]; });

  struct Pending {
    size_t lo;  ///< range of `order` whose patterns pass through this state
    size_t hi;
    size_t depth;
  };
  std::vector<Pending> queue{{0, order.size(), 0}};
  longest_.push_back(-1);
  for (size_t state = 0; state < queue.size(); ++state) {
    const auto [lo, hi, depth] = queue[state];
    first_edge_.push_back(static_cast<uint32_t>(edge_byte_.size()));
    size_t i = lo;
    // A pattern that ends here sorts before every longer pattern with the same prefix.
    while (i < hi && patterns[order[i]].size() == depth) {
      longest_[state] = static_cast<int32_t>(order[i]);
      ++i;
    }
    while (i < hi) {
      const auto byte = static_cast<unsigned char>(patterns[order[i]][depth]);
      size_t j = i;
      while (j < hi && static_cast<unsigned char>(patterns[order[j]][depth]) == byte) ++j;
      edge_byte_.push_back(byte);
      edge_target_.push_back(static_cast<int32_t>(queue.size()));
      queue.push_back({i, j, depth + 1});
      longest_.push_back(-1);
      i = j;
    }
  }
  first_edge_.push_back(static_cast<uint32_t>(edge_byte_.size()));

  // Failure links in breadth-first order: a state's link is shallower, so it is done already.
  fail_.assign(queue.size(), 0);
  for (size_t state = 0; state < queue.size(); ++state) {
    for (uint32_t e = first_edge_[state]; e < first_edge_[state + 1]; ++e) {
      const int32_t target = edge_target_[e];
      if (state != 0) {
        int32_t back = fail_[state];
        int32_t next = child(back, edge_byte_[e]);
        while (next < 0 && back != 0) {
          back = fail_[back];
          next = child(back, edge_byte_[e]);
        }
        fail_[target] = next < 0 ? 0 : next;
      }
      if (longest_[target] < 0) longest_[target] = longest_[fail_[target]];
    }
  }
}

int32_t LiteralMatcher::child(int32_t state, unsigned char byte) const {
  const auto first = edge_byte_.begin() + first_edge_[state];
  const auto last = edge_byte_.begin() + first_edge_[state + 1];
  const auto found = std::lower_bound(first, last, byte);
  if (found == last || *found != byte) return -1;
  return edge_target_[static_cast<size_t>(found - edge_byte_.begin())];
}

int32_t LiteralMatcher::step(int32_t state, unsigned char byte) const {
  while (true) {
    const int32_t next = child(state, byte);
    if (next >= 0) return next;
    if (state == 0) return 0;
    state = fail_[state];
  }
}

std::vector<LiteralMatcher::Match> LiteralMatcher::longest_at_each_end(
    std::string_view text) const {
  std::vector<Match> matches;
  if (lengths_.empty()) return matches;
  int32_t state = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    state = step(state, static_cast<unsigned char>(text[i]));
    const int32_t pattern = longest_[state];
    if (pattern >= 0) {
      const size_t length = lengths_[static_cast<size_t>(pattern)];
      matches.push_back(Match{i + 1 - length, i + 1, static_cast<size_t>(pattern)});
    }
  }
  return matches;
}

}  // namespace fermata::report
