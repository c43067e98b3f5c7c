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
inline constexpr int kExitWeirdReply = 8;   ///< FTP, SMTP: a malformed reply, a greeting not 220; SMTP: the
                                            ///< message refused at its end (curl's numbers, all three)
inline constexpr int kExitAccessDenied = 9; ///< FTP: a directory refused (CWD, a listing); SMTP: EHLO/HELO refused
inline constexpr int kExitPasv = 13;        ///< FTP: PASV/EPSV refused or its reply malformed
inline constexpr int kExitType = 17;        ///< FTP: TYPE I refused
inline constexpr int kExitRetr = 19;        ///< FTP: RETR or a listing refused otherwise than 550
inline constexpr int kExitQuote = 21;       ///< FTP: a command of its own refused (DELE, MKD: curl -Q)
inline constexpr int kExitHttpStatus = 22;  ///< HTTP status 400 or more, with -f/--fail
inline constexpr int kExitWrite = 23;       ///< the output could not be written
inline constexpr int kExitUpload = 25;      ///< FTP: STOR/APPE refused
inline constexpr int kExitTimeout = 28;     ///< a timeout passed; FTP: 421, the server closing
inline constexpr int kExitPort = 30;        ///< FTP: PORT/EPRT refused
inline constexpr int kExitRest = 31;        ///< FTP: REST refused
inline constexpr int kExitTls = 35;         ///< the TLS handshake failed
inline constexpr int kExitResume = 36;      ///< FTP: resuming past the end of the remote file
inline constexpr int kExitRedirects = 47;   ///< more redirects than --max-redirects
inline constexpr int kExitSend = 55;        ///< SMTP: MAIL, RCPT or DATA refused (the message did not go)
inline constexpr int kExitCertificate = 60; ///< the server's certificate was not verified
inline constexpr int kExitFileSize = 63;    ///< the body is larger than --max-filesize
inline constexpr int kExitUseTls = 64;      ///< FTP, SMTP: TLS was required and the server refused it
inline constexpr int kExitLogin = 67;       ///< FTP, SMTP: the login (USER/PASS, AUTH) was refused
inline constexpr int kExitNotFound = 78;    ///< FTP: the file does not exist (550 to RETR)

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
/// wire::Errc::limit_exceeded, the FTP and SMTP refusals by the command refused), CLI11's
/// parse errors and the errors above.
int exit_status_for(const std::exception& e) noexcept;

}  // namespace wire::cli
