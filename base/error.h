// Host-side error type: a category a caller can branch on plus a message a
// person can act on ("what was wrong and what to do").
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace nestlab {

enum class ErrorCode {
  InvalidArgument,  // bad input from a user or a client
  NotFound,
  PermissionDenied,
  AlreadyExists,
  Unavailable,   // something we need is not there (kernel not running, no QEMU)
  Io,            // a system call failed
  Protocol,      // a peer broke a wire protocol
  LimitReached,  // a per-user bound of the kernel (docs/protocols.md, "Per-user bounds")
  Internal,
};

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
};

template <typename T = void>
using HostResult = Result<T, Error>;

inline Err<Error> make_error(ErrorCode code, std::string message) {
  return Err<Error>{Error{code, std::move(message)}};
}

// An Err for a failed system call: "what: strerror(errno)".
Err<Error> errno_error(const std::string& what);

// The wire name of a code ("invalid-argument", "not-found", ...), as the
// client API's data.code and the control protocol's error.code carry it.
const char* error_code_name(ErrorCode code);
// The inverse of error_code_name; an unknown name is Internal.
ErrorCode error_code_from_name(std::string_view name);

}  // namespace nestlab
