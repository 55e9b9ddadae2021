// bench: how much of fermata's YAML time is the tokenizer. Times, over the YAML files a
// parser claims in a directory (already in memory, one thread): fermata's read_yaml (yaml-cpp
// events into a positioned Document), yaml-cpp's event parser alone, and libyaml's event
// parser alone (when built with libyaml-dev), which reports line and column too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fermata::bench {

struct ParserTiming {
  std::string name;
  double cpu_seconds = 0;
  uint64_t failures = 0;  ///< files the parser rejected
};

struct YamlComparison {
  uint64_t files = 0;
  uint64_t bytes = 0;
  std::vector<ParserTiming> timings;
};

YamlComparison compare_yaml_parsers(const std::string& root);

}  // namespace fermata::bench
