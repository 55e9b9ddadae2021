// derive: what a server's command line launches — a package runner (npx, uvx, ...), a
// container image, an inline shell script, or a bridge to a remote server — and whether
// what it launches is pinned to an exact version. Pure text analysis: nothing is run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fermata::derive {

/// One word of the command line and where it came from: the index into the config's
/// `args` array, or -1 for the `command` field (which may itself hold several words).
struct LaunchToken {
  std::string text;
  int origin = -1;
};

struct LaunchInfo {
  /// npx, bunx, pnpm-dlx, yarn-dlx, uvx, pipx, uv-run, docker, podman, node, python,
  /// deno, bun, shell, binary; "" when there is no command.
  std::string launcher;
  std::string package;     ///< npm/PyPI package name without version ("@scope/name", "name")
  std::string version;     ///< as written ("1.2.3", "^1.2", "latest"); "" when absent
  bool pinned = false;     ///< exact version (or image digest); false when there is nothing to pin
  int package_token = -1;  ///< index into the token list of the package (or image) word
  std::string image;       ///< container image reference without tag/digest
  std::string image_tag;   ///< "" when absent
  std::string image_digest;         ///< "sha256:..." when pinned by digest
  std::vector<int> package_args;    ///< tokens after the package/image: the server's own args
  std::vector<std::string> mounts;  ///< docker -v/--volume/--mount host paths
  bool inline_shell = false;        ///< `sh -c "..."`, `bash -c`, `cmd /c`, `powershell -Command`,
                                    ///< `python -c`, `node -e`: code written into the config
  int shell_code_token = -1;
  bool pipe_to_shell = false;  ///< `curl ... | sh` and the like inside inline code
  std::string bridge_url;      ///< mcp-remote / supergateway style bridges: the remote URL
  int bridge_url_token = -1;
};

/// Splits `command` into words when it holds several (shell-like quoting: '..', "..", \),
/// then appends `args`.
std::vector<LaunchToken> launch_tokens(std::string_view command,
                                       const std::vector<std::string>& args);

LaunchInfo analyse_launch(const std::vector<LaunchToken>& tokens);

/// A container image reference split as analyse_launch splits the image of `docker run`.
struct ContainerImage {
  std::string name;     ///< without tag or digest
  std::string tag;      ///< "" when absent
  std::string digest;   ///< "sha256:..." when written
  bool pinned = false;  ///< a valid digest
};
ContainerImage parse_container_image(std::string_view reference);

}  // namespace fermata::derive
