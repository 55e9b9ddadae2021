// Replays fuzz inputs without libFuzzer: every file named on the command line, or found
// under a directory named there, goes once through LLVMFuzzerTestOneInput. CTest runs it over
// the committed corpus, so a crash, hang or sanitizer report found by fuzzing stays fixed in
// every build (gcc, sanitizers, release) and not only in clang fuzzing builds.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

/// Above this an input counts as a hang: libFuzzer's own default is 1200 s, far too lax
/// for inputs the pipeline reads in milliseconds, even under sanitizers. The committed
/// regressions for quadratic work take minutes without their fix.
constexpr auto kSlowInput = std::chrono::seconds(30);

bool collect(const fs::path& path, std::vector<fs::path>& files) {
  std::error_code error;
  if (fs::is_regular_file(path, error)) {
    files.push_back(path);
    return true;
  }
  if (!fs::is_directory(path, error)) {
    std::cerr << "replay: " << path.string() << ": no such file or directory\n";
    return false;
  }
  for (fs::recursive_directory_iterator it(path, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file(error)) files.push_back(it->path());
  }
  if (error) {
    std::cerr << "replay: " << path.string() << ": " << error.message() << "\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    if (!collect(argv[i], files)) return 1;
  }
  // An empty corpus would pass without testing anything: a moved directory must fail.
  if (files.empty()) {
    std::cerr << "replay: no inputs\n";
    return 1;
  }
  std::sort(files.begin(), files.end());
  int slow = 0;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                  std::istreambuf_iterator<char>()};
    if (!in && !in.eof()) {
      std::cerr << "replay: cannot read " << file.string() << "\n";
      return 1;
    }
    const auto start = std::chrono::steady_clock::now();
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    if (std::chrono::steady_clock::now() - start > kSlowInput) {
      std::cerr << "replay: " << file.string() << " took longer than " << kSlowInput.count()
                << " s\n";
      ++slow;
    }
  }
  std::cout << "replay: " << files.size() << " inputs\n";
  return slow == 0 ? 0 : 1;
}
