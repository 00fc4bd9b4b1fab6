#include "vhv/el2/trap/stage2_error.h"

#include "vhv/el2/stage2/stage2.h"
#include "vhv/el2/trap/trace.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {

ExitAction stop_on_stage2_error(Vm& vm, const ExitInfo* exit, Stage2Error error, Ipa ipa) {
  using ull = unsigned long long;
  if (error == Stage2Error::PoolExhausted) {
    count(TraceWriter::stats().s2_pool_exhausted);
    vm.stop(channel::VmExitReason::Fault, 0, exit,
            "stage 2 ran out of level-3 tables at ipa 0x%llx: each 2 MiB block of guest RAM that "
            "holds code needs one, and this VM's pool of %u (Stage2::kPageTables, enough for %u "
            "MiB of RAM) is used up; the lowvisor does not give a block full permissions instead",
            ull(ipa.value()), Stage2::kPageTables, unsigned(Stage2::kPageTables * 2));
  } else {
    vm.stop(channel::VmExitReason::Fault, 0, exit, "stage 2 refused a change at ipa 0x%llx: %s",
            ull(ipa.value()), stage2_error_text(error));
  }
  return ExitAction::Stop;
}

}  // namespace nestlab
