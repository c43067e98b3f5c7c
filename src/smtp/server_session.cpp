// SPDX-License-Identifier: MIT
// One server connection: the greeting, then commands read with dialogue::CommandParser (lines
// end only at CRLF, RFC 5321 §2.3.8), answered in order, the answers to a pipelined group
// written together when the client has nothing more to say (RFC 2920 §3.2). The rules each
// command follows are in RFC 5321 §4.1.1 and §4.1.4 (order), with the extensions' own.
#include <string>
#include <vector>

#include "server_impl.hpp"
#include "wire/dialogue/error.hpp"
#include "wire/dialogue/reply.hpp"
#include "wire/io/reader.hpp"
#include "wire/smtp/envelope.hpp"
#include "wire/text/chars.hpp"

namespace wire::smtp::detail {

namespace {

dialogue::CommandLimits command_limits(const ServerLimits& l) {
  dialogue::CommandLimits c;
  c.max_line_length = l.max_command_line;
  return c;  // accept_bare_lf stays off: only CRLF ends a command line
}

}  // namespace

Conversation::Conversation(Server::Impl& server, Worker& worker, tls::AnyStream& stream, const net::Address& peer)
    : srv_(server),
      w_(worker),
      s_(stream),
      limits_(server.options.limits),
      in_(16 * 1024),
      parser_(dialogue::Syntax::smtp, command_limits(server.options.limits)) {
  session_.peer = peer;
  session_.tls = stream.is_tls();
  started_ = io::Loop::current().now();
}

void Conversation::reply(int code, std::string_view enhanced, std::string_view text) {
  std::string line;
  if (!enhanced.empty()) line.append(enhanced).push_back(' ');
  line.append(text);
  std::error_code ec;
  std::string_view lines[] = {line};
  dialogue::encode_reply(out_, dialogue::Syntax::smtp, code, lines, ec);
  if (ec) dialogue::encode_reply(out_, code, std::string(enhanced) + " (unprintable)");
}

io::Task<bool> Conversation::flush() {
  if (out_.empty()) co_return true;
  std::error_code ec;
  co_await s_.write_all(std::as_bytes(std::span(out_)), ec);
  out_.clear();
  co_return !ec;
}

io::Task<std::size_t> Conversation::read_more(std::span<std::byte> space, std::error_code& ec) {
  if (!co_await flush()) {
    ec = std::make_error_code(std::errc::broken_pipe);
    co_return 0;
  }
  bool tls_buffered = s_.is_tls() && s_.tls().engine().input_buffered() > 0;
  if (!tls_buffered) {
    // Between commands the connection waits in the worker's idle queue: one list link, and
    // a drain closes it at once.
    link_.stream = &s_.plain();
    w_.idle.push(link_, io::Loop::current().now() + limits_.idle_timeout);
    co_await s_.plain().wait_readable(ec);
    link_.unlink();
    if (ec) co_return 0;
  }
  co_return co_await s_.read_some(space, ec);
}

io::Task<void> Conversation::run() {
  reply(220, {}, srv_.hostname + " ESMTP wire");
  for (;;) {
    std::error_code ec;
    auto ev = co_await io::next_event(
        parser_, in_, [this](std::span<std::byte> space, std::error_code& e) { return read_more(space, e); }, ec);
    if (ec) break;  // gone, idle too long, or drained
    bool go_on = ev.kind == dialogue::CommandEvent::command ? co_await dispatch(parser_.command())
                                                            : refuse_line(ev.error);
    if (go_on && over_limits()) go_on = false;
    if (!go_on) break;
  }
  co_await close();
}

io::Task<void> Conversation::close() {
  if (!co_await flush() || !s_.is_open()) co_return;
  if (s_.is_tls()) {
    try {
      co_await s_.shutdown();  // close_notify
    } catch (const std::exception&) {
      co_return;
    }
  }
  co_await io::linger_close(s_.plain(), std::chrono::seconds(2), 64 * 1024);
}

bool Conversation::refuse_line(std::error_code why) {
  ++errors_;
  if (why == dialogue::Errc::truncated_command) return false;
  if (why == dialogue::Errc::line_too_long) {
    reply(500, "5.5.2", "Line too long");
  } else if (why == dialogue::Errc::bare_cr || why == dialogue::Errc::bare_lf) {
    reply(500, "5.5.2", "Bare CR or LF in a command line (RFC 5321 2.3.8)");
  } else {
    reply(500, "5.5.2", "Syntax error");
  }
  return true;
}

// The connection-wide limits, after each command: a 421 and the end when one is passed.
bool Conversation::over_limits() {
  if (errors_ > limits_.max_errors) {
    reply(421, "4.7.0", srv_.hostname + " Too many errors, closing");
    return true;
  }
  if (commands_without_mail_ > limits_.max_commands_without_mail) {
    reply(421, "4.7.0", srv_.hostname + " Too many commands without a message, closing");
    return true;
  }
  if (io::Loop::current().now() - started_ > limits_.session_timeout) {
    reply(421, "4.4.2", srv_.hostname + " Session too long, closing");
    return true;
  }
  return false;
}

io::Task<bool> Conversation::dispatch(const dialogue::Command& c) {
  const std::string& v = c.verb;
  if (v != "MAIL" && v != "RCPT" && v != "DATA") ++commands_without_mail_;
  if (v == "EHLO" || v == "HELO") {
    hello(c.arg, v == "EHLO");
  } else if (v == "MAIL") {
    mail(c.arg);
  } else if (v == "RCPT") {
    rcpt(c.arg);
  } else if (v == "DATA") {
    co_return co_await data();
  } else if (v == "RSET") {
    reset_transaction();
    reply(250, "2.0.0", "OK");
  } else if (v == "NOOP") {
    reply(250, "2.0.0", "OK");
  } else if (v == "QUIT") {
    reply(221, "2.0.0", srv_.hostname + " Bye");
    co_return false;
  } else if (v == "STARTTLS") {
    co_return co_await starttls(c.arg);
  } else if (v == "AUTH") {
    co_return co_await auth(c.arg);
  } else if (v == "VRFY") {
    reply(252, "2.5.0", "Cannot VRFY user, but will accept the message and attempt delivery");  // §3.5.3
  } else if (v == "HELP") {
    reply(214, "2.0.0", "wire SMTP: see RFC 5321");
  } else if (v == "EXPN" || v == "BDAT" || v == "TURN" || v == "ETRN") {
    ++errors_;
    reply(502, "5.5.1", "Command not implemented");
  } else {
    ++errors_;
    reply(500, "5.5.1", "Command unrecognized");
  }
  co_return true;
}

void Conversation::reset_transaction() {
  in_mail_ = false;
  smtputf8_ = false;
  session_.from.clear();
  session_.recipients.clear();
  session_.smtputf8 = false;
}

bool Conversation::auth_offered() const {
  if (!srv_.options.authenticate) return false;
  return s_.is_tls() || (srv_.options.auth_in_clear_on_loopback && session_.peer.is_loopback());
}

void Conversation::hello(std::string_view arg, bool extended) {
  arg = text::trim_ows(arg);
  if (arg.empty()) {
    ++errors_;
    reply(501, "5.5.4", std::string("Syntax: ") + (extended ? "EHLO" : "HELO") + " hostname");
    return;
  }
  reset_transaction();  // RFC 5321 §4.1.4: EHLO resets the state
  session_.helo = std::string(arg.substr(0, 255));
  std::string greet = srv_.hostname + " greets [" + session_.peer.host() + "]";
  if (!extended) {
    reply(250, {}, greet);
    return;
  }
  std::vector<std::string> lines{greet};
  lines.push_back("SIZE " + std::to_string(limits_.max_message_size));
  lines.emplace_back("8BITMIME");
  lines.emplace_back("PIPELINING");
  lines.emplace_back("SMTPUTF8");
  lines.emplace_back("ENHANCEDSTATUSCODES");
  if (srv_.options.tls && !s_.is_tls()) lines.emplace_back("STARTTLS");
  if (auth_offered()) lines.emplace_back("AUTH PLAIN LOGIN");
  std::vector<std::string_view> views(lines.begin(), lines.end());
  std::error_code ec;
  dialogue::encode_reply(out_, dialogue::Syntax::smtp, 250, views, ec);
}

void Conversation::mail(std::string_view arg) {
  if (session_.helo.empty()) return reply(503, "5.5.1", "Send EHLO first");
  if (srv_.options.require_auth && session_.user.empty()) return reply(530, "5.7.0", "Authentication required");
  if (in_mail_) return reply(503, "5.5.1", "Nested MAIL command");
  PathArgument path;
  switch (parse_path_argument(arg, "FROM:", true, path)) {
    case PathErrc::ok: break;
    case PathErrc::bad_address: ++errors_; return reply(553, "5.1.7", "Bad sender address syntax");
    default: ++errors_; return reply(501, "5.5.4", "Syntax: MAIL FROM:<address> [parameters]");
  }
  bool utf8 = false;
  for (const auto& [keyword, value] : path.params) {
    if (keyword == "SIZE") {  // RFC 1870 §6
      std::uint64_t n = 0;
      for (char c : value) n = text::is_digit(c) && n < (1ull << 60) ? n * 10 + static_cast<unsigned>(c - '0') : ~0ull;
      if (value.empty() || n == ~0ull) return reply(501, "5.5.4", "Bad SIZE parameter");
      if (n > limits_.max_message_size) return reply(552, "5.3.4", "Message size exceeds fixed maximum message size");
    } else if (keyword == "BODY") {  // RFC 6152 §2
      if (!text::iequals(value, "7BIT") && !text::iequals(value, "8BITMIME")) return reply(501, "5.5.4", "Bad BODY parameter");
    } else if (keyword == "SMTPUTF8" && value.empty()) {  // RFC 6531 §3.4
      utf8 = true;
    } else if (keyword != "AUTH") {  // RFC 4954 §5: AUTH=<mailbox> may be ignored
      return reply(555, "5.5.4", "Unsupported parameter " + keyword);
    }
  }
  if (is_utf8_address(path.address) && !utf8) {
    return reply(553, "5.6.7", "A UTF-8 address needs the SMTPUTF8 parameter");  // RFC 6531 §3.6
  }
  in_mail_ = true;
  smtputf8_ = utf8;
  session_.smtputf8 = utf8;
  session_.from = path.address;
  commands_without_mail_ = 0;
  reply(250, "2.1.0", "Sender OK");
}

void Conversation::rcpt(std::string_view arg) {
  if (!in_mail_) return reply(503, "5.5.1", "Need MAIL first");
  PathArgument path;
  switch (parse_path_argument(arg, "TO:", true, path)) {
    case PathErrc::ok: break;
    case PathErrc::bad_address: ++errors_; return reply(553, "5.1.3", "Bad recipient address syntax");
    default: ++errors_; return reply(501, "5.5.4", "Syntax: RCPT TO:<address> [parameters]");
  }
  if (!path.params.empty()) return reply(555, "5.5.4", "Unsupported parameter " + path.params.front().first);
  if (is_utf8_address(path.address) && !smtputf8_) {
    return reply(553, "5.6.7", "A UTF-8 address needs the SMTPUTF8 parameter");
  }
  if (session_.recipients.size() >= limits_.max_recipients) return reply(452, "4.5.3", "Too many recipients");
  Verdict v;
  if (srv_.options.on_recipient) {
    v = srv_.options.on_recipient(session_, path.address);
  } else {
    std::string_view address = path.address;
    std::size_t at = address.rfind('@');
    std::string_view domain = at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
    bool ours = at == std::string_view::npos && text::iequals(address, "postmaster");  // RFC 5321 §4.5.1
    for (const auto& d : srv_.options.domains) ours = ours || text::iequals(d, domain);
    v = ours ? Verdict{250, "2.1.5", "Recipient OK"} : Verdict{550, "5.7.1", "Relaying denied"};
  }
  if (v.accepted()) session_.recipients.push_back(path.address);
  reply(v.code, v.enhanced_code, v.text);
}

}  // namespace wire::smtp::detail
