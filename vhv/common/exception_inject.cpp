#include "vhv/common/exception_inject.h"

namespace nestlab {

bool guest_at_el1(uint64_t pstate) {
  if (pstate & kPstateModeAArch32) return false;
  const uint64_t el = (pstate >> 2) & 3;
  return el == 1;
}

VectorOffset sync_vector_offset(uint64_t pstate) {
  if (pstate & kPstateModeAArch32) return VectorOffset::LowerAArch32;
  if (!guest_at_el1(pstate)) return VectorOffset::LowerAArch64;
  // M[0] selects SP_ELx (h) versus SP_EL0 (t).
  return (pstate & 1) ? VectorOffset::CurrentSpx : VectorOffset::CurrentSp0;
}

uint64_t external_data_abort_esr(uint64_t pstate, bool write) {
  const ExceptionClass ec =
      guest_at_el1(pstate) ? ExceptionClass::DABT_CUR : ExceptionClass::DABT_LOW;
  const uint32_t iss = (write ? (1u << 6) : 0u) | kDfscSyncExternal;
  return make_esr(ec, true, iss);
}

}  // namespace nestlab
