#include "discover/git.hpp"

#include <git2.h>

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "discover/gitignore.hpp"

namespace fermata::discover {
namespace {

namespace fs = std::filesystem;

void ensure_libgit2() {
  static const int kInitialised = git_libgit2_init();
  (void)kInitialised;
}

std::string git_message() {
  const git_error* error = git_error_last();
  return error != nullptr && error->message != nullptr ? error->message : "unknown error";
}

std::string hex(const git_oid& oid) {
  char buffer[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(buffer, sizeof buffer, &oid);
  return buffer;
}

struct BlobEntry {
  std::string path;  ///< relative to the scanned directory
  git_oid id{};
};

/// Files from git objects: a revision's tree or the index.
class GitObjectsProvider final : public FileProvider {
 public:
  GitObjectsProvider(git_repository* repo, std::vector<BlobEntry> blobs, WalkOptions options,
                     std::string origin)
      : repo_(repo),
        blobs_(std::move(blobs)),
        options_(std::move(options)),
        origin_(std::move(origin)) {}

  std::vector<FileEntry> list(core::DiagnosticSink& sink) override {
    std::sort(blobs_.begin(), blobs_.end(),
              [](const BlobEntry& a, const BlobEntry& b) { return a.path < b.path; });
    const IgnoreRules ignores = ignore_rules(sink);
    IgnoreRules extra;
    for (const auto& pattern : options_.extra_ignores) extra.add("", pattern);
    git_odb* odb = nullptr;
    if (git_repository_odb(&odb, repo_) != 0) {
      sink.report(core::DiagCode::kGitError, "cannot open the object database: " + git_message(),
                  {origin_, {}});
      return {};
    }
    std::vector<FileEntry> entries;
    for (const auto& blob : blobs_) {
      if (is_ignored(blob.path, ignores, extra)) continue;
      size_t size = 0;
      git_object_t type = GIT_OBJECT_INVALID;
      if (git_odb_read_header(&size, &type, odb, &blob.id) != 0) {
        sink.report(core::DiagCode::kFileUnreadable,
                    "cannot read the object for this file in " + origin_ + ": " + git_message(),
                    {blob.path, {}});
        continue;
      }
      if (size > options_.limits.max_file_bytes) {
        sink.report(core::DiagCode::kFileTooLarge,
                    "file of " + std::to_string(size) + " bytes is over the limit of " +
                        std::to_string(options_.limits.max_file_bytes) + " bytes; skipped",
                    {blob.path, {}});
        continue;
      }
      if (entries.size() >= options_.limits.max_files) {
        sink.report(core::DiagCode::kFileLimit,
                    "more than " + std::to_string(options_.limits.max_files) +
                        " files; the rest were skipped",
                    {blob.path, {}});
        break;
      }
      entries.push_back(FileEntry{blob.path, size});
      index_[blob.path] = blob.id;
    }
    git_odb_free(odb);
    return entries;
  }

  std::optional<std::string> read(const FileEntry& entry, core::DiagnosticSink& sink) override {
    // Scans read files from several threads; libgit2 allows no concurrent use of one
    // repository handle (docs/threading.md in libgit2), so reads take turns. Inflating a
    // blob is cheap next to parsing it, and parsing still runs in parallel.
    const std::lock_guard<std::mutex> lock(read_mutex_);
    auto it = index_.find(entry.path);
    git_blob* blob = nullptr;
    if (it == index_.end() || git_blob_lookup(&blob, repo_, &it->second) != 0) {
      sink.report(core::DiagCode::kFileUnreadable,
                  "cannot read this file from " + origin_ + ": " + git_message(), {entry.path, {}});
      return std::nullopt;
    }
    std::string content(static_cast<const char*>(git_blob_rawcontent(blob)),
                        static_cast<size_t>(git_blob_rawsize(blob)));
    git_blob_free(blob);
    return content;
  }

 private:
  /// The tree's own .gitignore files, shallow ones first so deeper ones win, as in a walk.
  IgnoreRules ignore_rules(core::DiagnosticSink& sink) {
    IgnoreRules rules;
    if (!options_.honour_gitignore) return rules;
    std::vector<const BlobEntry*> files;
    for (const auto& blob : blobs_) {
      const std::string_view path = blob.path;
      if (path == ".gitignore" ||
          (path.size() > 11 && path.substr(path.size() - 11) == "/.gitignore")) {
        files.push_back(&blob);
      }
    }
    std::stable_sort(files.begin(), files.end(), [](const BlobEntry* a, const BlobEntry* b) {
      return std::count(a->path.begin(), a->path.end(), '/') <
             std::count(b->path.begin(), b->path.end(), '/');
    });
    for (const BlobEntry* file : files) {
      FileEntry entry{file->path, 0};
      index_[file->path] = file->id;
      auto text = read(entry, sink);
      if (!text) continue;
      const size_t slash = file->path.rfind('/');
      rules.add(slash == std::string::npos ? "" : file->path.substr(0, slash), *text);
    }
    return rules;
  }

  static bool is_ignored(const std::string& path, const IgnoreRules& ignores,
                         const IgnoreRules& extra) {
    // A file inside an ignored directory is ignored, as the working-tree walk never enters it.
    for (size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      const std::string dir = path.substr(0, slash);
      if (ignores.ignored(dir, true) || extra.ignored(dir, true)) return true;
    }
    return ignores.ignored(path, false) || extra.ignored(path, false);
  }

  git_repository* repo_;
  std::vector<BlobEntry> blobs_;
  WalkOptions options_;
  std::string origin_;
  std::map<std::string, git_oid> index_;
  std::mutex read_mutex_;
};

struct WalkContext {
  const std::string* prefix;
  std::vector<BlobEntry>* blobs;
};

int collect_blob(const char* root, const git_tree_entry* entry, void* payload) {
  auto* context = static_cast<WalkContext*>(payload);
  const git_filemode_t mode = git_tree_entry_filemode(entry);
  // Symbolic links and submodules are not followed, as in the working-tree walk.
  if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) return 0;
  std::string path = std::string(root) + git_tree_entry_name(entry);
  if (path.rfind(*context->prefix, 0) != 0) return 0;
  context->blobs->push_back(
      BlobEntry{path.substr(context->prefix->size()), *git_tree_entry_id(entry)});
  return 0;
}

}  // namespace

struct GitRepository::Handle {
  git_repository* repo = nullptr;
  ~Handle() { git_repository_free(repo); }
};

GitRepository::~GitRepository() = default;

std::unique_ptr<GitRepository> GitRepository::open(const std::string& scan_root,
                                                   core::DiagnosticSink& sink) {
  ensure_libgit2();
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, scan_root.c_str(), 0, nullptr) != 0) {
    sink.report(core::DiagCode::kGitNotRepository,
                "not inside a git repository: --new-since and --staged read git's objects",
                {scan_root, {}});
    return nullptr;
  }
  std::unique_ptr<GitRepository> out(new GitRepository());
  out->handle_ = std::make_unique<Handle>();
  out->handle_->repo = repo;
  const char* workdir = git_repository_workdir(repo);
  if (workdir == nullptr) {
    sink.report(core::DiagCode::kGitNotRepository, "a bare repository has no files to scan",
                {scan_root, {}});
    return nullptr;
  }
  std::error_code error;
  const fs::path root = fs::weakly_canonical(scan_root, error);
  const fs::path top = fs::weakly_canonical(workdir, error);
  if (!fs::is_directory(root, error)) {
    sink.report(core::DiagCode::kGitError,
                "--new-since and --staged scan a directory, not a single file", {scan_root, {}});
    return nullptr;
  }
  const std::string relative = root.lexically_relative(top).generic_string();
  out->prefix_ = relative == "." || relative.empty() ? "" : relative + "/";
  return out;
}

bool GitRepository::head_unborn() const { return git_repository_head_unborn(handle_->repo) == 1; }

std::optional<std::string> GitRepository::comparison_commit(const std::string& revision,
                                                            core::DiagnosticSink& sink) {
  git_repository* repo = handle_->repo;
  const bool shallow = git_repository_is_shallow(repo) == 1;
  git_object* object = nullptr;
  if (git_revparse_single(&object, repo, revision.c_str()) != 0) {
    std::string message = "revision '" + revision + "' is not in this repository";
    if (shallow) {
      message += ": this is a shallow clone. Fetch it, e.g. `git fetch --no-tags origin " +
                 revision +
                 "` (or more history with `git fetch --deepen=100`); with actions/checkout, set "
                 "`fetch-depth: 0`";
    } else {
      message += " (" + git_message() + "); check the name, or fetch it first (`git fetch origin " +
                 revision + "`)";
    }
    sink.report(core::DiagCode::kGitRevisionNotFound, message, {revision, {}});
    return std::nullopt;
  }
  git_object* peeled = nullptr;
  const int peel_error = git_object_peel(&peeled, object, GIT_OBJECT_COMMIT);
  git_object_free(object);
  if (peel_error != 0) {
    sink.report(core::DiagCode::kGitRevisionNotFound,
                "revision '" + revision + "' does not name a commit", {revision, {}});
    return std::nullopt;
  }
  const git_oid target = *git_object_id(peeled);
  git_object_free(peeled);
  git_oid head;
  if (git_reference_name_to_id(&head, repo, "HEAD") != 0) return hex(target);  // no commit yet
  git_oid base;
  const int merge_error = git_merge_base(&base, repo, &head, &target);
  if (merge_error == 0) return hex(base);
  if (shallow) {
    sink.report(
        core::DiagCode::kGitRevisionNotFound,
        "HEAD and '" + revision +
            "' share no history in this shallow clone, so their merge-base is "
            "missing: fetch more history (`git fetch --deepen=100`, or `fetch-depth: 0` with "
            "actions/checkout)",
        {revision, {}});
    return std::nullopt;
  }
  return hex(target);  // unrelated histories: compare with the revision itself
}

std::unique_ptr<FileProvider> GitRepository::tree_files(const std::string& commit,
                                                        const WalkOptions& options) {
  git_repository* repo = handle_->repo;
  std::vector<BlobEntry> blobs;
  git_oid oid;
  git_commit* commit_object = nullptr;
  git_tree* tree = nullptr;
  if (git_oid_fromstr(&oid, commit.c_str()) == 0 &&
      git_commit_lookup(&commit_object, repo, &oid) == 0 &&
      git_commit_tree(&tree, commit_object) == 0) {
    WalkContext context{&prefix_, &blobs};
    git_tree_walk(tree, GIT_TREEWALK_PRE, collect_blob, &context);
  }
  git_tree_free(tree);
  git_commit_free(commit_object);
  return std::make_unique<GitObjectsProvider>(repo, std::move(blobs), options,
                                              "commit " + commit.substr(0, 12));
}

std::unique_ptr<FileProvider> GitRepository::staged_files(const WalkOptions& options,
                                                          core::DiagnosticSink& sink) {
  git_repository* repo = handle_->repo;
  std::vector<BlobEntry> blobs;
  git_index* index = nullptr;
  if (git_repository_index(&index, repo) != 0) {
    sink.report(core::DiagCode::kGitError, "cannot read the index: " + git_message(),
                {prefix_, {}});
    return std::make_unique<GitObjectsProvider>(repo, std::move(blobs), options, "the index");
  }
  const size_t count = git_index_entrycount(index);
  for (size_t i = 0; i < count; ++i) {
    const git_index_entry* entry = git_index_get_byindex(index, i);
    if (entry == nullptr || GIT_INDEX_ENTRY_STAGE(entry) != 0)
      continue;  // conflicts: not committable
    const uint32_t mode = entry->mode;
    if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) continue;
    const std::string path = entry->path;
    if (path.rfind(prefix_, 0) != 0) continue;
    blobs.push_back(BlobEntry{path.substr(prefix_.size()), entry->id});
  }
  git_index_free(index);
  return std::make_unique<GitObjectsProvider>(repo, std::move(blobs), options, "the index");
}

std::map<std::string, std::string> GitRepository::renames_since(const std::string& commit,
                                                                bool staged,
                                                                core::DiagnosticSink& sink) {
  std::map<std::string, std::string> renames;
  git_repository* repo = handle_->repo;
  git_oid oid;
  git_commit* commit_object = nullptr;
  git_tree* tree = nullptr;
  git_diff* diff = nullptr;
  git_index* index = nullptr;
  git_diff_options options = GIT_DIFF_OPTIONS_INIT;
  int error = git_oid_fromstr(&oid, commit.c_str());
  if (error == 0) error = git_commit_lookup(&commit_object, repo, &oid);
  if (error == 0) error = git_commit_tree(&tree, commit_object);
  if (error == 0 && staged) error = git_repository_index(&index, repo);
  if (error == 0) {
    error = staged ? git_diff_tree_to_index(&diff, repo, tree, index, &options)
                   : git_diff_tree_to_workdir_with_index(&diff, repo, tree, &options);
  }
  git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
  find.flags = GIT_DIFF_FIND_RENAMES;
  if (error == 0) error = git_diff_find_similar(diff, &find);
  if (error != 0) {
    sink.report(core::DiagCode::kGitError,
                "cannot compare with commit " + commit.substr(0, 12) + ": " + git_message(),
                {prefix_, {}});
  } else {
    const size_t deltas = git_diff_num_deltas(diff);
    for (size_t i = 0; i < deltas; ++i) {
      const git_diff_delta* delta = git_diff_get_delta(diff, i);
      if (delta->status != GIT_DELTA_RENAMED) continue;
      const std::string from = delta->old_file.path;
      const std::string to = delta->new_file.path;
      if (from.rfind(prefix_, 0) != 0 || to.rfind(prefix_, 0) != 0) continue;
      renames[from.substr(prefix_.size())] = to.substr(prefix_.size());
    }
  }
  git_diff_free(diff);
  git_index_free(index);
  git_tree_free(tree);
  git_commit_free(commit_object);
  return renames;
}

}  // namespace fermata::discover
