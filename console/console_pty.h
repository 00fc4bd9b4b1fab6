// `nestlab console --pty`: the guest console as a pseudo-terminal, for
// people who prefer screen, minicom or picocom. The master side is relayed
// to the console broker; the slave path is printed. We keep a slave fd of
// our own open so the master does not report hang-up between clients (one
// `screen` session quitting and another starting).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/unique_fd.h"

namespace nestlab::cli {

class ConsolePty {
 public:
  static HostResult<std::unique_ptr<ConsolePty>> open();

  const std::string& path() const { return m_path; }
  int master_fd() const { return m_master.get(); }
  ssize_t read_in(char* buf, size_t len);  // what the terminal program typed
  void write_out(std::string_view bytes);  // guest output to the terminal program

 private:
  ConsolePty(UniqueFd master, UniqueFd slave, std::string path)
      : m_master(std::move(master)), m_slave(std::move(slave)), m_path(std::move(path)) {}
  UniqueFd m_master;
  UniqueFd m_slave;  // held open; see above
  std::string m_path;
};

}  // namespace nestlab::cli
