// SPDX-License-Identifier: MIT
// The server's commands that read more than their line: DATA (the message, its end only at
// CRLF.CRLF — RFC 5321 §4.1.1.4 — and on disk before the 250), STARTTLS (RFC 3207) and
// AUTH (RFC 4954).
#include <cerrno>
#include <ctime>

#include "server_impl.hpp"
#include "wire/io/reader.hpp"
#include "wire/io/timeout.hpp"
#include "wire/smtp/data_parser.hpp"
#include "wire/smtp/envelope.hpp"
#include "wire/smtp/sasl.hpp"
#include "wire/text/base64.hpp"
#include "wire/text/chars.hpp"
#include "wire/text/date.hpp"
#include "wire/text/fields.hpp"
#include "wire/tls/async_stream.hpp"

namespace wire::smtp::detail {

namespace {

// What the client said its name was, safe for a header: printable ASCII, no spaces.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    out += (u > 0x20 && u < 0x7f && c != '(' && c != ')') ? c : '?';
  }
  return out.empty() ? std::string("unknown") : out;
}

}  // namespace

// Return-Path (RFC 5321 §4.4, the final delivery's) and Received (§4.4, with-protocols of
// RFC 3848 and RFC 6531 §3.7.3), the fields put before the message.
std::string Conversation::trace_fields() {
  std::string out;
  std::string id = std::to_string(::time(nullptr)) + "." + std::to_string(++srv_.ids);
  std::string with = session_.helo.empty() ? "SMTP" : (smtputf8_ ? "UTF8SMTP" : "ESMTP");
  if (with != "SMTP") {
    if (s_.is_tls()) with += 'S';
    if (!session_.user.empty()) with += 'A';
  }
  std::string value = "from " + printable(session_.helo) + " ([" + session_.peer.host() + "]) by " + srv_.hostname +
                      " (wire) with " + with + " id " + id;
  if (session_.recipients.size() == 1) value += " for <" + session_.recipients.front() + ">";
  value += "; " + text::format_mail_date(::time(nullptr));
  try {
    text::append_field(out, "Return-Path", "<" + session_.from + ">", 0);
    text::append_field(out, "Received", value, 78);
  } catch (const std::invalid_argument&) {  // an address with a control character cannot get here
    out.clear();
    text::append_field(out, "Received", "by " + srv_.hostname + " (wire) id " + id, 78);
  }
  return out;
}

io::Task<bool> Conversation::data() {
  if (!in_mail_) {
    reply(503, "5.5.1", "Need MAIL first");
    co_return true;
  }
  if (session_.recipients.empty()) {  // RFC 2920 §3.1: DATA after no valid RCPT is refused
    reply(554, "5.5.1", "No valid recipients");
    co_return true;
  }
  reply(354, {}, "End data with <CR><LF>.<CR><LF>");
  std::optional<Maildir::Delivery> file;
  if (srv_.maildir) file.emplace(srv_.maildir->begin());
  std::string whole;
  std::optional<Verdict> refused;
  if (!co_await receive_data(file, whole, refused)) co_return false;
  Verdict v = refused ? *refused : finish_message(file, whole);
  srv_.log("message from <" + session_.from + "> for " + std::to_string(session_.recipients.size()) +
           " recipient(s), " + std::to_string(message_size_) + " bytes: " + std::to_string(v.code) + " " +
           v.enhanced_code + " " + v.text);
  reply(v.code, v.enhanced_code, v.text);
  if (v.accepted()) ++srv_.accepted;
  reset_transaction();
  co_return true;
}

// Reads the data to its end, handing the bytes to the maildir file and/or `whole`. A
// message that breaks a rule is still read to its end, then refused there. false: the
// connection ended first.
io::Task<bool> Conversation::receive_data(std::optional<Maildir::Delivery>& file, std::string& whole,
                                          std::optional<Verdict>& refused) {
  DataLimits dl{.max_message_size = limits_.max_message_size, .max_line_length = limits_.max_data_line};
  DataParser parser(dl);
  std::error_code ec;
  bool keep_whole = static_cast<bool>(srv_.options.on_message);
  std::string& chunk = w_.chunk;
  chunk = trace_fields();
  if (!co_await flush()) co_return false;  // the 354 must reach the client before it sends
  s_.plain().set_read_timeout(limits_.idle_timeout);
  for (;;) {
    std::size_t used = parser.feed(in_.view(), chunk);
    in_.consume(used);
    if (parser.problem() == DataProblem::none && !chunk.empty()) {
      if (file) file->write(chunk, ec);
      if (keep_whole) whole += chunk;
    }
    chunk.clear();
    if (parser.done()) break;
    std::size_t n = co_await s_.read_some(in_.space(), ec);
    if (ec || n == 0) co_return false;
    in_.commit(n);
  }
  message_size_ = parser.size();
  switch (parser.problem()) {
    case DataProblem::none:
      co_return true;
    case DataProblem::bare_cr:
    case DataProblem::bare_lf:
      // The smuggling defence (CVE-2023-51764/5/6): never deliver what another server
      // could have ended elsewhere.
      refused = Verdict::refuse(550, "5.5.2", "Bare CR or LF in the message data (RFC 5321 2.3.8)");
      break;
    case DataProblem::too_large:
      refused = Verdict::refuse(552, "5.3.4", "Message size exceeds fixed maximum message size");
      break;
    case DataProblem::line_too_long:
      refused = Verdict::refuse(500, "5.5.2", "Line too long in the message data (RFC 5321 4.5.3.1.6)");
      break;
  }
  file.reset();  // removes the temporary file
  whole.clear();
  co_return true;
}

// The verdict after a complete message: the handler's, then the maildir's (a 250 only once
// the file is on disk).
Verdict Conversation::finish_message(std::optional<Maildir::Delivery>& file, const std::string& whole) {
  Verdict v;
  if (srv_.options.on_message) v = srv_.options.on_message(session_, whole);
  if (!v.accepted()) return v;
  if (file) {
    std::error_code ec;
    std::string name = file->commit(ec);
    if (ec == std::errc::no_space_on_device || ec.value() == EDQUOT) {
      return Verdict::refuse(452, "4.3.1", "Insufficient system storage");  // RFC 3463 X.3.1
    }
    if (ec) return Verdict::refuse(451, "4.3.0", "Local error in processing: cannot store the message");
    return Verdict{250, "2.0.0", "OK: queued as " + name};
  }
  return v;
}

io::Task<bool> Conversation::starttls(std::string_view arg) {
  if (!srv_.options.tls || s_.is_tls()) {
    reply(s_.is_tls() ? 503 : 502, "5.5.1", s_.is_tls() ? "TLS already active" : "STARTTLS not available");
    co_return true;
  }
  if (!arg.empty()) {
    reply(501, "5.5.4", "Syntax: STARTTLS");
    co_return true;
  }
  reply(220, "2.0.0", "Ready to start TLS");
  if (!co_await flush()) co_return false;
  // RFC 3207 §6, CVE-2011-0411: what the client sent after STARTTLS came in clear and must
  // not be read as if it came over TLS. It is dropped, and the parser starts afresh.
  std::string dropped = in_.take_unread();
  if (!dropped.empty()) {
    srv_.log("STARTTLS from " + session_.peer.to_string() + ": " + std::to_string(dropped.size()) +
             " byte(s) sent in clear after the command dropped");
  }
  parser_ = dialogue::CommandParser(dialogue::Syntax::smtp, parser_.limits());
  io::Stream plain = std::move(s_.plain());
  s_ = tls::AnyStream(tls::AsyncStream(std::move(plain), *srv_.options.tls));
  try {
    co_await io::with_timeout(s_.tls().handshake(), limits_.idle_timeout);
  } catch (const std::exception&) {
    co_return false;
  }
  // RFC 3207 §4.2: the server forgets what it knew; the client starts with EHLO again.
  reset_transaction();
  session_.helo.clear();
  session_.tls = true;
  co_return true;
}

// One line of a SASL exchange, after `challenge` (a 334).
io::Task<std::optional<std::string>> Conversation::sasl_response(std::string_view challenge,
                                                                 std::string_view initial) {
  if (!initial.empty()) co_return std::string(initial == "=" ? std::string_view() : initial);  // §4: "=" is empty
  reply(334, {}, challenge);
  if (!co_await flush()) co_return std::nullopt;
  std::error_code ec;
  auto line = co_await io::read_line(s_, in_, limits_.max_command_line, net::LineEnd::crlf, ec);
  if (!line) co_return std::nullopt;
  co_return std::string(*line);
}

io::Task<bool> Conversation::auth(std::string_view arg) {
  if (!srv_.options.authenticate) {
    reply(502, "5.5.1", "AUTH not available");
    co_return true;
  }
  if (!auth_offered()) {
    reply(538, "5.7.11", "Encryption required for requested authentication mechanism");  // RFC 4954 §6
    co_return true;
  }
  if (!session_.user.empty() || in_mail_ || session_.helo.empty()) {
    reply(503, "5.5.1", session_.user.empty() ? "Bad sequence of commands" : "Already authenticated");
    co_return true;
  }
  std::size_t sp = arg.find(' ');
  std::string mech = text::to_upper(arg.substr(0, sp));
  std::string_view initial = sp == std::string_view::npos ? std::string_view() : arg.substr(sp + 1);
  std::string user, password;
  bool decoded = false, cancelled = false;
  if (mech == "PLAIN") {
    auto response = co_await sasl_response("", initial);
    if (!response) co_return false;
    cancelled = *response == "*";
    if (auto c = parse_sasl_plain(*response); c && !cancelled) {
      user = c->user;
      password = c->password;
      decoded = c->authzid.empty() || c->authzid == c->user;
    }
  } else if (mech == "LOGIN") {
    auto u = co_await sasl_response("VXNlcm5hbWU6", initial);  // "Username:"
    if (!u) co_return false;
    std::optional<std::string> p;
    if (*u != "*") p = co_await sasl_response("UGFzc3dvcmQ6", {});  // "Password:"
    else cancelled = true;
    if (!cancelled && !p) co_return false;
    if (p && *p == "*") cancelled = true;
    auto du = text::base64_decode(*u);
    auto dp = p ? text::base64_decode(*p) : std::nullopt;
    if (du && dp && !cancelled) {
      user = *du;
      password = *dp;
      decoded = true;
    }
  } else {
    ++errors_;
    reply(504, "5.5.4", "Unrecognized authentication type");
    co_return true;
  }
  if (cancelled) {
    reply(501, "5.0.0", "Authentication cancelled");
  } else if (!decoded) {
    ++errors_;
    reply(501, "5.5.2", "Cannot decode the response");
  } else if (srv_.options.authenticate(user, password)) {
    session_.user = user;
    reply(235, "2.7.0", "Authentication successful");
  } else {
    ++errors_;
    reply(535, "5.7.8", "Authentication credentials invalid");
  }
  co_return true;
}

}  // namespace wire::smtp::detail
