// Small helpers shared by the userworld tests.
#pragma once

#include <unistd.h>

#include <string>

namespace nestlab::userworld::test_support {

// Everything readable from fd until EOF (or an error).
inline std::string read_all(int fd) {
  std::string out;
  char buf[512];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace nestlab::userworld::test_support
