#include "bench/floors.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <optional>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/limits.hpp"
#include "core/parallel.hpp"
#include "discover/working_tree.hpp"
#include "parsers/parser.hpp"
#include "parsers/syntax/json_reader.hpp"
#include "parsers/syntax/yaml_reader.hpp"

namespace fermata::bench {
namespace {

/// The bytes of `path` with nothing but open, read and close: the least any scan must do.
std::optional<std::string> read_plain(const std::string& path, uint64_t size_hint) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string bytes(size_hint + 1, '\0');
  size_t used = 0;
  for (;;) {
    if (used == bytes.size()) bytes.resize(bytes.size() * 2);
    const ssize_t got = ::read(fd, bytes.data() + used, bytes.size() - used);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    used += static_cast<size_t>(got);
  }
  ::close(fd);
  bytes.resize(used);
  return bytes;
}

/// Parses `text` once per syntax that a claiming parser asks for, as the scan does.
bool parse_claimed(const std::string& path, const std::string& text, const core::Limits& limits) {
  bool json_done = false;
  bool yaml_done = false;
  bool parsed = false;
  for (const auto& parser : parsers::registry()) {
    const parsers::Claim claim = parser->claims(path, text);
    if (!claim.claimed) continue;
    core::DiagnosticSink ignored;
    if (claim.syntax == parsers::Syntax::kJson && !json_done) {
      json_done = true;
      parsed = syntax::read_json(path, text, limits, ignored).has_value() || parsed;
    } else if (claim.syntax == parsers::Syntax::kYaml && !yaml_done) {
      yaml_done = true;
      parsed = syntax::read_yaml(path, text, limits, ignored).has_value() || parsed;
    }
  }
  return parsed;
}

}  // namespace

FloorResult run_floor(Floor floor, const std::string& root, unsigned jobs) {
  discover::WalkOptions walk;
  discover::WorkingTreeProvider provider(root, walk);
  core::DiagnosticSink sink;
  const std::vector<discover::FileEntry> entries = provider.list(sink);
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> parsed{0};
  core::parallel_for(entries.size(), jobs, [&](size_t i) {
    const discover::FileEntry& entry = entries[i];
    const auto text = read_plain(root + "/" + entry.path, entry.size);
    if (!text) return;
    bytes += text->size();
    if (floor == Floor::kParse && parse_claimed(entry.path, *text, walk.limits)) ++parsed;
  });
  return FloorResult{entries.size(), bytes.load(), parsed.load()};
}

}  // namespace fermata::bench
