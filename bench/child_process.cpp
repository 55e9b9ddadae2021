#include "bench/child_process.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>

namespace fermata::bench {
namespace {

double seconds(const timeval& time) {
  return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
}

std::string joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) out += (out.empty() ? "" : " ") + arg;
  return out;
}

}  // namespace

Measurement run_measured(const std::vector<std::string>& argv, const std::string& directory) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("cannot fork for " + joined(argv));
  if (pid == 0) {
    // In the child: only async-signal-safe calls until exec.
    const int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      ::dup2(null_fd, 0);
      ::dup2(null_fd, 1);
      ::dup2(null_fd, 2);
    }
    if (!directory.empty() && ::chdir(directory.c_str()) != 0) ::_exit(127);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  while (::wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) throw std::runtime_error("cannot wait for " + joined(argv));
  }
  const auto end = std::chrono::steady_clock::now();
  Measurement m;
  m.wall_seconds = std::chrono::duration<double>(end - start).count();
  m.cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  m.peak_rss_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: KiB
  m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return m;
}

void run_checked(const std::vector<std::string>& argv, const std::string& directory) {
  const Measurement m = run_measured(argv, directory);
  if (m.exit_code != 0) {
    throw std::runtime_error(joined(argv) + " failed (exit " + std::to_string(m.exit_code) + ")");
  }
}

}  // namespace fermata::bench
