// Sending file descriptors over a Unix socket (SCM_RIGHTS, unix(7)) with
// the bytes they belong to, in one sendmsg().
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <span>

namespace nestlab {

// The most fds one message carries (the receivers' control buffers fit it).
inline constexpr size_t kMaxFdsPerMessage = 16;

// sendmsg of bytes[0..len) with `fds` attached (none: a plain send).
// MSG_NOSIGNAL: a peer that went away is EPIPE, not SIGPIPE. Returns the
// bytes sent, or -1 with errno (EINVAL for more than kMaxFdsPerMessage fds).
ssize_t send_with_fds(int fd, const void* bytes, size_t len, std::span<const int> fds);

}  // namespace nestlab
