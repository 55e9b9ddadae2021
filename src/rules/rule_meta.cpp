#include "rules/rule_meta.hpp"

#include <array>
#include <utility>

namespace fermata::rules {

std::string RuleMeta::short_description() const {
  // A sentence ends at ". " or at a blank line; the text may be markdown.
  std::string text = description;
  size_t end = std::string::npos;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '.' && (text[i + 1] == ' ' || text[i + 1] == '\n')) {
      end = i + 1;
      break;
    }
  }
  std::string sentence = end == std::string::npos ? text : text.substr(0, end);
  for (auto& c : sentence) {
    if (c == '\n') c = ' ';
  }
  while (!sentence.empty() && sentence.back() == ' ') sentence.pop_back();
  return sentence.empty() ? title : sentence;
}

std::string maestro_layer_name(const std::string& layer) {
  static const std::array<std::pair<const char*, const char*>, 7> kNames = {{
      {"L1", "Foundation Models"},
      {"L2", "Data Operations"},
      {"L3", "Agent Frameworks"},
      {"L4", "Deployment and Infrastructure"},
      {"L5", "Evaluation and Observability"},
      {"L6", "Security and Compliance"},
      {"L7", "Agent Ecosystem"},
  }};
  for (const auto& [id, name] : kNames) {
    if (layer == id) return name;
  }
  return "";
}

}  // namespace fermata::rules
