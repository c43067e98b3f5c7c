// SPDX-License-Identifier: MIT
#include "exit_status.hpp"

#include <CLI/CLI.hpp>

#include <cerrno>

#include "wire/dialogue/error.hpp"
#include "wire/error.hpp"
#include "wire/ftp/error.hpp"
#include "wire/http/error.hpp"
#include "wire/smtp/error.hpp"
#include "wire/text/url.hpp"
#include "wire/tls/error.hpp"

namespace wire::cli {

const char* const kExitStatusHelp =
    "Exit status (curl's numbers):\n"
    "  0  success            2  usage              3  malformed URL\n"
    "  6  could not resolve  7  could not connect  22 HTTP status >= 400 with -f\n"
    "  23 write error        28 timeout            35 TLS handshake failed\n"
    "  47 too many redirects 60 certificate not verified\n"
    "  63 body larger than --max-filesize          1  anything else\n"
    "  FTP and SMTP: 8 unexpected reply, 9 access denied, 21 DELE/MKD refused,\n"
    "  25 upload refused, 36 resume past the end, 55 MAIL/RCPT/DATA refused,\n"
    "  64 TLS required but refused, 67 login denied, 78 no such file\n";

namespace {

// An FTP server's refusal, by the command refused, as curl numbers it (lib/ftp.c): the same
// failure against the same server exits alike (tests/ftp/cli_test.cpp, ExitStatusesAreCurls, runs both).
int status_for_ftp_reply(const ftp::ReplyError& e) noexcept {
  const std::string& verb = e.command();
  if (e.code() == 421) return kExitTimeout;  // curl: 421 at any point is "server response timeout"
  if (verb == "greeting") return kExitWeirdReply;
  if (verb == "USER" || verb == "PASS" || verb == "ACCT") return kExitLogin;
  if (verb == "AUTH" || verb == "PBSZ" || verb == "PROT") return kExitUseTls;
  if (verb == "CWD") return kExitAccessDenied;
  if (verb == "TYPE") return kExitType;
  if (verb == "PASV" || verb == "EPSV") return kExitPasv;
  if (verb == "PORT" || verb == "EPRT") return kExitPort;
  if (verb == "REST") return kExitRest;
  if (verb == "RETR" || verb == "SIZE") return e.code() == 550 ? kExitNotFound : kExitRetr;
  // curl walks into the directory (CWD) before it lists, so a missing one is "access denied".
  if (verb == "MLSD" || verb == "LIST" || verb == "NLST") return e.code() == 550 ? kExitAccessDenied : kExitRetr;
  if (verb == "STOR" || verb == "APPE" || verb == "STOU") return kExitUpload;
  if (verb.empty()) return kExitOther;
  return kExitQuote;  // DELE, MKD, RMD, RNFR, RNTO, SITE...: what curl sends with -Q
}

// An SMTP server's refusal, by the step refused (smtp::ReplyError::command()), as curl numbers
// it (lib/smtp.c); tests/smtp/cli_test.cpp (ExitStatusesAreCurls) runs both against the same servers.
int status_for_smtp_reply(const smtp::ReplyError& e) noexcept {
  std::string_view step = e.command();
  auto starts = [&](std::string_view prefix) { return step.substr(0, prefix.size()) == prefix; };
  if (starts("the connection")) return kExitWeirdReply;  // the greeting
  if (starts("EHLO") || starts("HELO")) return kExitAccessDenied;
  if (starts("STARTTLS")) return kExitUseTls;
  if (starts("AUTH")) return kExitLogin;
  if (starts("the message")) return kExitWeirdReply;  // the reply to the end of the data
  return kExitSend;  // MAIL, RCPT, DATA, RSET
}

int status_for_smtp_code(std::error_code ec) noexcept {
  switch (static_cast<smtp::Errc>(ec.value())) {
    case smtp::Errc::starttls_not_offered:
      return kExitUseTls;
    case smtp::Errc::auth_not_offered:
    case smtp::Errc::cleartext_auth:
      return kExitLogin;
    case smtp::Errc::protocol_error:
      return kExitWeirdReply;
    case smtp::Errc::smtputf8_not_offered:
    case smtp::Errc::message_too_large:
    case smtp::Errc::refused:
      return kExitSend;  // what the server would refuse at MAIL, or has refused
    case smtp::Errc::no_recipients:
      break;
  }
  return kExitOther;
}

int status_for_code(std::error_code ec) noexcept {
  if (ec == std::errc::timed_out) return kExitTimeout;
  if (ec.category() == resolver_category()) return kExitResolve;
  if (ec.category() == tls::error_category()) {
    if (ec == tls::Errc::verify_failed) return kExitCertificate;
    if (ec == tls::Errc::handshake_failed || ec == tls::Errc::unexpected_plaintext) return kExitTls;
    return kExitOther;
  }
  if (ec == http::Errc::too_many_redirects) return kExitRedirects;
  if (ec.category() == smtp::error_category()) return status_for_smtp_code(ec);
  if (ec == ftp::Errc::resume_past_end) return kExitResume;
  if (ec == ftp::Errc::bad_pasv_reply || ec == ftp::Errc::bad_epsv_reply) return kExitPasv;
  if (ec == ftp::Errc::unrepresentable_name) return kExitOther;
  if (ec.category() == ftp::error_category() || ec.category() == dialogue::error_category()) return kExitWeirdReply;
  if (ec == wire::Errc::limit_exceeded) return kExitFileSize;
  if (ec.category() == std::generic_category() || ec.category() == std::system_category()) {
    switch (ec.value()) {
      case ECONNREFUSED:
      case ENETUNREACH:
      case EHOSTUNREACH:
      case EADDRNOTAVAIL:
        return kExitConnect;
      default:
        break;
    }
  }
  return kExitOther;
}

}  // namespace

int exit_status_for(const std::exception& e) noexcept {
  if (dynamic_cast<const CLI::ParseError*>(&e) || dynamic_cast<const UsageError*>(&e)) return kExitUsage;
  if (dynamic_cast<const WriteError*>(&e)) return kExitWrite;
  if (dynamic_cast<const HttpStatusError*>(&e)) return kExitHttpStatus;
  if (dynamic_cast<const text::UrlError*>(&e)) return kExitUrl;
  if (dynamic_cast<const TimeoutError*>(&e)) return kExitTimeout;
  if (const auto* f = dynamic_cast<const ftp::ReplyError*>(&e)) return status_for_ftp_reply(*f);
  if (const auto* m = dynamic_cast<const smtp::ReplyError*>(&e)) return status_for_smtp_reply(*m);
  if (const auto* s = dynamic_cast<const std::system_error*>(&e)) return status_for_code(s->code());
  return kExitOther;
}

}  // namespace wire::cli
