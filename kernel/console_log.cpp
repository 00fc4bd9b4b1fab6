#include "kernel/console_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "kernel/console_disk.h"
#include "kernel/log.h"

namespace nestlab::kernel {
namespace {

size_t file_size(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
}

}  // namespace

ConsoleLog::ConsoleLog(std::string path, size_t cap_bytes, ConsoleDisk* disk, uid_t owner)
    : m_path(std::move(path)),
      m_cap(cap_bytes),
      m_file_limit(cap_bytes / 2 ? cap_bytes / 2 : 1),
      m_disk(disk),
      m_owner(owner) {
  if (m_path.empty() || m_cap == 0) {
    m_failed = true;
    m_disk = nullptr;
    return;
  }
  // What an earlier run of this VHV left counts against the caps at once.
  m_size = std::min(file_size(m_path), m_file_limit);
  m_rotated = file_size(m_path + ".1");
  if (m_disk) {
    m_disk->add(m_owner, this, m_size + m_rotated);
    if (m_rotated) m_rotated_at = m_disk->next_rotation();
  }
}

ConsoleLog::~ConsoleLog() {
  if (m_disk) m_disk->remove(m_owner, this, m_size + m_rotated);
}

void ConsoleLog::set_sizes(size_t current, size_t rotated) {
  if (m_disk) {
    m_disk->shrank(m_owner, m_size + m_rotated);
    m_disk->grew(m_owner, current + rotated);
  }
  m_size = current;
  m_rotated = rotated;
}

void ConsoleLog::open_file(Truncate truncate) {
  // Appending to what is there keeps a VHV's log across a kernel restart
  // (the kernel re-adopts running VHVs); the size found counts against
  // the cap like anything written now.
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(m_path).parent_path(), ec);
  const int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW |
                    (truncate == Truncate::Yes ? O_TRUNC : 0);
  m_fd.reset(::open(m_path.c_str(), flags, 0600));
  if (!m_fd) {
    log("console", "cannot write the console log " + m_path + ": " + std::strerror(errno) +
                       "; the console keeps only its in-memory ring");
    m_failed = true;
    return;
  }
  struct stat st;
  size_t size = ::fstat(m_fd.get(), &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
  set_sizes(std::min(size, m_file_limit), m_rotated);
}

void ConsoleLog::rotate() {
  if (::rename(m_path.c_str(), (m_path + ".1").c_str()) != 0) {
    log("console", "cannot rotate " + m_path + ": " + std::strerror(errno));
    m_failed = true;
    m_fd.reset();
    return;
  }
  set_sizes(0, m_size);
  if (m_disk) m_rotated_at = m_disk->next_rotation();
  open_file(Truncate::Yes);
}

void ConsoleLog::drop_rotated() {
  log("console", "removing " + m_path + ".1: uid " + std::to_string(m_owner) +
                     "'s console logs reached the per-user bound \"console-disk\" (" +
                     std::to_string(m_disk ? m_disk->cap() : m_cap) + " bytes)");
  ::unlink((m_path + ".1").c_str());
  set_sizes(m_size, 0);
}

void ConsoleLog::restart() {
  log("console", m_path + " starts afresh: uid " + std::to_string(m_owner) +
                     "'s console logs reached the per-user bound \"console-disk\" (" +
                     std::to_string(m_disk ? m_disk->cap() : m_cap) + " bytes)");
  if (m_fd) {
    if (::ftruncate(m_fd.get(), 0) != 0) {
      m_failed = true;
      m_fd.reset();
    }
  } else {
    (void)!::truncate(m_path.c_str(), 0);
  }
  set_sizes(0, m_rotated);
}

void ConsoleLog::append(std::string_view bytes) {
  while (!bytes.empty() && !m_failed) {
    if (!m_fd) open_file(Truncate::No);
    if (m_failed) return;
    if (m_size == m_file_limit) rotate();
    if (m_failed) return;
    const size_t n = std::min(bytes.size(), m_file_limit - m_size);
    if (m_disk) m_disk->make_room(m_owner, n);
    const ssize_t w = ::write(m_fd.get(), bytes.data(), n);
    if (w <= 0) {
      log("console", "writing " + m_path + ": " + std::strerror(errno) + "; disk log stopped");
      m_failed = true;
      m_fd.reset();
      return;
    }
    set_sizes(m_size + static_cast<size_t>(w), m_rotated);
    bytes.remove_prefix(static_cast<size_t>(w));
  }
}

}  // namespace nestlab::kernel
