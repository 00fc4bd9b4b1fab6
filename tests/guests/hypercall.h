// The guest side of the lowvisor's hypercall paths (vhv/common/backdoor.h,
// vhv/common/wfe_channel.h): one call through the BRK backdoor, one through
// a trapped MDCCSR_EL0 read, one through the WFE channel.
#pragma once

#include <cstdint>

#include "vhv/common/backdoor.h"
#include "vhv/common/wfe_channel.h"

namespace guest {

struct Hypercall {
  int64_t status;
  uint64_t r1, r2, r3;
};

inline Hypercall backdoor_brk(uint64_t service, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
                              uint64_t a4 = 0, uint64_t a5 = 0) {
  register uint64_t x0 asm("x0") = service;
  register uint64_t x1 asm("x1") = a1;
  register uint64_t x2 asm("x2") = a2;
  register uint64_t x3 asm("x3") = a3;
  register uint64_t x4 asm("x4") = a4;
  register uint64_t x5 asm("x5") = a5;
  asm volatile("brk #0x5658"
               : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
               : "r"(x4), "r"(x5)
               : "memory");
  return {static_cast<int64_t>(x0), x1, x2, x3};
}

inline Hypercall backdoor_dcc(uint64_t service, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
                              uint64_t a4 = 0, uint64_t a5 = 0) {
  register uint64_t x0 asm("x0") = service;
  register uint64_t x1 asm("x1") = a1;
  register uint64_t x2 asm("x2") = a2;
  register uint64_t x3 asm("x3") = a3;
  register uint64_t x4 asm("x4") = a4;
  register uint64_t x5 asm("x5") = a5;
  register uint64_t x9 asm("x9") = nestlab::backdoor::kDccMagic;
  asm volatile("mrs x9, mdccsr_el0"
               : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x9)
               : "r"(x4), "r"(x5)
               : "memory");
  // x9 holds the status too; x0 must agree.
  if (static_cast<int64_t>(x9) != static_cast<int64_t>(x0)) return {-100, 0, 0, 0};
  return {static_cast<int64_t>(x0), x1, x2, x3};
}

// A plain MDCCSR_EL0 read (no request): the DCC status an idle channel shows.
inline uint64_t read_mdccsr() {
  register uint64_t x9 asm("x9") = 0;
  asm volatile("mrs x9, mdccsr_el0" : "+r"(x9));
  return x9;
}

struct WfeReply {
  bool answered;  // the reply magic came back
  int64_t status;
  uint64_t x0;
};

// The WFE channel. The WFE instruction is the one the lowvisor patches.
inline WfeReply wfe_call(nestlab::wfe_channel::Op op, uint64_t a0 = 0, uint64_t a1 = 0) {
  register uint64_t x0 asm("x0") = a0;
  register uint64_t x1 asm("x1") = a1;
  register uint64_t x16 asm("x16") = static_cast<uint64_t>(op);
  register uint64_t x17 asm("x17") = nestlab::wfe_channel::kRequestMagic;
  asm volatile("wfe" : "+r"(x0), "+r"(x1), "+r"(x16), "+r"(x17)::"memory");
  return {x17 == nestlab::wfe_channel::kReplyMagic, static_cast<int64_t>(x16), x0};
}

}  // namespace guest
