#include "derive/launch.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.hpp"

namespace fermata::derive {
namespace {

using core::lower;

using Tokens = std::vector<LaunchToken>;

// Wrappers inside wrappers (`env sh -c "cmd /c ..."`) are legal but never deep in real
// configs; the bound keeps hostile input from recursing without end.
constexpr int kMaxNesting = 6;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool contains_space(std::string_view s) { return std::any_of(s.begin(), s.end(), is_space); }

// ---------------------------------------------------------------------------------------------
// Splitting a command string

// Outside quotes a backslash escapes only what a shell user would need to escape; before any
// other character it is kept, so an unquoted Windows path (C:\tools\server.exe) survives.
bool escapable_outside_quotes(char c) { return is_space(c) || c == '\\' || c == '\'' || c == '"'; }

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_space(c)) {
      if (in_word) words.push_back(std::move(current));
      current.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      size_t end = text.find('\'', i + 1);
      if (end == std::string_view::npos) end = text.size();
      current.append(text.substr(i + 1, end - i - 1));
      i = end;
      continue;
    }
    if (c == '"') {
      size_t j = i + 1;
      for (; j < text.size() && text[j] != '"'; ++j) {
        // POSIX double quotes: backslash escapes only these.
        if (text[j] == '\\' && j + 1 < text.size() &&
            std::string_view("\"\\$`").find(text[j + 1]) != std::string_view::npos) {
          ++j;
        }
        current += text[j];
      }
      i = j;
      continue;
    }
    if (c == '\\' && i + 1 < text.size() && escapable_outside_quotes(text[i + 1])) {
      current += text[++i];
      continue;
    }
    current += c;
  }
  if (in_word) words.push_back(std::move(current));
  return words;
}

// "C:\Program Files\nodejs\npx.cmd": clients hand `command` to the OS as one path, and on
// Windows such paths routinely hold spaces. An unquoted command that starts at a drive and ends
// in an executable's extension is taken whole; anything else with spaces is a command line.
bool is_spaced_windows_program(std::string_view command) {
  if (command.size() < 4 || !is_alpha(command[0]) || command[1] != ':' ||
      (command[2] != '\\' && command[2] != '/')) {
    return false;
  }
  if (command.find_first_of("\"'") != std::string_view::npos) return false;
  const std::string lowered = lower(command);
  return lowered.ends_with(".exe") || lowered.ends_with(".cmd") || lowered.ends_with(".bat") ||
         lowered.ends_with(".com");
}

// ---------------------------------------------------------------------------------------------
// Small recognisers

// "C:\Program Files\nodejs\npx.cmd" -> "npx"; Windows file names are case-insensitive.
std::string program_name(std::string_view path) {
  const size_t slash = path.find_last_of("/\\");
  std::string name = lower(slash == std::string_view::npos ? path : path.substr(slash + 1));
  for (std::string_view ext : {".exe", ".cmd", ".bat"}) {
    if (name.size() > ext.size() && name.ends_with(ext)) {
      name.resize(name.size() - ext.size());
      break;
    }
  }
  return name;
}

bool is_python(std::string_view prog) {
  if (prog == "py") return true;
  for (std::string_view base : {"python", "pypy"}) {
    if (prog.starts_with(base)) {
      std::string_view rest = prog.substr(base.size());
      if (std::all_of(rest.begin(), rest.end(), [](char c) { return is_digit(c) || c == '.'; })) {
        return true;
      }
    }
  }
  return false;
}

bool is_posix_shell(std::string_view prog) {
  static constexpr std::array<std::string_view, 8> kShells = {"sh",  "bash", "zsh",  "dash",
                                                              "ksh", "ash",  "mksh", "fish"};
  return std::find(kShells.begin(), kShells.end(), prog) != kShells.end();
}

// NAME=VALUE before the program, as in `FOO=1 npx server`.
bool is_assignment(std::string_view word) {
  const size_t eq = word.find('=');
  if (eq == 0 || eq == std::string_view::npos) return false;
  if (!(is_alpha(word[0]) || word[0] == '_')) return false;
  return std::all_of(word.begin(), word.begin() + static_cast<std::ptrdiff_t>(eq),
                     [](char c) { return is_alnum(c) || c == '_'; });
}

bool is_http_url(std::string_view s) {
  return istarts_with(s, "http://") || istarts_with(s, "https://");
}

// A full git object id (SHA-1 or SHA-256); short hashes can collide with branch or tag names.
bool is_commit_hash(std::string_view ref) {
  return (ref.size() == 40 || ref.size() == 64) && std::all_of(ref.begin(), ref.end(), is_hex);
}

bool parse_numeric(std::string_view s, size_t& i) {
  const size_t start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i == start) return false;
  return !(s[start] == '0' && i - start > 1);  // semver forbids leading zeros
}

bool is_identifier_run(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return is_alnum(c) || c == '-' || c == '.'; });
}

// MAJOR.MINOR.PATCH[-prerelease][+build]; npm also accepts a leading "v" or "=" as exact.
bool is_exact_semver(std::string_view v) {
  if (!v.empty() && (v[0] == 'v' || v[0] == '=')) v.remove_prefix(1);
  size_t i = 0;
  for (int part = 0; part < 3; ++part) {
    if (!parse_numeric(v, i)) return false;
    if (part < 2) {
      if (i >= v.size() || v[i] != '.') return false;
      ++i;
    }
  }
  std::string_view rest = v.substr(i);
  if (rest.empty()) return true;
  const size_t plus = rest.find('+');
  std::string_view pre = rest.substr(0, plus);
  if (!pre.empty()) {
    if (pre[0] != '-' || !is_identifier_run(pre.substr(1))) return false;
  }
  return plus == std::string_view::npos || is_identifier_run(rest.substr(plus + 1));
}

// PEP 440 releases, pre/post/dev and local parts, without wildcards or ranges.
bool is_exact_pep440(std::string_view v) {
  if (!v.empty() && (v[0] == 'v' || v[0] == 'V')) v.remove_prefix(1);
  if (v.empty() || !is_digit(v[0])) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return is_alnum(c) || c == '.' || c == '-' || c == '_' || c == '+' || c == '!';
  });
}

bool is_local_path(std::string_view spec) {
  if (spec.empty()) return false;
  if (spec == "." || spec == ".." || spec.starts_with("./") || spec.starts_with("../") ||
      spec.starts_with("/") || spec.starts_with("~") || spec.starts_with(".\\") ||
      spec.starts_with("..\\") || spec.starts_with("\\") || istarts_with(spec, "file:")) {
    return true;
  }
  return spec.size() >= 3 && is_alpha(spec[0]) && spec[1] == ':' &&
         (spec[2] == '\\' || spec[2] == '/');
}

// ---------------------------------------------------------------------------------------------
// Download piped into an interpreter

RE2::Options case_insensitive_options() {
  RE2::Options options;
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  return options;
}

const RE2& pipe_to_shell_re() {
  static const RE2 re(
      // curl ... | sh   (intermediate pipes allowed; a command separator ends the pipeline)
      R"re((?:\b(?:curl|wget|iwr|irm|invoke-webrequest|invoke-restmethod)\b[^;&\n]*)re"
      R"re(\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+)?(?:\S*[/\\])?)re"
      R"re((?:sh|bash|zsh|dash|ksh|fish|python[0-9.]*|node|perl|ruby|php|iex|)re"
      R"re(invoke-expression|pwsh|powershell)\b))re"
      // bash <(curl ...), source <(curl ...), . <(curl ...)
      R"re(|(?:(?:\b(?:sh|bash|zsh|dash|ksh|source)|(?:^|\s)\.)\s+<\(\s*(?:curl|wget)\b))re"
      // iex (iwr ...), iex ((New-Object Net.WebClient).DownloadString(...))
      R"re(|(?:\b(?:iex|invoke-expression)\b[\s(]*)re"
      R"re((?:iwr|irm|invoke-webrequest|invoke-restmethod|curl|wget|)re"
      R"re(new-object\s+(?:system\.)?net\.webclient)\b))re"
      // sh -c "$(curl ...)", eval "$(wget -O- ...)", bash -c "`curl ...`"
      R"re(|(?:\b(?:sh|bash|zsh|dash|ksh|eval|python[0-9.]*|node|perl|ruby)\b[^;&|\n]*)re"
      R"re((?:\$\(|`)\s*(?:curl|wget)\b))re",
      case_insensitive_options());
  return re;
}

bool has_pipe_to_shell(std::string_view text) {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), pipe_to_shell_re());
}

std::string join_tokens(const Tokens& t, size_t from, size_t to) {
  std::string out;
  for (size_t k = from; k < to && k < t.size(); ++k) {
    if (!out.empty()) out += ' ';
    out += t[k].text;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Option scanning, getopt/pflag style

struct Opt {
  std::string name;  ///< "--package", "-p"
  std::string value;
  size_t value_index = 0;  ///< token holding the value (the option's own for --x=v, -xv)
  bool has_value = false;
};

struct OptionTable {
  std::string_view long_with_value;   ///< space-separated: "--package --call"
  std::string_view short_with_value;  ///< letters: "pc"
  std::string_view short_terminal;    ///< letters whose value ends the options (python -c, -m)
};

bool takes_value(const OptionTable& table, std::string_view name) {
  std::string_view list = table.long_with_value;
  for (size_t at = list.find(name); at != std::string_view::npos; at = list.find(name, at + 1)) {
    const size_t end = at + name.size();
    if ((at == 0 || list[at - 1] == ' ') && (end == list.size() || list[end] == ' ')) return true;
  }
  return false;
}

// Reads options from `i` and returns the index of the first positional word (or the size).
// Unknown long options are taken as flags: guessing wrong there can only make us read an
// option value as the package, never skip a real package.
size_t scan_options(const Tokens& t, size_t i, const OptionTable& table, std::vector<Opt>& out) {
  while (i < t.size()) {
    std::string_view a = t[i].text;
    if (a == "--") return i + 1;
    if (a.size() < 2 || a[0] != '-') return i;
    if (a[1] == '-') {
      const size_t eq = a.find('=');
      Opt opt;
      opt.name = std::string(a.substr(0, eq));
      if (eq != std::string_view::npos) {
        opt.value = std::string(a.substr(eq + 1));
        opt.value_index = i;
        opt.has_value = true;
      } else if (takes_value(table, opt.name) && i + 1 < t.size()) {
        opt.value = t[i + 1].text;
        opt.value_index = i + 1;
        opt.has_value = true;
        ++i;
      }
      out.push_back(std::move(opt));
      ++i;
      continue;
    }
    // A cluster of short flags: -it, -euxc, -p8080:80, -eFOO=bar.
    bool consumed_next = false;
    for (size_t k = 1; k < a.size(); ++k) {
      Opt opt;
      opt.name = std::string("-") + a[k];
      if (table.short_with_value.find(a[k]) != std::string_view::npos) {
        if (k + 1 < a.size()) {
          std::string_view attached = a.substr(k + 1);
          if (attached.starts_with("=")) attached.remove_prefix(1);
          opt.value = std::string(attached);
          opt.value_index = i;
          opt.has_value = true;
        } else if (i + 1 < t.size()) {
          opt.value = t[i + 1].text;
          opt.value_index = i + 1;
          opt.has_value = true;
          consumed_next = true;
        }
        out.push_back(std::move(opt));
        if (table.short_terminal.find(a[k]) != std::string_view::npos) {
          return i + (consumed_next ? 2 : 1);
        }
        break;
      }
      out.push_back(std::move(opt));
    }
    i += consumed_next ? 2 : 1;
  }
  return i;
}

const Opt* find_opt(const std::vector<Opt>& opts, std::initializer_list<std::string_view> names) {
  for (const Opt& o : opts) {
    if (std::find(names.begin(), names.end(), o.name) != names.end()) return &o;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Package specifications

struct PackageSpec {
  std::string name;
  std::string version;
  bool pinned = false;
  bool local = false;
};

// Git and URL specs: the ref after '#' pins only when it is a full commit id.
PackageSpec parse_ref_spec(std::string_view spec) {
  PackageSpec out;
  const size_t hash = spec.find('#');
  out.name = std::string(spec.substr(0, hash));
  if (hash != std::string_view::npos) out.version = std::string(spec.substr(hash + 1));
  out.pinned = is_commit_hash(out.version);
  return out;
}

// npm: "name", "name@1.2.3", "@scope/name@^1", "github:user/repo#sha", "user/repo", URLs.
PackageSpec parse_npm_spec(std::string_view spec) {
  if (istarts_with(spec, "npm:")) spec.remove_prefix(4);
  PackageSpec out;
  if (is_local_path(spec)) {
    out.local = true;
    return out;
  }
  static constexpr std::array<std::string_view, 9> kRefSchemes = {
      "github:", "gitlab:", "bitbucket:", "gist:", "git+", "git:", "git@", "http://", "https://"};
  const bool scheme = std::any_of(kRefSchemes.begin(), kRefSchemes.end(),
                                  [&](std::string_view p) { return istarts_with(spec, p); });
  const bool shorthand = !spec.starts_with("@") && spec.find('/') != std::string_view::npos;
  if (scheme || shorthand) return parse_ref_spec(spec);
  const size_t at = spec.find('@', spec.starts_with("@") ? 1 : 0);
  out.name = std::string(spec.substr(0, at));
  if (at != std::string_view::npos) out.version = std::string(spec.substr(at + 1));
  out.pinned = is_exact_semver(out.version);
  return out;
}

// "git+https://host/org/repo.git@<ref>#egg=name": the ref follows the last '@' after the host
// (an earlier '@' is user information).
PackageSpec parse_vcs_url(std::string_view url, std::string name) {
  PackageSpec out;
  std::string_view fragment;
  const size_t hash = url.find('#');
  if (hash != std::string_view::npos) {
    fragment = url.substr(hash + 1);
    url = url.substr(0, hash);
  }
  const size_t scheme_end = url.find("://");
  const size_t path_start =
      scheme_end == std::string_view::npos ? 0 : url.find('/', scheme_end + 3);
  const size_t at = url.rfind('@');
  std::string_view ref;
  if (at != std::string_view::npos && path_start != std::string_view::npos && at > path_start) {
    ref = url.substr(at + 1);
    url = url.substr(0, at);
  }
  if (name.empty() && fragment.starts_with("egg=")) {
    name = std::string(fragment.substr(4, fragment.find('&') - 4));
  }
  out.name = name.empty() ? std::string(url) : std::move(name);
  out.version = std::string(ref);
  out.pinned = istarts_with(url, "git+") && is_commit_hash(ref);
  return out;
}

bool is_pypi_name_char(char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; }

// PyPI (PEP 508) plus uvx's name@version: "name", "name==1.2.3", "name[extra]>=1",
// "name@1.2.3", "git+https://...@<sha>", "name @ git+https://...".
PackageSpec parse_pypi_spec(std::string_view spec) {
  PackageSpec out;
  if (is_local_path(spec)) {
    out.local = true;
    return out;
  }
  if (istarts_with(spec, "git+") || is_http_url(spec)) return parse_vcs_url(spec, "");
  size_t i = 0;
  while (i < spec.size() && is_pypi_name_char(spec[i])) ++i;
  out.name = std::string(spec.substr(0, i));
  std::string_view rest = spec.substr(i);
  if (rest.starts_with("[")) {
    const size_t close = rest.find(']');
    rest = close == std::string_view::npos ? std::string_view() : rest.substr(close + 1);
  }
  while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
  rest = rest.substr(0, rest.find(';'));  // environment markers
  while (!rest.empty() && is_space(rest.back())) rest.remove_suffix(1);
  if (rest.starts_with("@")) {
    std::string_view target = rest.substr(1);
    while (!target.empty() && is_space(target.front())) target.remove_prefix(1);
    if (istarts_with(target, "git+") || target.find("://") != std::string_view::npos) {
      return parse_vcs_url(target, out.name);
    }
    out.version = std::string(target);
    out.pinned = is_exact_pep440(target);
    return out;
  }
  // An exact pin reads as its version ("1.2.3"); anything else as written (">=1", "==1.*").
  out.version = std::string(rest);
  const size_t equals = rest.starts_with("===") ? 3 : rest.starts_with("==") ? 2 : 0;
  if (equals > 0 && is_exact_pep440(rest.substr(equals))) {
    out.version = std::string(rest.substr(equals));
    out.pinned = true;
  }
  return out;
}

void set_package(LaunchInfo& info, const PackageSpec& spec, size_t index) {
  info.package_token = static_cast<int>(index);
  if (spec.local) return;  // a path on disk: nothing to pin
  info.package = spec.name;
  info.version = spec.version;
  info.pinned = spec.pinned;
}

void add_args_from(LaunchInfo& info, size_t from, size_t size) {
  for (size_t k = from; k < size; ++k) info.package_args.push_back(static_cast<int>(k));
}

// ---------------------------------------------------------------------------------------------
// Bridges to remote servers

void detect_bridge(const Tokens& t, LaunchInfo& info) {
  const std::string name = lower(info.package);
  if (name == "supergateway") {
    // Only --sse / --streamableHttp name a remote server; --baseUrl is where it serves.
    for (int index : info.package_args) {
      const auto k = static_cast<size_t>(index);
      std::string_view a = t[k].text;
      for (std::string_view flag : {"--sse", "--streamableHttp"}) {
        if (iequals(a, flag) && k + 1 < t.size() && is_http_url(t[k + 1].text)) {
          info.bridge_url = t[k + 1].text;
          info.bridge_url_token = static_cast<int>(k + 1);
          return;
        }
        if (a.size() > flag.size() + 1 && istarts_with(a, flag) && a[flag.size()] == '=' &&
            is_http_url(a.substr(flag.size() + 1))) {
          info.bridge_url = std::string(a.substr(flag.size() + 1));
          info.bridge_url_token = static_cast<int>(k);
          return;
        }
      }
    }
    return;
  }
  if (name != "mcp-remote" && name != "mcp-proxy") return;
  for (int k : info.package_args) {
    if (is_http_url(t[static_cast<size_t>(k)].text)) {
      info.bridge_url = t[static_cast<size_t>(k)].text;
      info.bridge_url_token = k;
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Launchers

void analyse_from(const Tokens& t, size_t i, int depth, LaunchInfo& info);

// Shell code embedded in one word (`sh -c "..."`, `env -S "..."`): what it runs is reported
// against that word, so a rule can point at it.
void analyse_embedded(std::string_view code, size_t code_index, int depth, LaunchInfo& info) {
  if (depth >= kMaxNesting) return;
  const Tokens inner = launch_tokens(code, {});
  size_t start = 0;
  for (size_t k = 0; k <= inner.size(); ++k) {
    const bool end = k == inner.size();
    if (!end) {
      std::string_view w = inner[k].text;
      if (w != "&&" && w != "||" && w != ";" && w != "|" && w != "&") continue;
    }
    if (k > start) {
      const Tokens segment(inner.begin() + static_cast<std::ptrdiff_t>(start),
                           inner.begin() + static_cast<std::ptrdiff_t>(k));
      LaunchInfo sub;
      analyse_from(segment, 0, depth + 1, sub);
      info.pipe_to_shell = info.pipe_to_shell || sub.pipe_to_shell;
      const bool found = !sub.package.empty() || !sub.image.empty() || !sub.bridge_url.empty();
      if (found && info.package.empty() && info.image.empty()) {
        const int at = static_cast<int>(code_index);
        info.package = sub.package;
        info.version = sub.version;
        info.pinned = sub.pinned;
        info.package_token = at;
        info.image = sub.image;
        info.image_tag = sub.image_tag;
        info.image_digest = sub.image_digest;
        info.mounts.insert(info.mounts.end(), sub.mounts.begin(), sub.mounts.end());
        if (!sub.bridge_url.empty()) {
          info.bridge_url = sub.bridge_url;
          info.bridge_url_token = at;
        }
      }
    }
    start = k + 1;
  }
}

void mark_inline(const std::string& code, size_t code_index, bool is_shell_code, int depth,
                 LaunchInfo& info) {
  info.inline_shell = true;
  info.shell_code_token = static_cast<int>(code_index);
  if (has_pipe_to_shell(code)) info.pipe_to_shell = true;
  if (is_shell_code) analyse_embedded(code, code_index, depth, info);
}

const OptionTable& npx_table() {
  static const OptionTable table{
      "--package --call --registry --cache --userconfig --prefix --workspace --loglevel "
      "--node-options",
      "pcw", ""};
  return table;
}

// bunx, pnpm dlx and yarn dlx share npx's shape but have no --call.
const OptionTable& dlx_table() {
  static const OptionTable table{"--package --registry --cache-dir --allow-build", "p", ""};
  return table;
}

// `npm_exec`: npx and npm exec, whose --call runs a shell string.
void analyse_npx(const Tokens& t, size_t i, std::string launcher, bool npm_exec, int depth,
                 LaunchInfo& info) {
  info.launcher = std::move(launcher);
  std::vector<Opt> opts;
  const size_t pos = scan_options(t, i, npm_exec ? npx_table() : dlx_table(), opts);
  if (npm_exec) {
    if (const Opt* call = find_opt(opts, {"-c", "--call"}); call != nullptr && call->has_value) {
      mark_inline(call->value, call->value_index, true, depth, info);
    }
  }
  const Opt* pkg = find_opt(opts, {"-p", "--package"});
  if (pkg != nullptr && pkg->has_value) {
    set_package(info, parse_npm_spec(pkg->value), pkg->value_index);
    add_args_from(info, pos < t.size() ? pos + 1 : t.size(), t.size());
  } else if (pos < t.size()) {
    set_package(info, parse_npm_spec(t[pos].text), pos);
    add_args_from(info, pos + 1, t.size());
  }
  detect_bridge(t, info);
}

const OptionTable& uv_table() {
  static const OptionTable table{
      "--from --with --with-editable --with-requirements --python --index --index-url "
      "--extra-index-url --find-links --default-index --index-strategy --keyring-provider "
      "--resolution --prerelease --exclude-newer --refresh-package --reinstall-package "
      "--upgrade-package --directory --project --config-file --cache-dir --color --python-platform "
      "--env-file --link-mode --constraints --overrides --build-constraints --config-setting "
      "--allow-insecure-host --no-binary-package --no-build-package --package --extra --group",
      "pfPC", ""};
  return table;
}

void analyse_uvx(const Tokens& t, size_t i, LaunchInfo& info) {
  info.launcher = "uvx";
  std::vector<Opt> opts;
  const size_t pos = scan_options(t, i, uv_table(), opts);
  const Opt* from = find_opt(opts, {"--from"});
  if (from != nullptr && from->has_value) {
    set_package(info, parse_pypi_spec(from->value), from->value_index);
    add_args_from(info, pos < t.size() ? pos + 1 : t.size(), t.size());
  } else if (pos < t.size()) {
    set_package(info, parse_pypi_spec(t[pos].text), pos);
    add_args_from(info, pos + 1, t.size());
  }
  detect_bridge(t, info);
}

void analyse_uv(const Tokens& t, size_t i, LaunchInfo& info) {
  std::vector<Opt> opts;
  const size_t pos = scan_options(t, i, uv_table(), opts);
  if (pos < t.size() && t[pos].text == "run") {
    info.launcher = "uv-run";  // a script or command of the local project, not a package
    return;
  }
  if (pos + 1 < t.size() && t[pos].text == "tool" && t[pos + 1].text == "run") {
    analyse_uvx(t, pos + 2, info);
    return;
  }
  info.launcher = "binary";
}

void analyse_pipx(const Tokens& t, size_t i, LaunchInfo& info) {
  info.launcher = "pipx";
  std::vector<Opt> global;
  const size_t sub = scan_options(t, i, OptionTable{"", "", ""}, global);
  if (sub >= t.size() || t[sub].text != "run") return;
  static const OptionTable table{"--spec --python --pip-args --index-url", "", ""};
  std::vector<Opt> opts;
  const size_t pos = scan_options(t, sub + 1, table, opts);
  const Opt* spec = find_opt(opts, {"--spec"});
  if (spec != nullptr && spec->has_value) {
    set_package(info, parse_pypi_spec(spec->value), spec->value_index);
    add_args_from(info, pos < t.size() ? pos + 1 : t.size(), t.size());
  } else if (pos < t.size()) {
    set_package(info, parse_pypi_spec(t[pos].text), pos);
    add_args_from(info, pos + 1, t.size());
  }
  detect_bridge(t, info);
}

void analyse_python(const Tokens& t, size_t i, int depth, LaunchInfo& info) {
  info.launcher = "python";
  static const OptionTable table{"--check-hash-based-pycs", "cmWXQ", "cm"};
  std::vector<Opt> opts;
  scan_options(t, i, table, opts);
  if (const Opt* c = find_opt(opts, {"-c"}); c != nullptr && c->has_value) {
    mark_inline(c->value, c->value_index, false, depth, info);
  }
}

void analyse_node(const Tokens& t, size_t i, int depth, LaunchInfo& info) {
  info.launcher = "node";
  static const OptionTable table{
      "--eval --print --require --import --loader --experimental-loader --conditions --input-type "
      "--env-file --title --inspect-port",
      "eprC", ""};
  std::vector<Opt> opts;
  scan_options(t, i, table, opts);
  const Opt* code = find_opt(opts, {"-e", "--eval", "-p", "--print"});
  if (code != nullptr && code->has_value) {
    mark_inline(code->value, code->value_index, false, depth, info);
  }
}

void analyse_bun(const Tokens& t, size_t i, int depth, LaunchInfo& info) {
  static const OptionTable table{"--eval --print --preload --config --cwd --env-file", "eprc", ""};
  std::vector<Opt> opts;
  const size_t pos = scan_options(t, i, table, opts);
  if (pos < t.size() && t[pos].text == "x") {
    analyse_npx(t, pos + 1, "bunx", false, depth, info);
    return;
  }
  info.launcher = "bun";
  const Opt* code = find_opt(opts, {"-e", "--eval", "-p", "--print"});
  if (code != nullptr && code->has_value) {
    mark_inline(code->value, code->value_index, false, depth, info);
  }
}

// deno runs local files, npm: and jsr: packages, and remote URLs; a URL carrying an exact
// @version (deno.land/x, esm.sh, jsr.io) names immutable content.
void set_deno_script(const Tokens& t, size_t pos, LaunchInfo& info) {
  std::string_view script = t[pos].text;
  if (istarts_with(script, "npm:")) {
    set_package(info, parse_npm_spec(script.substr(4)), pos);
  } else if (istarts_with(script, "jsr:")) {
    PackageSpec spec = parse_npm_spec(script.substr(4));
    spec.name = "jsr:" + spec.name;
    set_package(info, spec, pos);
  } else if (is_http_url(script)) {
    PackageSpec spec;
    spec.name = std::string(script);
    const size_t host_end = script.find('/', script.find("://") + 3);
    const size_t at = script.find('@', host_end == std::string_view::npos ? 0 : host_end);
    if (host_end != std::string_view::npos && at != std::string_view::npos) {
      std::string_view version = script.substr(at + 1);
      version = version.substr(0, version.find('/'));
      spec.version = std::string(version);
      spec.pinned = is_exact_semver(version);
    }
    set_package(info, spec, pos);
  } else {
    info.package_token = static_cast<int>(pos);
  }
  add_args_from(info, pos + 1, t.size());
}

void analyse_deno(const Tokens& t, size_t i, int depth, LaunchInfo& info) {
  info.launcher = "deno";
  static const OptionTable table{
      "--config --import-map --lock --cert --location --seed --v8-flags --ext", "cL", ""};
  std::vector<Opt> global;
  size_t pos = scan_options(t, i, table, global);
  if (pos >= t.size()) return;
  std::string_view sub = t[pos].text;
  if (sub == "eval") {
    std::vector<Opt> opts;
    const size_t code = scan_options(t, pos + 1, table, opts);
    if (code < t.size()) mark_inline(t[code].text, code, false, depth, info);
    return;
  }
  if (sub == "run" || sub == "serve") {
    std::vector<Opt> opts;
    pos = scan_options(t, pos + 1, table, opts);
    if (pos < t.size()) set_deno_script(t, pos, info);
    return;
  }
  // Deno 2 runs `deno main.ts` without the subcommand.
  if (istarts_with(sub, "npm:") || istarts_with(sub, "jsr:") || is_http_url(sub) ||
      sub.ends_with(".ts") || sub.ends_with(".js") || sub.ends_with(".tsx") ||
      sub.ends_with(".mjs")) {
    set_deno_script(t, pos, info);
  }
}

// ---------------------------------------------------------------------------------------------
// Containers

struct ImageRef {
  std::string name;
  std::string tag;
  std::string digest;
};

// registry[:port]/path[:tag][@algo:hex] — a ':' before the last '/' is a registry port.
ImageRef parse_image(std::string_view ref) {
  ImageRef out;
  const size_t at = ref.find('@');
  if (at != std::string_view::npos) {
    out.digest = std::string(ref.substr(at + 1));
    ref = ref.substr(0, at);
  }
  const size_t slash = ref.rfind('/');
  const size_t colon = ref.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    out.tag = std::string(ref.substr(colon + 1));
    ref = ref.substr(0, colon);
  }
  out.name = std::string(ref);
  return out;
}

bool is_valid_digest(std::string_view digest) {
  const size_t colon = digest.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  std::string_view algo = digest.substr(0, colon);
  std::string_view hex = digest.substr(colon + 1);
  return std::all_of(algo.begin(), algo.end(),
                     [](char c) { return is_alnum(c) || c == '+' || c == '.' || c == '_'; }) &&
         hex.size() >= 32 && std::all_of(hex.begin(), hex.end(), is_hex);
}

// A bare word before the ':' of -v is a named volume, not a directory of the host.
bool is_named_volume(std::string_view s) {
  return !s.empty() && is_alnum(s[0]) && std::all_of(s.begin(), s.end(), [](char c) {
    return is_alnum(c) || c == '_' || c == '.' || c == '-';
  });
}

std::optional<std::string> volume_host_path(std::string_view spec) {
  size_t from = 0;
  if (spec.size() >= 3 && is_alpha(spec[0]) && spec[1] == ':' &&
      (spec[2] == '\\' || spec[2] == '/')) {
    from = 2;  // C:\data:/data — the drive letter's colon is part of the path
  }
  const size_t colon = spec.find(':', from);
  if (colon == std::string_view::npos) return std::nullopt;  // anonymous volume
  std::string_view host = spec.substr(0, colon);
  if (host.empty() || is_named_volume(host)) return std::nullopt;
  return std::string(host);
}

std::optional<std::string> mount_host_path(std::string_view spec) {
  std::string type;
  std::string source;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    if (comma == std::string_view::npos) comma = spec.size();
    std::string_view field = spec.substr(start, comma - start);
    const size_t eq = field.find('=');
    if (eq != std::string_view::npos) {
      const std::string key = lower(field.substr(0, eq));
      std::string_view value = field.substr(eq + 1);
      if (key == "type") type = lower(value);
      if (key == "source" || key == "src") source = std::string(value);
    }
    start = comma + 1;
  }
  if (source.empty()) return std::nullopt;
  if (type == "bind" || (type.empty() && !is_named_volume(source))) return source;
  return std::nullopt;
}

const OptionTable& container_run_table() {
  static const OptionTable table{
      "--env --volume --mount --publish --name --network --net --entrypoint --workdir --user "
      "--env-file --platform --pull --label --cap-add --cap-drop --security-opt --memory --cpus "
      "--add-host --dns --dns-option --dns-search --hostname --domainname --ipc --pid --restart "
      "--runtime --tmpfs --device --ulimit --log-driver --log-opt --health-cmd --health-interval "
      "--health-retries --health-timeout --health-start-period --label-file --group-add --cidfile "
      "--gpus --attach --stop-signal --stop-timeout --expose --link --network-alias --ip --ip6 "
      "--mac-address --cgroup-parent --cgroupns --cpu-shares --cpuset-cpus --cpuset-mems "
      "--cpu-period --cpu-quota --memory-swap --memory-reservation --memory-swappiness "
      "--kernel-memory --shm-size --storage-opt --sysctl --userns --uts --volume-driver "
      "--volumes-from --device-cgroup-rule --isolation --pids-limit --oom-score-adj --annotation "
      "--detach-keys --secret --pod --arch --os --variant --uidmap --gidmap --tz --umask "
      "--authfile --creds --cert-dir --decryption-key --retry --retry-delay --pidfile --cgroups "
      "--hostuser --passwd-entry --preserve-fds --seccomp-policy --timeout --requires --sdnotify "
      "--image-volume --init-path --conmon-pidfile",
      "acehlmpuvw", ""};
  return table;
}

void analyse_container_run(const Tokens& t, size_t i, LaunchInfo& info) {
  std::vector<Opt> opts;
  const size_t pos = scan_options(t, i, container_run_table(), opts);
  for (const Opt& o : opts) {
    if (!o.has_value) continue;
    std::optional<std::string> host;
    if (o.name == "-v" || o.name == "--volume") host = volume_host_path(o.value);
    if (o.name == "--mount") host = mount_host_path(o.value);
    if (host) info.mounts.push_back(std::move(*host));
  }
  if (pos >= t.size()) return;
  const ImageRef image = parse_image(t[pos].text);
  info.package_token = static_cast<int>(pos);
  info.image = image.name;
  info.image_tag = image.tag;
  info.image_digest = image.digest;
  info.pinned = is_valid_digest(image.digest);
  add_args_from(info, pos + 1, t.size());
}

void analyse_container(const Tokens& t, size_t i, std::string launcher, LaunchInfo& info) {
  info.launcher = std::move(launcher);
  static const OptionTable global{
      "--host --context --config --log-level --tlscacert --tlscert --tlskey --connection --url "
      "--identity --root --runroot --storage-driver --cgroup-manager --events-backend --tmpdir "
      "--module",
      "Hcl", ""};
  std::vector<Opt> opts;
  const size_t pos = scan_options(t, i, global, opts);
  if (pos >= t.size()) return;
  if (t[pos].text == "run") {
    analyse_container_run(t, pos + 1, info);
  } else if (t[pos].text == "container" && pos + 1 < t.size() && t[pos + 1].text == "run") {
    analyse_container_run(t, pos + 2, info);
  }
}

// ---------------------------------------------------------------------------------------------
// Shells and interpreters

void analyse_posix_shell(const Tokens& t, size_t start, size_t i, bool fish, int depth,
                         LaunchInfo& info) {
  info.launcher = "shell";
  if (has_pipe_to_shell(join_tokens(t, start, t.size()))) info.pipe_to_shell = true;
  bool has_c = false;
  while (i < t.size()) {
    std::string_view a = t[i].text;
    if (a == "--" || a == "-") {
      ++i;
      break;
    }
    if (a.size() < 2 || (a[0] != '-' && a[0] != '+')) break;
    if (a.starts_with("--")) {
      if (a == "--command") {  // fish
        has_c = true;
      } else if (a.starts_with("--command=")) {
        mark_inline(std::string(a.substr(10)), i, true, depth, info);
        return;
      } else if (a == "--rcfile" || a == "--init-file" || a == "--init-command") {
        ++i;
      }
      ++i;
      continue;
    }
    if (a[0] == '-' && a.find('c') != std::string_view::npos) has_c = true;
    // -o/+o take an option name; fish's -C takes init code.
    if (a.find_first_of(fish ? "C" : "oO") != std::string_view::npos) ++i;
    ++i;
  }
  if (has_c && i < t.size()) mark_inline(t[i].text, i, true, depth, info);
}

bool has_shell_operator(const Tokens& t, size_t from) {
  for (size_t k = from; k < t.size(); ++k) {
    std::string_view a = t[k].text;
    if (a.find_first_of("|&<>^") != std::string_view::npos) return true;
  }
  return false;
}

void analyse_cmd(const Tokens& t, size_t start, size_t i, int depth, LaunchInfo& info) {
  info.launcher = "shell";
  size_t k = i;
  for (; k < t.size(); ++k) {
    std::string_view a = t[k].text;
    if (!a.starts_with("/")) return;  // `cmd` with no /c runs nothing from the config
    if (iequals(a, "/c") || iequals(a, "/k")) break;
  }
  if (k + 1 >= t.size()) return;
  const size_t code = k + 1;
  if (has_pipe_to_shell(join_tokens(t, start, t.size()))) info.pipe_to_shell = true;
  // `cmd /c npx -y pkg` is the usual Windows way to start a program: a wrapper. A single
  // word holding spaces, or any shell operator, is a script written into the config.
  const bool single_script = code + 1 == t.size() && contains_space(t[code].text);
  if (single_script || has_shell_operator(t, code)) {
    mark_inline(single_script ? t[code].text : join_tokens(t, code, t.size()), code, true, depth,
                info);
    return;
  }
  if (depth + 1 < kMaxNesting) analyse_from(t, code, depth + 1, info);
}

// Base64 of UTF-16LE text, as -EncodedCommand takes it; non-ASCII becomes '?'.
std::string decode_powershell_command(std::string_view b64) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string bytes;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : b64) {
    const int v = value(c);
    if (v < 0) continue;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  std::string text;
  for (size_t n = 0; n + 1 < bytes.size(); n += 2) {
    const auto lo = static_cast<unsigned char>(bytes[n]);
    const auto hi = static_cast<unsigned char>(bytes[n + 1]);
    text += (hi == 0 && lo < 0x80) ? static_cast<char>(lo) : '?';
  }
  return text;
}

void analyse_powershell(const Tokens& t, size_t i, bool windows_powershell, int depth,
                        LaunchInfo& info) {
  info.launcher = "shell";
  for (; i < t.size(); ++i) {
    std::string_view a = t[i].text;
    if (!(a.starts_with("-") || a.starts_with("/"))) {
      // Windows PowerShell treats a bare argument as -Command; pwsh treats it as -File.
      if (windows_powershell) mark_inline(join_tokens(t, i, t.size()), i, true, depth, info);
      return;
    }
    std::string name = lower(a.substr(1));
    name = name.substr(0, name.find(':'));
    if (name == "c" || (name.size() >= 3 && std::string_view("command").starts_with(name))) {
      if (i + 1 < t.size()) mark_inline(join_tokens(t, i + 1, t.size()), i + 1, true, depth, info);
      return;
    }
    if (name == "e" || name == "ec" ||
        (name.size() >= 3 && std::string_view("encodedcommand").starts_with(name))) {
      if (i + 1 < t.size()) {
        info.inline_shell = true;
        info.shell_code_token = static_cast<int>(i + 1);
        if (has_pipe_to_shell(decode_powershell_command(t[i + 1].text))) {
          info.pipe_to_shell = true;
        }
      }
      return;
    }
    if (name == "f" || name == "file") return;  // a script on disk
    static constexpr std::array<std::string_view, 14> kWithValue = {"ex",
                                                                    "ep",
                                                                    "executionpolicy",
                                                                    "w",
                                                                    "windowstyle",
                                                                    "wd",
                                                                    "workingdirectory",
                                                                    "inputformat",
                                                                    "if",
                                                                    "outputformat",
                                                                    "o",
                                                                    "of",
                                                                    "settingsfile",
                                                                    "configurationname"};
    if (std::find(kWithValue.begin(), kWithValue.end(), name) != kWithValue.end()) ++i;
  }
}

// ruby -e, perl -e/-E, php -r: inline code under a launcher we do not model further.
void analyse_script_interpreter(const Tokens& t, size_t i, std::string_view flags, int depth,
                                LaunchInfo& info) {
  info.launcher = "binary";
  for (; i < t.size(); ++i) {
    std::string_view a = t[i].text;
    if (a.size() < 2 || a[0] != '-') return;
    if (a.size() == 2 && flags.find(a[1]) != std::string_view::npos && i + 1 < t.size()) {
      mark_inline(t[i + 1].text, i + 1, false, depth, info);
      return;
    }
  }
}

// `env [-i] [-u NAME] [NAME=VALUE]... program`, and the shell's `exec [-a NAME] program`.
void analyse_env(const Tokens& t, size_t i, int depth, LaunchInfo& info) {
  while (i < t.size()) {
    std::string_view a = t[i].text;
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "-u" || a == "--unset" || a == "-C" || a == "--chdir" || a == "-a") {
      i += 2;
      continue;
    }
    if ((a == "-S" || a == "--split-string") && i + 1 < t.size() && contains_space(t[i + 1].text)) {
      // The shebang idiom `env -S "deno run -A"`: the words travel in one argument.
      LaunchInfo inner;
      if (depth + 1 < kMaxNesting) {
        analyse_from(launch_tokens(t[i + 1].text, {}), 0, depth + 1, inner);
      }
      info.launcher = inner.launcher.empty() ? "binary" : inner.launcher;
      if (inner.inline_shell) {
        info.inline_shell = true;
        info.shell_code_token = static_cast<int>(i + 1);
      }
      info.pipe_to_shell = inner.pipe_to_shell;
      analyse_embedded(t[i + 1].text, i + 1, depth, info);
      return;
    }
    if (a.starts_with("-") || is_assignment(a)) {
      ++i;
      continue;
    }
    break;
  }
  if (i >= t.size() || depth + 1 >= kMaxNesting) {
    info.launcher = "binary";
    return;
  }
  analyse_from(t, i, depth + 1, info);
}

void analyse_from(const Tokens& t, size_t i, int depth, LaunchInfo& info) {
  while (i < t.size() && is_assignment(t[i].text)) ++i;
  if (i >= t.size()) {
    info.launcher = "binary";
    return;
  }
  const std::string prog = program_name(t[i].text);
  const size_t next = i + 1;
  auto subcommand = [&](std::string_view word) {
    std::vector<Opt> opts;
    const size_t pos = scan_options(t, next, OptionTable{"", "", ""}, opts);
    return pos < t.size() && t[pos].text == word ? pos + 1 : 0;
  };
  if (prog == "env" || prog == "exec") {
    analyse_env(t, next, depth, info);
  } else if (prog == "npx") {
    analyse_npx(t, next, "npx", true, depth, info);
  } else if (prog == "bunx") {
    analyse_npx(t, next, "bunx", false, depth, info);
  } else if (prog == "pnpx") {
    analyse_npx(t, next, "pnpm-dlx", false, depth, info);
  } else if (prog == "pnpm" || prog == "yarn" || prog == "npm") {
    size_t after = 0;
    std::string launcher;
    if (prog == "npm") {
      after = subcommand("exec");
      if (after == 0) after = subcommand("x");
      launcher = "npx";
    } else {
      after = subcommand("dlx");
      launcher = prog == "pnpm" ? "pnpm-dlx" : "yarn-dlx";
    }
    if (after == 0) {
      info.launcher = "binary";
    } else {
      analyse_npx(t, after, launcher, prog == "npm", depth, info);
    }
  } else if (prog == "bun") {
    analyse_bun(t, next, depth, info);
  } else if (prog == "uvx") {
    analyse_uvx(t, next, info);
  } else if (prog == "uv") {
    analyse_uv(t, next, info);
  } else if (prog == "pipx") {
    analyse_pipx(t, next, info);
  } else if (prog == "docker" || prog == "podman") {
    analyse_container(t, next, prog, info);
  } else if (is_python(prog)) {
    analyse_python(t, next, depth, info);
  } else if (prog == "node" || prog == "nodejs") {
    analyse_node(t, next, depth, info);
  } else if (prog == "deno") {
    analyse_deno(t, next, depth, info);
  } else if (is_posix_shell(prog)) {
    analyse_posix_shell(t, i, next, prog == "fish", depth, info);
  } else if (prog == "cmd") {
    analyse_cmd(t, i, next, depth, info);
  } else if (prog == "powershell" || prog == "pwsh") {
    analyse_powershell(t, next, prog == "powershell", depth, info);
  } else if (prog == "ruby") {
    analyse_script_interpreter(t, next, "e", depth, info);
  } else if (prog == "perl") {
    analyse_script_interpreter(t, next, "eE", depth, info);
  } else if (prog == "php") {
    analyse_script_interpreter(t, next, "r", depth, info);
  } else {
    info.launcher = "binary";
    // A whole shell line in the `command` field (hooks, helpers) only works through a shell.
    size_t end = i;
    while (end < t.size() && t[end].origin < 0) ++end;
    if (end > i && has_pipe_to_shell(join_tokens(t, i, end))) info.pipe_to_shell = true;
  }
}

}  // namespace

std::vector<LaunchToken> launch_tokens(std::string_view command,
                                       const std::vector<std::string>& args) {
  std::vector<LaunchToken> tokens;
  if (contains_space(command) && !is_spaced_windows_program(command)) {
    for (std::string& word : split_words(command)) tokens.push_back({std::move(word), -1});
  } else if (!command.empty()) {
    tokens.push_back({std::string(command), -1});
  }
  for (size_t n = 0; n < args.size(); ++n) tokens.push_back({args[n], static_cast<int>(n)});
  return tokens;
}

LaunchInfo analyse_launch(const std::vector<LaunchToken>& tokens) {
  LaunchInfo info;
  if (tokens.empty()) return info;
  analyse_from(tokens, 0, 0, info);
  return info;
}

ContainerImage parse_container_image(std::string_view reference) {
  const ImageRef ref = parse_image(reference);
  return {ref.name, ref.tag, ref.digest, is_valid_digest(ref.digest)};
}

}  // namespace fermata::derive
