// SPDX-License-Identifier: MIT
// The exit status of every `wire` command, by the cause of its failure, numbered as curl's are
// (a script written for curl reads them alike), and the errors only the tool raises.
#pragma once

#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>

#include "wire/error.hpp"

namespace wire::cli {

inline constexpr int kExitOther = 1;        ///< anything not below
inline constexpr int kExitUsage = 2;        ///< the command line is wrong
inline constexpr int kExitUrl = 3;          ///< a malformed URL
inline constexpr int kExitResolve = 6;      ///< the host name did not resolve
inline constexpr int kExitConnect = 7;      ///< the connection was refused or unreachable
inline constexpr int kExitHttpStatus = 22;  ///< HTTP status 400 or more, with -f/--fail
inline constexpr int kExitWrite = 23;       ///< the output could not be written
inline constexpr int kExitTimeout = 28;     ///< a timeout passed
inline constexpr int kExitTls = 35;         ///< the TLS handshake failed
inline constexpr int kExitRedirects = 47;   ///< more redirects than --max-redirects
inline constexpr int kExitCertificate = 60; ///< the server's certificate was not verified
inline constexpr int kExitFileSize = 63;    ///< the body is larger than --max-filesize

/// The table above as --help prints it (`wire http get --help`, `wire tcp send --help`).
extern const char* const kExitStatusHelp;

/// A mistake on the command line found once parsing is done (a value out of range, a
/// malformed --resolve): exit 2.
///   throw UsageError("--resolve wants HOST:PORT:ADDRESS, not 'x'");
class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// The output could not be written (no such directory, disk full, binary data refused on a
/// terminal): exit 23. A std::system_error (a wire::Error), so callers catching those see it.
///   throw WriteError(errno, "writing out.bin");   // "writing out.bin: No space left on device"
class WriteError : public wire::Error {
 public:
  WriteError(int error, const std::string& what)
      : wire::Error(std::error_code(error, std::generic_category()), what + ": " + std::strerror(error)) {}
  explicit WriteError(const std::string& what) : wire::Error(std::error_code(), what) {}
};

/// An HTTP status of 400 or more under -f/--fail: exit 22.
///   throw HttpStatusError(url + ": the server answered 404 Not Found");
class HttpStatusError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A failure a command has already reported (or was told to keep quiet about, as `-s` does):
/// main() exits with `status` and prints nothing more.
struct ReportedFailure {
  int status;
};

/// The exit status for the error a command failed with: one mapping, from the library's typed
/// errors (resolver category, errno, TimeoutError, tls::Errc, http::Errc,
/// wire::Errc::limit_exceeded), CLI11's parse errors and the errors above.
int exit_status_for(const std::exception& e) noexcept;

}  // namespace wire::cli
