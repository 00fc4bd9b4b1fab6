#include "vhv/common/esr.h"

namespace nestlab {

const char* exception_class_name(ExceptionClass ec) {
  switch (ec) {
    case ExceptionClass::Unknown: return "UNKNOWN";
    case ExceptionClass::WFx: return "WFx";
    case ExceptionClass::CP15_MCR: return "CP15_MCR";
    case ExceptionClass::CP15_MCRR: return "CP15_MCRR";
    case ExceptionClass::CP14_MCR: return "CP14_MCR";
    case ExceptionClass::CP14_LDC: return "CP14_LDC";
    case ExceptionClass::SVE_SIMD_FP: return "SVE_SIMD_FP";
    case ExceptionClass::CP10_MRC: return "CP10_MRC";
    case ExceptionClass::PAC: return "PAC";
    case ExceptionClass::CP14_MRRC: return "CP14_MRRC";
    case ExceptionClass::BTI: return "BTI";
    case ExceptionClass::ILLEGAL_STATE: return "ILLEGAL_STATE";
    case ExceptionClass::SVC32: return "SVC32";
    case ExceptionClass::HVC32: return "HVC32";
    case ExceptionClass::SMC32: return "SMC32";
    case ExceptionClass::SVC64: return "SVC64";
    case ExceptionClass::HVC64: return "HVC64";
    case ExceptionClass::SMC64: return "SMC64";
    case ExceptionClass::SYS64: return "SYS64";
    case ExceptionClass::SVE: return "SVE";
    case ExceptionClass::ERET: return "ERET";
    case ExceptionClass::FPAC: return "FPAC";
    case ExceptionClass::IMP_DEF: return "IMP_DEF";
    case ExceptionClass::IABT_LOW: return "IABT_LOW";
    case ExceptionClass::IABT_CUR: return "IABT_CUR";
    case ExceptionClass::PC_ALIGN: return "PC_ALIGN";
    case ExceptionClass::DABT_LOW: return "DABT_LOW";
    case ExceptionClass::DABT_CUR: return "DABT_CUR";
    case ExceptionClass::SP_ALIGN: return "SP_ALIGN";
    case ExceptionClass::FP32: return "FP32";
    case ExceptionClass::FP64: return "FP64";
    case ExceptionClass::SERROR: return "SERROR";
    case ExceptionClass::BREAKPT_LOW: return "BREAKPT_LOW";
    case ExceptionClass::BREAKPT_CUR: return "BREAKPT_CUR";
    case ExceptionClass::SOFTSTP_LOW: return "SOFTSTP_LOW";
    case ExceptionClass::SOFTSTP_CUR: return "SOFTSTP_CUR";
    case ExceptionClass::WATCHPT_LOW: return "WATCHPT_LOW";
    case ExceptionClass::WATCHPT_CUR: return "WATCHPT_CUR";
    case ExceptionClass::BKPT32: return "BKPT32";
    case ExceptionClass::VECTOR32: return "VECTOR32";
    case ExceptionClass::BRK64: return "BRK64";
  }
  return "UNALLOCATED";
}

}  // namespace nestlab
