#include "console/lab/hyp_guest.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <sys/mman.h>
#include <unistd.h>

#include "console/client/places.h"

namespace nestlab::lab {

HostResult<std::string> fill_nonce_slot(std::string image, std::string_view nonce) {
  const size_t prefix = kNonceSlot.find(':') + 1;
  if (nonce.size() != kNonceSlot.size() - prefix)
    return make_error(ErrorCode::InvalidArgument, "a lab nonce is 16 hex digits");
  size_t at = image.find(kNonceSlot);
  if (at == std::string::npos)
    return make_error(ErrorCode::InvalidArgument,
                      "the grading guest has no nonce slot (\"NESTLAB-NONCE:\" and 16 zeros)");
  image.replace(at + prefix, nonce.size(), nonce);
  return image;
}

std::string hyp_guest_path(const LabDefinition& lab) {
  return client::share_dir() + "/labs-built/hyp-guests/" + lab.guest;
}

HostResult<int> open_hyp_guest(const LabDefinition& lab, std::string_view nonce) {
  const std::string path = hyp_guest_path(lab);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return make_error(ErrorCode::NotFound,
                      "cannot read the lab's grading guest " + path + " (build nestlab)");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  std::string image = TRY(fill_nonce_slot(bytes.str(), nonce));
  int fd = ::memfd_create("lab-guest", MFD_CLOEXEC);
  if (fd < 0)
    return make_error(ErrorCode::Io, std::string("memfd_create: ") + std::strerror(errno));
  size_t done = 0;
  while (done < image.size()) {
    ssize_t n = ::write(fd, image.data() + done, image.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      return make_error(ErrorCode::Io,
                        std::string("cannot write the grading guest: ") + std::strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  if (::lseek(fd, 0, SEEK_SET) < 0) {
    ::close(fd);
    return make_error(ErrorCode::Io, "cannot rewind the grading guest");
  }
  return fd;
}

}  // namespace nestlab::lab
