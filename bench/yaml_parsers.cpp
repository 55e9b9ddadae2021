#include "bench/yaml_parsers.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <ctime>
#include <exception>
#include <fstream>
#include <functional>
#include <sstream>

#ifdef FERMATA_BENCH_LIBYAML
#include <yaml.h>
#endif

#include "core/diagnostic.hpp"
#include "core/limits.hpp"
#include "discover/working_tree.hpp"
#include "parsers/parser.hpp"
#include "parsers/syntax/yaml_reader.hpp"

namespace fermata::bench {
namespace {

double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

/// Receives yaml-cpp's events and keeps nothing: the cost of tokenizing alone.
class DiscardingHandler final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& /*mark*/) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnAlias(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnScalar(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                const std::string& /*value*/) override {}
  void OnSequenceStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/,
                       YAML::anchor_t /*anchor*/, YAML::EmitterStyle::value /*style*/) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                  YAML::EmitterStyle::value /*style*/) override {}
  void OnMapEnd() override {}
};

bool yaml_cpp_events(const std::string& text) {
  try {
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    DiscardingHandler handler;
    while (parser.HandleNextDocument(handler)) {
    }
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

#ifdef FERMATA_BENCH_LIBYAML
bool libyaml_events(const std::string& text) {
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) return false;
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  bool ok = true;
  for (bool done = false; !done;) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser, &event) == 0) {
      ok = false;
      break;
    }
    done = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
  }
  yaml_parser_delete(&parser);
  return ok;
}
#endif

ParserTiming time_parser(const std::string& name, const std::vector<std::string>& texts,
                         const std::function<bool(const std::string&)>& parse) {
  ParserTiming timing;
  timing.name = name;
  const double start = process_cpu_seconds();
  for (const auto& text : texts) {
    if (!parse(text)) ++timing.failures;
  }
  timing.cpu_seconds = process_cpu_seconds() - start;
  return timing;
}

}  // namespace

YamlComparison compare_yaml_parsers(const std::string& root) {
  discover::WalkOptions walk;
  discover::WorkingTreeProvider provider(root, walk);
  core::DiagnosticSink sink;
  YamlComparison comparison;
  std::vector<std::string> texts;
  for (const auto& entry : provider.list(sink)) {
    auto text = provider.read(entry, sink);
    if (!text) continue;
    for (const auto& parser : parsers::registry()) {
      const parsers::Claim claim = parser->claims(entry.path, *text);
      if (!claim.claimed || claim.syntax != parsers::Syntax::kYaml) continue;
      comparison.bytes += text->size();
      texts.push_back(std::move(*text));
      break;
    }
  }
  comparison.files = texts.size();
  const core::Limits limits;
  comparison.timings.push_back(
      time_parser("fermata read_yaml (yaml-cpp events + positioned Document)", texts,
                  [&](const std::string& text) {
                    core::DiagnosticSink ignored;
                    return syntax::read_yaml("bench.yaml", text, limits, ignored).has_value();
                  }));
  comparison.timings.push_back(
      time_parser("yaml-cpp 0.7 event parser alone", texts, yaml_cpp_events));
#ifdef FERMATA_BENCH_LIBYAML
  comparison.timings.push_back(
      time_parser("libyaml 0.2.5 event parser alone", texts, libyaml_events));
#endif
  return comparison;
}

}  // namespace fermata::bench
