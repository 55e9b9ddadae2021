#include "discover/working_tree.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#endif

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "discover/gitignore.hpp"

namespace fermata::discover {
namespace {

namespace fs = std::filesystem;
using core::DiagCode;
using core::DiagnosticSink;
using core::SourceLoc;

std::string in_quotes(std::string_view text) {
  std::string out = "'";
  out += text;
  out += "'";
  return out;
}

std::string join(const std::string& parent, const std::string& name) {
  return parent.empty() ? name : parent + "/" + name;
}

// Lexical containment of one canonical path in another, component by component, so that
// "/repo-other" is not taken to lie inside "/repo".
bool within(const fs::path& canonical_root, const fs::path& canonical) {
  auto r = canonical_root.begin();
  auto c = canonical.begin();
  for (; r != canonical_root.end(); ++r, ++c) {
    if (c == canonical.end() || *r != *c) return false;
  }
  return true;
}

// Whether a canonical path inside the root passes through a .git directory: a link into one
// would otherwise expose the repository's internals (config, hooks, objects) as scan input.
bool inside_git_dir(const fs::path& canonical_root, const fs::path& canonical) {
  auto c = canonical.begin();
  for (auto r = canonical_root.begin(); r != canonical_root.end(); ++r) ++c;
  for (; c != canonical.end(); ++c) {
    if (*c == ".git") return true;
  }
  return false;
}

/// Owns a file descriptor (-1: none) and closes it.
struct Descriptor {
  int fd = -1;
  explicit Descriptor(int owned) : fd(owned) {}
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  Descriptor(Descriptor&&) = delete;
  Descriptor& operator=(Descriptor&&) = delete;
};

/// A descriptor that locates `path` without opening the file (Linux O_PATH), or -1.
int locate(const fs::path& path) {
#ifdef O_PATH
  return ::open(path.c_str(), O_PATH | O_CLOEXEC);
#else
  (void)path;
  return -1;
#endif
}

/// Where descriptor `fd` leads, as the kernel resolved it; empty when the system cannot say
/// (no /proc).
fs::path descriptor_target(int fd) {
  std::error_code ec;
  fs::path target = fs::read_symlink("/proc/self/fd/" + std::to_string(fd), ec);
  if (ec || !target.is_absolute()) return {};
  return target;
}

enum class ReadStatus { kOk, kTooLarge, kFailed };

struct ReadResult {
  ReadStatus status = ReadStatus::kFailed;
  std::string bytes;
  uint64_t size = 0;  ///< the size seen when the file was too large
  std::string reason;
};

// POSIX rather than iostreams: errno gives the reason a read failed, O_NONBLOCK keeps a FIFO
// swapped in after listing from hanging the scan, and the size is checked on the descriptor
// actually read rather than on a path that may have changed since.
ReadResult read_open_file(int fd, uint64_t max_bytes) {
  ReadResult result;
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    result.reason = std::generic_category().message(errno);
    return result;
  }
  if (!S_ISREG(info.st_mode)) {
    result.reason = "not a regular file";
    return result;
  }
  const auto declared = static_cast<uint64_t>(info.st_size);
  if (declared > max_bytes) {
    result.status = ReadStatus::kTooLarge;
    result.size = declared;
    return result;
  }
  // The file may grow between fstat and the last read; reading one byte past the limit is
  // enough to notice.
  std::string bytes;
  bytes.resize(static_cast<size_t>(declared));
  size_t used = 0;
  while (true) {
    if (used == bytes.size()) {
      if (used > max_bytes) break;
      bytes.resize(std::min<uint64_t>(max_bytes + 1, std::max<uint64_t>(used * 2, 4096)));
    }
    const ssize_t got = ::read(fd, bytes.data() + used, bytes.size() - used);
    if (got < 0) {
      if (errno == EINTR) continue;
      result.reason = std::generic_category().message(errno);
      return result;
    }
    if (got == 0) break;
    used += static_cast<size_t>(got);
  }
  if (used > max_bytes) {
    result.status = ReadStatus::kTooLarge;
    result.size = used;
    return result;
  }
  bytes.resize(used);
  result.status = ReadStatus::kOk;
  result.bytes = std::move(bytes);
  return result;
}

ReadResult read_regular_file(const fs::path& path, uint64_t max_bytes) {
  const Descriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (file.fd < 0) {
    ReadResult result;
    result.reason = std::generic_category().message(errno);
    return result;
  }
  return read_open_file(file.fd, max_bytes);
}

/// Opens `path` for reading only when no component of it is a symbolic link (Linux openat2
/// with RESOLVE_NO_SYMLINKS); -1 when one is, or when the kernel has no openat2.
int open_without_links(const fs::path& path) {
#if defined(SYS_openat2) && defined(RESOLVE_NO_SYMLINKS)
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how));
#else
  (void)path;
  return -1;
#endif
}

bool has_git_component(std::string_view path) {
  for (size_t start = 0; start <= path.size();) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (path.substr(start, slash - start) == ".git") return true;
    start = slash + 1;
  }
  return false;
}

void report_too_large(DiagnosticSink& sink, const std::string& rel, uint64_t size, uint64_t limit) {
  sink.report(DiagCode::kFileTooLarge,
              in_quotes(rel) + " is " + std::to_string(size) + " bytes, above the limit of " +
                  std::to_string(limit) + " bytes",
              SourceLoc{rel, {}});
}

/// Reads a file whose location was checked; problems become diagnostics on `path`.
std::optional<std::string> read_checked(ReadResult result, const std::string& path,
                                        uint64_t max_bytes, DiagnosticSink& sink) {
  const SourceLoc loc{path, {}};
  switch (result.status) {
    case ReadStatus::kOk: return std::move(result.bytes);
    case ReadStatus::kTooLarge:
      report_too_large(sink, path, result.size, max_bytes);
      return std::nullopt;
    case ReadStatus::kFailed: break;
  }
  sink.report(DiagCode::kFileUnreadable, "cannot read " + in_quotes(path) + ": " + result.reason,
              loc);
  return std::nullopt;
}

enum class Kind {
  kFile,
  kDir,
  kOther,      ///< FIFO, socket, device: never listed
  kBroken,     ///< symbolic link to nothing
  kLinkLoop,   ///< symbolic link chain that never ends (ELOOP)
  kStatError,  ///< the type could not be determined
};

struct Child {
  std::string name;
  std::string key;  ///< name, plus '/' for directories, so siblings sort like full paths
  Kind kind = Kind::kOther;
  bool link = false;
  fs::path target;  ///< canonical target of a link
  std::error_code error;
};

Child classify(const fs::directory_entry& entry) {
  Child child;
  child.name = entry.path().filename().string();
  std::error_code ec;
  const fs::file_status own = entry.symlink_status(ec);
  if (ec) {
    child.kind = Kind::kStatError;
    child.error = ec;
  } else if (fs::is_symlink(own)) {
    child.link = true;
    const fs::file_status target = fs::status(entry.path(), ec);
    if (ec == std::errc::too_many_symbolic_link_levels) {
      child.kind = Kind::kLinkLoop;
    } else if (target.type() == fs::file_type::not_found || ec == std::errc::not_a_directory) {
      child.kind = Kind::kBroken;
    } else if (ec) {
      child.kind = Kind::kStatError;
      child.error = ec;
    } else {
      child.target = fs::weakly_canonical(entry.path(), ec);
      if (ec) {
        child.kind = Kind::kStatError;
        child.error = ec;
      } else if (fs::is_directory(target)) {
        child.kind = Kind::kDir;
      } else if (fs::is_regular_file(target)) {
        child.kind = Kind::kFile;
      }
    }
  } else if (fs::is_directory(own)) {
    child.kind = Kind::kDir;
  } else if (fs::is_regular_file(own)) {
    child.kind = Kind::kFile;
  }
  child.key = child.kind == Kind::kDir ? child.name + "/" : child.name;
  return child;
}

struct Frame {
  fs::path dir;
  std::string rel;  ///< "" for the root
  fs::path canonical;
  std::shared_ptr<const IgnoreRules> rules;  ///< null when .gitignore files are not honoured
  std::vector<Child> children;
  size_t next = 0;
};

// One walk: the state list() needs while descending, kept out of the provider so that the
// provider stays a plain description of what to scan.
class Walker {
 public:
  Walker(const fs::path& root, const fs::path& canonical_root, const WalkOptions& options,
         DiagnosticSink& sink)
      : root_(root), canonical_root_(canonical_root), options_(options), sink_(sink) {
    std::string extra;
    for (const auto& pattern : options_.extra_ignores) {
      extra += pattern;
      extra += '\n';
    }
    extra_.add("", extra);
  }

  std::vector<FileEntry> run() {
    std::shared_ptr<IgnoreRules> root_rules;
    if (options_.honour_gitignore) {
      // info/exclude ranks below the root .gitignore, so it goes in first.
      root_rules = std::make_shared<IgnoreRules>();
      std::error_code ec;
      if (fs::is_directory(fs::symlink_status(root_ / ".git", ec))) {
        add_ignore_file(*root_rules, root_ / ".git" / "info" / "exclude", ".git/info/exclude", "",
                        false);
      }
    }
    Frame root_frame;
    root_frame.dir = root_;
    root_frame.canonical = canonical_root_;
    root_frame.rules = root_rules;
    if (!open_frame(root_frame, root_.generic_string())) return {};
    stack_.push_back(std::move(root_frame));

    while (!stack_.empty() && !stopped_) {
      Frame& top = stack_.back();
      if (top.next == top.children.size()) {
        stack_.pop_back();
        continue;
      }
      Child child = std::move(top.children[top.next++]);
      visit(top, child);
    }
    std::sort(files_.begin(), files_.end(),
              [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; });
    return std::move(files_);
  }

 private:
  // `listed` says the file is also a candidate of the walk, whose own size check reports it
  // when too large; saying so twice would only add noise.
  void add_ignore_file(IgnoreRules& rules, const fs::path& path, const std::string& rel,
                       const std::string& base, bool listed) {
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(path, ec))) return;
    const ReadResult result = read_regular_file(path, options_.limits.max_file_bytes);
    if (result.status == ReadStatus::kOk) {
      rules.add(base, result.bytes);
      return;
    }
    if (result.status == ReadStatus::kTooLarge) {
      if (!listed) report_too_large(sink_, rel, result.size, options_.limits.max_file_bytes);
    } else {
      sink_.report(DiagCode::kFileUnreadable,
                   "cannot read ignore file " + in_quotes(rel) + ": " + result.reason,
                   SourceLoc{rel, {}});
    }
  }

  // Reads the directory's .gitignore (its rules govern the directory's own children) and
  // its entries, sorted. False when the directory cannot be listed.
  bool open_frame(Frame& frame, const std::string& display) {
    std::error_code ec;
    // git does not follow a symbolic link named .gitignore inside the tree; neither do we.
    if (frame.rules && fs::is_regular_file(fs::symlink_status(frame.dir / ".gitignore", ec))) {
      // Copied, not extended in place: the parent's rules still serve the parent's siblings.
      auto rules = std::make_shared<IgnoreRules>(*frame.rules);
      add_ignore_file(*rules, frame.dir / ".gitignore", join(frame.rel, ".gitignore"), frame.rel,
                      true);
      frame.rules = std::move(rules);
    }
    fs::directory_iterator it(frame.dir, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
      frame.children.push_back(classify(*it));
    }
    if (ec) {
      sink_.report(DiagCode::kFileUnreadable,
                   "cannot read directory " + in_quotes(display) + ": " + ec.message(),
                   SourceLoc{display, {}});
      return false;
    }
    std::sort(frame.children.begin(), frame.children.end(),
              [](const Child& a, const Child& b) { return a.key < b.key; });
    return true;
  }

  bool ignored(const Frame& parent, const std::string& rel, bool is_dir) const {
    if (parent.rules && parent.rules->ignored(rel, is_dir)) return true;
    return extra_.ignored(rel, is_dir);
  }

  void visit(const Frame& parent, const Child& child) {
    // A .git directory holds the repository, and a .git file points at one elsewhere
    // (worktrees, submodules): neither is part of the working tree.
    if (child.name == ".git") return;
    const std::string rel = join(parent.rel, child.name);
    if (ignored(parent, rel, child.kind == Kind::kDir)) return;
    const SourceLoc loc{rel, {}};
    switch (child.kind) {
      case Kind::kOther: return;
      case Kind::kStatError:
        sink_.report(DiagCode::kFileUnreadable,
                     "cannot read " + in_quotes(rel) + ": " + child.error.message(), loc);
        return;
      case Kind::kBroken:
        sink_.report(DiagCode::kFileUnreadable, "broken symbolic link " + in_quotes(rel), loc);
        return;
      case Kind::kLinkLoop:
        sink_.report(DiagCode::kSymlinkOutside, "symbolic link loop at " + in_quotes(rel), loc);
        return;
      case Kind::kFile:
      case Kind::kDir: break;
    }
    if (child.link && !within(canonical_root_, child.target)) {
      std::error_code ec;
      const fs::path text = fs::read_symlink(parent.dir / child.name, ec);
      std::string message = "symbolic link " + in_quotes(rel) + " points outside the scanned root";
      if (!ec) message += " (" + text.string() + ")";
      sink_.report(DiagCode::kSymlinkOutside, message + "; not followed", loc);
      return;
    }
    if (child.link && inside_git_dir(canonical_root_, child.target)) {
      sink_.report(
          DiagCode::kSymlinkOutside,
          "symbolic link " + in_quotes(rel) + " points into a .git directory; not followed", loc);
      return;
    }
    if (child.kind == Kind::kDir) {
      enter(parent, child, rel);
    } else {
      add_file(parent, child, rel);
    }
  }

  void enter(const Frame& parent, const Child& child, const std::string& rel) {
    Frame frame;
    frame.dir = parent.dir / child.name;
    frame.rel = rel;
    frame.rules = parent.rules;
    if (child.link) {
      frame.canonical = child.target;
      const std::string key = child.target.string();
      for (const Frame& open : stack_) {
        if (open.canonical == child.target) {
          sink_.report(DiagCode::kSymlinkOutside,
                       "symbolic link loop: " + in_quotes(rel) + " leads back to " +
                           in_quotes(open.rel.empty() ? "." : open.rel) + "; not followed",
                       SourceLoc{rel, {}});
          return;
        }
      }
      // Links can form a DAG whose paths multiply exponentially; entering each linked
      // directory once keeps the walk bounded by the real tree.
      const auto [seen, inserted] = linked_dirs_.emplace(key, rel);
      if (!inserted) {
        sink_.report(DiagCode::kSymlinkOutside,
                     "symbolic link " + in_quotes(rel) +
                         " leads to a directory already reached via " + in_quotes(seen->second) +
                         "; not followed",
                     SourceLoc{rel, {}});
        return;
      }
    } else {
      frame.canonical = parent.canonical / child.name;
    }
    if (!open_frame(frame, rel)) return;
    // `parent` refers into stack_; it is not used after this push.
    stack_.push_back(std::move(frame));
  }

  void add_file(const Frame& parent, const Child& child, const std::string& rel) {
    std::error_code ec;
    const uint64_t size = fs::file_size(parent.dir / child.name, ec);
    if (ec) {
      sink_.report(DiagCode::kFileUnreadable, "cannot read " + in_quotes(rel) + ": " + ec.message(),
                   SourceLoc{rel, {}});
      return;
    }
    if (size > options_.limits.max_file_bytes) {
      report_too_large(sink_, rel, size, options_.limits.max_file_bytes);
      return;
    }
    if (files_.size() >= options_.limits.max_files) {
      sink_.report(DiagCode::kFileLimit,
                   "more than " + std::to_string(options_.limits.max_files) +
                       " files; listing stopped before " + in_quotes(rel),
                   SourceLoc{rel, {}});
      stopped_ = true;
      return;
    }
    files_.push_back(FileEntry{rel, size});
  }

  const fs::path& root_;
  const fs::path& canonical_root_;
  const WalkOptions& options_;
  DiagnosticSink& sink_;
  IgnoreRules extra_;
  std::vector<Frame> stack_;
  std::map<std::string, std::string> linked_dirs_;  ///< canonical target -> first link's path
  std::vector<FileEntry> files_;
  bool stopped_ = false;
};

// A path handed to read() must name something below the root: no absolute paths, no "..",
// so a forged FileEntry cannot reach elsewhere even before the canonical check.
bool plausible_relative(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view part = path.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = slash + 1;
  }
  return true;
}

}  // namespace

WorkingTreeProvider::WorkingTreeProvider(std::filesystem::path root, WalkOptions options)
    : root_(std::move(root)), options_(std::move(options)) {
  std::error_code ec;
  root_is_file_ = fs::is_regular_file(fs::status(root_, ec));
}

std::vector<FileEntry> WorkingTreeProvider::list(core::DiagnosticSink& sink) {
  const std::string display = root_.generic_string();
  std::error_code ec;
  const fs::file_status status = fs::status(root_, ec);
  root_is_file_ = false;
  if (ec || !fs::exists(status)) {
    if (!ec || ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) {
      sink.report(DiagCode::kRootMissing, in_quotes(display) + " does not exist",
                  SourceLoc{display, {}});
    } else {
      sink.report(DiagCode::kFileUnreadable,
                  "cannot read " + in_quotes(display) + ": " + ec.message(),
                  SourceLoc{display, {}});
    }
    return {};
  }
  if (fs::is_regular_file(status)) {
    root_is_file_ = true;
    const std::string name = root_.filename().string();
    const uint64_t size = fs::file_size(root_, ec);
    if (ec) {
      sink.report(DiagCode::kFileUnreadable, "cannot read " + in_quotes(name) + ": " + ec.message(),
                  SourceLoc{name, {}});
      return {};
    }
    if (size > options_.limits.max_file_bytes) {
      report_too_large(sink, name, size, options_.limits.max_file_bytes);
      return {};
    }
    if (options_.limits.max_files == 0) {
      sink.report(DiagCode::kFileLimit,
                  "more than 0 files; listing stopped before " + in_quotes(name),
                  SourceLoc{name, {}});
      return {};
    }
    return {FileEntry{name, size}};
  }
  if (!fs::is_directory(status)) {
    sink.report(DiagCode::kFileUnreadable,
                in_quotes(display) + " is neither a directory nor a regular file",
                SourceLoc{display, {}});
    return {};
  }
  const fs::path canonical_root = fs::canonical(root_, ec);
  canonical_root_ = canonical_root;
  if (ec) {
    sink.report(DiagCode::kFileUnreadable,
                "cannot resolve " + in_quotes(display) + ": " + ec.message(),
                SourceLoc{display, {}});
    return {};
  }
  Walker walker(root_, canonical_root, options_, sink);
  return walker.run();
}

std::optional<std::string> WorkingTreeProvider::read(const FileEntry& entry,
                                                     core::DiagnosticSink& sink) {
  const SourceLoc loc{entry.path, {}};
  const uint64_t max_bytes = options_.limits.max_file_bytes;
  fs::path full;
  if (root_is_file_) {
    if (entry.path != root_.filename().string()) {
      sink.report(DiagCode::kFileUnreadable, in_quotes(entry.path) + " is not the scanned file",
                  loc);
      return std::nullopt;
    }
    full = root_;
  } else {
    if (!plausible_relative(entry.path)) {
      sink.report(DiagCode::kFileUnreadable,
                  in_quotes(entry.path) + " is not a path inside the scanned root", loc);
      return std::nullopt;
    }
    full = root_ / entry.path;
    // Resolved again at read time: a link may have been retargeted since list().
    std::error_code root_ec;
    const fs::path canonical_root =
        canonical_root_.empty() ? fs::canonical(root_, root_ec) : canonical_root_;
    const auto outside = [&] {
      sink.report(DiagCode::kFileUnreadable,
                  in_quotes(entry.path) +
                      " does not resolve to a file inside the scanned root and outside .git",
                  loc);
      return std::nullopt;
    };
    if (root_ec) return outside();
    // The common case, one open: a path with no link in it under the resolved root, and no
    // "", ".", ".." or ".git" component, lies inside the root and outside .git as written.
    if (!has_git_component(entry.path)) {
      const Descriptor direct(open_without_links(canonical_root / entry.path));
      if (direct.fd >= 0) {
        return read_checked(read_open_file(direct.fd, max_bytes), entry.path, max_bytes, sink);
      }
    }
    // Where the path leads is asked of a descriptor that only locates the file (O_PATH opens
    // no device or FIFO), and that same file is then opened for reading: one lookup instead
    // of one per path component, and no window for a link to change between check and read.
    const Descriptor located(locate(full));
    const fs::path resolved = located.fd >= 0 ? descriptor_target(located.fd) : fs::path();
    if (!resolved.empty()) {
      if (!within(canonical_root, resolved) || inside_git_dir(canonical_root, resolved)) {
        return outside();
      }
      // Read while the locating descriptor is still open.
      return read_checked(
          read_regular_file("/proc/self/fd/" + std::to_string(located.fd), max_bytes), entry.path,
          max_bytes, sink);
    }
    std::error_code ec;
    const fs::path by_path = fs::weakly_canonical(full, ec);
    if (ec || !within(canonical_root, by_path) || inside_git_dir(canonical_root, by_path)) {
      return outside();
    }
  }
  return read_checked(read_regular_file(full, max_bytes), entry.path, max_bytes, sink);
}

void MemoryProvider::add(std::string path, std::string content) {
  // Kept sorted by path so list() is a copy and read() a binary search; a second add of the
  // same path replaces the first, as writing a file twice would.
  auto it = std::lower_bound(files_.begin(), files_.end(), path,
                             [](const std::pair<std::string, std::string>& file,
                                const std::string& key) { return file.first < key; });
  if (it != files_.end() && it->first == path) {
    it->second = std::move(content);
    return;
  }
  files_.emplace(it, std::move(path), std::move(content));
}

std::vector<FileEntry> MemoryProvider::list(core::DiagnosticSink& /*sink*/) {
  std::vector<FileEntry> entries;
  entries.reserve(files_.size());
  for (const auto& [path, content] : files_) entries.push_back(FileEntry{path, content.size()});
  return entries;
}

std::optional<std::string> MemoryProvider::read(const FileEntry& entry,
                                                core::DiagnosticSink& sink) {
  auto it = std::lower_bound(files_.begin(), files_.end(), entry.path,
                             [](const std::pair<std::string, std::string>& file,
                                const std::string& key) { return file.first < key; });
  if (it == files_.end() || it->first != entry.path) {
    sink.report(DiagCode::kFileUnreadable, in_quotes(entry.path) + " is not among the files held",
                SourceLoc{entry.path, {}});
    return std::nullopt;
  }
  return it->second;
}

}  // namespace fermata::discover
