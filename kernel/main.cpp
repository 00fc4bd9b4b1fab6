// nestlabd: the nestlab hypervisor kernel (DESIGN.md "Processes and folders").
#include <csignal>
#include <cstdio>

#include <boost/asio/io_context.hpp>

#include "kernel/kernel.h"
#include "kernel/log.h"
#include "kernel/options.h"

int main(int argc, char** argv) {
  using namespace nestlab::kernel;
  auto options = parse_options(argc, argv);
  if (options.is_error()) {
    std::fprintf(stderr, "nestlabd: %s\n", options.error().message.c_str());
    return 2;
  }
  if (options.value().help) {
    std::fputs(usage(), stdout);
    return 0;
  }
  // A client that hangs up mid-reply is an EPIPE on its socket, not our death.
  std::signal(SIGPIPE, SIG_IGN);

  boost::asio::io_context io;
  auto kernel = Kernel::create(io, options.release_value());
  if (kernel.is_error()) {
    std::fprintf(stderr, "nestlabd: %s\n", kernel.error().message.c_str());
    return 1;
  }
  kernel.value()->start();
  io.run();
  log("kernel", "exited");
  return 0;
}
