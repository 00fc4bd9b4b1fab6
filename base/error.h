// Host-side error type: a category a caller can branch on plus a message a
// person can act on ("what was wrong and what to do").
#pragma once

#include <string>

#include "vhv/common/result.h"

namespace nestlab {

enum class ErrorCode {
  InvalidArgument,  // bad input from a user or a client
  NotFound,
  PermissionDenied,
  AlreadyExists,
  Unavailable,  // something we need is not there (kernel not running, no QEMU)
  Io,           // a system call failed
  Protocol,     // a peer broke a wire protocol
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

const char* error_code_name(ErrorCode code);

}  // namespace nestlab
