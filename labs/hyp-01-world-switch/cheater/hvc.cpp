// A cheater: the lines a passing run shows, printed without running the
// guest (the nonce is not known here, so it guesses one).
#include "hyp.h"

namespace hyp {

ExitAction handle_hvc(Vcpu&) { return ExitAction::Unhandled; }

}  // namespace hyp

extern "C" [[noreturn]] void cheat() {
  hyp::puts("guest: hello from EL1, nonce 0000000000000000\n");
  for (int i = 1; i <= 4; ++i) {
    hyp::puts("guest: hvc ");
    hyp::put_dec(i);
    hyp::puts(" of 4: x0+1 ok, registers kept, nonce 0000000000000000\n");
  }
  hyp::puts("guest: 4 of 4 hypercalls returned x0+1, nonce 0000000000000000\n");
  hyp::system_off(0);
}
