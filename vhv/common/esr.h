// ESR_ELx: exception classes and the ISS layouts the lowvisor decodes.
// Arm ARM D17.2.37 (ESR_EL2). The enumerators hold the real EC values so a
// number read from hardware, a counter index and a log line all agree.
#pragma once

#include <cstdint>

namespace nestlab {

enum class ExceptionClass : uint8_t {
  Unknown = 0x00,
  WFx = 0x01,
  CP15_MCR = 0x03,
  CP15_MCRR = 0x04,
  CP14_MCR = 0x05,
  CP14_LDC = 0x06,
  SVE_SIMD_FP = 0x07,
  CP10_MRC = 0x08,
  PAC = 0x09,
  CP14_MRRC = 0x0C,
  BTI = 0x0D,
  ILLEGAL_STATE = 0x0E,
  SVC32 = 0x11,
  HVC32 = 0x12,
  SMC32 = 0x13,
  SVC64 = 0x15,
  HVC64 = 0x16,
  SMC64 = 0x17,
  SYS64 = 0x18,
  SVE = 0x19,
  ERET = 0x1A,
  FPAC = 0x1C,
  IMP_DEF = 0x1F,
  IABT_LOW = 0x20,
  IABT_CUR = 0x21,
  PC_ALIGN = 0x22,
  DABT_LOW = 0x24,
  DABT_CUR = 0x25,
  SP_ALIGN = 0x26,
  FP32 = 0x28,
  FP64 = 0x2C,
  SERROR = 0x2F,
  BREAKPT_LOW = 0x30,
  BREAKPT_CUR = 0x31,
  SOFTSTP_LOW = 0x32,
  SOFTSTP_CUR = 0x33,
  WATCHPT_LOW = 0x34,
  WATCHPT_CUR = 0x35,
  BKPT32 = 0x38,
  VECTOR32 = 0x3A,
  BRK64 = 0x3C,
};

inline constexpr unsigned kExceptionClassCount = 64;

// "HVC64", "DABT_LOW", ...; "EC_0x2a" style text is not produced: unnamed
// classes read "UNALLOCATED".
const char* exception_class_name(ExceptionClass ec);

constexpr ExceptionClass esr_class(uint64_t esr) {
  return static_cast<ExceptionClass>((esr >> 26) & 0x3f);
}
constexpr uint32_t esr_iss(uint64_t esr) { return static_cast<uint32_t>(esr & 0x1ff'ffff); }
constexpr bool esr_il(uint64_t esr) { return (esr >> 25) & 1; }
constexpr uint64_t make_esr(ExceptionClass ec, bool il, uint32_t iss) {
  return (uint64_t(ec) << 26) | (uint64_t(il) << 25) | (iss & 0x1ff'ffff);
}

// Data abort ISS, Arm ARM D17.2.37 "ISS encoding for an exception from a Data Abort".
struct DataAbortIss {
  bool isv;      // [24] syndrome fields below are valid
  uint8_t sas;   // [23:22] access size: 0 byte, 1 half, 2 word, 3 double
  bool sse;      // [21] sign-extend
  uint8_t srt;   // [20:16] transfer register
  bool sf;       // [15] 64-bit register
  bool ar;       // [14] acquire/release
  bool ea;       // [9] external abort
  bool cm;       // [8] cache maintenance
  bool s1ptw;    // [7] stage-2 fault on a stage-1 walk
  bool wnr;      // [6] write, not read
  uint8_t dfsc;  // [5:0] fault status code

  constexpr explicit DataAbortIss(uint32_t iss)
      : isv((iss >> 24) & 1),
        sas((iss >> 22) & 3),
        sse((iss >> 21) & 1),
        srt((iss >> 16) & 0x1f),
        sf((iss >> 15) & 1),
        ar((iss >> 14) & 1),
        ea((iss >> 9) & 1),
        cm((iss >> 8) & 1),
        s1ptw((iss >> 7) & 1),
        wnr((iss >> 6) & 1),
        dfsc(iss & 0x3f) {}

  constexpr unsigned access_bytes() const { return 1u << sas; }
};

// Arm ARM D17.2.37 "ISS encoding for an exception from HVC or SVC".
struct HvcIss {
  uint16_t imm16;
  constexpr explicit HvcIss(uint32_t iss) : imm16(static_cast<uint16_t>(iss & 0xffff)) {}
};

// Arm ARM D17.2.37 "ISS encoding for an exception from MSR, MRS, or System instruction".
enum class SysRegDirection : uint8_t { Write = 0, Read = 1 };
struct SysRegIss {
  uint8_t op0, op1, crn, crm, op2, rt;
  SysRegDirection direction;
  constexpr explicit SysRegIss(uint32_t iss)
      : op0((iss >> 20) & 3),
        op1((iss >> 14) & 7),
        crn((iss >> 10) & 0xf),
        crm((iss >> 1) & 0xf),
        op2((iss >> 17) & 7),
        rt((iss >> 5) & 0x1f),
        direction(static_cast<SysRegDirection>(iss & 1)) {}
};

// Arm ARM D17.2.37 "ISS encoding for an exception from a WFI or WFE instruction".
enum class WfxKind : uint8_t { Wfi = 0, Wfe = 1, Wfit = 2, Wfet = 3 };
struct WfxIss {
  WfxKind ti;
  constexpr explicit WfxIss(uint32_t iss) : ti(static_cast<WfxKind>(iss & 3)) {}
};

// Data fault status codes used when injecting aborts (Arm ARM D17.2.37, DFSC).
inline constexpr uint8_t kDfscSyncExternal = 0x10;

// Compile-time checks of the decoders against hand-encoded syndromes.
// STR w1, [x0] to MMIO from EL1 with stage 2 unmapped: ISV=1 SAS=2 SRT=1 WnR=1 DFSC=translation L1
// (0x05).
static_assert(DataAbortIss(0x0181'0045).isv);
static_assert(DataAbortIss(0x0181'0045).sas == 2);
static_assert(DataAbortIss(0x0181'0045).srt == 1);
static_assert(DataAbortIss(0x0181'0045).wnr);
static_assert(DataAbortIss(0x0181'0045).dfsc == 0x05);
static_assert(DataAbortIss(0x0181'0045).access_bytes() == 4);
static_assert(!DataAbortIss(0x0000'0006).isv && !DataAbortIss(0x0000'0006).wnr);
static_assert(DataAbortIss(1u << 15).sf && DataAbortIss(1u << 21).sse && DataAbortIss(1u << 9).ea);
static_assert(HvcIss(0x1234).imm16 == 0x1234);
// MRS x3, MDCCSR_EL0 = op0 2, op1 3, CRn 0, CRm 1, op2 0, read.
static_assert(SysRegIss((2u << 20) | (3u << 14) | (1u << 1) | (3u << 5) | 1).op0 == 2);
static_assert(SysRegIss((2u << 20) | (3u << 14) | (1u << 1) | (3u << 5) | 1).op1 == 3);
static_assert(SysRegIss((2u << 20) | (3u << 14) | (1u << 1) | (3u << 5) | 1).crm == 1);
static_assert(SysRegIss((2u << 20) | (3u << 14) | (1u << 1) | (3u << 5) | 1).rt == 3);
static_assert(SysRegIss((2u << 20) | (3u << 14) | (1u << 1) | (3u << 5) | 1).direction ==
              SysRegDirection::Read);
static_assert(SysRegIss((5u << 17) | (7u << 10)).op2 == 5 &&
              SysRegIss((5u << 17) | (7u << 10)).crn == 7);
static_assert(WfxIss(0).ti == WfxKind::Wfi && WfxIss(1).ti == WfxKind::Wfe);
static_assert(esr_class(0x5a00'0000) == ExceptionClass::HVC64);
static_assert(make_esr(ExceptionClass::DABT_CUR, true, 0x10) == 0x9600'0010);

}  // namespace nestlab
