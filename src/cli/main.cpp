// The fermata executable: nothing but the terminal's facts handed to the CLI library.
#include <unistd.h>

#include <iostream>

#include "cli/cli.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  fermata::cli::Terminal terminal;
  terminal.stdout_is_tty = isatty(STDOUT_FILENO) == 1;
  terminal.stderr_is_tty = isatty(STDERR_FILENO) == 1;
  return fermata::cli::run(argc, argv, std::cout, std::cerr, terminal);
}
