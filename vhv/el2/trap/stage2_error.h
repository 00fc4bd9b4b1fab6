// A stage-2 change a trap handler needs and cannot make (the VM's level-3
// table pool is empty, say) ends the VM with a message that names the
// limit: running on with a block that allows everything would break the
// guarantees stage 2 gives (W^X, coherent code), silently.
#pragma once

#include "vhv/common/stage2_tables.h"
#include "vhv/el2/trap/exit_action.h"

namespace nestlab {

class Vm;
struct ExitInfo;

// Counts it (s2_pool_exhausted for an empty pool), stops the VM and returns
// ExitAction::Stop. `exit` may be null (a change outside an exit).
ExitAction stop_on_stage2_error(Vm& vm, const ExitInfo* exit, Stage2Error error, Ipa ipa);

}  // namespace nestlab
