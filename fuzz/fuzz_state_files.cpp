// nestlabd's state on disk (kernel/state_file.h), read back at every start:
// a VHV record and the tenant table. The first byte picks whether the rest
// is the whole file (damaged, hand-edited, truncated) or a payload that is
// wrapped in a valid envelope first, so the record parsers behind the
// checksum are reached too.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "kernel/json_bounds.h"
#include "kernel/state_file.h"
#include "kernel/tenants.h"
#include "kernel/vhv_record.h"

namespace {

const std::string& scratch_file() {
  static const std::string path = [] {
    char dir[] = "/tmp/nestlab-fuzz-state-XXXXXX";
    if (!::mkdtemp(dir)) std::abort();
    return std::string(dir) + "/state.json";
  }();
  return path;
}

void write_file(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) std::abort();
  if (::write(fd, text.data(), text.size()) != ssize_t(text.size())) std::abort();
  ::close(fd);
}

std::string envelope(const std::string& kind, const nlohmann::json& payload) {
  const std::string canonical =
      payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return nlohmann::json{{"format", "nestlab-state"},
                        {"kind", kind},
                        {"version", nestlab::kernel::kStateVersion},
                        {"checksum", nestlab::kernel::state_checksum(canonical)},
                        {"payload", payload}}
      .dump(1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string& path = scratch_file();
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const bool tenants = data[0] & 1;
  const char* kind = tenants ? "tenants" : "vhv";
  if (data[0] & 2) {
    auto parsed = nestlab::kernel::parse_bounded_json(rest);
    if (!parsed.value) return 0;
    write_file(path, envelope(kind, *parsed.value));
  } else {
    write_file(path, rest);
  }
  if (tenants) {
    nestlab::kernel::TenantTable table(path);
    (void)table.load();
  } else {
    auto payload = nestlab::kernel::read_state_file(path, kind);
    if (payload.is_ok()) (void)nestlab::kernel::record_from_state(payload.value());
  }
  return 0;
}
