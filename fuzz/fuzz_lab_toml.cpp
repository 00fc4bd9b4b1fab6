// A lab.toml (console/lab/lab_definition.h): teachers write them, and a
// student's copy of a lab folder is theirs to edit, so the grader's parser
// takes anything and answers with an error, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "console/lab/lab_definition.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto lab = nestlab::lab::parse_lab_definition(text, "fuzz/lab.toml");
  if (lab.is_ok()) {
    const auto& l = lab.value();
    if (l.max_points() < 0) std::abort();
    for (const auto& step : l.steps) (void)l.step_timeout_ms(step);
  }
  return 0;
}
