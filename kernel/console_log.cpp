#include "kernel/console_log.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "kernel/log.h"

namespace nestlab::kernel {

ConsoleLog::ConsoleLog(std::string path, size_t cap_bytes)
    : m_path(std::move(path)), m_cap(cap_bytes), m_file_limit(cap_bytes / 2 ? cap_bytes / 2 : 1) {
  if (m_path.empty() || m_cap == 0) {
    m_failed = true;
    return;
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(m_path).parent_path(), ec);
  open_file(Truncate::No);
}

void ConsoleLog::open_file(Truncate truncate) {
  // Appending to what is there keeps a VHV's log across a kernel restart
  // (the kernel re-adopts running VHVs); the size found counts against
  // the cap like anything written now.
  const int flags =
      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate == Truncate::Yes ? O_TRUNC : 0);
  m_fd.reset(::open(m_path.c_str(), flags, 0600));
  m_size = 0;
  struct stat st;
  if (m_fd && ::fstat(m_fd.get(), &st) == 0)
    m_size = std::min(static_cast<size_t>(st.st_size), m_file_limit);
  if (!m_fd) {
    log("console", "cannot write the console log " + m_path + ": " + std::strerror(errno) +
                       "; the console keeps only its in-memory ring");
    m_failed = true;
  }
}

void ConsoleLog::rotate() {
  if (::rename(m_path.c_str(), (m_path + ".1").c_str()) != 0) {
    log("console", "cannot rotate " + m_path + ": " + std::strerror(errno));
    m_failed = true;
    m_fd.reset();
    return;
  }
  open_file(Truncate::Yes);
}

void ConsoleLog::append(std::string_view bytes) {
  while (!bytes.empty() && !m_failed) {
    if (m_size == m_file_limit) rotate();
    if (m_failed) return;
    const size_t n = std::min(bytes.size(), m_file_limit - m_size);
    const ssize_t w = ::write(m_fd.get(), bytes.data(), n);
    if (w <= 0) {
      log("console", "writing " + m_path + ": " + std::strerror(errno) + "; disk log stopped");
      m_failed = true;
      m_fd.reset();
      return;
    }
    m_size += static_cast<size_t>(w);
    bytes.remove_prefix(static_cast<size_t>(w));
  }
}

}  // namespace nestlab::kernel
