// SPDX-License-Identifier: MIT
#include "wire/smtp/error.hpp"

#include <utility>

namespace wire::smtp {
namespace {

std::string describe(const std::string& command, const Reply& reply, const std::string& peer) {
  std::string what = "SMTP server " + peer + " refused " + command + ": " + std::to_string(reply.code);
  if (!reply.enhanced_code.empty()) what += " " + reply.enhanced_code;
  if (!reply.text.empty()) what += " " + reply.text;
  for (char& c : what) {
    if (c == '\n') c = ' ';  // one line, like every error wire prints
  }
  return what;
}

std::string describe_smtp(int value) {
  switch (static_cast<Errc>(value)) {
    case Errc::starttls_not_offered: return "the server does not offer STARTTLS";
    case Errc::auth_not_offered: return "the server offers no AUTH mechanism the client speaks";
    case Errc::cleartext_auth: return "AUTH over a connection without TLS";
    case Errc::smtputf8_not_offered: return "a UTF-8 address, and the server does not offer SMTPUTF8";
    case Errc::message_too_large: return "the message is larger than the server takes";
    case Errc::no_recipients: return "a message without recipients";
    case Errc::protocol_error: return "the server broke the SMTP dialogue";
    case Errc::refused: return "the server refused a command";
  }
  return "unknown SMTP error " + std::to_string(value);
}

}  // namespace

ReplyError::ReplyError(std::string command, Reply reply, const std::string& peer)
    : wire::Error(make_error_code(Errc::refused), describe(command, reply, peer)), command_(std::move(command)), reply_(std::move(reply)) {}

RecipientsRefused::RecipientsRefused(std::vector<Refusal> refusals, const std::string& peer)
    : ReplyError(refusals.empty() ? "RCPT" : "every recipient (RCPT TO:<" + refusals.front().address + ">, ...)",
                 refusals.empty() ? Reply{} : refusals.front().reply, peer),
      refusals_(std::move(refusals)) {}

const std::error_category& error_category() noexcept {
  static const wire::detail::NamedCategory category("smtp", describe_smtp);
  return category;
}

}  // namespace wire::smtp
