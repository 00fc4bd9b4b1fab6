// The hypercall services a guest reaches through the backdoor (S4: BRK with
// the immediate kBrkImmediate) and through trapped reads of MDCCSR_EL0 (S2).
// Both paths carry the same request: the service number in x0, parameters in
// x1..x5; the answer is a status in x0 (0 or a negative Error) and results
// in x1..x3. This header is the guest-visible ABI (docs/traps.md).
#pragma once

#include <cstdint>

namespace nestlab::backdoor {

// BRK #0x5658 ("VX"); any other BRK immediate is the guest's own.
inline constexpr uint16_t kBrkImmediate = 0x5658;
// A read of MDCCSR_EL0 is a request only when x9 holds this value; any other
// read returns the architectural idle status (0). The MRS destination then
// receives the status too, so `mov x9, #magic; mrs x9, mdccsr_el0` leaves it
// in x9.
inline constexpr uint64_t kDccMagic = 0x4e4c'4443;  // "NLDC"
inline constexpr unsigned kDccMagicRegister = 9;
inline constexpr uint64_t kProtocolVersion = 1;

enum class Service : uint64_t {
  Version = 0,       // -> x1 = kProtocolVersion, x2 = highest service number
  HostTimeNs = 1,    // -> x1 = host CLOCK_REALTIME in ns
  VmUuid = 2,        // -> x1 = UUID bytes 0..7, x2 = bytes 8..15 (big-endian)
  Print = 3,         // x1 = guest VA, x2 = length (<= kMaxPrint) -> x1 = bytes printed
  GuestInfoGet = 4,  // x1 = key VA (NUL-terminated), x2 = buffer VA, x3 = size
                     //   -> x1 = value length (copied with its NUL when it fits)
  GuestInfoSet = 5,  // x1 = key VA, x2 = value VA (both NUL-terminated); "" removes
  Echo = 6,          // x1..x3 -> x1..x3 (a no-op round trip, for benchmarks)
  SecretRegion = 7,  // x1 = register 0..30 (31: clear), x2 = start VA, x3 = end VA (S24)
  PrdaProbe = 8,     // x1 = CPU, x2 = mode (S13, docs/traps.md) -> x1 = CPU the PRDA address
                     //   was obtained on | CPU the task finished on << 32, x2 = CPU the
                     //   operation ran on, x3 = owner of the PRDA it touched
};
inline constexpr uint64_t kLastService = 8;
// What a secret register reads as inside an interrupt handler (S24).
inline constexpr uint64_t kScrubbedValue = 0x5ec2'e7c0'ffee'0000ull;
inline constexpr uint64_t kMaxPrint = 4096;

enum class Error : int64_t {
  Ok = 0,
  UnknownService = -1,
  BadAddress = -2,  // a buffer is not mapped (guest stage 1 or stage 2) or not RAM
  BadString = -3,   // no NUL within the limit, or longer than allowed
  NotFound = -4,
  NoSpace = -5,  // buffer too small (GuestInfoGet) or the store is full
  Busy = -6,     // the host holds the guestinfo lock
  BadArgument = -7,
};

const char* service_name(uint64_t service);
const char* error_name(Error e);

}  // namespace nestlab::backdoor
