#include "kernel/names.h"

#include <dirent.h>

#include <algorithm>
#include <filesystem>

#include "kernel/state_file.h"

namespace nestlab::kernel {

HostResult<void> validate_vhv_name(const std::string& name) {
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  bool ok = !name.empty() && name.size() <= 32 && lower_or_digit(name[0]);
  for (char c : name) ok = ok && (lower_or_digit(c) || c == '-');
  if (!ok)
    return nestlab::make_error(
        ErrorCode::InvalidArgument,
        "invalid VHV name \"" + name.substr(0, 64) + (name.size() > 64 ? "…" : "") +
            "\": use 1-32 characters a-z, 0-9 and '-', starting with a letter or digit");
  return {};
}

uint64_t vhv_id_number(const std::string& id) {
  constexpr size_t kPrefix = 4;  // "vhv-"
  if (id.size() <= kPrefix || id.size() > kPrefix + 18 || id.compare(0, kPrefix, "vhv-") != 0 ||
      id[kPrefix] == '0')
    return 0;
  uint64_t n = 0;
  for (size_t i = kPrefix; i < id.size(); ++i) {
    if (id[i] < '0' || id[i] > '9') return 0;
    n = n * 10 + static_cast<uint64_t>(id[i] - '0');
  }
  return n;
}

VhvIdCounter::VhvIdCounter(std::string state_dir)
    : m_state_dir(std::move(state_dir)),
      m_path(m_state_dir.empty() ? "" : m_state_dir + "/vhv-ids.json") {}

uint64_t VhvIdCounter::highest_in_state_dir() const {
  uint64_t highest = 0;
  for (const char* sub : {"/vhvs", "/consoles"}) {
    DIR* d = ::opendir((m_state_dir + sub).c_str());
    if (!d) continue;
    while (dirent* e = ::readdir(d)) highest = std::max(highest, vhv_id_number(e->d_name));
    ::closedir(d);
  }
  return highest;
}

HostResult<void> VhvIdCounter::load() {
  m_next = highest_in_state_dir() + 1;
  std::error_code ec;
  if (m_path.empty() || !std::filesystem::exists(m_path, ec)) return {};
  auto payload = read_state_file(m_path, "vhv-ids");
  if (payload.is_ok() && payload.value().value("next", nlohmann::json()).is_number_unsigned() &&
      payload.value()["next"].get<uint64_t>() >= 1) {
    m_next = std::max(m_next, payload.value()["next"].get<uint64_t>());
    return {};
  }
  std::string why = payload.is_ok() ? m_path + ": no \"next\" id" : payload.error().message;
  std::string aside = m_path + ".bad";
  std::filesystem::rename(m_path, aside, ec);
  return make_error(ErrorCode::Protocol, why + "; moved it to " + aside +
                                             " and going on after the highest id in " +
                                             m_state_dir + " (vhv-" + std::to_string(m_next) + ")");
}

void VhvIdCounter::at_least(uint64_t n) { m_next = std::max(m_next, n); }

HostResult<std::string> VhvIdCounter::take() {
  uint64_t n = m_next;
  auto written =
      m_path.empty() ? HostResult<void>{} : write_state_file(m_path, "vhv-ids", {{"next", n + 1}});
  if (written.is_error()) {
    Error e = written.release_error();
    return make_error(e.code, "cannot keep the VHV id counter: " + e.message);
  }
  m_next = n + 1;
  return "vhv-" + std::to_string(n);
}

}  // namespace nestlab::kernel
