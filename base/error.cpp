#include "base/error.h"

#include <cerrno>
#include <cstring>

namespace nestlab {

Err<Error> errno_error(const std::string& what) {
  int saved = errno;
  return make_error(ErrorCode::Io, what + ": " + std::strerror(saved));
}

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return "invalid-argument";
    case ErrorCode::NotFound: return "not-found";
    case ErrorCode::PermissionDenied: return "permission-denied";
    case ErrorCode::AlreadyExists: return "already-exists";
    case ErrorCode::Unavailable: return "unavailable";
    case ErrorCode::Io: return "io";
    case ErrorCode::Protocol: return "protocol";
    case ErrorCode::LimitReached: return "limit-reached";
    case ErrorCode::Internal: return "internal";
  }
  return "internal";
}

ErrorCode error_code_from_name(std::string_view name) {
  for (ErrorCode c : {ErrorCode::InvalidArgument, ErrorCode::NotFound, ErrorCode::PermissionDenied,
                      ErrorCode::AlreadyExists, ErrorCode::Unavailable, ErrorCode::Io,
                      ErrorCode::Protocol, ErrorCode::LimitReached})
    if (name == error_code_name(c)) return c;
  return ErrorCode::Internal;
}

}  // namespace nestlab
