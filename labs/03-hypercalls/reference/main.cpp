// Lab 03, hypercalls (reference solution): ask the firmware interface (PSCI,
// HVC #0) and the nestlab backdoor (BRK #0x5658) what they offer: PSCI
// version and features; backdoor version, host time, the VM's UUID, printing
// through the lowvisor, and guestinfo, the key/value store the host sees too.
#include "lab.h"

namespace {

// Civil date from days since 1970-01-01 (H. Hinnant, "chrono-Compatible
// Low-Level Date Algorithms", days_from_civil inverted).
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const uint64_t doe = static_cast<uint64_t>(z - era * 146097);
  const uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const uint64_t mp = (5 * doy + 2) / 153;
  d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

bool g_ok = true;
void check(bool ok, const char* what) {
  if (!ok) {
    lab::printf("FAILED: %s\n", what);
    g_ok = false;
  }
}

}  // namespace

extern "C" int lab_main(uint64_t) {
  // PSCI: the version (major in bits [31:16]) and which functions exist.
  const uint32_t version = lab::psci_version();
  const unsigned major = version >> 16, minor = version & 0xffff;
  lab::printf("psci version %u.%u\n", major, minor);
  const int32_t off = lab::psci_features(lab::kPsciSystemOff);
  const int32_t on = lab::psci_features(lab::kPsciCpuOn);
  const int32_t reset = lab::psci_features(lab::kPsciSystemReset);
  const int32_t mem_protect = lab::psci_features(0x8400'0013);  // MEM_PROTECT: optional
  lab::printf("psci features: SYSTEM_OFF %d CPU_ON %d SYSTEM_RESET %d MEM_PROTECT %d\n", off, on,
              reset, mem_protect);
  check(off == 0 && on == 0 && reset == 0, "PSCI features");

  // The backdoor: version and the highest service number.
  const lab::Reply v = lab::backdoor(lab::service::kVersion);
  check(v.status == 0, "backdoor version");
  lab::printf("backdoor version %llu, services 0..%llu\n", static_cast<unsigned long long>(v.r1),
              static_cast<unsigned long long>(v.r2));

  // Host time: nanoseconds since 1970 (UTC).
  const lab::Reply t = lab::backdoor(lab::service::kHostTimeNs);
  check(t.status == 0, "host time");
  const uint64_t s = t.r1 / 1'000'000'000ull;
  int64_t year;
  unsigned month, day;
  civil_from_days(static_cast<int64_t>(s / 86400), year, month, day);
  lab::printf(
      "host time: %04lld-%02u-%02u %02llu:%02llu:%02llu UTC\n", static_cast<long long>(year), month,
      day, static_cast<unsigned long long>(s % 86400 / 3600),
      static_cast<unsigned long long>(s % 3600 / 60), static_cast<unsigned long long>(s % 60));

  // The VM's UUID, 16 bytes big-endian in r1 (bytes 0..7) and r2 (8..15).
  const lab::Reply u = lab::backdoor(lab::service::kVmUuid);
  check(u.status == 0, "VM UUID");
  lab::printf(
      "vm uuid: %08llx-%04llx-%04llx-%04llx-%012llx\n", static_cast<unsigned long long>(u.r1 >> 32),
      static_cast<unsigned long long>((u.r1 >> 16) & 0xffff),
      static_cast<unsigned long long>(u.r1 & 0xffff), static_cast<unsigned long long>(u.r2 >> 48),
      static_cast<unsigned long long>(u.r2 & 0xffff'ffff'ffffull));

  // Printing through the lowvisor: one trap for the whole line.
  char nonce[24] = {};
  lab::bootarg("nonce", nonce, sizeof(nonce));
  char line[80];
  const size_t len = lab::snprintf(line, sizeof(line), "printed by the lowvisor: %s\n", nonce);
  const lab::Reply p = lab::backdoor(lab::service::kPrint, reinterpret_cast<uint64_t>(line), len);
  check(p.status == 0 && p.r1 == len, "print");

  // Guestinfo: the answer the grader reads on the host side.
  char answer[64];
  lab::snprintf(answer, sizeof(answer), "psci%u.%u-bd%llu-%s", major, minor,
                static_cast<unsigned long long>(v.r1), nonce);
  check(lab::guestinfo_set("lab.answer", answer) == 0, "guestinfo set");
  char back[96] = {};
  check(lab::guestinfo_get("lab.answer", back, sizeof(back)) == 0 && lab::streq(back, answer),
        "guestinfo get");
  lab::printf("lab.answer = %s\n", back);

  if (g_ok) lab::mark("services");
  return g_ok ? 0 : 1;
}
