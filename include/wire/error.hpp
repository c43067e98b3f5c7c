// SPDX-License-Identifier: MIT
// Errors shared by every wire module. Header-only but for wire::Errc's category, resolver_category()
// and throw_error(), which wire::net defines.
#pragma once

#include <string>
#include <system_error>

namespace wire {

/// Conditions wire reports that have no errno of their own.
/// Compare with `ec == wire::Errc::unexpected_eof`.
enum class Errc {
  unexpected_eof = 1,  ///< the peer closed before the data the call needed arrived
  limit_exceeded,      ///< a size limit was reached (e.g. no delimiter within max bytes)
  bad_line_ending,     ///< a bare CR or LF where only CRLF may end a line
};

/// The category of wire::Errc values; its name() is "wire".
const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

/// The category of getaddrinfo() failures (EAI_* values), named "resolver".
const std::error_category& resolver_category() noexcept;

/// Thrown when an operation's timeout or deadline passes, like Python's TimeoutError.
/// It is a std::system_error with code std::errc::timed_out, so code that catches
/// std::system_error sees it too.
///   try { sock.recv(1024); } catch (const wire::TimeoutError&) { ... }
class TimeoutError : public std::system_error {
 public:
  explicit TimeoutError(const std::string& what)
      : std::system_error(std::make_error_code(std::errc::timed_out), what) {}
};

/// A std::system_error whose what() is exactly the message given, without system_error's
/// ": <category message>" suffix: the base of every module's typed error (http::Error,
/// tls::Error, dialogue::Error, ftp::Error, mime::Error, ...), so one catch sees them all.
///   catch (const wire::Error& e) { std::cerr << e.what(); e.code(); }
class Error : public std::system_error {
 public:
  Error(std::error_code ec, const std::string& what) : std::system_error(ec, what), what_(what) {}
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  std::string what_;
};

namespace detail {

/// The std::error_category of a module's error enum: a name and the message of each value.
///   static const NamedCategory category("http", describe);   // describe(int) -> std::string
class NamedCategory final : public std::error_category {
 public:
  constexpr NamedCategory(const char* name, std::string (*describe)(int)) noexcept
      : name_(name), describe_(describe) {}
  const char* name() const noexcept override { return name_; }
  std::string message(int value) const override { return describe_(value); }

 private:
  const char* name_;
  std::string (*describe_)(int);
};

}  // namespace detail

/// Throws the exception DESIGN.md prescribes for `ec`: TimeoutError for timed_out,
/// std::system_error otherwise. `what` names the operation and the peer
/// ("connect to 127.0.0.1:9"); the error's message is appended after ": ".
[[noreturn]] void throw_error(std::error_code ec, const std::string& what);

}  // namespace wire

template <>
struct std::is_error_code_enum<wire::Errc> : std::true_type {};
