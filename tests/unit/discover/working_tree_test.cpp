#include "discover/working_tree.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fermata::discover {
namespace {

namespace fs = std::filesystem;
using core::DiagCode;
using core::DiagnosticSink;

// A scratch directory per test, removed afterwards even when an assertion fails.
class TempTree {
 public:
  TempTree() {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    root_ = fs::temp_directory_path() / ("fermata-discover-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter++) + "-" + std::to_string(stamp));
    fs::create_directories(root_);
  }
  ~TempTree() {
    std::error_code ec;
    // Restore permissions a test removed, or remove_all fails for an unprivileged user.
    for (auto it = fs::recursive_directory_iterator(root_, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_symlink(ec)) {
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
      }
    }
    fs::remove_all(root_, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  [[nodiscard]] const fs::path& root() const { return root_; }

  void file(const std::string& rel, const std::string& content = "x") {
    const fs::path path = root_ / rel;
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << content;
  }
  void dir(const std::string& rel) { fs::create_directories(root_ / rel); }
  void link(const std::string& rel, const fs::path& target) {
    fs::create_directories((root_ / rel).parent_path());
    fs::create_symlink(target, root_ / rel);
  }

 private:
  fs::path root_;
};

std::vector<std::string> paths_of(const std::vector<FileEntry>& entries) {
  std::vector<std::string> paths;
  for (const FileEntry& entry : entries) paths.push_back(entry.path);
  return paths;
}

size_t count_code(const DiagnosticSink& sink, DiagCode code) {
  return static_cast<size_t>(std::count_if(sink.items().begin(), sink.items().end(),
                                           [code](const auto& d) { return d.code == code; }));
}

std::vector<FileEntry> list_tree(const fs::path& root, DiagnosticSink& sink,
                                 WalkOptions options = {}) {
  WorkingTreeProvider provider(root, std::move(options));
  return provider.list(sink);
}

bool running_as_root() { return ::geteuid() == 0; }

TEST_CASE("working tree: files sorted by byte order with sizes and clean relative paths") {
  TempTree tree;
  tree.file("b.yaml", "12345");
  tree.file("a/b", "");
  tree.file("a-c", "1");
  tree.file("a/z/deep.json", "{}");
  tree.file("A.txt", "1");
  tree.dir("empty");

  DiagnosticSink sink;
  WorkingTreeProvider provider(tree.root(), {});
  const auto entries = provider.list(sink);
  CHECK(sink.size() == 0);
  CHECK(paths_of(entries) ==
        std::vector<std::string>{"A.txt", "a-c", "a/b", "a/z/deep.json", "b.yaml"});
  CHECK(entries.back().size == 5);
  CHECK(entries[2].size == 0);
  // A second walk sees the same thing.
  CHECK(paths_of(provider.list(sink)) == paths_of(entries));

  const auto bytes = provider.read(entries.back(), sink);
  REQUIRE(bytes.has_value());
  CHECK(*bytes == "12345");
}

TEST_CASE("working tree: a root spelled with .. or a trailing slash still yields clean paths") {
  TempTree tree;
  tree.file("x/y.txt");
  DiagnosticSink sink;
  const auto entries = list_tree(tree.root() / "x" / "..", sink);
  CHECK(paths_of(entries) == std::vector<std::string>{"x/y.txt"});
  const auto slashed = list_tree(fs::path(tree.root().string() + "/"), sink);
  CHECK(paths_of(slashed) == std::vector<std::string>{"x/y.txt"});
  CHECK(sink.size() == 0);
}

TEST_CASE("working tree: .git directories and .git files are skipped") {
  TempTree tree;
  tree.file(".git/config", "[core]");
  tree.file(".git/objects/ab/cdef", "blob");
  tree.file("sub/.git", "gitdir: ../.git/modules/sub");
  tree.file("sub/main.tf");
  tree.file(".github/workflows/ci.yml");
  tree.file(".gitmodules");

  DiagnosticSink sink;
  const auto entries = list_tree(tree.root(), sink);
  CHECK(paths_of(entries) ==
        std::vector<std::string>{".github/workflows/ci.yml", ".gitmodules", "sub/main.tf"});
  // Even with ignore files off, .git is never part of the working tree.
  WalkOptions options;
  options.honour_gitignore = false;
  CHECK(paths_of(list_tree(tree.root(), sink, options)) == paths_of(entries));
}

TEST_CASE("working tree: .gitignore at every level, negation, and .git/info/exclude") {
  TempTree tree;
  tree.file(".gitignore", "*.log\nbuild/\n!keep.log\n!build/out.json\n");
  tree.file(".git/info/exclude", "secret.txt\n");
  tree.file("app.log");
  tree.file("keep.log");
  tree.file("secret.txt");
  tree.file("build/out.json");
  tree.file("src/.gitignore", "!debug.log\ngenerated/\n/local.yaml\n");
  tree.file("src/debug.log");
  tree.file("src/other.log");
  tree.file("src/local.yaml");
  tree.file("src/generated/x.json");
  tree.file("src/deeper/local.yaml");
  tree.file("src/deeper/debug.log");
  tree.file("docs/local.yaml");

  DiagnosticSink sink;
  CHECK(paths_of(list_tree(tree.root(), sink)) == std::vector<std::string>{
                                                      ".gitignore",
                                                      "docs/local.yaml",
                                                      "keep.log",
                                                      "src/.gitignore",
                                                      "src/debug.log",
                                                      "src/deeper/debug.log",
                                                      "src/deeper/local.yaml",
                                                  });
  CHECK(sink.size() == 0);

  WalkOptions everything;
  everything.honour_gitignore = false;
  CHECK(list_tree(tree.root(), sink, everything).size() == 13);
}

TEST_CASE(
    "working tree: .gitignore with CRLF endings and a nested exclusion of its parent's file") {
  TempTree tree;
  tree.file(".gitignore", "*.tmp\r\n!important.tmp\r\n");
  tree.file("a.tmp");
  tree.file("important.tmp");
  tree.file("sub/.gitignore", "important.tmp\r\n");
  tree.file("sub/important.tmp");
  DiagnosticSink sink;
  CHECK(paths_of(list_tree(tree.root(), sink)) ==
        std::vector<std::string>{".gitignore", "important.tmp", "sub/.gitignore"});
}

TEST_CASE("working tree: extra ignore patterns from the configuration") {
  TempTree tree;
  tree.file("vendor/lib.json");
  tree.file("a/vendor/lib.json");
  tree.file("fixtures/x.yaml");
  tree.file("fixtures/keep.yaml");
  tree.file("main.yaml");
  tree.file(".gitignore", "!vendor/\n");

  WalkOptions options;
  options.extra_ignores = {"/vendor/", "fixtures/*", "!fixtures/keep.yaml"};
  DiagnosticSink sink;
  CHECK(paths_of(list_tree(tree.root(), sink, options)) ==
        std::vector<std::string>{".gitignore", "a/vendor/lib.json", "fixtures/keep.yaml",
                                 "main.yaml"});
  // They apply when .gitignore files are not honoured too.
  options.honour_gitignore = false;
  CHECK(paths_of(list_tree(tree.root(), sink, options)) ==
        std::vector<std::string>{".gitignore", "a/vendor/lib.json", "fixtures/keep.yaml",
                                 "main.yaml"});
}

TEST_CASE("working tree: symbolic links inside the root are followed") {
  TempTree tree;
  tree.file("real/a.json", "{\"a\":1}");
  tree.link("file-link.json", "real/a.json");
  tree.link("dir-link", "real");
  tree.link("nested/up-link.json", "../real/a.json");

  DiagnosticSink sink;
  WorkingTreeProvider provider(tree.root(), {});
  const auto entries = provider.list(sink);
  CHECK(sink.size() == 0);
  CHECK(paths_of(entries) == std::vector<std::string>{"dir-link/a.json", "file-link.json",
                                                      "nested/up-link.json", "real/a.json"});
  for (const FileEntry& entry : entries) {
    CAPTURE(entry.path);
    CHECK(entry.size == 7);
    const auto bytes = provider.read(entry, sink);
    REQUIRE(bytes.has_value());
    CHECK(*bytes == "{\"a\":1}");
  }
}

TEST_CASE("working tree: symbolic links leaving the root are reported, not followed") {
  TempTree outside;
  outside.file("secret.txt", "secret");
  outside.file("dir/other.txt");
  TempTree tree;
  tree.file("ok.txt");
  tree.link("to-file", outside.root() / "secret.txt");
  tree.link("sub/to-dir", outside.root() / "dir");
  tree.link("relative", "../" + outside.root().filename().string() + "/secret.txt");

  DiagnosticSink sink;
  WorkingTreeProvider provider(tree.root(), {});
  CHECK(paths_of(provider.list(sink)) == std::vector<std::string>{"ok.txt"});
  REQUIRE(count_code(sink, DiagCode::kSymlinkOutside) == 3);
  std::vector<std::string> files;
  for (const auto& d : sink.items()) {
    CHECK(d.level == core::DiagLevel::kNote);
    files.push_back(d.loc.file);
  }
  CHECK(files == std::vector<std::string>{"relative", "sub/to-dir", "to-file"});
  // A forged entry naming the link is refused too.
  sink = DiagnosticSink{};
  CHECK_FALSE(provider.read(FileEntry{"to-file", 6}, sink).has_value());
  CHECK(count_code(sink, DiagCode::kFileUnreadable) == 1);
}

TEST_CASE("working tree: symbolic link loops are reported once each and skipped") {
  TempTree tree;
  tree.file("a/file.txt");
  tree.link("a/up", "..");
  tree.link("self", ".");
  tree.link("ring1", "ring2");
  tree.link("ring2", "ring1");

  DiagnosticSink sink;
  CHECK(paths_of(list_tree(tree.root(), sink)) == std::vector<std::string>{"a/file.txt"});
  CHECK(count_code(sink, DiagCode::kSymlinkOutside) == 4);
  for (const auto& d : sink.items()) {
    CAPTURE(d.message);
    CHECK(d.code == DiagCode::kSymlinkOutside);
    CHECK(d.message.find("symbolic link loop") != std::string::npos);
  }
}

TEST_CASE("working tree: a directory reached through two links is walked once through them") {
  TempTree tree;
  tree.file("shared/x.yaml");
  tree.link("first", "shared");
  tree.link("second", "shared");

  DiagnosticSink sink;
  CHECK(paths_of(list_tree(tree.root(), sink)) ==
        std::vector<std::string>{"first/x.yaml", "shared/x.yaml"});
  REQUIRE(count_code(sink, DiagCode::kSymlinkOutside) == 1);
  CHECK(sink.items()[0].loc.file == "second");
}

TEST_CASE("working tree: broken symbolic links are unreadable files") {
  TempTree tree;
  tree.file("ok.txt");
  tree.link("dangling", "missing.txt");
  tree.link("through-file", "ok.txt/below");
  tree.file(".gitignore", "ignored-dangling\n");
  tree.link("ignored-dangling", "missing.txt");

  DiagnosticSink sink;
  CHECK(paths_of(list_tree(tree.root(), sink)) == std::vector<std::string>{".gitignore", "ok.txt"});
  REQUIRE(sink.size() == 2);
  const char* expected[] = {"dangling", "through-file"};
  for (size_t i = 0; i < 2; ++i) {
    const auto& d = sink.items()[i];
    CHECK(d.code == DiagCode::kFileUnreadable);
    CHECK(d.loc.file == expected[i]);
    CHECK(d.message.find("broken symbolic link") != std::string::npos);
  }
}

TEST_CASE("working tree: links into .git are not followed, nor are .git paths read") {
  TempTree tree;
  tree.file(".git/config", "[remote]");
  tree.file("ok.txt");
  tree.link("config-link", ".git/config");
  tree.link("git-dir", ".git");

  DiagnosticSink sink;
  WorkingTreeProvider provider(tree.root(), {});
  CHECK(paths_of(provider.list(sink)) == std::vector<std::string>{"ok.txt"});
  CHECK(count_code(sink, DiagCode::kSymlinkOutside) == 2);
  DiagnosticSink read_sink;
  CHECK_FALSE(provider.read(FileEntry{".git/config", 8}, read_sink).has_value());
  CHECK(count_code(read_sink, DiagCode::kFileUnreadable) == 1);
}

TEST_CASE("working tree: a file swapped for a link out of the root after listing is not read") {
  TempTree outside;
  outside.file("secret.txt", "runner credentials");
  TempTree tree;
  tree.file("a/config.json", "{}");
  tree.file("b/config.json", "{}");
  tree.file(".git/config", "[core]");

  DiagnosticSink sink;
  WorkingTreeProvider provider(tree.root(), {});
  const auto entries = provider.list(sink);
  REQUIRE(paths_of(entries) == std::vector<std::string>{"a/config.json", "b/config.json"});
  // Between listing and reading, a file becomes a link leaving the root, and a directory a
  // link into .git: neither is followed.
  fs::remove(tree.root() / "a/config.json");
  fs::create_symlink(outside.root() / "secret.txt", tree.root() / "a/config.json");
  fs::remove_all(tree.root() / "b");
  fs::create_symlink(tree.root() / ".git", tree.root() / "b");
  tree.file(".git/config.json", "{\"git\": true}");
  DiagnosticSink read_sink;
  for (const FileEntry& entry : entries) {
    CAPTURE(entry.path);
    CHECK_FALSE(provider.read(entry, read_sink).has_value());
  }
  CHECK(count_code(read_sink, DiagCode::kFileUnreadable) == 2);
}

TEST_CASE("working tree: files above the size limit are reported and skipped") {
  TempTree tree;
  tree.file("small.txt", std::string(10, 'a'));
  tree.file("dir/big.txt", std::string(11, 'b'));
  WalkOptions options;
  options.limits.max_file_bytes = 10;

  DiagnosticSink sink;
  WorkingTreeProvider provider(tree.root(), options);
  const auto entries = provider.list(sink);
  CHECK(paths_of(entries) == std::vector<std::string>{"small.txt"});
  REQUIRE(sink.size() == 1);
  const auto& d = sink.items()[0];
  CHECK(d.code == DiagCode::kFileTooLarge);
  CHECK(d.loc.file == "dir/big.txt");
  CHECK(d.message.find("dir/big.txt") != std::string::npos);
  CHECK(d.message.find("11") != std::string::npos);
  CHECK(d.message.find("10") != std::string::npos);

  SUBCASE("a file that grew past the limit after listing") {
    tree.file("small.txt", std::string(20, 'a'));
    DiagnosticSink read_sink;
    CHECK_FALSE(provider.read(entries[0], read_sink).has_value());
    REQUIRE(read_sink.size() == 1);
    CHECK(read_sink.items()[0].code == DiagCode::kFileTooLarge);
  }
  SUBCASE("a file removed after listing") {
    fs::remove(tree.root() / "small.txt");
    DiagnosticSink read_sink;
    CHECK_FALSE(provider.read(entries[0], read_sink).has_value());
    REQUIRE(read_sink.size() == 1);
    CHECK(read_sink.items()[0].code == DiagCode::kFileUnreadable);
    CHECK(read_sink.items()[0].loc.file == "small.txt");
  }
}

TEST_CASE("working tree: an oversized .gitignore is reported once and not applied") {
  TempTree tree;
  tree.file(".gitignore", "# a comment long enough\n*.txt\n");
  tree.file("a.txt", "1");
  WalkOptions options;
  options.limits.max_file_bytes = 10;
  DiagnosticSink sink;
  CHECK(paths_of(list_tree(tree.root(), sink, options)) == std::vector<std::string>{"a.txt"});
  REQUIRE(sink.size() == 1);
  CHECK(sink.items()[0].code == DiagCode::kFileTooLarge);
  CHECK(sink.items()[0].loc.file == ".gitignore");
}

TEST_CASE("working tree: the file limit stops the listing with one diagnostic") {
  TempTree tree;
  for (const char* name : {"e", "a", "d/x", "b", "c"}) tree.file(name);
  WalkOptions options;
  options.limits.max_files = 3;

  DiagnosticSink sink;
  CHECK(paths_of(list_tree(tree.root(), sink, options)) == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(sink.size() == 1);
  CHECK(sink.items()[0].code == DiagCode::kFileLimit);

  options.limits.max_files = 5;
  DiagnosticSink exact;
  CHECK(list_tree(tree.root(), exact, options).size() == 5);
  CHECK(exact.size() == 0);
}

TEST_CASE("working tree: unreadable files and directories") {
  TempTree tree;
  tree.file("locked.txt", "hidden");
  tree.file("closed/inner.txt");
  tree.file("open.txt");
  fs::permissions(tree.root() / "locked.txt", fs::perms::none);
  fs::permissions(tree.root() / "closed", fs::perms::none);

  DiagnosticSink sink;
  WorkingTreeProvider provider(tree.root(), {});
  const auto entries = provider.list(sink);
  // Listing needs only the file's metadata; the failure surfaces when it is read.
  const auto paths = paths_of(entries);
  REQUIRE(std::find(paths.begin(), paths.end(), "locked.txt") != paths.end());
  DiagnosticSink read_sink;
  const auto bytes = provider.read(FileEntry{"locked.txt", 6}, read_sink);
  if (running_as_root()) {
    MESSAGE("running as root: permission bits do not stop reads, skipping those assertions");
    CHECK(paths == std::vector<std::string>{"closed/inner.txt", "locked.txt", "open.txt"});
  } else {
    CHECK(paths == std::vector<std::string>{"locked.txt", "open.txt"});
    REQUIRE(sink.size() == 1);
    CHECK(sink.items()[0].code == DiagCode::kFileUnreadable);
    CHECK(sink.items()[0].loc.file == "closed");
    CHECK(sink.items()[0].message.find("closed") != std::string::npos);
    CHECK_FALSE(bytes.has_value());
    REQUIRE(read_sink.size() == 1);
    CHECK(read_sink.items()[0].code == DiagCode::kFileUnreadable);
    CHECK(read_sink.items()[0].loc.file == "locked.txt");
  }
}

TEST_CASE("working tree: names with spaces and non-ASCII characters") {
  TempTree tree;
  const std::string name = "with space/\xC3\xBC \xC3\xB1\xE2\x9C\x93.yaml";
  tree.file(name, "k: v\n");
  tree.file(".gitignore", "*\xE2\x9C\x97*\n");
  tree.file("skip\xE2\x9C\x97.yaml");

  DiagnosticSink sink;
  WorkingTreeProvider provider(tree.root(), {});
  const auto entries = provider.list(sink);
  REQUIRE(paths_of(entries) == std::vector<std::string>{".gitignore", name});
  const auto bytes = provider.read(entries[1], sink);
  REQUIRE(bytes.has_value());
  CHECK(*bytes == "k: v\n");
  CHECK(sink.size() == 0);
}

TEST_CASE("working tree: read() returns the exact bytes") {
  TempTree tree;
  const std::string content("a\0b\r\n\xFF", 6);
  tree.file("bin.dat", content);
  DiagnosticSink sink;
  WorkingTreeProvider provider(tree.root(), {});
  const auto entries = provider.list(sink);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].size == 6);
  const auto bytes = provider.read(entries[0], sink);
  REQUIRE(bytes.has_value());
  CHECK(*bytes == content);
  // Entries that try to leave the root are refused before anything is opened.
  for (const char* forged : {"../bin.dat", "/etc/hostname", "./bin.dat", "a//b", ""}) {
    CAPTURE(forged);
    DiagnosticSink forged_sink;
    CHECK_FALSE(provider.read(FileEntry{forged, 0}, forged_sink).has_value());
    CHECK(count_code(forged_sink, DiagCode::kFileUnreadable) == 1);
  }
}

TEST_CASE("working tree: a root that is a single file") {
  TempTree tree;
  tree.file("dir/only.json", "[1]");
  DiagnosticSink sink;
  WorkingTreeProvider provider(tree.root() / "dir" / "only.json", {});
  const auto entries = provider.list(sink);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].path == "only.json");
  CHECK(entries[0].size == 3);
  const auto bytes = provider.read(entries[0], sink);
  REQUIRE(bytes.has_value());
  CHECK(*bytes == "[1]");
  CHECK(sink.size() == 0);

  WalkOptions tiny;
  tiny.limits.max_file_bytes = 2;
  DiagnosticSink big;
  CHECK(list_tree(tree.root() / "dir" / "only.json", big, tiny).empty());
  CHECK(count_code(big, DiagCode::kFileTooLarge) == 1);
}

TEST_CASE("working tree: a missing root") {
  TempTree tree;
  DiagnosticSink sink;
  CHECK(list_tree(tree.root() / "nope", sink).empty());
  REQUIRE(sink.size() == 1);
  CHECK(sink.items()[0].code == DiagCode::kRootMissing);
  CHECK(sink.items()[0].message.find("nope") != std::string::npos);
}

TEST_CASE("working tree: special files are not listed") {
  TempTree tree;
  tree.file("plain.txt");
  REQUIRE(::mkfifo((tree.root() / "pipe").c_str(), 0600) == 0);
  tree.link("pipe-link", "pipe");
  DiagnosticSink sink;
  CHECK(paths_of(list_tree(tree.root(), sink)) == std::vector<std::string>{"plain.txt"});
  CHECK(sink.size() == 0);
}

TEST_CASE("memory provider: sorted listing, sizes and reads") {
  MemoryProvider provider;
  provider.add("z.yaml", "zz");
  provider.add("a/b.json", "{}");
  provider.add("a.json", "[]");
  provider.add("z.yaml", "replaced");

  DiagnosticSink sink;
  const auto entries = provider.list(sink);
  CHECK(paths_of(entries) == std::vector<std::string>{"a.json", "a/b.json", "z.yaml"});
  CHECK(entries[2].size == 8);
  const auto bytes = provider.read(entries[2], sink);
  REQUIRE(bytes.has_value());
  CHECK(*bytes == "replaced");
  CHECK(sink.size() == 0);

  CHECK_FALSE(provider.read(FileEntry{"missing", 0}, sink).has_value());
  REQUIRE(sink.size() == 1);
  CHECK(sink.items()[0].code == DiagCode::kFileUnreadable);
  CHECK(sink.items()[0].loc.file == "missing");
}

}  // namespace
}  // namespace fermata::discover
