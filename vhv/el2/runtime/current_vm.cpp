#include "vhv/el2/runtime/current_vm.h"

namespace nestlab::detail {
unsigned g_current_vm_slot[kMaxCpus];
}  // namespace nestlab::detail
