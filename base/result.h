// Result<T, E>: a value or an error, no exceptions. Usable freestanding (the
// lowvisor) and on the host. TRY(expr) returns the error from the enclosing
// function, otherwise yields the value (GNU statement expression, as in
// SerenityOS AK/Try.h).
#pragma once

#include <new>
#include <type_traits>
#include <utility>

namespace nestlab {

template <typename E>
struct Err {
  E error;
};
template <typename E>
Err(E) -> Err<E>;

template <typename T, typename E>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_ok(true) {
    new (&m_value) T(std::move(value));
  }  // NOLINT(google-explicit-constructor)
  template <typename E2>
  Result(Err<E2> e) : m_ok(false) {  // NOLINT(google-explicit-constructor)
    new (&m_error) E(std::move(e.error));
  }
  Result(Result&& o) noexcept : m_ok(o.m_ok) {
    if (m_ok)
      new (&m_value) T(std::move(o.m_value));
    else
      new (&m_error) E(std::move(o.m_error));
  }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result& operator=(Result&&) = delete;
  ~Result() {
    if (m_ok)
      m_value.~T();
    else
      m_error.~E();
  }

  bool is_ok() const { return m_ok; }
  bool is_error() const { return !m_ok; }
  explicit operator bool() const { return m_ok; }
  T& value() & { return m_value; }
  const T& value() const& { return m_value; }
  T release_value() { return std::move(m_value); }
  const E& error() const { return m_error; }
  E release_error() { return std::move(m_error); }

 private:
  bool m_ok;
  union {
    T m_value;
    E m_error;
  };
};

struct Unit {};

template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() : m_ok(true) {}
  template <typename E2>
  Result(Err<E2> e)
      : m_ok(false), m_error(std::move(e.error)) {}  // NOLINT(google-explicit-constructor)
  bool is_ok() const { return m_ok; }
  bool is_error() const { return !m_ok; }
  explicit operator bool() const { return m_ok; }
  Unit release_value() { return {}; }
  const E& error() const { return m_error; }
  E release_error() { return std::move(m_error); }

 private:
  bool m_ok;
  E m_error{};
};

}  // namespace nestlab

// NOLINTNEXTLINE(cppcoreguidelines-macro-usage)
#define TRY(expr)                                                                   \
  ({                                                                                \
    auto _try_result = (expr);                                                      \
    if (_try_result.is_error()) return ::nestlab::Err{_try_result.release_error()}; \
    _try_result.release_value();                                                    \
  })
