// SPDX-License-Identifier: MIT
// wire::smtp errors: a server's refusal (ReplyError, with the reply code and the RFC 3463
// enhanced status code), and what the client refuses to do on its own (Errc, Error).
#pragma once

#include <string>
#include <system_error>
#include <vector>

#include "wire/error.hpp"

namespace wire::smtp {

/// One SMTP reply, as the client reports it: the code, the enhanced status code (RFC 3463,
/// "5.1.1"; empty when the server gave none) and the text of its lines, joined with "\n",
/// without the enhanced code.
///   Reply r = result.recipients[0].reply;   if (!r.positive()) std::cout << r.code;
struct Reply {
  int code = 0;
  std::string enhanced_code;
  std::string text;

  bool positive() const noexcept { return code >= 200 && code < 400; }
  bool transient() const noexcept { return code >= 400 && code < 500; }  ///< 4yz: may work later
  bool permanent() const noexcept { return code >= 500; }                ///< 5yz
  bool operator==(const Reply&) const = default;
};

/// The server refused a command (a 4yz or 5yz reply, or an unexpected one): which command,
/// and the reply. What a caller of smtplib catches as SMTPResponseException. A wire::Error
/// whose error_code is Errc::refused; code() here is the reply's code (DESIGN.md's
/// `ReplyError{code, enhanced_code, text}`), error_code() the std::error_code.
///   try { client.send(msg); } catch (const smtp::ReplyError& e) { e.code(); e.enhanced_code(); }
class ReplyError : public wire::Error {
 public:
  /// `command` names what was refused ("MAIL FROM:<a@example.org>", "DATA", "greeting");
  /// `peer` is "host:port".
  ReplyError(std::string command, Reply reply, const std::string& peer);

  int code() const noexcept { return reply_.code; }
  std::error_code error_code() const noexcept { return std::system_error::code(); }
  const std::string& enhanced_code() const noexcept { return reply_.enhanced_code; }
  const std::string& text() const noexcept { return reply_.text; }
  const std::string& command() const noexcept { return command_; }
  const Reply& reply() const noexcept { return reply_; }
  /// 4yz: the same command may succeed later (RFC 5321 §4.2.1).
  bool transient() const noexcept { return reply_.transient(); }

 private:
  std::string command_;
  Reply reply_;
};

/// What the client refused to do before sending anything that would have done it.
/// Compare with `ec == wire::smtp::Errc::starttls_not_offered`.
enum class Errc {
  starttls_not_offered = 1,  ///< STARTTLS was required and the server does not offer it (RFC 3207)
  auth_not_offered,          ///< credentials were given and the server offers no AUTH mechanism we speak
  cleartext_auth,            ///< AUTH over a connection without TLS, not allowed (RFC 4954 §4: use TLS)
  smtputf8_not_offered,      ///< a UTF-8 address and a server without SMTPUTF8 (RFC 6531 §3.4)
  message_too_large,         ///< the message is larger than the server's SIZE (RFC 1870 §6)
  no_recipients,             ///< a message without recipients
  protocol_error,            ///< the server broke the dialogue (a reply that cannot be right)
  refused,                   ///< the server refused a command (ReplyError)
};

/// The category of smtp::Errc; its name() is "smtp".
const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), error_category()}; }

/// A refusal of the client's own, or a broken dialogue, as an exception: nothing that
/// needed the refused step was sent.
///   catch (const smtp::Error& e) { if (e.code() == smtp::Errc::starttls_not_offered) ... }
class Error : public wire::Error {
 public:
  using wire::Error::Error;
  Error(Errc code, const std::string& what) : wire::Error(make_error_code(code), what) {}
};

/// Every recipient was refused: the message was not sent. recipients() holds each reply.
///   catch (const smtp::RecipientsRefused& e) { for (auto& r : e.recipients()) ... }
class RecipientsRefused : public ReplyError {
 public:
  struct Refusal {
    std::string address;
    Reply reply;
  };
  RecipientsRefused(std::vector<Refusal> refusals, const std::string& peer);
  const std::vector<Refusal>& recipients() const noexcept { return refusals_; }

 private:
  std::vector<Refusal> refusals_;
};

}  // namespace wire::smtp

template <>
struct std::is_error_code_enum<wire::smtp::Errc> : std::true_type {};
