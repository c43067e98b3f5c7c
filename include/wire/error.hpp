// SPDX-License-Identifier: MIT
// Errors shared by every wire module.
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

/// Throws the exception DESIGN.md prescribes for `ec`: TimeoutError for timed_out,
/// std::system_error otherwise. `what` names the operation and the peer
/// ("connect to 127.0.0.1:9"); the error's message is appended after ": ".
[[noreturn]] void throw_error(std::error_code ec, const std::string& what);

}  // namespace wire

template <>
struct std::is_error_code_enum<wire::Errc> : std::true_type {};
