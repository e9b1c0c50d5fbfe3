// Result<T>: the return type for expected failures (a vanished peer, a full
// disk, a missing file). Exceptions are kept for start-up and configuration
// errors only. Header-only; used in every process.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace postern {

struct Error {
  std::string message;  // what failed, already in words an administrator reads
  int sys_errno = 0;    // errno when a system call failed, else 0
};

// Expected<T, E>: a value or an error of type E. Result<T> is the common
// case (E = Error); protocol parsers use their own error type, e.g. imap's
// Parsed<T> = Expected<T, ParseError>.
template <class T, class E>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Expected(E error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

template <class E>
class [[nodiscard]] Expected<void, E> {
 public:
  Expected() = default;
  Expected(E error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const E& error() const { return error_; }

 private:
  E error_;
  bool ok_ = true;
};

template <class T>
using Result = Expected<T, Error>;

using Status = Result<void>;

}  // namespace postern
