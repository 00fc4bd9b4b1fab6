#include "vhv/common/vcpu_state.h"

namespace nestlab {

const char* vcpu_state_error_name(VcpuStateError e) {
  switch (e) {
    case VcpuStateError::Ok: return "ok";
    case VcpuStateError::BadMagic: return "not a vCPU state (bad magic)";
    case VcpuStateError::BadVersion: return "unknown vCPU state version";
    case VcpuStateError::BadSize: return "vCPU state size does not match its version";
    case VcpuStateError::BadListRegisters: return "more than 16 list registers";
    case VcpuStateError::BadDebugCount: return "more than 16 breakpoints or watchpoints";
    case VcpuStateError::BadPstate: return "PSTATE is not AArch64 EL0t, EL1t or EL1h";
  }
  return "?";
}

}  // namespace nestlab
